import * as vscode from 'vscode';
import { writeFile } from 'node:fs/promises';
import { buildUsageReport, usageReportToCsv, type UsageReport } from '../../core/ledger/usageReport';
import { machineUsageReport, readOtherLedgers, type MachineUsageReport, type OtherLedgers } from '../../core/ledger/machineUsage';
import { LedgerReader, type LedgerReaderOptions } from '../../core/store/ledgerReader';
import { LedgerRegistry } from '../../core/store/ledgerRegistry';
import { canonicalFolderPath, readLedgerIdentity } from '../../core/store/projectIdentity';
import type { SessionStore } from '../../core/store/SessionStore';
import type { UsageScope } from './protocol';

/** Where the other ledgers of this machine are found, and how to read them (all workspaces). */
export interface MachineLedgers {
  /** The ledger registry (`<global storage>/ledger-registry.json`). */
  readonly registryFile: string;
  readonly reader: LedgerReaderOptions;
  /** This window's project folder, when its ledger was never stamped with one. */
  readonly workspaceFolder: string | undefined;
}

export type UsageStore = Pick<SessionStore, 'sql' | 'ledgerMeta' | 'storageDirectory'>;

/** The usage report over this window's ledger or every ledger on the machine, and its export as CSV. */
export class UsageService {
  /** The other ledgers as last read (re-read on Refresh); this window's figures always come from its open store. */
  private others: OtherLedgers | undefined;
  private reading: Promise<OtherLedgers> | undefined;

  constructor(
    private readonly store: UsageStore,
    private readonly machine?: MachineLedgers,
  ) {}

  report(): UsageReport {
    return buildUsageReport(this.store.sql);
  }

  /**
   * Every ledger on this machine: this window's from its open store, the others read once each,
   * read-only, from the registry — again when `reread` (Refresh, switching to this scope), else as
   * last read.
   */
  async machineReport(reread: boolean): Promise<MachineUsageReport & { readAt: number }> {
    if (!this.machine) throw new Error('The usage of all workspaces is not available in this window (no ledger registry).');
    const others = reread || !this.others ? await this.readOthers(this.machine) : this.others;
    return { ...machineUsageReport({ ...this.currentPlace(this.machine), sql: this.store.sql }, others), readAt: others.readAt };
  }

  /** Asks where to save, then writes the report of `scope` as CSV; false when the person cancelled. */
  async exportCsv(scope: UsageScope = 'workspace'): Promise<boolean> {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const target = await vscode.window.showSaveDialog({
      title: scope === 'machine' ? vscode.l10n.t('Export Usage of All Workspaces as CSV') : vscode.l10n.t('Export Usage as CSV'),
      defaultUri: folder
        ? vscode.Uri.joinPath(folder, scope === 'machine' ? 'session-ledger-usage-all-workspaces.csv' : 'session-ledger-usage.csv')
        : undefined,
      filters: { CSV: ['csv'] },
    });
    if (!target) return false;
    const report = scope === 'machine' ? await this.machineReport(false) : this.report();
    await writeFile(target.fsPath, usageReportToCsv(report), 'utf8');
    void vscode.window.showInformationMessage(vscode.l10n.t('Usage exported to {0}.', vscode.workspace.asRelativePath(target)));
    return true;
  }

  /** One read at a time: a second request joins the one in progress. */
  private readOthers(machine: MachineLedgers): Promise<OtherLedgers> {
    this.reading ??= (async () => {
      // A fresh sql.js instance per read, dropped after it: nothing of the other ledgers stays in memory.
      const reader = await LedgerReader.create(machine.reader);
      const others = await readOtherLedgers({
        ledgers: new LedgerRegistry(machine.registryFile).read().ledgers,
        current: this.currentPlace(machine),
        reader,
      });
      this.others = others;
      return others;
    })().finally(() => (this.reading = undefined));
    return this.reading;
  }

  private currentPlace(machine: MachineLedgers) {
    const identity = readLedgerIdentity(this.store);
    const folder = machine.workspaceFolder === undefined ? undefined : canonicalFolderPath(machine.workspaceFolder);
    return { directory: this.store.storageDirectory, ledgerId: identity.ledgerId, canonicalPath: identity.canonicalPath ?? folder };
  }
}
