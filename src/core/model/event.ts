import { z } from 'zod';
import { EpochMillisSchema, ExternalIdSchema, JsonValueSchema, UuidSchema, isJsonValue } from './json';

/**
 * A stored event of the append-only log. `seq` is per session, unique and contiguous (1, 2, …),
 * assigned by the store inside the appending transaction.
 */
export const LedgerEventSchema = z.object({
  /** Caller-supplied and idempotent: appending the same id again returns the stored event. */
  id: ExternalIdSchema,
  sessionId: UuidSchema,
  seq: z.number().int().positive(),
  interactionId: UuidSchema.nullable(),
  runId: UuidSchema.nullable(),
  /** `hook.PreToolUse`, `agent.text`, `phase.changed`, `usage`, … */
  type: z.string().min(1).max(200),
  toolName: z.string().nullable(),
  payload: JsonValueSchema,
  correlationId: z.string().nullable(),
  /** Milliseconds since the epoch. */
  ts: EpochMillisSchema,
});
export type LedgerEvent = z.infer<typeof LedgerEventSchema>;

/** Input of `events.append`. `ts` defaults to the store's clock. */
export const EventAppendInputSchema = z
  .object({
    id: ExternalIdSchema,
    sessionId: UuidSchema,
    type: z.string().min(1).max(200),
    interactionId: UuidSchema.nullable().default(null),
    runId: UuidSchema.nullable().default(null),
    toolName: z.string().nullable().default(null),
    payload: JsonValueSchema.default(null),
    correlationId: z.string().nullable().default(null),
    ts: EpochMillisSchema.optional(),
  })
  .strict();
export type EventAppendInput = z.input<typeof EventAppendInputSchema>;
export type EventAppendParsed = z.output<typeof EventAppendInputSchema>;

const UUID_PATTERN = z.regexes.uuid();
const APPEND_INPUT_KEYS = new Set(Object.keys(EventAppendInputSchema.shape));

const optionalUuid = (value: unknown): value is string | null | undefined =>
  value === undefined || value === null || (typeof value === 'string' && UUID_PATTERN.test(value));
const optionalText = (value: unknown): value is string | null | undefined =>
  value === undefined || value === null || typeof value === 'string';

/**
 * {@link EventAppendInputSchema}'s output for the plain inputs it accepts, checked without zod's
 * per-call work (zod was 4% of a 200 MB transcript import, which appends 97k events); undefined
 * for anything else, which the caller then gives the schema for its verdict and its message. It
 * accepts a subset of what the schema accepts and returns the same object (tested on random inputs).
 */
export function acceptEventAppendInput(input: unknown): EventAppendParsed | undefined {
  if (typeof input !== 'object' || input === null || Object.getPrototypeOf(input) !== Object.prototype) return undefined;
  for (const key in input) if (!APPEND_INPUT_KEYS.has(key)) return undefined;
  const { id, sessionId, type, interactionId, runId, toolName, payload, correlationId, ts } = input as Record<string, unknown>;
  if (typeof id !== 'string' || id.length < 1 || id.length > 200) return undefined;
  if (typeof sessionId !== 'string' || !UUID_PATTERN.test(sessionId)) return undefined;
  if (typeof type !== 'string' || type.length < 1 || type.length > 200) return undefined;
  if (!optionalUuid(interactionId) || !optionalUuid(runId) || !optionalText(toolName) || !optionalText(correlationId)) return undefined;
  if (payload !== undefined && !isJsonValue(payload)) return undefined;
  if (ts !== undefined && !(typeof ts === 'number' && Number.isSafeInteger(ts) && ts >= 0)) return undefined;
  const parsed: EventAppendParsed = {
    id,
    sessionId,
    type,
    interactionId: interactionId ?? null,
    runId: runId ?? null,
    toolName: toolName ?? null,
    payload: payload ?? null,
    correlationId: correlationId ?? null,
  };
  return 'ts' in input ? { ...parsed, ts } : parsed;
}

/** Paging and filters of `events.list`: events with `seq > after`, ascending, at most `limit`. */
export const EventListOptionsSchema = z
  .object({
    after: z.number().int().nonnegative().default(0),
    limit: z.number().int().positive().max(10_000).default(200),
    type: z.union([z.string(), z.array(z.string())]).optional(),
    /** An interaction's events; `null`: the session's own events, recorded outside any interaction. */
    interactionId: UuidSchema.nullable().optional(),
    runId: UuidSchema.optional(),
  })
  .strict();
export type EventListOptions = z.input<typeof EventListOptionsSchema>;
