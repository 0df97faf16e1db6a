import * as vscode from 'vscode';
import { PricingOverrideError, PricingTable } from '../core/agent/pricing';
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
  private currentPricing: { readonly table: PricingTable; readonly problem?: string };

  constructor(private readonly report: (message: string) => void) {
    this.current = this.read();
    this.currentPricing = this.readPricing(this.current);
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(section)) {
        this.current = this.read();
        this.currentPricing = this.readPricing(this.current);
        this._onDidChange.fire(this.current);
      }
    });
  }

  get value(): LedgerConfig {
    return this.current;
  }

  /**
   * The prices costs are computed with: the built-in table with `sessionLedger.pricingOverrides`
   * merged over it, or, while the overrides are invalid, the built-in table alone (see
   * {@link pricingProblem}).
   */
  get pricing(): PricingTable {
    return this.currentPricing.table;
  }

  /** Why `sessionLedger.pricingOverrides` is not applied (the field and what is wrong), or undefined when it is. */
  get pricingProblem(): string | undefined {
    return this.currentPricing.problem;
  }

  /** Validates the overrides once per change of the settings; an invalid one is reported once, like any bad setting. */
  private readPricing(config: LedgerConfig): { table: PricingTable; problem?: string } {
    const builtIn = PricingTable.builtIn();
    try {
      return { table: builtIn.withOverrides(config.pricingOverrides) };
    } catch (error) {
      if (!(error instanceof PricingOverrideError)) throw error;
      this.report(
        vscode.l10n.t(
          'Setting "{0}" is invalid ({1}); using the built-in prices. Fix it in Settings.',
          `${section}.pricingOverrides`,
          error.message,
        ),
      );
      return { table: builtIn, problem: error.message };
    }
  }

  /**
   * The settings whose value is not their default: numbers and booleans with their value, others
   * as set (a URL or pattern may hold what a log should not). The activation log names them, so a
   * report shows which settings the window saw.
   */
  changedFromDefaults(): string[] {
    const defaults = ConfigSchema.parse({});
    return configKeys
      .filter((key) => JSON.stringify(this.current[key]) !== JSON.stringify(defaults[key]))
      .map((key) => {
        const value = this.current[key];
        return typeof value === 'number' || typeof value === 'boolean' ? `${key}=${value}` : `${key} (set)`;
      });
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
        this.report(
          vscode.l10n.t(
            'Setting "{0}" is invalid ({1}); using its default. Fix it in Settings.',
            `${section}.${key}`,
            check.error.issues[0]?.message ?? '',
          ),
        );
      }
    }
    return ConfigSchema.parse(values);
  }

  dispose(): void {
    this.subscription.dispose();
    this._onDidChange.dispose();
  }
}
