/**
 * Writes parsed transcript records into the store, inside one transaction per chunk.
 *
 * - A person's prompt starts an interaction (`step` {@link IMPORTED_TURN_STEP}, kind `claude`,
 *   id derived from the line's uuid, issued at the line's timestamp); the assistant's text becomes
 *   its result output.
 * - A turn's result is a function of its stored events (reply text, tool uses, model, time of its
 *   last line), so it is the same whether the file was imported in one go, in chunks, or across
 *   imports of a growing file: a turn continued later is loaded from its events once per run and
 *   its result revised at the end of each chunk that added to it. Re-importing writes nothing.
 * - Sessions created by the import take their times from the transcript: created at the first
 *   line, updated and ended at the last.
 * - Every content block becomes an event (`claude.prompt`, `claude.text`, `claude.thinking`,
 *   `claude.tool_use`, `claude.tool_result`) with an id derived from the line, so re-importing
 *   the same lines adds nothing. `claude.tool_result` gets the tool name of its `tool_use`.
 * - Usage is counted ONCE per API response, keyed by (`message.id`, `requestId`): the first line
 *   of a response records a `claude.usage` event (id `cc:usage:<key>`); later lines that repeat
 *   it — in the same chunk or a later import — find that event and add nothing. The response's
 *   tokens and cost are added to the turn's run (one run per turn, id derived from the turn).
 * - Sidechain lines (`isSidechain: true`, sub-agents) are kept as events marked `isSidechain`
 *   and their usage is counted, but they never start a turn or add to its reply.
 */
import type { PricingTable } from '../agent/pricing';
import type { LedgerEvent } from '../model/event';
import type { Interaction, InteractionResultInput } from '../model/interaction';
import type { JsonValue } from '../model/json';
import { isTerminalSessionStatus } from '../model/sessionStatus';
import { capOutput } from '../store/repositories/interactionRepository';
import type { StoreTransaction } from '../store/repositoryApi';
import { ClaudeSessionResolver, IMPORTED_SESSION_TYPE, importedSessionId, sha256Hex, stableUuid } from './claudeSessions';
import { blocksText, isPrompt, usageKey, type TranscriptBlock, type TranscriptRecord } from './transcriptRecord';

export const IMPORTED_TURN_STEP = 'claude-code.turn';
/** Longest string kept in one event payload field (tool results can be whole files). */
const PAYLOAD_TEXT_MAX = 100_000;
/** The events a turn's result is built from (usage events are counted in runs instead). */
const BLOCK_EVENT_TYPES: ReadonlySet<string> = new Set(['claude.prompt', 'claude.text', 'claude.thinking', 'claude.tool_use', 'claude.tool_result']);
const EVENT_PAGE = 10_000;

export interface ApplyTotals {
  interactionsAdded: number;
  eventsAdded: number;
  usageResponses: number;
  unpricedModels: Set<string>;
  touchedSessionIds: Set<string>;
}

/** What a turn's result is made of, gathered from its events (stored, or appended in this run). */
interface Turn {
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

/** Adds one of the turn's events to what its result is made of. */
function addToTurn(turn: Turn, event: Pick<LedgerEvent, 'type' | 'payload' | 'ts'>): void {
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

function capText(text: string): string {
  return text.length > PAYLOAD_TEXT_MAX ? `${text.slice(0, PAYLOAD_TEXT_MAX)}… [${text.length - PAYLOAD_TEXT_MAX} more characters not kept]` : text;
}

function capJson(value: unknown): JsonValue {
  if (typeof value === 'string') return capText(value);
  const text = JSON.stringify(value ?? null);
  return text.length > PAYLOAD_TEXT_MAX ? { truncated: true, text: capText(text) } : (value as JsonValue) ?? null;
}

function lineKey(record: TranscriptRecord, raw: string): string {
  return record.uuid ?? sha256Hex(raw).slice(0, 40);
}

function blockEvent(block: TranscriptBlock): { idPart: string; type: string; toolName?: string; payload: Record<string, JsonValue> } | undefined {
  switch (block.type) {
    case 'text':
      return block.text === '' ? undefined : { idPart: '', type: 'claude.text', payload: { text: capText(block.text) } };
    case 'thinking':
      return { idPart: '', type: 'claude.thinking', payload: { text: capText(block.text) } };
    case 'tool_use':
      return { idPart: `tool_use:${block.toolUseId}`, type: 'claude.tool_use', toolName: block.name, payload: { toolUseId: block.toolUseId, input: capJson(block.input) } };
    case 'tool_result':
      return { idPart: `tool_result:${block.toolUseId}`, type: 'claude.tool_result', payload: { toolUseId: block.toolUseId, content: capJson(block.content), isError: block.isError } };
    default:
      return undefined;
  }
}

/** Applies records of ONE chunk, in file order. Keep one instance per import run: it remembers turns across chunks. */
export class TranscriptApplier {
  private readonly turns = new Map<string, Turn | null>();

  constructor(
    private readonly resolver: ClaudeSessionResolver,
    private readonly pricing: PricingTable,
    private readonly totals: ApplyTotals,
    private readonly workspaceFolder: string | null,
  ) {}

  apply(tx: StoreTransaction, lines: readonly { raw: string; record: TranscriptRecord }[]): void {
    const firstPrompts = new Map<string, string>();
    const firstTimes = new Map<string, number>();
    for (const { record } of lines) {
      if (isPrompt(record) && !firstPrompts.has(record.sessionId)) firstPrompts.set(record.sessionId, blocksText(record.blocks));
      if (record.timestamp !== null && !firstTimes.has(record.sessionId)) firstTimes.set(record.sessionId, record.timestamp);
    }
    const touched = new Set<Turn>();
    for (const { raw, record } of lines) {
      if (record.role === null) continue; // summaries, snapshots, queue operations
      const sessionId = this.resolver.resolve(tx, record.sessionId, {
        firstPrompt: firstPrompts.get(record.sessionId),
        cwd: record.cwd,
        workspaceFolder: this.workspaceFolder,
        startedAt: firstTimes.get(record.sessionId),
      });
      this.totals.touchedSessionIds.add(sessionId);
      const turn = isPrompt(record) ? this.startTurn(tx, sessionId, record, raw, touched) : this.currentTurn(tx, record.sessionId, sessionId);
      if (turn) touched.add(turn);
      this.appendBlockEvents(tx, sessionId, turn, record, raw);
      this.countUsage(tx, sessionId, turn, record);
    }
    for (const turn of touched) this.writeResult(tx, turn);
    for (const sessionId of new Set(lines.map((l) => l.record.sessionId))) this.dateImportedSession(tx, sessionId);
  }

  /** The turn a non-prompt line belongs to: the one in progress, else the session's latest imported turn (continued from an earlier import). */
  private currentTurn(tx: StoreTransaction, claudeSessionId: string, sessionId: string): Turn | null {
    if (!this.turns.has(claudeSessionId)) {
      const latest = tx.interactions.latest(sessionId);
      this.turns.set(claudeSessionId, latest && latest.command.step === IMPORTED_TURN_STEP ? this.loadTurn(tx, latest) : null);
    }
    return this.turns.get(claudeSessionId) ?? null;
  }

  /** A turn recorded before this run, rebuilt from its stored events. */
  private loadTurn(tx: StoreTransaction, interaction: Interaction): Turn {
    const timestamp = interaction.command.metadata.timestamp;
    const turn = this.newTurn(interaction.id, typeof timestamp === 'number' ? timestamp : null);
    for (let after = 0; ; ) {
      const events = tx.events.list(interaction.sessionId, { interactionId: interaction.id, type: [...BLOCK_EVENT_TYPES], after, limit: EVENT_PAGE });
      for (const event of events) addToTurn(turn, event);
      if (events.length < EVENT_PAGE) return turn;
      after = events[events.length - 1].seq;
    }
  }

  private newTurn(interactionId: string, startedAt: number | null): Turn {
    return { interactionId, reply: [], toolUses: 0, model: null, startedAt, lastAt: null, closed: false };
  }

  private startTurn(tx: StoreTransaction, sessionId: string, record: TranscriptRecord, raw: string, touched: Set<Turn>): Turn {
    const interactionId = stableUuid(`claude-code-turn:${record.sessionId}:${lineKey(record, raw)}`);
    const existing = tx.interactions.get(interactionId);
    if (existing) {
      // Read again (re-imported from the start, or resumed after a cancel): what is stored is loaded; lines not seen yet add to it.
      const turn = this.loadTurn(tx, existing);
      this.turns.set(record.sessionId, turn);
      return turn;
    }
    const previous = this.currentTurn(tx, record.sessionId, sessionId);
    if (previous) {
      previous.closed = true;
      touched.add(previous);
    }
    tx.interactions.append({
      id: interactionId,
      sessionId,
      step: IMPORTED_TURN_STEP,
      kind: 'claude',
      command: blocksText(record.blocks),
      metadata: { claudeSessionId: record.sessionId, uuid: record.uuid, timestamp: record.timestamp },
      ...(record.timestamp !== null ? { commandAtMicros: record.timestamp * 1000 } : {}),
    });
    this.totals.interactionsAdded++;
    const turn = this.newTurn(interactionId, record.timestamp);
    this.turns.set(record.sessionId, turn);
    return turn;
  }

  /** Records (or revises) the turn's result when it differs from the stored one. */
  private writeResult(tx: StoreTransaction, turn: Turn): void {
    const result = resultOf(turn);
    const stored = tx.interactions.get(turn.interactionId);
    if (!result || !stored || sameResult(stored.result, result)) return;
    if (stored.result.status === 'pending') tx.interactions.setResult(turn.interactionId, result);
    else tx.interactions.reviseResult(turn.interactionId, result);
  }

  /** A session the import created was updated and ended when its last line was written, not now. */
  private dateImportedSession(tx: StoreTransaction, claudeSessionId: string): void {
    const session = tx.sessions.get(importedSessionId(claudeSessionId));
    if (!session || session.type !== IMPORTED_SESSION_TYPE || session.externalConversationId !== claudeSessionId) return;
    const last = session.lastEventAt;
    if (last === null || last < session.createdAt || !isTerminalSessionStatus(session.status)) return; // imported before times were kept
    if (session.updatedAt !== last || session.endedAt !== last) tx.sessions.setTimes(session.id, { updatedAt: last, endedAt: last });
  }

  /** Appends the event unless it is stored already; returns it when it was added. */
  private appendEvent(tx: StoreTransaction, input: Parameters<StoreTransaction['events']['append']>[0]): LedgerEvent | undefined {
    if (tx.events.get(input.id)) return undefined;
    const event = tx.events.append(input);
    this.totals.eventsAdded++;
    return event;
  }

  private appendBlockEvents(tx: StoreTransaction, sessionId: string, turn: Turn | null, record: TranscriptRecord, raw: string): void {
    const key = lineKey(record, raw);
    const common = { uuid: record.uuid, parentUuid: record.parentUuid, isSidechain: record.isSidechain, role: record.role };
    const ts = record.timestamp ?? undefined;
    if (isPrompt(record)) {
      const prompt = this.appendEvent(tx, { id: `cc:${key}:prompt`, sessionId, interactionId: turn?.interactionId ?? null, type: 'claude.prompt', payload: { ...common, text: capText(blocksText(record.blocks)) }, ts });
      if (turn && prompt) addToTurn(turn, prompt);
      return;
    }
    record.blocks.forEach((block, index) => {
      const event = blockEvent(block);
      if (!event) return;
      const toolName =
        event.toolName ?? (block.type === 'tool_result' ? tx.events.get(`cc:tool_use:${block.toolUseId}`)?.toolName ?? null : null);
      const added = this.appendEvent(tx, {
        id: event.idPart ? `cc:${event.idPart}` : `cc:${key}:${index}`,
        sessionId,
        interactionId: turn?.interactionId ?? null,
        type: event.type,
        toolName,
        payload: { ...common, ...(record.model ? { model: record.model } : {}), ...event.payload },
        ts,
      });
      // An event stored before this run is already part of a turn loaded from the store.
      if (turn && added) addToTurn(turn, added);
    });
  }

  private countUsage(tx: StoreTransaction, sessionId: string, turn: Turn | null, record: TranscriptRecord): void {
    const key = usageKey(record);
    if (!key || !record.usage) return;
    const eventId = `cc:usage:${key}`;
    if (tx.events.get(eventId)) return; // this response was already counted
    const model = record.model ?? 'unknown';
    const cost = this.pricing.costOf(model, record.usage);
    if ('unknown' in cost) this.totals.unpricedModels.add(model);
    const runId = stableUuid(`claude-code-run:${turn?.interactionId ?? sessionId}`);
    const run = tx.runs.get(runId) ?? tx.runs.start({ id: runId, sessionId, interactionId: turn?.interactionId ?? null, provider: 'claude-code-cli', model, conversationId: record.sessionId });
    tx.runs.update(runId, {
      status: 'ok',
      model,
      inputTokens: run.inputTokens + record.usage.inputTokens,
      outputTokens: run.outputTokens + record.usage.outputTokens,
      cacheCreationTokens: run.cacheCreationTokens + record.usage.cacheCreationTokens,
      cacheReadTokens: run.cacheReadTokens + record.usage.cacheReadTokens,
      costUsd: run.costUsd + ('usd' in cost ? cost.usd : 0),
      costUnknown: 'unknown' in cost,
    });
    tx.events.append({
      id: eventId,
      sessionId,
      interactionId: turn?.interactionId ?? null,
      runId,
      type: 'claude.usage',
      payload: { messageId: record.messageId, requestId: record.requestId, model, ...record.usage, costUsd: 'usd' in cost ? cost.usd : null, isSidechain: record.isSidechain },
      ts: record.timestamp ?? undefined,
    });
    this.totals.eventsAdded++;
    this.totals.usageResponses++;
  }
}
