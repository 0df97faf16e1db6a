/**
 * The turns of imported Claude Code sessions. Only a person's prompt (or a custom slash command's
 * expanded prompt) starts a turn: an interaction (`step` {@link IMPORTED_TURN_STEP}, kind `claude`,
 * id derived from the line's uuid). A turn's result (reply text, tool uses, model, time of its last
 * line) is a function of its stored events, so it is the same whether the file was imported in one
 * go, in chunks, or across imports of a growing file.
 */
import type { LedgerEvent } from '../model/event';
import type { Interaction, InteractionResultInput } from '../model/interaction';
import { capOutput } from '../store/repositories/interactionRepository';
import type { StoreTransaction } from '../store/repositoryApi';
import { stableUuid } from './claudeSessions';
import type { ApplyTotals } from './transcriptApplyContext';
import { lineKey } from './transcriptEvents';
import { blocksText, isPrompt, noticeKind, slashCommandOf, type TranscriptRecord } from './transcriptRecord';

export const IMPORTED_TURN_STEP = 'claude-code.turn';
/** The events a turn's result (reply, tool uses, end time) is built from; usage is counted in runs instead. */
const BLOCK_EVENT_TYPES: ReadonlySet<string> = new Set([
  'claude.prompt',
  'claude.text',
  'claude.thinking',
  'claude.tool_use',
  'claude.tool_result',
  'claude.notice',
  'claude.compaction',
]);
const EVENT_PAGE = 10_000;

/** What a turn's result is made of, gathered from its events (stored, or appended in this run). */
export interface Turn {
  interactionId: string;
  reply: string[];
  toolUses: number;
  model: string | null;
  /** The prompt line's timestamp (ms). */
  startedAt: number | null;
  /** The latest timestamp (ms) of the turn's own (not sidechain) events. */
  lastAt: number | null;
  /** A later prompt began: a turn without reply text then ends `interrupted`. */
  closed: boolean;
}

type EventPayload = { role?: unknown; model?: unknown; text?: unknown; isSidechain?: unknown };

export function newTurn(interactionId: string, startedAt: number | null): Turn {
  return { interactionId, reply: [], toolUses: 0, model: null, startedAt, lastAt: null, closed: false };
}

/** Adds one of the turn's events to what its result is made of. */
export function addToTurn(turn: Turn, event: Pick<LedgerEvent, 'type' | 'payload' | 'ts'>): void {
  if (!BLOCK_EVENT_TYPES.has(event.type)) return;
  const payload = (event.payload ?? {}) as EventPayload;
  if (payload.isSidechain === true) return;
  turn.lastAt = turn.lastAt === null ? event.ts : Math.max(turn.lastAt, event.ts);
  if (typeof payload.model === 'string') turn.model = payload.model;
  // Events imported before `role` was recorded: only assistant lines carry a model.
  const role = payload.role ?? (typeof payload.model === 'string' ? 'assistant' : 'user');
  if (role !== 'assistant') return;
  if (event.type === 'claude.text' && typeof payload.text === 'string' && payload.text !== '') turn.reply.push(payload.text);
  if (event.type === 'claude.tool_use') turn.toolUses++;
}

function resultOf(turn: Turn): InteractionResultInput | undefined {
  if (turn.reply.length === 0 && !turn.closed) return undefined; // still waiting for its reply
  return {
    status: turn.reply.length > 0 ? 'ok' : 'interrupted',
    output: turn.reply.join('\n\n'),
    data: { toolUses: turn.toolUses, model: turn.model },
    durationMs: turn.startedAt !== null && turn.lastAt !== null ? Math.max(0, turn.lastAt - turn.startedAt) : null,
    ...(turn.lastAt !== null ? { completedAt: turn.lastAt } : {}),
  };
}

function sameResult(stored: Interaction['result'], next: InteractionResultInput): boolean {
  return (
    stored.status === next.status &&
    stored.output === capOutput(next.output ?? null) &&
    JSON.stringify(stored.data) === JSON.stringify(next.data ?? null) &&
    stored.durationMs === (next.durationMs ?? null) &&
    (next.completedAt === undefined || stored.completedAt === next.completedAt)
  );
}

/** Records (or revises) the turn's result when it differs from the stored one. */
export function writeTurnResult(tx: StoreTransaction, turn: Turn): void {
  const result = resultOf(turn);
  const stored = tx.interactions.get(turn.interactionId);
  if (!result || !stored || sameResult(stored.result, result)) return;
  if (stored.result.status === 'pending') tx.interactions.setResult(turn.interactionId, result);
  else tx.interactions.reviseResult(turn.interactionId, result);
}

/** The turn in progress per Claude session, across the chunks of one import run. */
export class TurnTracker {
  private readonly turns = new Map<string, Turn | null>();
  /** Slash-command lines seen in this run (uuid → `/name args`): their expanded prompt (a meta line) starts a turn. */
  private readonly commandLines = new Map<string, string>();

  constructor(private readonly totals: ApplyTotals) {}

  /** Drops what this run remembers (after a chunk's transaction was rolled back). */
  forget(): void {
    this.turns.clear();
    this.commandLines.clear();
  }

  /**
   * What a line starts a turn with: a person's prompt, or a custom slash command (`/name args`)
   * whose expanded prompt Claude Code writes as a meta line under the command's line (2.x).
   * Null when the line starts no turn.
   */
  promptOf(tx: StoreTransaction, record: TranscriptRecord): string | null {
    if (isPrompt(record)) return blocksText(record.blocks);
    if (record.type !== 'user' || record.isSidechain || !record.uuid) return null;
    const kind = noticeKind(record);
    if (kind === 'command') {
      const command = slashCommandOf(blocksText(record.blocks));
      if (command) this.commandLines.set(record.uuid, command);
      return null;
    }
    if (kind !== 'meta' || !record.parentUuid) return null;
    const known = this.commandLines.get(record.parentUuid);
    if (known) return known;
    const stored = tx.events.get(`cc:${record.parentUuid}:notice`)?.payload as { kind?: unknown; text?: unknown } | undefined;
    return stored?.kind === 'command' && typeof stored.text === 'string' ? slashCommandOf(stored.text) : null;
  }

  /** The turn a non-prompt line belongs to: the one in progress, else the session's latest imported turn (continued from an earlier import). */
  current(tx: StoreTransaction, claudeSessionId: string, sessionId: string): Turn | null {
    if (!this.turns.has(claudeSessionId)) {
      const latest = tx.interactions.latest(sessionId);
      this.turns.set(claudeSessionId, latest && latest.command.step === IMPORTED_TURN_STEP ? this.load(tx, latest) : null);
    }
    return this.turns.get(claudeSessionId) ?? null;
  }

  /** Starts the turn a prompt line begins (`command`: what it was asked), closing the one before it. */
  start(tx: StoreTransaction, sessionId: string, record: TranscriptRecord, raw: string, touched: Set<Turn>, command: string): Turn {
    const interactionId = stableUuid(`claude-code-turn:${record.sessionId}:${lineKey(record, raw)}`);
    const existing = tx.interactions.get(interactionId);
    if (existing) {
      // Read again (re-imported from the start, or resumed after a cancel): what is stored is loaded; lines not seen yet add to it.
      const turn = this.load(tx, existing);
      this.turns.set(record.sessionId, turn);
      return turn;
    }
    const previous = this.current(tx, record.sessionId, sessionId);
    if (previous) {
      previous.closed = true;
      touched.add(previous);
    }
    tx.interactions.append({
      id: interactionId,
      sessionId,
      step: IMPORTED_TURN_STEP,
      kind: 'claude',
      command,
      metadata: { claudeSessionId: record.sessionId, uuid: record.uuid, timestamp: record.timestamp },
      ...(record.timestamp !== null ? { commandAtMicros: record.timestamp * 1000 } : {}),
    });
    this.totals.interactionsAdded++;
    const turn = newTurn(interactionId, record.timestamp);
    this.turns.set(record.sessionId, turn);
    return turn;
  }

  /**
   * A damaged line where a prompt may have been: the lines after it must not be merged into the
   * previous turn, so a turn is recorded for the gap (its command says which line could not be read).
   */
  startGap(tx: StoreTransaction, claudeSessionId: string, sessionId: string, file: string, lineNo: number, reason: string): void {
    const interactionId = stableUuid(`claude-code-gap:${claudeSessionId}:${file}:${lineNo}`);
    const previous = this.current(tx, claudeSessionId, sessionId);
    if (previous && previous.interactionId !== interactionId) {
      previous.closed = true;
      writeTurnResult(tx, previous);
    }
    if (!tx.interactions.get(interactionId)) {
      tx.interactions.append({
        id: interactionId,
        sessionId,
        step: IMPORTED_TURN_STEP,
        kind: 'claude',
        command: `[prompt not readable: line ${lineNo} of ${file} is damaged (${reason})]`,
        metadata: { claudeSessionId, gap: { file, line: lineNo, reason } },
      });
      this.totals.interactionsAdded++;
    }
    this.turns.set(claudeSessionId, newTurn(interactionId, null));
  }

  /** A turn recorded before this run, rebuilt from its stored events. */
  private load(tx: StoreTransaction, interaction: Interaction): Turn {
    const timestamp = interaction.command.metadata.timestamp;
    const turn = newTurn(interaction.id, typeof timestamp === 'number' ? timestamp : null);
    for (let after = 0; ;) {
      const events = tx.events.list(interaction.sessionId, {
        interactionId: interaction.id,
        type: [...BLOCK_EVENT_TYPES],
        after,
        limit: EVENT_PAGE,
      });
      for (const event of events) addToTurn(turn, event);
      const last = events.at(-1);
      if (events.length < EVENT_PAGE || last === undefined) return turn;
      after = last.seq;
    }
  }
}
