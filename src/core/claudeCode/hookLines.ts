/**
 * One hook spool line (written by `hookSpool.ts`) parsed and checked: what becomes an event, or
 * the reason the line is set aside. Used by ./hookIngestion.ts.
 */
import { z } from 'zod';
import { sha256Hex } from './claudeSessions';

const HookPayloadSchema = z.looseObject({
  session_id: z.string().min(1),
  hook_event_name: z.string().min(1).optional(),
  tool_name: z.string().min(1).optional(),
  cwd: z.string().optional(),
  prompt: z.string().optional(),
});

/** An event type is `hook.<name>` and the store keeps types of at most 200 characters. */
const EVENT_NAME_MAX = 200 - 'hook.'.length;

const SpoolLineSchema = z.object({
  receivedAt: z.iso.datetime(),
  /** Written by the hook script since it made every line unique; absent in older lines. */
  nonce: z.string().min(1).max(128).optional(),
  event: z.string().min(1).max(EVENT_NAME_MAX).nullable(),
  payload: HookPayloadSchema,
});

/** Nesting the store accepts in a payload (see `isJsonValue` in model/json.ts). */
const MAX_PAYLOAD_DEPTH = 64;

/**
 * The tool's own data, passed through as the tool gave it: a negative number there is data (an
 * offset, a temperature), not a count. Everywhere else in a payload the numbers are Claude Code's
 * (counts, durations, costs), which are never negative.
 */
const TOOL_DATA_FIELDS: ReadonlySet<string> = new Set(['tool_input', 'tool_response']);

/**
 * Why `payload` cannot be stored as the hook wrote it, or undefined. Every number must be finite
 * and within ±`Number.MAX_SAFE_INTEGER` (beyond that JSON numbers are rounded, so a count would be
 * stored wrong and later sums refused), Claude Code's own numbers must not be negative, and the
 * nesting must stay within what the store accepts. Iterative: a hostile payload cannot overflow the stack.
 */
function payloadProblem(payload: unknown): string | undefined {
  const pending: { value: unknown; path: string; depth: number; toolData: boolean }[] = [
    { value: payload, path: 'payload', depth: 0, toolData: false },
  ];
  for (let item = pending.pop(); item; item = pending.pop()) {
    const { value, path, depth, toolData } = item;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) return `${path}: ${value} is not a finite number`;
      if (Math.abs(value) > Number.MAX_SAFE_INTEGER)
        return `${path}: ${value} is beyond Number.MAX_SAFE_INTEGER (${Number.MAX_SAFE_INTEGER}) and cannot be stored exactly`;
      if (value < 0 && !toolData) return `${path}: ${value} is negative`;
    } else if (value !== null && typeof value === 'object') {
      if (depth > MAX_PAYLOAD_DEPTH) return `${path}: nested deeper than ${MAX_PAYLOAD_DEPTH} levels`;
      const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
      for (const [key, child] of entries) {
        const childPath = Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`;
        pending.push({ value: child, path: childPath, depth: depth + 1, toolData: toolData || (depth === 0 && TOOL_DATA_FIELDS.has(key)) });
      }
    }
  }
  return undefined;
}

export interface ParsedHookLine {
  id: string;
  type: string;
  claudeSessionId: string;
  toolName: string | null;
  payload: z.infer<typeof HookPayloadSchema>;
  ts: number;
}

/**
 * Parses one spool line; `{ error }` (the reason) for a line to set aside. The id is the hash of
 * the whole line: with the hook's nonce in it, unique per hook event; for an older line without
 * one, the id that line always had.
 */
export function parseSpoolLine(line: string): ParsedHookLine | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { error: 'not JSON' };
  }
  const invalid = (value as { invalid?: unknown } | null)?.invalid;
  if (typeof invalid === 'string') return { error: `hook input: ${invalid}` };
  const parsed = SpoolLineSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { error: `${issue?.path.join('.') || '(line)'}: ${issue?.message ?? 'not a valid spool line'}` };
  }
  const { receivedAt, event } = parsed.data;
  // The payload as the hook wrote it (zod's copy drops keys such as `__proto__`); the schema vouched for its fields.
  const payload = (value as { payload: z.infer<typeof HookPayloadSchema> }).payload;
  const problem = payloadProblem(payload);
  if (problem) return { error: problem };
  const ts = Date.parse(receivedAt);
  if (!(ts >= 0)) return { error: `receivedAt: ${receivedAt} is before 1970` };
  const name = event ?? payload.hook_event_name ?? 'unknown';
  if (name.length > EVENT_NAME_MAX) return { error: `payload.hook_event_name: longer than ${EVENT_NAME_MAX} characters` };
  return {
    id: `hook:${sha256Hex(line)}`,
    type: `hook.${name}`,
    claudeSessionId: payload.session_id,
    toolName: payload.tool_name ?? null,
    payload,
    ts,
  };
}
