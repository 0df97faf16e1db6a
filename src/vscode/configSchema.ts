import { z } from 'zod';

/** Every `sessionLedger.*` setting the extension reads, validated (settings are untrusted JSON). No `vscode` import: a unit test checks it against package.json. */
export const ConfigSchema = z.object({
  testCommand: z.string().trim().default(''),
  maxBuildAttempts: z.number().int().min(1).max(50).default(3),
  maxTestFixIterations: z.number().int().min(1).max(100).default(5),
  summarizeOnComplete: z.boolean().default(false),
  claudePath: z.string().trim().min(1).default('claude'),
  shellIntegrationTimeoutMs: z.number().int().min(500).max(60_000).default(3000),
  provider: z.enum(['anthropic-api', 'claude-code-cli']).default('anthropic-api'),
  /** `--permission-mode` of the Claude Code CLI in agentic runs (headless `claude -p` cannot ask for permission). */
  claudeCodePermissionMode: z.enum(['default', 'acceptEdits', 'plan', 'bypassPermissions']).default('acceptEdits'),
  model: z.string().trim().min(1).default('claude-sonnet-4-6'),
  /** For proxies and tests; empty = the SDK's default (https://api.anthropic.com). */
  anthropicBaseUrl: z.union([z.literal(''), z.string().trim().url()]).default(''),
  maxSteps: z.number().int().min(1).max(10_000).default(100),
  /** 0 = no limit. */
  maxCostUsd: z.number().min(0).default(5),
  /** 0 = no limit. */
  stepTimeoutSeconds: z.number().int().min(0).max(86_400).default(1800),
  childConcurrency: z.number().int().min(1).max(16).default(2),
  allowRunCommand: z.boolean().default(false),
  /**
   * USD per million tokens, by model id: `{ "my-model": { "input": 3, "output": 15, "cacheWrite5m": 3.75, "cacheRead": 0.3 } }`
   * (checked by PricingTable; `cacheWrite1h` defaults to 2× input, `longContext` optional). Recompute Costs re-prices stored runs.
   */
  pricingOverrides: z.record(z.string(), z.unknown()).default({}),
  /** Import this workspace's Claude Code transcripts (incrementally) at every start. */
  importTranscriptsOnStartup: z.boolean().default(false),
  /** Retention is opt-in: "Clean Up History" refuses to plan anything until this is on. */
  'retention.enabled': z.boolean().default(false),
  /** Completed sessions that ended longer ago are soft-deleted (0: never). */
  'retention.maxAgeDays': z.number().int().min(0).max(36_500).default(180),
  /** Soft-deleted sessions are hard-deleted after this many days (0: never). */
  'retention.graceDays': z.number().int().min(0).max(36_500).default(30),
  /** Noisy event types removed from completed sessions (exact, or a `prefix.*` pattern). */
  'retention.pruneEventTypes': z.array(z.string().trim().min(1).max(200)).max(100).default([]),
  /** More secret patterns (regular expressions) redacted from exports, beside the built-in ones. */
  'redaction.extraPatterns': z.array(z.string().min(1).max(1000)).max(100).default([]),
  /** Exports keep absolute paths (default: relative to the workspace folder, the home directory as `~`). */
  'export.absolutePaths': z.boolean().default(false),
  /** Offer the MCP server's `add_note` tool (notes on the agent's own session only). */
  'mcp.allowAddNote': z.boolean().default(false),
  /** Team ledger: what this workspace shares — nothing (default), every session made here, or only sessions marked Share. */
  'teamLedger.sharing': z.enum(['off', 'all', 'shared']).default('off'),
  /** Team ledger: pull every project this role may read, not only this workspace's. */
  'teamLedger.pullAllProjects': z.boolean().default(false),
  /** Team ledger: pull only sessions updated within this many days (0: no bound). */
  'teamLedger.pullMaxAgeDays': z.number().int().min(0).max(36_500).default(90),
  /** Team ledger: the name sessions made here carry on the server (empty: the PostgreSQL role's name). */
  'teamLedger.person': z.string().trim().max(200).default(''),
});
export type LedgerConfig = z.infer<typeof ConfigSchema>;
export const configSection = 'sessionLedger';
export const configKeys = Object.keys(ConfigSchema.shape) as (keyof LedgerConfig)[];
