import { z } from 'zod';
import { EpochMillisSchema, ExternalIdSchema, JsonValueSchema, UuidSchema } from './json';

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
