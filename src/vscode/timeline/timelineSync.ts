import type { StoreChange } from '../../core/model/change';
import type { HostMessage } from '../../protocol/timelineMessages';
import {
  listAllInteractions,
  runTotalsByInteraction,
  toArtifactLinks,
  toEventRow,
  toInteractionRow,
  toSessionHeader,
  type RunTotals,
  type TimelineStoreReads,
} from './timelineViewModel';

const EVENT_BATCH = 1_000;

/**
 * Knows what the webview of one session has been sent, and turns store changes into the
 * messages that bring it up to date: new and changed interactions, appended events, the
 * session header and artifacts. No `vscode` import.
 */
export class TimelineSync {
  private lastInteractionSeq = 0;
  private lastEventSeq = 0;
  /** Interactions whose result may still change (pending when last sent). */
  private readonly unsettled = new Set<string>();
  private runTotals = new Map<string, RunTotals>();

  constructor(
    private readonly store: TimelineStoreReads,
    readonly sessionId: string,
  ) {}

  /** The full state for a (re)loaded webview; resets the baseline for later updates. */
  snapshot(focusInteractionSeq: number | null): Extract<HostMessage, { type: 'snapshot' }> | undefined {
    const session = this.store.sessions.get(this.sessionId);
    if (!session) return undefined;
    const interactions = listAllInteractions(this.store, this.sessionId);
    this.runTotals = runTotalsByInteraction(this.store.runs.listBySession(this.sessionId));
    this.unsettled.clear();
    for (const i of interactions) {
      if (i.result.status === 'pending') this.unsettled.add(i.id);
    }
    this.lastInteractionSeq = interactions.length ? interactions[interactions.length - 1]!.seq : 0;
    this.lastEventSeq = this.store.events.lastSeq(this.sessionId);
    return {
      type: 'snapshot',
      session: toSessionHeader(session),
      interactions: interactions.map((i) => toInteractionRow(i, this.runTotals.get(i.id))),
      artifacts: toArtifactLinks(this.store.artifacts.list(this.sessionId)),
      focusInteractionSeq,
    };
  }

  /** The messages a store change calls for (none when it is about other sessions). */
  update(change: StoreChange): HostMessage[] {
    if (!change.sessionIds.includes(this.sessionId)) return [];
    const session = this.store.sessions.get(this.sessionId);
    if (!session) return [];
    const kinds = new Set(change.kinds);
    const messages: HostMessage[] = [{ type: 'sessionUpdated', session: toSessionHeader(session) }];
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

  private interactionUpdates(runsChanged: boolean): HostMessage[] {
    const changed = new Set(this.unsettled);
    if (runsChanged) {
      const totals = runTotalsByInteraction(this.store.runs.listBySession(this.sessionId));
      for (const [id, t] of totals) {
        const before = this.runTotals.get(id);
        if (!before || before.costUsd !== t.costUsd || JSON.stringify(before.tokens) !== JSON.stringify(t.tokens)) changed.add(id);
      }
      this.runTotals = totals;
    }
    const messages: HostMessage[] = [];
    for (const id of changed) {
      const interaction = this.store.interactions.get(id);
      if (!interaction || interaction.seq > this.lastInteractionSeq) continue; // new ones are sent below
      if (interaction.result.status !== 'pending') this.unsettled.delete(id);
      messages.push({ type: 'interactionUpdated', interaction: toInteractionRow(interaction, this.runTotals.get(id)) });
    }
    for (const interaction of this.store.interactions.list(this.sessionId, { after: this.lastInteractionSeq, limit: 10_000 })) {
      this.lastInteractionSeq = interaction.seq;
      if (interaction.result.status === 'pending') this.unsettled.add(interaction.id);
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
