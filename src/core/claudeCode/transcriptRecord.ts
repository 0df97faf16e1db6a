/**
 * One line of a Claude Code transcript (`~/.claude/projects/<encoded path>/<session id>.jsonl`,
 * and sub-agents' `<session id>/subagents/[…/]agent-<agent id>.jsonl`), parsed leniently: the
 * format is undocumented and changes between versions, so only the fields we use are read.
 *
 * The shapes handled here were learned from real transcripts (Claude Code 1.0.x to 2.1.x, in
 * public repositories and written by the real CLI against the project's fake API):
 *
 *   { "type": "user" | "assistant" | "system" | "attachment", "uuid", "parentUuid", "sessionId",
 *     "timestamp": ISO, "isSidechain": bool, "agentId"?: "a…" (sub-agent files), "isMeta"?: bool,
 *     "isCompactSummary"?: bool, "origin"?: { "kind": "human" | "task-notification" | … },
 *     "requestId"?: "req_…", "toolUseResult"?: { "agentId"?: … } | string | [],
 *     "subtype"?: "compact_boundary" | "local_command" | … (system lines),
 *     "message": { "role", "id"?: "msg_…", "model"?, "content": string | Block[], "usage"? } }
 *
 * plus flat "sidecar" lines without a uuid (`summary`, `file-history-snapshot`, `queue-operation`,
 * `last-prompt`, `cost-state`, …), which carry no conversation.
 *
 * An assistant API response is written as one line per content block, sharing `message.id` and
 * `requestId`. Their `usage` is NOT repeated identically: `output_tokens` on the early lines is a
 * streaming snapshot (a real response read 10, 10, 10, 10, 299 across its five lines), so a
 * response's usage is that of its line with the highest `output_tokens` (see responseUsageCounter.ts).
 */
import type { TokenUsage } from '../model/session';
import { describeError } from '../../protocol/describeError';

export type TranscriptBlock =
  | { type: 'text'; text: string }
  | { type: 'thinking'; text: string }
  | { type: 'tool_use'; toolUseId: string; name: string; input: unknown }
  | { type: 'tool_result'; toolUseId: string; content: unknown; isError: boolean }
  | { type: 'other'; original: unknown };

export interface TranscriptRecord {
  type: string;
  uuid: string | null;
  parentUuid: string | null;
  sessionId: string;
  /** Milliseconds since the epoch; null when absent or unparseable. */
  timestamp: number | null;
  isSidechain: boolean;
  isMeta: boolean;
  /** The summary Claude Code writes after compacting the conversation (a user line, not a prompt). */
  isCompactSummary: boolean;
  /** The sub-agent whose file this line is from (2.x `subagents/agent-<id>.jsonl`). */
  agentId: string | null;
  /** `origin.kind` of a user line: `human`, `task-notification`, … (2.1.x). */
  originKind: string | null;
  /** `subtype` of a system line (`compact_boundary`, `local_command`, …). */
  subtype: string | null;
  /** `compactMetadata` of a `compact_boundary` system line. */
  compactMetadata: Record<string, unknown> | null;
  /** `toolUseResult.agentId` of the line answering an Agent/Task tool call: the sub-agent it ran. */
  resultAgentId: string | null;
  role: 'user' | 'assistant' | null;
  blocks: TranscriptBlock[];
  model: string | null;
  messageId: string | null;
  requestId: string | null;
  usage: TokenUsage | null;
  cwd: string | null;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const count = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : 0);

/**
 * Cache writes: `cache_creation_input_tokens` is the total; `cache_creation` (newer versions)
 * splits it by TTL, and its `ephemeral_1h_input_tokens` part is priced at the 1-hour rate. With
 * the split but without the total, the total is the sum of the two TTLs.
 */
function parseUsage(value: unknown): TokenUsage | null {
  if (!isObject(value)) return null;
  const split = isObject(value.cache_creation) ? value.cache_creation : null;
  const write1h = count(split?.ephemeral_1h_input_tokens);
  const writes =
    split && typeof value.cache_creation_input_tokens !== 'number'
      ? count(split.ephemeral_5m_input_tokens) + write1h
      : count(value.cache_creation_input_tokens);
  return {
    inputTokens: count(value.input_tokens),
    outputTokens: count(value.output_tokens),
    cacheCreationTokens: writes,
    cacheCreation1hTokens: Math.min(write1h, writes),
    cacheReadTokens: count(value.cache_read_input_tokens),
  };
}

function parseBlock(block: unknown): TranscriptBlock {
  if (typeof block === 'string') return { type: 'text', text: block };
  if (!isObject(block)) return { type: 'other', original: block };
  switch (block.type) {
    case 'text':
      return { type: 'text', text: str(block.text) ?? '' };
    case 'thinking':
      return { type: 'thinking', text: str(block.thinking) ?? '' };
    case 'tool_use':
      return { type: 'tool_use', toolUseId: str(block.id) ?? '', name: str(block.name) ?? 'unknown', input: block.input ?? null };
    case 'tool_result':
      return {
        type: 'tool_result',
        toolUseId: str(block.tool_use_id) ?? '',
        content: block.content ?? null,
        isError: block.is_error === true,
      };
    default:
      return { type: 'other', original: block };
  }
}

function parseContent(content: unknown): TranscriptBlock[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  return Array.isArray(content) ? content.map(parseBlock) : [];
}

/** Most tokens one API response can plausibly report; a larger (or negative, fractional) count is damage. */
export const MAX_TOKEN_COUNT = 10_000_000_000;

const USAGE_COUNT_FIELDS = ['input_tokens', 'output_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens'] as const;

/** Why a usage object cannot be trusted (a count that is not a plausible whole number), or undefined. */
function usageDamage(value: unknown): string | undefined {
  if (!isObject(value)) return undefined;
  const check = (field: string, v: unknown): string | undefined =>
    v === undefined || v === null || (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_TOKEN_COUNT)
      ? undefined
      : `message.usage.${field} is ${JSON.stringify(v) ?? String(v)}, not a whole number from 0 to ${MAX_TOKEN_COUNT}`;
  for (const field of USAGE_COUNT_FIELDS) {
    const problem = check(field, value[field]);
    if (problem) return problem;
  }
  const tiers = value.cache_creation;
  if (isObject(tiers)) {
    for (const field of ['ephemeral_5m_input_tokens', 'ephemeral_1h_input_tokens']) {
      const problem = check(`cache_creation.${field}`, tiers[field]);
      if (problem) return problem;
    }
  }
  return undefined;
}

/**
 * Line types that carry no conversation and are passed over on purpose (seen in real transcripts
 * of 1.0.x–2.1.x). Anything else that is not a conversation line is counted as an unknown type.
 */
export const HARMLESS_LINE_TYPES: ReadonlySet<string> = new Set([
  'summary',
  'file-history-snapshot',
  'file-history-delta',
  'queue-operation',
  'last-prompt',
  'mode',
  'permission-mode',
  'ai-title',
  'custom-title',
  'agent-name',
  'atis-latch',
  'bridge-session',
  'frame-link',
  'attachment',
  'progress',
  'api-request',
  'api-request-shape',
  'api-request-blob',
  'tools-used',
  'started',
  'result',
]);

/** Claude Code's own running cost figure (`cost-state`, 2.1.x), kept beside the ledger's own count. */
export interface CostStateLine {
  sessionId: string;
  totalCostUsd: number;
  modelUsage: unknown;
}

/** Longest id kept from a line (real ones are uuids, `msg_…`, `req_…`, `toolu_…`: under 50 characters). */
export const MAX_ID_LENGTH = 128;

function longId(field: string, value: unknown): string | undefined {
  return typeof value === 'string' && value.length > MAX_ID_LENGTH
    ? `${field} is ${value.length} characters long (at most ${MAX_ID_LENGTH})`
    : undefined;
}

function longToolId(content: unknown): string | undefined {
  if (!Array.isArray(content)) return undefined;
  for (const block of content) {
    if (!isObject(block)) continue;
    const problem = longId('a tool_use id', block.id) ?? longId('a tool_use_id', block.tool_use_id);
    if (problem) return problem;
  }
  return undefined;
}

/** What one line of a transcript is. */
export type TranscriptLine =
  | { kind: 'record'; record: TranscriptRecord }
  | { kind: 'costState'; costState: CostStateLine }
  | { kind: 'harmless'; type: string }
  | { kind: 'unknown'; type: string }
  | { kind: 'damaged'; reason: string };

/** Classifies one transcript line: a conversation record, a known harmless line, an unknown type, or damage (with the reason). */
export function classifyTranscriptLine(line: string): TranscriptLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return { kind: 'damaged', reason: `not valid JSON (${describeError(error)})` };
  }
  if (!isObject(value)) return { kind: 'damaged', reason: 'not a JSON object' };
  const type = str(value.type);
  if (type === 'cost-state') {
    const total = value.totalCostUSD;
    if (typeof total !== 'number' || !Number.isFinite(total) || total < 0 || !str(value.sessionId)) {
      return { kind: 'damaged', reason: 'cost-state line without a sessionId or a non-negative totalCostUSD' };
    }
    return {
      kind: 'costState',
      costState: { sessionId: value.sessionId as string, totalCostUsd: total, modelUsage: value.modelUsage ?? null },
    };
  }
  const conversation = type === 'user' || type === 'assistant' || type === 'system';
  if (!conversation) {
    if (type !== null && HARMLESS_LINE_TYPES.has(type)) return { kind: 'harmless', type };
    return { kind: 'unknown', type: type ?? '(no type)' };
  }
  const sessionId = str(value.sessionId);
  if (!sessionId) return { kind: 'damaged', reason: `a "${type}" line without a sessionId` };
  if (type !== 'system' && !isObject(value.message)) return { kind: 'damaged', reason: `a "${type}" line without a message object` };
  const message = isObject(value.message) ? value.message : {};
  const idProblem =
    longId('uuid', value.uuid) ??
    longId('sessionId', value.sessionId) ??
    longId('requestId', value.requestId) ??
    longId('message.id', message.id) ??
    longToolId(message.content);
  if (idProblem) return { kind: 'damaged', reason: idProblem };
  const role = message.role === 'user' || message.role === 'assistant' ? message.role : null;
  if (role === 'assistant') {
    const problem = usageDamage(message.usage);
    if (problem) return { kind: 'damaged', reason: problem };
  }
  const time = str(value.timestamp) ? Date.parse(value.timestamp as string) : NaN;
  const origin = isObject(value.origin) ? value.origin : {};
  const toolUseResult = isObject(value.toolUseResult) ? value.toolUseResult : {};
  return {
    kind: 'record',
    record: {
      type: type ?? 'unknown',
      uuid: str(value.uuid),
      parentUuid: str(value.parentUuid),
      sessionId,
      timestamp: Number.isNaN(time) ? null : time,
      isSidechain: value.isSidechain === true,
      isMeta: value.isMeta === true,
      isCompactSummary: value.isCompactSummary === true,
      agentId: str(value.agentId),
      originKind: str(origin.kind),
      subtype: str(value.subtype),
      compactMetadata: isObject(value.compactMetadata) ? value.compactMetadata : null,
      resultAgentId: str(toolUseResult.agentId),
      role,
      blocks: parseContent(message.content ?? (type === 'system' ? value.content : undefined)),
      model: str(message.model),
      messageId: str(message.id),
      requestId: str(value.requestId),
      usage: role === 'assistant' ? parseUsage(message.usage) : null,
      cwd: str(value.cwd),
    },
  };
}

/**
 * Parses one transcript line into a conversation record; undefined for anything else (blank,
 * damaged, sidecar lines such as summaries). {@link classifyTranscriptLine} says which.
 */
export function parseTranscriptLine(line: string): TranscriptRecord | undefined {
  const parsed = classifyTranscriptLine(line);
  return parsed.kind === 'record' ? parsed.record : undefined;
}

/**
 * The key that identifies one API response across the lines that repeat its usage. Lines
 * without a message id (old versions) are their own response.
 */
export function usageKey(record: TranscriptRecord): string | null {
  if (!record.usage) return null;
  if (!record.messageId) return record.uuid ? `line:${record.uuid}` : null;
  return `${record.messageId}:${record.requestId ?? ''}`;
}

/**
 * Text that Claude Code writes as a user line but that no person typed: local command output,
 * slash-command echoes, interruption markers, task notifications, system reminders, caveats.
 */
const NOT_TYPED =
  /^\s*(<(local-command-stdout|local-command-stderr|command-name|command-message|command-args|task-notification|system-reminder|user-prompt-submit-hook|bash-stdout|bash-stderr)>|\[Request interrupted by user|Caveat: The messages below)/;

/** What a user line that is not a person's prompt is (null when it is a prompt or not a user text line). */
export function noticeKind(record: TranscriptRecord): string | null {
  if (record.type === 'system') {
    if (record.subtype === 'compact_boundary') return 'compaction';
    return record.subtype ?? 'system';
  }
  if (record.type !== 'user' || record.role !== 'user') return null;
  if (!record.blocks.every((b) => b.type === 'text' || b.type === 'other')) return null; // tool results
  if (record.isCompactSummary) return 'compaction';
  if (record.originKind === 'task-notification') return 'task-notification';
  const text = blocksText(record.blocks);
  // A prompt sent with a pasted image is written as a meta line beginning "[Image: …" (2.x): a person typed it.
  if (record.isMeta && !text.trimStart().startsWith('[Image')) return 'meta';
  const match = NOT_TYPED.exec(text);
  if (!match) return null;
  if (match[2] === 'task-notification') return 'task-notification';
  if (match[2]?.startsWith('local-command') || match[2]?.startsWith('bash-')) return 'local-command';
  if (match[2]?.startsWith('command-')) return 'command';
  if (match[2] === 'system-reminder' || match[2] === 'user-prompt-submit-hook') return 'reminder';
  if (text.trimStart().startsWith('[Request interrupted')) return 'interrupted';
  return 'meta';
}

/**
 * A real person's prompt: a user text line that is not a tool result, not from a sub-agent, not
 * meta, not a compaction summary, task notification, local command or interruption marker.
 * Only a prompt starts a turn.
 */
export function isPrompt(record: TranscriptRecord): boolean {
  return (
    record.type === 'user' &&
    record.role === 'user' &&
    !record.isSidechain &&
    record.blocks.length > 0 &&
    record.blocks.every((b) => b.type === 'text' || b.type === 'other') &&
    noticeKind(record) === null
  );
}

/**
 * The command a slash-command line names (`<command-name>/git:commit</command-name>` and its
 * `<command-args>`), as typed: `/git:commit fix the build`. Null for any other line.
 */
export function slashCommandOf(text: string): string | null {
  const name = /<command-name>\s*([^<]*?)\s*<\/command-name>/.exec(text)?.[1];
  if (!name) return null;
  const args = /<command-args>([\s\S]*?)<\/command-args>/.exec(text)?.[1]?.trim();
  return `${name.startsWith('/') ? name : `/${name}`}${args ? ` ${args}` : ''}`;
}

export function blocksText(blocks: readonly TranscriptBlock[]): string {
  return blocks
    .filter((b): b is Extract<TranscriptBlock, { type: 'text' }> => b.type === 'text')
    .map((b) => b.text)
    .join('\n');
}
