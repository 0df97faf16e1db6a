import * as vscode from 'vscode';
import { describeRecompute, recomputeCosts as recomputeStoredCosts, type RecomputeReport } from '../../core/ledger/recomputeCosts';
import type { CommandDeps } from './types';
import { UserFacingError } from '../userFacingError';

/**
 * Recompute Costs: re-prices every stored run with the current pricing table and
 * `sessionLedger.pricingOverrides`, with progress (cancellable between batches), then says what
 * changed. Returns the report (for tests).
 */
export async function recomputeCosts(deps: Pick<CommandDeps, 'store' | 'config' | 'tree' | 'log'>): Promise<RecomputeReport | undefined> {
  // Recomputing with the built-in prices would undo the person's overrides: refuse instead.
  const problem = deps.config.pricingProblem;
  if (problem !== undefined) {
    throw new UserFacingError(
      vscode.l10n.t('sessionLedger.pricingOverrides: {0}. Fix the setting and run Recompute Costs again; no cost was changed.', problem),
    );
  }
  const pricing = deps.config.pricing;
  const report = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Session Ledger: recomputing costs'), cancellable: true },
    (progress, token) => {
      let reported = 0;
      return recomputeStoredCosts(deps.store, deps.store.sql, pricing, {
        onProgress: ({ runsDone, runsTotal }) => {
          const percent = runsTotal ? (runsDone / runsTotal) * 100 : 100;
          progress.report({ increment: percent - reported, message: vscode.l10n.t('{0} of {1} runs', runsDone, runsTotal) });
          reported = percent;
        },
        isCancelled: () => token.isCancellationRequested,
      });
    },
  );
  deps.tree.refresh();
  const message = vscode.l10n.t('Session Ledger: {0}', describeRecompute(report));
  deps.log.info(message);
  void vscode.window.showInformationMessage(message);
  return report;
}
