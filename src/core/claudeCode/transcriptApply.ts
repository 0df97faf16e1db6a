/**
 * Writes parsed transcript records into the store, inside one transaction per chunk.
 *
 * - Only a person's prompt starts a turn: an interaction (`step` {@link IMPORTED_TURN_STEP}, kind
 *   `claude`, id derived from the line's uuid, issued at the line's timestamp); the assistant's text
 *   becomes its result output. Compactions, task notifications, meta lines, local command output and
 *   interruption markers become events of the current turn (`claude.compaction`, `claude.notice`).
 * - A turn's result is a function of its stored events (reply text, tool uses, model, time of its
 *   last line), so it is the same whether the file was imported in one go, in chunks, or across
 *   imports of a growing file. Re-importing writes nothing.
 * - Every content block becomes an event (`claude.prompt`, `claude.text`, `claude.thinking`,
 *   `claude.tool_use`, `claude.tool_result`) with an id derived from the line.
 * - Usage is counted once per API response, keyed by (`message.id`, `requestId`), from the
 *   response's line with the highest `output_tokens` (the earlier lines carry streaming snapshots).
 *   The first line seen records a `claude.usage` event (`cc:usage:<key>`); a later line with more
 *   output tokens records a revision (`cc:usage:<key>:r<n>`, naming the line counted) and moves the
 *   run's and session's totals by the difference, so the figures are the same however the lines
 *   were split across chunks and imports. A response whose recorded output is implausibly small
 *   for the text it wrote is kept as recorded and marked `lowerBound`. `<synthetic>` lines
 *   (client-side errors) are not billable.
 * - One run per turn and model (`claude-code-run:<turn>:<model>`): a turn that mixes models (a
 *   sub-agent on another model, a fallback) has a run per model, so per-model figures are exact.
 * - Sidechain lines (sub-agents) never start a turn or add to its reply; their usage belongs to
 *   the turn whose Task/Agent tool call launched them ({@link ApplyContext.launchedBy}).
 */
import { ZERO_USAGE, type PricingTable } from '../agent/pricing';
import type { TokenUsage } from '../model/session';
import type { LedgerEvent } from '../model/event';
import type { Interaction, InteractionResultInput } from '../model/interaction';
import type { JsonValue } from '../model/json';
import type { RunUpdate } from '../model/run';
import { isTerminalSessionStatus } from '../model/sessionStatus';
import { capOutput } from '../store/repositories/interactionRepository';
import type { StoreTransaction } from '../store/repositoryApi';
import { type ClaudeSessionResolver, IMPORTED_SESSION_TYPE, importedSessionId, sha256Hex, stableUuid } from './claudeSessions';
import {
  blocksText,
  isPrompt,
  noticeKind,
  slashCommandOf,
  usageKey,
  type CostStateLine,
  type TranscriptBlock,
  type TranscriptRecord,
} from './transcriptRecord';

export const IMPORTED_TURN_STEP = 'claude-code.turn';
/** Longest string kept in one event payload field (tool results can be whole files). */
const PAYLOAD_TEXT_MAX = 100_000;
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
/** Not billable: Claude Code's own client-side error lines. */
export const SYNTHETIC_MODEL = '<synthetic>';
/** Tools that launch a sub-agent (`Task` before 2.1, `Agent` after). */
const AGENT_TOOLS: ReadonlySet<string> = new Set(['Task', 'Agent']);
/**
 * A response is marked a lower bound when one of its lines wrote more than this many characters
 * per recorded output token (English text and code run at about 3–4): Claude Code sometimes
 * records the stream's first snapshot as the final figure. Judged on the longest line, so the mark
 * is the same however the lines were split across imports, and re-reading a line changes nothing.
 */
const LOWER_BOUND_CHARS_PER_TOKEN = 16;
const LOWER_BOUND_MIN_CHARS = 200;

export interface ApplyTotals {
  interactionsAdded: number;
  eventsAdded: number;
  /** API responses counted for the first time. */
  usageResponses: number;
  /** Responses whose counted figure a later line corrected. */
  usageRevisions: number;
  /** Responses marked as lower bounds (recorded output implausibly small). */
  lowerBoundResponses: number;
  unpricedModels: Set<string>;
  touchedSessionIds: Set<string>;
}

export function emptyApplyTotals(): ApplyTotals {
  return {
    interactionsAdded: 0,
    eventsAdded: 0,
    usageResponses: 0,
    usageRevisions: 0,
    lowerBoundResponses: 0,
    unpricedModels: new Set(),
    touchedSessionIds: new Set(),
  };
}

/** One line to apply: its text, its parsed record and where it is (for tracing a figure to its line). */
export interface AppliedLine {
  raw: string;
  record: TranscriptRecord;
  /** 1-based line number in its file. */
  lineNo: number;
}

export interface ApplyContext {
  /** The transcript's path relative to the project folder. */
  file: string;
  /**
   * For a sub-agent's file: the turn whose Task/Agent tool call launched it (null: the session
   * itself, when no launching call can be found). Every line of the file belongs there.
   */
  launchedBy?: { interactionId: string | null };
}

/** What links a sub-agent to the tool call that launched it, learned from the parent transcript. */
export interface AgentLinks {
  /** `<claude session id>:<agent id>` → tool_use id (from `toolUseResult.agentId` or "agentId: …" in the result). */
  byAgent: Record<string, string>;
  /** `<claude session id>:<sha256 of the prompt>` → tool_use id of the Task/Agent call given that prompt. */
  byPrompt: Record<string, string>;
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

/** The figure currently counted for one API response. */
interface CountedResponse {
  revision: number;
  runId: string;
  model: string;
  usage: TokenUsage;
  costUsd: number | null;
  lowerBound: boolean;
  /** Characters of the response's longest line seen (text, thinking, tool input). */
  chars: number;
}

type EventPayload = { role?: unknown; model?: unknown; text?: unknown; isSidechain?: unknown };

const USAGE_FIELDS = Object.keys(ZERO_USAGE) as (keyof TokenUsage)[];

function usageOf(payload: Record<string, unknown>): TokenUsage {
  const usage = { ...ZERO_USAGE };
  for (const field of USAGE_FIELDS) {
    const value = payload[field];
    if (typeof value === 'number' && Number.isFinite(value)) usage[field] = value;
  }
  return usage;
}

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
  return text.length > PAYLOAD_TEXT_MAX
    ? `${text.slice(0, PAYLOAD_TEXT_MAX)}… [${text.length - PAYLOAD_TEXT_MAX} more characters not kept]`
    : text;
}

function capJson(value: unknown): JsonValue {
  if (typeof value === 'string') return capText(value);
  const text = JSON.stringify(value ?? null);
  return text.length > PAYLOAD_TEXT_MAX ? { truncated: true, text: capText(text) } : ((value as JsonValue) ?? null);
}

function lineKey(record: TranscriptRecord, raw: string): string {
  return record.uuid ?? sha256Hex(raw).slice(0, 40);
}

/** Characters a response's line wrote: what its output tokens paid for. */
function writtenChars(record: TranscriptRecord): number {
  let chars = 0;
  for (const block of record.blocks) {
    if (block.type === 'text' || block.type === 'thinking') chars += block.text.length;
    else if (block.type === 'tool_use') chars += JSON.stringify(block.input ?? null).length + block.name.length;
  }
  return chars;
}

function isLowerBound(outputTokens: number, chars: number): boolean {
  return chars >= LOWER_BOUND_MIN_CHARS && outputTokens * LOWER_BOUND_CHARS_PER_TOKEN < chars;
}

/** The agent id a Task/Agent tool result names in its text ("agentId: a1b2… (use SendMessage …)", 2.1.x). */
function agentIdInText(content: unknown): string | null {
  const text = typeof content === 'string' ? content : JSON.stringify(content ?? '');
  return /agentId: ([A-Za-z0-9@._-]+)/.exec(text)?.[1] ?? null;
}

export function promptHash(text: string): string {
  return sha256Hex(text.trim()).slice(0, 32);
}

function blockEvent(
  block: TranscriptBlock,
): { idPart: string; type: string; toolName?: string; payload: Record<string, JsonValue> } | undefined {
  switch (block.type) {
    case 'text':
      return block.text === '' ? undefined : { idPart: '', type: 'claude.text', payload: { text: capText(block.text) } };
    case 'thinking':
      return { idPart: '', type: 'claude.thinking', payload: { text: capText(block.text) } };
    case 'tool_use':
      return {
        idPart: `tool_use:${block.toolUseId}`,
        type: 'claude.tool_use',
        toolName: block.name,
        payload: { toolUseId: block.toolUseId, input: capJson(block.input) },
      };
    case 'tool_result':
      return {
        idPart: `tool_result:${block.toolUseId}`,
        type: 'claude.tool_result',
        payload: { toolUseId: block.toolUseId, content: capJson(block.content), isError: block.isError },
      };
    default:
      return undefined;
  }
}

/** Applies records of ONE chunk, in file order. Keep one instance per import run: it remembers turns and responses across chunks. */
export class TranscriptApplier {
  private readonly turns = new Map<string, Turn | null>();
  /** Slash-command lines seen in this run (uuid → `/name args`): their expanded prompt (a meta line) starts a turn. */
  private readonly commandLines = new Map<string, string>();
  /** Run ids by turn (or session) and model, once started. */
  private readonly runIds = new Map<string, string>();
  /** Per response key, the line of the current chunk that is counted and the longest line's characters. */
  private readonly chunkBest = new Map<string, { lineNo: number; outputTokens: number; chars: number }>();
  /** What this chunk adds to (or takes from) each run, written once at the chunk's end. */
  private readonly runChanges = new Map<string, { usage: TokenUsage; costUsd: number; costUnknown: boolean }>();
  private readonly responses = new Map<string, CountedResponse>();
  /** Claude Code's own latest cost figure per Claude session id, from `cost-state` lines read in this run. */
  readonly claudeCodeCosts = new Map<string, { sessionId: string; totalCostUsd: number }>();

  constructor(
    private readonly resolver: ClaudeSessionResolver,
    private readonly pricing: PricingTable,
    private readonly totals: ApplyTotals,
    private readonly workspaceFolder: string | null,
    /** Learned and read across imports (kept in the import state). */
    readonly links: AgentLinks = { byAgent: {}, byPrompt: {} },
  ) {}

  /** Drops what this run remembers of turns and responses (after a chunk's transaction was rolled back). */
  forget(): void {
    this.turns.clear();
    this.responses.clear();
    this.commandLines.clear();
    this.runIds.clear();
    this.runChanges.clear();
  }

  apply(tx: StoreTransaction, lines: readonly AppliedLine[], context: ApplyContext): void {
    const firstPrompts = new Map<string, string>();
    const firstTimes = new Map<string, number>();
    for (const { record } of lines) {
      if (isPrompt(record) && !firstPrompts.has(record.sessionId)) firstPrompts.set(record.sessionId, blocksText(record.blocks));
      if (record.timestamp !== null && !firstTimes.has(record.sessionId)) firstTimes.set(record.sessionId, record.timestamp);
    }
    // Each response's line with the most output tokens in this chunk: only it is counted (one usage
    // event per response per chunk; a later chunk or import revises it when it has a better line).
    this.chunkBest.clear();
    for (const line of lines) {
      const key = usageKey(line.record);
      if (!key || !line.record.usage) continue;
      const best = this.chunkBest.get(key);
      const chars = Math.max(best?.chars ?? 0, writtenChars(line.record));
      if (!best || line.record.usage.outputTokens > best.outputTokens)
        this.chunkBest.set(key, { lineNo: line.lineNo, outputTokens: line.record.usage.outputTokens, chars });
      else best.chars = chars;
    }
    const touched = new Set<Turn>();
    for (const line of lines) {
      const { record } = line;
      if (record.role === null && record.type !== 'system') continue;
      const sessionId = this.sessionOf(
        tx,
        record.sessionId,
        firstPrompts.get(record.sessionId),
        record.cwd,
        firstTimes.get(record.sessionId),
      );
      let turn: Turn | null;
      const prompt = context.launchedBy ? null : this.promptOf(tx, record);
      if (context.launchedBy) {
        turn = context.launchedBy.interactionId ? this.newTurn(context.launchedBy.interactionId, null) : null;
      } else if (prompt !== null) {
        turn = this.startTurn(tx, sessionId, record, line.raw, touched, prompt);
      } else {
        turn = this.currentTurn(tx, record.sessionId, sessionId);
      }
      if (turn && !context.launchedBy) touched.add(turn);
      this.appendLineEvents(tx, sessionId, turn, line, context, prompt);
      this.countUsage(tx, sessionId, turn, line, context);
    }
    for (const turn of touched) this.writeResult(tx, turn);
    this.writeRunChanges(tx);
    for (const sessionId of new Set(lines.map((l) => l.record.sessionId))) this.dateImportedSession(tx, sessionId);
  }

  /**
   * A damaged line where a prompt may have been: the lines after it must not be merged into the
   * previous turn, so a turn is recorded for the gap (its command says which line could not be read).
   */
  recordGap(tx: StoreTransaction, claudeSessionId: string, file: string, lineNo: number, reason: string): void {
    const sessionId = this.sessionOf(tx, claudeSessionId, undefined, null, undefined);
    const interactionId = stableUuid(`claude-code-gap:${claudeSessionId}:${file}:${lineNo}`);
    const previous = this.currentTurn(tx, claudeSessionId, sessionId);
    if (previous && previous.interactionId !== interactionId) {
      previous.closed = true;
      this.writeResult(tx, previous);
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
    this.turns.set(claudeSessionId, this.newTurn(interactionId, null));
  }

  /** Claude Code's own cost figure for the session, kept beside the ledger's count (not added to it). */
  recordCostState(tx: StoreTransaction, costState: CostStateLine, raw: string): void {
    const sessionId = this.sessionOf(tx, costState.sessionId, undefined, null, undefined);
    this.claudeCodeCosts.set(costState.sessionId, { sessionId, totalCostUsd: costState.totalCostUsd });
    this.appendEvent(tx, {
      id: `cc:cost-state:${sha256Hex(raw).slice(0, 40)}`,
      sessionId,
      type: 'claude.costState',
      payload: { totalCostUsd: costState.totalCostUsd, modelUsage: capJson(costState.modelUsage) },
    });
  }

  private sessionOf(
    tx: StoreTransaction,
    claudeSessionId: string,
    firstPrompt: string | undefined,
    cwd: string | null,
    startedAt: number | undefined,
  ): string {
    const sessionId = this.resolver.resolve(tx, claudeSessionId, { firstPrompt, cwd, workspaceFolder: this.workspaceFolder, startedAt });
    this.totals.touchedSessionIds.add(sessionId);
    return sessionId;
  }

  /**
   * What a line starts a turn with: a person's prompt, or a custom slash command (`/name args`)
   * whose expanded prompt Claude Code writes as a meta line under the command's line (2.x).
   * Null when the line starts no turn.
   */
  private promptOf(tx: StoreTransaction, record: TranscriptRecord): string | null {
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

  private newTurn(interactionId: string, startedAt: number | null): Turn {
    return { interactionId, reply: [], toolUses: 0, model: null, startedAt, lastAt: null, closed: false };
  }

  private startTurn(
    tx: StoreTransaction,
    sessionId: string,
    record: TranscriptRecord,
    raw: string,
    touched: Set<Turn>,
    command: string,
  ): Turn {
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
      command,
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
    const event = tx.events.appendIfAbsent(input);
    if (event) this.totals.eventsAdded++;
    return event;
  }

  private appendLineEvents(
    tx: StoreTransaction,
    sessionId: string,
    turn: Turn | null,
    line: AppliedLine,
    context: ApplyContext,
    prompt: string | null,
  ): void {
    const { record, raw } = line;
    const key = lineKey(record, raw);
    const common = {
      uuid: record.uuid,
      parentUuid: record.parentUuid,
      isSidechain: record.isSidechain || context.launchedBy !== undefined,
      role: record.role,
      ...(record.agentId ? { agentId: record.agentId } : {}),
    };
    const ts = record.timestamp ?? undefined;
    const interactionId = turn?.interactionId ?? null;
    if (prompt !== null) {
      const text = capText(blocksText(record.blocks));
      const payload = { ...common, text, ...(prompt !== blocksText(record.blocks) ? { command: prompt } : {}) };
      const added = this.appendEvent(tx, { id: `cc:${key}:prompt`, sessionId, interactionId, type: 'claude.prompt', payload, ts });
      if (turn && added) addToTurn(turn, added);
      return;
    }
    const notice = noticeKind(record);
    if (notice !== null) {
      const text = capText(blocksText(record.blocks));
      if (notice === 'compaction') {
        const metadata = record.compactMetadata ?? {};
        const payload = {
          ...common,
          text,
          ...(record.subtype ? { boundary: true } : { summary: true }),
          ...pick(metadata, ['trigger', 'preTokens', 'postTokens']),
        };
        const added = this.appendEvent(tx, {
          id: `cc:${key}:compaction`,
          sessionId,
          interactionId,
          type: 'claude.compaction',
          payload: payload as Record<string, JsonValue>,
          ts,
        });
        if (turn && added && !context.launchedBy) addToTurn(turn, added);
      } else if (record.type === 'user' || notice === 'local_command') {
        const added = this.appendEvent(tx, {
          id: `cc:${key}:notice`,
          sessionId,
          interactionId,
          type: 'claude.notice',
          payload: { ...common, kind: notice, text },
          ts,
        });
        if (turn && added && !context.launchedBy) addToTurn(turn, added);
      }
      return; // other system lines (turn durations, away summaries) are bookkeeping
    }
    record.blocks.forEach((block, index) => {
      const event = blockEvent(block);
      if (!event) return;
      const toolUse = block.type === 'tool_result' ? tx.events.get(`cc:tool_use:${block.toolUseId}`) : undefined;
      const toolName = event.toolName ?? toolUse?.toolName ?? null;
      if (block.type === 'tool_use' && AGENT_TOOLS.has(block.name)) this.learnAgentPrompt(record.sessionId, block);
      if (block.type === 'tool_result' && toolName !== null && AGENT_TOOLS.has(toolName)) {
        const agentId = record.resultAgentId ?? agentIdInText(block.content);
        if (agentId) this.links.byAgent[`${record.sessionId}:${agentId}`] = block.toolUseId;
      }
      const added = this.appendEvent(tx, {
        id: event.idPart ? `cc:${event.idPart}` : `cc:${key}:${index}`,
        sessionId,
        interactionId,
        type: event.type,
        toolName,
        payload: { ...common, ...(record.model ? { model: record.model } : {}), ...event.payload },
        ts,
      });
      // An event stored before this run is already part of a turn loaded from the store.
      if (turn && added && !context.launchedBy) addToTurn(turn, added);
    });
  }

  private learnAgentPrompt(claudeSessionId: string, block: Extract<TranscriptBlock, { type: 'tool_use' }>): void {
    const prompt = (block.input as { prompt?: unknown } | null)?.prompt;
    if (typeof prompt === 'string' && prompt.trim() !== '')
      this.links.byPrompt[`${claudeSessionId}:${promptHash(prompt)}`] = block.toolUseId;
  }

  /** The run holding a turn's (or the session's) responses of one model. */
  private runFor(tx: StoreTransaction, sessionId: string, interactionId: string | null, model: string, claudeSessionId: string): string {
    const owner = interactionId ?? sessionId;
    const known = this.runIds.get(`${owner}\n${model}`);
    if (known) return known;
    // Imports before per-model runs kept one run per turn: its model's responses stay in it.
    const legacyId = stableUuid(`claude-code-run:${owner}`);
    const legacy = tx.runs.get(legacyId);
    const runId = legacy && legacy.model === model ? legacyId : stableUuid(`claude-code-run:${owner}:${model}`);
    if (!tx.runs.get(runId)) {
      tx.runs.start({ id: runId, sessionId, interactionId, provider: 'claude-code-cli', model, conversationId: claudeSessionId });
    }
    this.runIds.set(`${owner}\n${model}`, runId);
    return runId;
  }

  /** Moves a run's totals by `sign` × the response's figure (written at the chunk's end, {@link writeRunChanges}). */
  private addToRun(runId: string, usage: TokenUsage, costUsd: number | null, sign: 1 | -1): void {
    if (!runId) return; // a response recorded without a run
    const change = this.runChanges.get(runId) ?? { usage: { ...ZERO_USAGE }, costUsd: 0, costUnknown: false };
    for (const field of USAGE_FIELDS) change.usage[field] += sign * usage[field];
    change.costUsd += sign * (costUsd ?? 0);
    if (costUsd === null && sign === 1) change.costUnknown = true;
    this.runChanges.set(runId, change);
  }

  private writeRunChanges(tx: StoreTransaction): void {
    for (const [runId, change] of this.runChanges) {
      const run = tx.runs.get(runId);
      if (!run) continue;
      const patch: Record<string, unknown> = { status: 'ok' };
      for (const field of USAGE_FIELDS) patch[field] = Math.max(0, (run[field as keyof typeof run] as number) + change.usage[field]);
      patch.costUsd = Math.max(0, Math.round((run.costUsd + change.costUsd) * 1e9) / 1e9);
      if (change.costUnknown) patch.costUnknown = true;
      tx.runs.update(runId, patch as RunUpdate);
    }
    this.runChanges.clear();
  }

  /** The figure counted so far for a response (this run's memory, else its stored usage event and revisions). */
  private counted(tx: StoreTransaction, key: string): CountedResponse | undefined {
    const known = this.responses.get(key);
    if (known) return known;
    let event = tx.events.get(`cc:usage:${key}`);
    if (!event) return undefined;
    let revision = 0;
    for (let next = tx.events.get(`cc:usage:${key}:r1`); next; next = tx.events.get(`cc:usage:${key}:r${revision + 1}`)) {
      event = next;
      revision++;
    }
    const payload = (event.payload ?? {}) as Record<string, unknown>;
    const counted: CountedResponse = {
      revision,
      runId: event.runId ?? '',
      model: typeof payload.model === 'string' ? payload.model : 'unknown',
      usage: usageOf(payload),
      costUsd: typeof payload.costUsd === 'number' ? payload.costUsd : null,
      lowerBound: payload.lowerBound === true,
      chars: typeof payload.chars === 'number' ? payload.chars : 0,
    };
    this.responses.set(key, counted);
    return counted;
  }

  private countUsage(tx: StoreTransaction, sessionId: string, turn: Turn | null, line: AppliedLine, context: ApplyContext): void {
    const { record } = line;
    const key = usageKey(record);
    if (!key || !record.usage) return;
    const model = record.model ?? 'unknown';
    if (model === SYNTHETIC_MODEL) return; // client-side error lines: nothing was billed
    const inChunk = this.chunkBest.get(key);
    if (inChunk && inChunk.lineNo !== line.lineNo) return; // a better (or equal, earlier) line of this response in this chunk counts
    const previous = this.counted(tx, key);
    // The longest line the response wrote (not a sum over lines: re-reading a line must not count it twice).
    const chars = Math.max(previous?.chars ?? 0, inChunk?.chars ?? writtenChars(record));
    const usage = record.usage;
    // The response's figure is its line with the most output tokens (a whole line: a fallback changes the model too).
    const better = !previous || usage.outputTokens > previous.usage.outputTokens;
    const lowerBound = isLowerBound(better ? usage.outputTokens : previous.usage.outputTokens, chars);
    if (!better && lowerBound === previous.lowerBound) {
      previous.chars = chars;
      return;
    }
    const counted = better ? { model, usage } : { model: previous.model, usage: previous.usage };
    const cost = this.pricing.costOf(counted.model, counted.usage);
    const costUsd = 'usd' in cost ? cost.usd : null;
    if (costUsd === null) this.totals.unpricedModels.add(counted.model);
    const interactionId = turn?.interactionId ?? null;
    const runId = better ? this.runFor(tx, sessionId, interactionId, model, record.sessionId) : previous.runId;
    if (better) {
      if (previous) this.addToRun(previous.runId, previous.usage, previous.costUsd, -1);
      this.addToRun(runId, usage, costUsd, 1);
    }
    const revision = previous ? previous.revision + 1 : 0;
    tx.events.append({
      id: revision === 0 ? `cc:usage:${key}` : `cc:usage:${key}:r${revision}`,
      sessionId,
      interactionId,
      runId,
      type: 'claude.usage',
      payload: {
        key,
        messageId: record.messageId,
        requestId: record.requestId,
        model: counted.model,
        ...counted.usage,
        costUsd,
        ...('pricedAtBaseRate' in cost && cost.pricedAtBaseRate ? { pricedAtBaseRate: true } : {}),
        isSidechain: record.isSidechain || context.launchedBy !== undefined,
        ...(record.agentId ? { agentId: record.agentId } : {}),
        /** The line whose figure is counted. */
        line: { file: context.file, line: line.lineNo, uuid: record.uuid },
        chars,
        lowerBound,
        ...(previous ? { revision, revises: { outputTokens: previous.usage.outputTokens, model: previous.model } } : {}),
      },
      ts: record.timestamp ?? undefined,
    });
    this.totals.eventsAdded++;
    if (previous) this.totals.usageRevisions++;
    else this.totals.usageResponses++;
    if (lowerBound && !previous?.lowerBound) this.totals.lowerBoundResponses++;
    this.responses.set(key, { revision, runId, model: counted.model, usage: counted.usage, costUsd, lowerBound, chars });
  }
}

function pick(source: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => source[k] !== undefined).map((k) => [k, source[k]]));
}
