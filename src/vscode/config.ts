import * as vscode from 'vscode';
import { ConfigSchema, configKeys, configSection as section, type LedgerConfig } from './configSchema';

export type { LedgerConfig };

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
