/**
 * Writes parsed transcript records into the store, inside one transaction per chunk.
 *
 * - A person's prompt starts an interaction (`step` {@link IMPORTED_TURN_STEP}, kind `claude`,
 *   id derived from the line's uuid); the assistant's text becomes its result output.
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
import type { JsonValue } from '../model/json';
import type { StoreTransaction } from '../store/repositoryApi';
import { ClaudeSessionResolver, sha256Hex, stableUuid } from './claudeSessions';
import { blocksText, isPrompt, usageKey, type TranscriptBlock, type TranscriptRecord } from './transcriptRecord';

export const IMPORTED_TURN_STEP = 'claude-code.turn';
/** Longest string kept in one event payload field (tool results can be whole files). */
const PAYLOAD_TEXT_MAX = 100_000;

export interface ApplyTotals {
  interactionsAdded: number;
  eventsAdded: number;
  usageResponses: number;
  unpricedModels: Set<string>;
  touchedSessionIds: Set<string>;
}

interface Turn {
  interactionId: string;
  pending: boolean;
  reply: string[];
  toolUses: number;
  model: string | null;
  startedAt: number | null;
  lastAt: number | null;
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
    for (const { record } of lines) {
      if (isPrompt(record) && !firstPrompts.has(record.sessionId)) firstPrompts.set(record.sessionId, blocksText(record.blocks));
    }
    for (const { raw, record } of lines) {
      if (record.role === null) continue; // summaries, snapshots, queue operations
      const sessionId = this.resolver.resolve(tx, record.sessionId, {
        firstPrompt: firstPrompts.get(record.sessionId),
        cwd: record.cwd,
        workspaceFolder: this.workspaceFolder,
      });
      this.totals.touchedSessionIds.add(sessionId);
      const turn = isPrompt(record) ? this.startTurn(tx, sessionId, record, raw) : this.currentTurn(tx, record.sessionId, sessionId);
      this.appendBlockEvents(tx, sessionId, turn, record, raw);
      this.countUsage(tx, sessionId, turn, record);
    }
    for (const turn of this.turns.values()) if (turn && turn.reply.length > 0) this.finishTurn(tx, turn, 'ok');
  }

  private currentTurn(tx: StoreTransaction, claudeSessionId: string, sessionId: string): Turn | null {
    if (!this.turns.has(claudeSessionId)) {
      const latest = tx.interactions.latest(sessionId);
      const resumable = latest && latest.command.step === IMPORTED_TURN_STEP ? latest : undefined;
      this.turns.set(claudeSessionId, resumable ? this.turnOf(resumable.id, resumable.result.status === 'pending') : null);
    }
    return this.turns.get(claudeSessionId) ?? null;
  }

  private turnOf(interactionId: string, pending: boolean): Turn {
    return { interactionId, pending, reply: [], toolUses: 0, model: null, startedAt: null, lastAt: null };
  }

  private startTurn(tx: StoreTransaction, sessionId: string, record: TranscriptRecord, raw: string): Turn {
    const previous = this.currentTurn(tx, record.sessionId, sessionId);
    if (previous?.pending) this.finishTurn(tx, previous, previous.reply.length > 0 ? 'ok' : 'interrupted');
    const interactionId = stableUuid(`claude-code-turn:${record.sessionId}:${lineKey(record, raw)}`);
    const existing = tx.interactions.get(interactionId);
    if (!existing) {
      tx.interactions.append({
        id: interactionId,
        sessionId,
        step: IMPORTED_TURN_STEP,
        kind: 'claude',
        command: blocksText(record.blocks),
        metadata: { claudeSessionId: record.sessionId, uuid: record.uuid, timestamp: record.timestamp },
      });
      this.totals.interactionsAdded++;
    }
    const turn = this.turnOf(interactionId, existing ? existing.result.status === 'pending' : true);
    turn.startedAt = record.timestamp;
    this.turns.set(record.sessionId, turn);
    return turn;
  }

  private finishTurn(tx: StoreTransaction, turn: Turn, status: 'ok' | 'interrupted'): void {
    if (!turn.pending) return;
    tx.interactions.setResult(turn.interactionId, {
      status,
      output: turn.reply.join('\n\n'),
      data: { toolUses: turn.toolUses, model: turn.model },
      durationMs: turn.startedAt !== null && turn.lastAt !== null ? Math.max(0, turn.lastAt - turn.startedAt) : null,
    });
    turn.pending = false;
  }

  private appendEvent(tx: StoreTransaction, input: Parameters<StoreTransaction['events']['append']>[0]): void {
    if (tx.events.get(input.id)) return;
    tx.events.append(input);
    this.totals.eventsAdded++;
  }

  private appendBlockEvents(tx: StoreTransaction, sessionId: string, turn: Turn | null, record: TranscriptRecord, raw: string): void {
    const key = lineKey(record, raw);
    const common = { uuid: record.uuid, parentUuid: record.parentUuid, isSidechain: record.isSidechain };
    const ts = record.timestamp ?? undefined;
    if (isPrompt(record)) {
      this.appendEvent(tx, { id: `cc:${key}:prompt`, sessionId, interactionId: turn?.interactionId ?? null, type: 'claude.prompt', payload: { ...common, text: capText(blocksText(record.blocks)) }, ts });
      return;
    }
    record.blocks.forEach((block, index) => {
      const event = blockEvent(block);
      if (!event) return;
      const toolName =
        event.toolName ?? (block.type === 'tool_result' ? tx.events.get(`cc:tool_use:${block.toolUseId}`)?.toolName ?? null : null);
      this.appendEvent(tx, {
        id: event.idPart ? `cc:${event.idPart}` : `cc:${key}:${index}`,
        sessionId,
        interactionId: turn?.interactionId ?? null,
        type: event.type,
        toolName,
        payload: { ...common, ...(record.model ? { model: record.model } : {}), ...event.payload },
        ts,
      });
      if (turn && !record.isSidechain && record.role === 'assistant') {
        if (block.type === 'text' && block.text !== '') turn.reply.push(block.text);
        if (block.type === 'tool_use') turn.toolUses++;
      }
    });
    if (turn && !record.isSidechain) {
      turn.lastAt = record.timestamp ?? turn.lastAt;
      if (record.model) turn.model = record.model;
    }
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
