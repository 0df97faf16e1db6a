import type { Artifact } from '../../core/model/artifact';
import type { LedgerEvent } from '../../core/model/event';
import type { Interaction } from '../../core/model/interaction';
import type { Run } from '../../core/model/run';
import type { Session } from '../../core/model/session';
import type { Note } from '../../core/model/note';
import type { ArtifactsReads, EventsReads, InteractionsReads, NotesReads, RunsReads, SessionsReads } from '../../core/store/repositoryApi';
import { headCap, stripAnsi, tailCap } from '../../protocol/displayText';
import { actualMinutes } from '../../protocol/sessionDurations';
import { reviewGateOf } from '../../core/engine/reviewGate';
import { isTerminalSessionStatus } from '../../core/model/sessionStatus';
import {
  DETAIL_COMMAND_MAX_CHARS,
  DETAIL_OUTPUT_TAIL_CHARS,
  EVENT_SUMMARY_MAX_CHARS,
  ROW_COMMAND_MAX_CHARS,
  type ArtifactLink,
  type EventRow,
  type InteractionDetail,
  type InteractionRow,
  HEADER_FOLLOW_UPS_MAX,
  HEADER_NOTES_MAX,
  HEADER_PHASES_MAX,
  type LinkedSessionView,
  type NoteView,
  type PhaseRunsView,
  type SessionHeader,
} from '../../protocol/timelineModel';
import type { TokenUsage } from '../../protocol/sharedModel';

/*
 * Maps store records to the timeline's view models. No `vscode` import: unit-tested in plain Node.
 */

/** The store reads the timeline needs (a `SessionStore` satisfies it; tests pass plain objects). */
export interface TimelineStoreReads {
  readonly sessions: Pick<SessionsReads, 'get'> & Partial<Pick<SessionsReads, 'followUps'>>;
  readonly interactions: Pick<InteractionsReads, 'get' | 'list' | 'latest'>;
  readonly events: Pick<EventsReads, 'list' | 'lastSeq'>;
  readonly runs: Pick<RunsReads, 'listByInteraction'> & Partial<Pick<RunsReads, 'listBySession'>>;
  readonly artifacts: Pick<ArtifactsReads, 'get' | 'list'>;
  /** The session's notes for the header (absent: none shown). */
  readonly notes?: Pick<NotesReads, 'list'>;
}

/** Tokens and cost of one interaction's runs. */
export interface RunTotals {
  readonly tokens: TokenUsage;
  readonly costUsd: number;
}

export const EVENTS_PAGE = 500;

/** The session's runs grouped by the phase they served, in the order the phases first ran. */
export function toPhaseRuns(runs: readonly Run[], seqOf: (interactionId: string) => number | undefined): PhaseRunsView[] {
  const groups = new Map<string, PhaseRunsView & { tokens: TokenUsage }>();
  for (const run of runs) {
    const phase = run.phase ?? 'unknown';
    const group = groups.get(phase) ?? {
      phase,
      runs: 0,
      modelAliases: [],
      models: [],
      tokens: usageOf(),
      costUsd: 0,
      costUnknown: false,
      seqs: [],
    };
    group.runs++;
    if (run.modelAlias !== null && !group.modelAliases.includes(run.modelAlias)) group.modelAliases.push(run.modelAlias);
    if (run.model !== null && !group.models.includes(run.model)) group.models.push(run.model);
    group.tokens = usageOf(group.tokens, run);
    group.costUsd += run.costUsd;
    group.costUnknown ||= run.costUnknown;
    const seq = run.interactionId === null ? undefined : seqOf(run.interactionId);
    if (seq !== undefined && !group.seqs.includes(seq)) group.seqs.push(seq);
    groups.set(phase, group);
  }
  return [...groups.values()].slice(0, HEADER_PHASES_MAX);
}

/** The header's phase groups, read from the store (none when it cannot list a session's runs). */
export function phaseRunsOf(store: Pick<TimelineStoreReads, 'runs' | 'interactions'>, sessionId: string): PhaseRunsView[] {
  const runs = store.runs.listBySession?.(sessionId) ?? [];
  return toPhaseRuns(runs, (id) => store.interactions.get(id)?.seq);
}

/** The sessions chained with this one: the one it follows and those that follow it (Start Follow-up Session). */
export interface SessionLinksView {
  readonly previous: LinkedSessionView | null;
  readonly next: readonly LinkedSessionView[];
}

/** The previous and next sessions of `session` (none when the store cannot list follow-ups). */
export function sessionLinksOf(store: TimelineStoreReads, session: Session): SessionLinksView {
  const view = (s: Session): LinkedSessionView => ({ id: s.id, title: s.title, status: s.status });
  const previous = session.followsSessionId ? store.sessions.get(session.followsSessionId) : undefined;
  return {
    previous: previous ? view(previous) : null,
    next: (store.sessions.followUps?.(session.id) ?? []).slice(0, HEADER_FOLLOW_UPS_MAX).map(view),
  };
}

export function toSessionHeader(
  session: Session,
  notes: readonly Note[] = [],
  phases: readonly PhaseRunsView[] = [],
  links: SessionLinksView = { previous: null, next: [] },
): SessionHeader {
  const gate = reviewGateOf(session);
  return {
    id: session.id,
    title: session.title,
    type: session.type,
    intention: session.intention,
    successCriteria: session.successCriteria,
    completionCriteria: session.completionCriteria,
    constraints: session.constraints,
    procedureNotes: session.procedureNotes,
    summary: session.summary,
    outcome: session.outcome === null ? null : { ...session.outcome },
    notes: notes.slice(-HEADER_NOTES_MAX).map(toNoteView),
    progress: session.progress === null ? null : { ...session.progress, criteria: session.progress.criteria.map((c) => ({ ...c })) },
    reviewGate:
      gate === undefined || isTerminalSessionStatus(session.status)
        ? null
        : { step: gate.step, seq: gate.seq, artifactKeys: gate.artifactKeys, since: gate.since },
    phases: [...phases],
    tags: [...session.tags],
    scheduledAt: session.scheduledAt,
    expectedMinutes: session.expectedMinutes,
    actualMinutes: actualMinutes(session) ?? null,
    previous: links.previous,
    next: [...links.next],
    status: session.status,
    phase: session.phase,
    executionMode: session.executionMode,
    conversationId: session.externalConversationId,
    costUsd: session.totalCostUsd,
    tokens: usageOf(session),
    interactionCount: session.interactionCount,
    updatedAt: session.updatedAt,
  };
}

export function toNoteView(note: Note): NoteView {
  return {
    id: note.id,
    kind: note.kind,
    content: note.content,
    important: note.important,
    followUp: note.followUp,
    interactionSeq: note.interactionSeq,
    createdAt: note.createdAt,
  };
}

/** The token counts of `a`, plus those of `b` when given (zero without either). */
function usageOf(a?: TokenUsage, b?: TokenUsage): TokenUsage {
  const sum = (k: keyof TokenUsage) => (a?.[k] ?? 0) + (b?.[k] ?? 0);
  return {
    inputTokens: sum('inputTokens'),
    outputTokens: sum('outputTokens'),
    cacheCreationTokens: sum('cacheCreationTokens'),
    cacheCreation1hTokens: sum('cacheCreation1hTokens'),
    cacheReadTokens: sum('cacheReadTokens'),
  };
}

export function runTotalsByInteraction(runs: readonly Run[]): Map<string, RunTotals> {
  const totals = new Map<string, { tokens: TokenUsage; costUsd: number }>();
  for (const run of runs) {
    if (!run.interactionId) continue;
    const t = totals.get(run.interactionId) ?? { tokens: usageOf(), costUsd: 0 };
    t.tokens = usageOf(t.tokens, run);
    t.costUsd += run.costUsd;
    totals.set(run.interactionId, t);
  }
  return totals;
}

export function toInteractionRow(interaction: Interaction, totals: RunTotals | undefined): InteractionRow {
  const command = headCap(interaction.command.command, ROW_COMMAND_MAX_CHARS);
  return {
    id: interaction.id,
    seq: interaction.seq,
    step: interaction.command.step,
    phase: typeof interaction.command.metadata.phase === 'string' ? interaction.command.metadata.phase : null,
    kind: interaction.command.kind,
    command: command.text,
    commandTruncated: command.truncated,
    status: interaction.result.status,
    exitCode: interaction.result.exitCode,
    durationMs: interaction.result.durationMs,
    startedAt: Math.floor(interaction.commandAtMicros / 1000),
    tokens: totals?.tokens ?? null,
    costUsd: totals?.costUsd ?? null,
    hasOutput: (interaction.result.output ?? '') !== '',
    errorMessage: interaction.result.errorMessage,
  };
}

export function toInteractionDetail(interaction: Interaction): InteractionDetail {
  const command = headCap(interaction.command.command, DETAIL_COMMAND_MAX_CHARS);
  const raw = interaction.result.output;
  // Cap before stripping too, so a huge output costs no more than its tail.
  const output = raw === null ? null : tailCap(stripAnsi(tailCap(raw, DETAIL_OUTPUT_TAIL_CHARS * 4).text), DETAIL_OUTPUT_TAIL_CHARS);
  return {
    interactionId: interaction.id,
    command: command.text,
    commandTruncated: command.truncated,
    output: output?.text ?? null,
    outputOmittedChars: raw === null || output === null ? 0 : Math.max(0, raw.length - output.text.length),
    outputFormat: interaction.command.kind === 'claude' ? 'markdown' : 'text',
    errorMessage: interaction.result.errorMessage,
  };
}

export function toEventRow(event: LedgerEvent): EventRow {
  const payload = event.payload;
  let summary: string;
  if (isTextOnly(payload)) {
    summary = payload.text; // streamed text (agent.text) reads as text, not as JSON
  } else {
    try {
      summary = payload === null ? '' : JSON.stringify(payload);
    } catch {
      summary = String(payload);
    }
  }
  return {
    id: event.id,
    seq: event.seq,
    interactionId: event.interactionId,
    type: event.type,
    toolName: event.toolName,
    ts: event.ts,
    summary: headCap(summary, EVENT_SUMMARY_MAX_CHARS).text,
  };
}

function isTextOnly(payload: unknown): payload is { text: string } {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return false;
  const keys = Object.keys(payload);
  return keys.length === 1 && keys[0] === 'text' && typeof (payload as { text: unknown }).text === 'string';
}

export function toArtifactLinks(artifacts: readonly Artifact[]): ArtifactLink[] {
  return artifacts
    .filter((a) => a.deletedAt === null)
    .map((a) => ({ id: a.id, key: a.key, kind: a.kind, path: a.path, review: a.review?.state ?? null }));
}
