import * as vscode from 'vscode';
import { loadPricing, PricingOverrideError, type PricingTable } from '../../core/agent/pricing';
import { describeRecompute, recomputeCosts as recomputeStoredCosts, type RecomputeReport } from '../../core/ledger/recomputeCosts';
import type { CommandDeps } from './types';
import { UserFacingError } from './types';

/**
 * Recompute Costs: re-prices every stored run with the current pricing table and
 * `sessionLedger.pricingOverrides`, with progress (cancellable between batches), then says what
 * changed. Returns the report (for tests).
 */
export async function recomputeCosts(deps: Pick<CommandDeps, 'store' | 'config' | 'tree' | 'log'>): Promise<RecomputeReport | undefined> {
  let pricing: PricingTable;
  try {
    pricing = loadPricing(deps.config.value.pricingOverrides);
  } catch (error) {
    if (error instanceof PricingOverrideError) {
      throw new UserFacingError(
        `sessionLedger.pricingOverrides: ${error.message}. Fix the setting and run Recompute Costs again; no cost was changed.`,
      );
    }
    throw error;
  }
  const report = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Session Ledger: recomputing costs', cancellable: true },
    (progress, token) => {
      let reported = 0;
      return recomputeStoredCosts(deps.store, deps.store.sql, pricing, {
        onProgress: ({ runsDone, runsTotal }) => {
          const percent = runsTotal ? (runsDone / runsTotal) * 100 : 100;
          progress.report({ increment: percent - reported, message: `${runsDone} of ${runsTotal} runs` });
          reported = percent;
        },
        isCancelled: () => token.isCancellationRequested,
      });
    },
  );
  deps.tree.refresh();
  const message = `Session Ledger: ${describeRecompute(report)}`;
  deps.log.info(message);
  void vscode.window.showInformationMessage(message);
  return report;
}
