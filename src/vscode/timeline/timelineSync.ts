import type { StoreChange } from '../../core/model/change';
import type { Interaction } from '../../core/model/interaction';
import type { HostMessage } from '../../protocol/timelineMessages';
import type { InteractionRow, SessionHeader } from '../../protocol/timelineModel';
import type { Session } from '../../core/model/session';
import {
  phaseRunsOf,
  runTotalsByInteraction,
  toArtifactLinks,
  toEventRow,
  toInteractionRow,
  sessionLinksOf,
  toSessionHeader,
  type RunTotals,
  type TimelineStoreReads,
} from './timelineViewModel';

const EVENT_BATCH = 1_000;
/** Interactions in the snapshot itself: enough for the first screen, quick to read. */
export const FIRST_PAGE = 200;
/** Interactions per `interactionsLoaded` page after it. */
export const NEXT_PAGE = 2_000;

/**
 * Knows what the webview of one session has been sent, and turns store changes into the
 * messages that bring it up to date: new and changed interactions, appended events, the
 * session header and artifacts. No `vscode` import.
 */
export class TimelineSync {
  /** The highest seq sent; while `loading`, the pages are still catching up to the store. */
  private lastInteractionSeq = 0;
  private loading = false;
  private lastEventSeq = 0;
  /** Interactions whose result may still change (pending when last sent). */
  private readonly unsettled = new Set<string>();
  private readonly runTotals = new Map<string, RunTotals>();

  constructor(
    private readonly store: TimelineStoreReads,
    readonly sessionId: string,
  ) {}

  /**
   * The first render's state for a (re)loaded webview, with the first page of interactions;
   * call {@link nextPage} until it says `done` for the rest. Resets the baseline for updates.
   */
  snapshot(focusInteractionSeq: number | null): Extract<HostMessage, { type: 'snapshot' }> | undefined {
    const session = this.store.sessions.get(this.sessionId);
    if (!session) return undefined;
    this.runTotals.clear();
    this.unsettled.clear();
    this.lastInteractionSeq = 0;
    this.loading = true;
    this.lastEventSeq = this.store.events.lastSeq(this.sessionId);
    const first = this.readPage(FIRST_PAGE);
    return {
      type: 'snapshot',
      session: this.header(session),
      interactions: first.rows,
      totalInteractions: Math.max(session.interactionCount, first.rows.length),
      artifacts: toArtifactLinks(this.store.artifacts.list(this.sessionId)),
      focusInteractionSeq,
    };
  }

  /** The next page of interactions after the snapshot's, or undefined once all were sent. */
  nextPage(): Extract<HostMessage, { type: 'interactionsLoaded' }> | undefined {
    if (!this.loading) return undefined;
    const page = this.readPage(NEXT_PAGE);
    return { type: 'interactionsLoaded', interactions: page.rows, done: page.done };
  }

  private readPage(limit: number): { rows: InteractionRow[]; done: boolean } {
    const interactions = this.store.interactions.list(this.sessionId, { after: this.lastInteractionSeq, limit });
    for (const i of interactions) {
      if (i.result.status === 'pending') this.unsettled.add(i.id);
      this.lastInteractionSeq = i.seq;
      this.refreshRunTotals(i);
    }
    const done = interactions.length < limit;
    if (done) this.loading = false;
    return { rows: interactions.map((i) => toInteractionRow(i, this.runTotals.get(i.id))), done };
  }

  /** The header of the session as it is now (goal, outcome, notes, phases, previous / next sessions). */
  private header(session: Session): SessionHeader {
    return toSessionHeader(
      session,
      this.store.notes?.list(this.sessionId),
      phaseRunsOf(this.store, this.sessionId),
      sessionLinksOf(this.store, session),
    );
  }

  /** The messages a store change calls for (none when it is about other sessions). */
  update(change: StoreChange): HostMessage[] {
    const own = change.sessionIds.includes(this.sessionId);
    // A session that follows this one (just started, or changed status) is shown in the header.
    if (!own && !change.sessionIds.some((id) => this.store.sessions.get(id)?.followsSessionId === this.sessionId)) return [];
    const session = this.store.sessions.get(this.sessionId);
    if (!session) return [];
    if (!own) return [{ type: 'sessionUpdated', session: this.header(session) }];
    const kinds = new Set(change.kinds);
    const messages: HostMessage[] = [{ type: 'sessionUpdated', session: this.header(session) }];
    if (kinds.has('interaction') || kinds.has('run')) {
      messages.push(...this.interactionUpdates(kinds.has('run')));
    }
    if (kinds.has('event')) {
      messages.push(...this.eventUpdates());
    }
    if (kinds.has('artifact')) {
      messages.push({ type: 'artifactsUpdated', artifacts: toArtifactLinks(this.store.artifacts.list(this.sessionId)) });
    }
    return messages;
  }

  /**
   * Re-reads the tokens and cost of an interaction's runs; true when they changed. Only agent
   * steps (`claude`) have runs, and the index on `runs.interaction_id` keeps this cheap.
   */
  private refreshRunTotals(interaction: Interaction): boolean {
    if (interaction.command.kind !== 'claude') return false;
    const totals = runTotalsByInteraction(this.store.runs.listByInteraction(interaction.id)).get(interaction.id);
    const before = this.runTotals.get(interaction.id);
    if (!totals) return before !== undefined && this.runTotals.delete(interaction.id);
    this.runTotals.set(interaction.id, totals);
    return !before || before.costUsd !== totals.costUsd || JSON.stringify(before.tokens) !== JSON.stringify(totals.tokens);
  }

  private interactionUpdates(runsChanged: boolean): HostMessage[] {
    const changed = new Set(this.unsettled);
    if (runsChanged) {
      // Runs change while their step runs; the latest step covers a result recorded just before.
      const latest = this.store.interactions.latest(this.sessionId);
      if (latest && latest.seq <= this.lastInteractionSeq && this.refreshRunTotals(latest)) changed.add(latest.id);
    }
    const messages: HostMessage[] = [];
    for (const id of changed) {
      const interaction = this.store.interactions.get(id);
      if (!interaction || interaction.seq > this.lastInteractionSeq) continue; // new ones are sent below
      if (runsChanged) this.refreshRunTotals(interaction);
      if (interaction.result.status !== 'pending') this.unsettled.delete(id);
      messages.push({ type: 'interactionUpdated', interaction: toInteractionRow(interaction, this.runTotals.get(id)) });
    }
    if (this.loading) return messages; // new interactions arrive with the remaining pages
    for (const interaction of this.store.interactions.list(this.sessionId, { after: this.lastInteractionSeq, limit: 10_000 })) {
      this.lastInteractionSeq = interaction.seq;
      if (interaction.result.status === 'pending') this.unsettled.add(interaction.id);
      this.refreshRunTotals(interaction);
      messages.push({ type: 'interactionUpdated', interaction: toInteractionRow(interaction, this.runTotals.get(interaction.id)) });
    }
    return messages;
  }

  private eventUpdates(): HostMessage[] {
    const messages: HostMessage[] = [];
    for (;;) {
      const events = this.store.events.list(this.sessionId, { after: this.lastEventSeq, limit: EVENT_BATCH });
      for (const event of events) {
        this.lastEventSeq = event.seq;
        messages.push({ type: 'eventAppended', event: toEventRow(event) });
      }
      if (events.length < EVENT_BATCH) return messages;
    }
  }
}
