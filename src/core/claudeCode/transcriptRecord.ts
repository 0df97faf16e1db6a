/**
 * One line of a Claude Code transcript (`~/.claude/projects/<encoded path>/<session id>.jsonl`),
 * parsed leniently: the format is undocumented and changes between versions, so only the fields
 * we use are read and anything else is ignored. Community-documented shape:
 *
 *   { "type": "user" | "assistant" | "system" | "summary" | …, "uuid", "parentUuid", "sessionId",
 *     "timestamp": ISO, "isSidechain": bool, "isMeta"?: bool, "requestId"?: "req_…",
 *     "message": { "role", "id"?: "msg_…", "model"?, "content": string | Block[], "usage"? } }
 *
 * An assistant API response is written as one line per content block, and every one of those
 * lines repeats the response's full `usage`: sum usage only once per (message.id, requestId).
 */
import type { TokenUsage } from '../agent/pricing';

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

function parseUsage(value: unknown): TokenUsage | null {
  if (!isObject(value)) return null;
  return {
    inputTokens: count(value.input_tokens),
    outputTokens: count(value.output_tokens),
    cacheCreationTokens: count(value.cache_creation_input_tokens),
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
      return { type: 'tool_result', toolUseId: str(block.tool_use_id) ?? '', content: block.content ?? null, isError: block.is_error === true };
    default:
      return { type: 'other', original: block };
  }
}

function parseContent(content: unknown): TranscriptBlock[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  return Array.isArray(content) ? content.map(parseBlock) : [];
}

/**
 * Parses one transcript line. Returns undefined for a line that is not a JSON object with a
 * `sessionId` (blank lines, damaged lines, records without a session such as some summaries).
 */
export function parseTranscriptLine(line: string): TranscriptRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isObject(value)) return undefined;
  const sessionId = str(value.sessionId);
  if (!sessionId) return undefined;
  const message = isObject(value.message) ? value.message : {};
  const role = message.role === 'user' || message.role === 'assistant' ? message.role : null;
  const time = str(value.timestamp) ? Date.parse(value.timestamp as string) : NaN;
  return {
    type: str(value.type) ?? 'unknown',
    uuid: str(value.uuid),
    parentUuid: str(value.parentUuid),
    sessionId,
    timestamp: Number.isNaN(time) ? null : time,
    isSidechain: value.isSidechain === true,
    isMeta: value.isMeta === true,
    role,
    blocks: parseContent(message.content),
    model: str(message.model),
    messageId: str(message.id),
    requestId: str(value.requestId),
    usage: role === 'assistant' ? parseUsage(message.usage) : null,
    cwd: str(value.cwd),
  };
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

/** A real person's prompt (not a tool result, not a meta/command line, not a sidechain). */
export function isPrompt(record: TranscriptRecord): boolean {
  return (
    record.type === 'user' &&
    record.role === 'user' &&
    !record.isMeta &&
    !record.isSidechain &&
    record.blocks.length > 0 &&
    record.blocks.every((b) => b.type === 'text' || b.type === 'other')
  );
}

export function blocksText(blocks: readonly TranscriptBlock[]): string {
  return blocks
    .filter((b): b is Extract<TranscriptBlock, { type: 'text' }> => b.type === 'text')
    .map((b) => b.text)
    .join('\n');
}
