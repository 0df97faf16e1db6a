import { z } from 'zod';
import { parseCapped, parseUntrusted } from './untrustedMessage';
import { UsageStringsSchema } from './webviewStrings';

/*
 * The message contract between the Usage panel (extension host) and its webview, validated with
 * zod on receipt on both sides.
 *
 *  webview → extension: `ready` (first), `exportCsv`, `openSession`, `refresh`, `setScope`, `rendered`, `log`.
 *  extension → webview: `init` (the page's translated strings; first answer to `ready`), `report`
 *                       (the answer to `ready`, `refresh` and `setScope`, and after store changes).
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
const TopSessionSchema = UsageTotalsSchema.extend({
  sessionId: z.string().min(1).max(200),
  title: z.string().max(2000),
  type: z.string().max(500),
  // All workspaces: whose session it is, and whether its timeline opens here (this window's ledger).
  project: z.string().max(500).optional(),
  projectPath: z.string().max(4096).optional(),
  current: z.boolean().optional(),
});

export const UsageReportSchema = z.object({
  generatedAt: z.number().int().nonnegative(),
  /** The pricing table's effective date and source. */
  pricing: z.object({ effectiveDate: z.string().max(40), source: z.string().max(2000) }).optional(),
  total: UsageTotalsSchema,
  byDay: z.array(UsageRowSchema),
  byModel: z.array(UsageRowSchema),
  bySessionType: z.array(UsageRowSchema),
  /** The phase (agent type) runs served. */
  byPhase: z.array(UsageRowSchema).default([]),
  topSessions: z.array(TopSessionSchema),
});

/**
 * Which ledgers the report covers: this window's, every ledger registered on this machine, or the
 * team view (this window's ledger — own sessions and those pulled from the team ledger — by person and project).
 */
export const UsageScopeSchema = z.enum(['workspace', 'machine', 'team']);
export type UsageScope = z.infer<typeof UsageScopeSchema>;

/** What only the all-workspaces report has: its projects, and the ledgers left out (and why). */
export const MachineUsageSchema = z.object({
  /** `key`: the project folder's path ('' for a window without a folder). */
  byProject: z.array(UsageRowSchema.extend({ key: z.string().max(4096), name: z.string().max(500), ledgers: Count, current: z.boolean() })),
  unread: z.array(
    z.object({
      directory: z.string().max(4096),
      project: z.object({ name: z.string().max(500), path: z.string().max(4096) }),
      reason: z.string().max(4000),
    }),
  ),
  ledgersCounted: Count,
  /** When the other ledgers were read (this window's figures are always current). */
  readAt: z.number().int().nonnegative(),
});
export type MachineUsage = z.infer<typeof MachineUsageSchema>;

/** What only the team view has: usage by person and by project (team ledger: src/core/sync/teamUsage.ts). */
export const TeamUsageSchema = z.object({
  byPerson: z.array(UsageRowSchema.extend({ sessions: Count, you: z.boolean() })),
  byProject: z.array(UsageRowSchema.extend({ sessions: Count, current: z.boolean() })),
  pulledSessions: Count,
  /** Whether a team ledger is connected and syncing in this window. */
  connected: z.boolean(),
  person: z.string().max(500),
});
export type TeamUsageView = z.infer<typeof TeamUsageSchema>;

export const UsageHostMessageSchema = z.discriminatedUnion('type', [
  /** First answer to `ready`: the page's strings, translated by the extension (the page shows nothing else). */
  z.object({ type: z.literal('init'), strings: UsageStringsSchema }).strict(),
  z
    .object({
      type: z.literal('report'),
      scope: UsageScopeSchema,
      report: UsageReportSchema,
      machine: MachineUsageSchema.optional(),
      team: TeamUsageSchema.optional(),
    })
    .strict(),
]);
export type UsageHostMessage = z.infer<typeof UsageHostMessageSchema>;

export const UsageWebviewMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }).strict(),
  z.object({ type: z.literal('exportCsv') }).strict(),
  z.object({ type: z.literal('refresh') }).strict(),
  z.object({ type: z.literal('openSession'), sessionId: z.string().min(1).max(200) }).strict(),
  /** The scope switch: answered with a `report` of that scope. */
  z.object({ type: z.literal('setScope'), scope: UsageScopeSchema }).strict(),
  /** After each render of a report (tests wait for it). `projects` and `unread`: rows of the all-workspaces tables. */
  z
    .object({
      type: z.literal('rendered'),
      days: Count,
      models: Count,
      /** Rows of the by-phase table. */
      phases: Count.optional(),
      sessions: Count,
      bars: Count,
      scope: UsageScopeSchema.optional(),
      projects: Count.optional(),
      unread: Count.optional(),
      /** Team view: rows of the by-person table. */
      people: Count.optional(),
    })
    .strict(),
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
