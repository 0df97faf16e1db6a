import { z } from 'zod';

/** Every `sessionLedger.*` setting the extension reads, validated (settings are untrusted JSON). No `vscode` import: a unit test checks it against package.json. */
export const ConfigSchema = z.object({
  testCommand: z.string().trim().default(''),
  maxBuildAttempts: z.number().int().min(1).max(50).default(3),
  maxTestFixIterations: z.number().int().min(1).max(100).default(5),
  summarizeOnComplete: z.boolean().default(false),
  claudePath: z.string().trim().min(1).default('claude'),
  shellIntegrationTimeoutMs: z.number().int().min(500).max(60_000).default(3000),
});
export type LedgerConfig = z.infer<typeof ConfigSchema>;
export const configSection = 'sessionLedger';
export const configKeys = Object.keys(ConfigSchema.shape) as (keyof LedgerConfig)[];
