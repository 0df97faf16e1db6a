import { z } from 'zod';
import { EpochMillisSchema, UuidSchema } from './json';
import { ProviderSchema, TokenUsageSchema } from './session';

export const RunStatusSchema = z.enum(['running', 'ok', 'error', 'cancelled', 'interrupted']);
export type RunStatus = z.infer<typeof RunStatusSchema>;

/** One agent invocation. Its tokens and cost are added to its session's totals by the store. */
export const RunSchema = z.object({
  id: UuidSchema,
  sessionId: UuidSchema,
  interactionId: UuidSchema.nullable(),
  provider: ProviderSchema,
  model: z.string().nullable(),
  /** The model asked for (a step's `model`, the setting's alias); `model` is the one that answered. */
  modelAlias: z.string().nullable(),
  /** The phase (agent type) the run served: spec, plan, build, docs, research, fix, a workflow step… */
  phase: z.string().nullable(),
  conversationId: z.string().nullable(),
  status: RunStatusSchema,
  ...TokenUsageSchema.shape,
  /** The priced part of the run's cost; see `costUnknown`. */
  costUsd: z.number().nonnegative().finite(),
  /** Some of the run's tokens are of a model without a known price: `costUsd` is a lower bound, not the cost. */
  costUnknown: z.boolean(),
  startedAt: EpochMillisSchema,
  endedAt: EpochMillisSchema.nullable(),
  error: z.string().nullable(),
});
export type Run = z.infer<typeof RunSchema>;

/** Input of `runs.start`. */
export const RunStartInputSchema = z
  .object({
    id: UuidSchema.optional(),
    sessionId: UuidSchema,
    interactionId: UuidSchema.nullable().default(null),
    provider: ProviderSchema,
    model: z.string().nullable().default(null),
    modelAlias: z.string().nullable().default(null),
    phase: z.string().nullable().default(null),
    conversationId: z.string().nullable().default(null),
  })
  .strict();
export type RunStartInput = z.input<typeof RunStartInputSchema>;

/**
 * Input of `runs.update`. Token counts and cost are the run's new cumulative totals (not deltas);
 * the store adds the difference to the session. Leaving `running` sets `endedAt`.
 */
export const RunUpdateSchema = z
  .object({
    status: RunStatusSchema,
    model: z.string().nullable(),
    conversationId: z.string().nullable(),
    inputTokens: z.number().int().nonnegative(),
    outputTokens: z.number().int().nonnegative(),
    cacheCreationTokens: z.number().int().nonnegative(),
    /** The 1-hour part of `cacheCreationTokens` (not more than it). */
    cacheCreation1hTokens: z.number().int().nonnegative(),
    cacheReadTokens: z.number().int().nonnegative(),
    costUsd: z.number().nonnegative().finite(),
    /** Once true it stays true (the store ignores a later false). */
    costUnknown: z.boolean(),
    error: z.string().nullable(),
  })
  .partial()
  .strict();
export type RunUpdate = z.input<typeof RunUpdateSchema>;
