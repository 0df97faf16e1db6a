import { z } from 'zod';

/*
 * The parts of the store's model that cross into the webviews: status and kind vocabularies and
 * token totals. They live here, not in `src/core/model`, so that the webview (which imports only
 * `src/protocol`) can use them; `src/core/model` re-exports them under their usual names.
 */

export const SESSION_STATUSES = ['active', 'planned', 'paused', 'interrupted', 'complete', 'failed', 'cancelled'] as const;
export const SessionStatusSchema = z.enum(SESSION_STATUSES);
export type SessionStatus = z.infer<typeof SessionStatusSchema>;

export const CommandKindSchema = z.enum(['shell', 'claude', 'spawn_sessions']);
export type CommandKind = z.infer<typeof CommandKindSchema>;

export const ResultStatusSchema = z.enum(['pending', 'ok', 'error', 'cancelled', 'interrupted']);
export type ResultStatus = z.infer<typeof ResultStatusSchema>;

export const ExecutionModeSchema = z.enum(['manual', 'agentic']);
export type ExecutionMode = z.infer<typeof ExecutionModeSchema>;

const TokenCountSchema = z.number().int().nonnegative();

/** Token totals by kind, as kept on sessions (sums of their runs) and on runs. */
export const TokenUsageSchema = z.object({
  inputTokens: TokenCountSchema,
  outputTokens: TokenCountSchema,
  /** All cache-write tokens, both TTLs (5-minute writes are `cacheCreationTokens - cacheCreation1hTokens`). */
  cacheCreationTokens: TokenCountSchema,
  /**
   * The part of `cacheCreationTokens` written with the 1-hour TTL (priced higher). Records from
   * before it was kept (and exports of them) have 0: they were priced at the 5-minute rate.
   */
  cacheCreation1hTokens: TokenCountSchema.default(0),
  cacheReadTokens: TokenCountSchema,
});
export type TokenUsage = z.infer<typeof TokenUsageSchema>;
