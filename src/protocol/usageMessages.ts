import { z } from 'zod';
import { parseCapped, parseUntrusted } from './untrustedMessage';

/*
 * The message contract between the Usage panel (extension host) and its webview, validated with
 * zod on receipt on both sides.
 *
 *  webview → extension: `ready` (first), `exportCsv`, `openSession`, `refresh`, `rendered`, `log`.
 *  extension → webview: `report` (the answer to `ready` and `refresh`, and after store changes).
 */

export const USAGE_VIEW_TYPE = 'sessionLedger.usage';

const Count = z.number().int().nonnegative();
const UsageTotalsSchema = z.object({
  inputTokens: Count,
  outputTokens: Count,
  cacheCreationTokens: Count,
  /** The 1-hour part of `cacheCreationTokens`. */
  cacheCreation1hTokens: Count.default(0),
  cacheReadTokens: Count,
  costUsd: z.number().nonnegative().finite(),
  requests: Count,
  unpricedRequests: Count,
});
const UsageRowSchema = UsageTotalsSchema.extend({ key: z.string().max(500) });
const TopSessionSchema = UsageTotalsSchema.extend({ sessionId: z.string().min(1).max(200), title: z.string().max(2000), type: z.string().max(500) });

export const UsageReportSchema = z.object({
  generatedAt: z.number().int().nonnegative(),
  /** The pricing table's effective date and source. */
  pricing: z.object({ effectiveDate: z.string().max(40), source: z.string().max(2000) }).optional(),
  total: UsageTotalsSchema,
  byDay: z.array(UsageRowSchema),
  byModel: z.array(UsageRowSchema),
  bySessionType: z.array(UsageRowSchema),
  topSessions: z.array(TopSessionSchema),
});

export const UsageHostMessageSchema = z.discriminatedUnion('type', [z.object({ type: z.literal('report'), report: UsageReportSchema }).strict()]);
export type UsageHostMessage = z.infer<typeof UsageHostMessageSchema>;

export const UsageWebviewMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }).strict(),
  z.object({ type: z.literal('exportCsv') }).strict(),
  z.object({ type: z.literal('refresh') }).strict(),
  z.object({ type: z.literal('openSession'), sessionId: z.string().min(1).max(200) }).strict(),
  /** After each render of a report (tests wait for it). */
  z.object({ type: z.literal('rendered'), days: Count, models: Count, sessions: Count, bars: Count }).strict(),
  z.object({ type: z.literal('log'), level: z.enum(['warn', 'error']), message: z.string().max(10_000) }).strict(),
]);
export type UsageWebviewMessage = z.infer<typeof UsageWebviewMessageSchema>;
export type UsageRenderedReport = Extract<UsageWebviewMessage, { type: 'rendered' }>;

export function parseUsageWebviewMessage(value: unknown): UsageWebviewMessage {
  return parseUntrusted(UsageWebviewMessageSchema, value, 'usage webview message');
}

export function parseUsageHostMessage(value: unknown): UsageHostMessage {
  return parseCapped(UsageHostMessageSchema, value, 'usage extension message');
}
