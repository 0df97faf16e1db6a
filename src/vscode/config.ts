import * as vscode from 'vscode';
import { z } from 'zod';

const section = 'sessionLedger';

/** Every setting the extension reads, validated: settings are untrusted JSON. */
const ConfigSchema = z.object({
  testCommand: z.string().trim().default(''),
  maxBuildAttempts: z.number().int().min(1).max(50).default(3),
  maxTestFixIterations: z.number().int().min(1).max(100).default(5),
  summarizeOnComplete: z.boolean().default(false),
  claudePath: z.string().trim().min(1).default('claude'),
  shellIntegrationTimeoutMs: z.number().int().min(500).max(60_000).default(3000),
});
export type LedgerConfig = z.infer<typeof ConfigSchema>;
export const configKeys = Object.keys(ConfigSchema.shape) as (keyof LedgerConfig)[];

/**
 * Typed access to the `sessionLedger.*` settings. A bad value is reported once (naming the
 * setting and what is expected) and its default is used, so one typo never stops the extension.
 */
export class Config implements vscode.Disposable {
  private readonly _onDidChange = new vscode.EventEmitter<LedgerConfig>();
  readonly onDidChange = this._onDidChange.event;
  private readonly subscription: vscode.Disposable;
  private current: LedgerConfig;

  constructor(private readonly report: (message: string) => void) {
    this.current = this.read();
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(section)) {
        this.current = this.read();
        this._onDidChange.fire(this.current);
      }
    });
  }

  get value(): LedgerConfig {
    return this.current;
  }

  private read(): LedgerConfig {
    const raw = vscode.workspace.getConfiguration(section);
    const values: Record<string, unknown> = {};
    for (const key of configKeys) {
      const v = raw.get(key);
      if (v === undefined) continue;
      const check = ConfigSchema.shape[key].safeParse(v);
      if (check.success) {
        values[key] = v;
      } else {
        this.report(`Setting "${section}.${key}" is invalid (${check.error.issues[0]?.message}); using its default. Fix it in Settings.`);
      }
    }
    return ConfigSchema.parse(values);
  }

  dispose(): void {
    this.subscription.dispose();
    this._onDidChange.dispose();
  }
}
