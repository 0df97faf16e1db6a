import * as vscode from 'vscode';
import { join } from 'node:path';
import { REGISTRY_FILE } from '../../core/store/ledgerRegistry';
import type { SessionStore } from '../../core/store/SessionStore';
import { workspaceFolderPath } from '../storeHost';
import type { Logger } from '../logger';
import { USAGE_VIEW_TYPE, type TeamUsageView, type UsageScope } from './protocol';
import { UsagePanel } from './UsagePanel';
import { UsageService, type MachineLedgers, type UsageStore } from './usageService';
import { webviewOptions } from '../webview/webviewHtml';

export interface UsageDeps {
  readonly store: UsageStore & Pick<SessionStore, 'sessions' | 'onDidChange'>;
  /** All workspaces: the registry of this machine's ledgers and how to read them (see machineLedgers). */
  readonly machine?: MachineLedgers;
  readonly log: Logger;
  /** Opens a session's timeline (the page's top-sessions links). */
  openTimeline(sessionId: string): Promise<void>;
  /** The team view's figures (by person and project), from the team ledger (teamLedger/TeamLedger.ts). */
  readonly team?: { teamUsage(): Promise<TeamUsageView> };
}

/** The usage panel: one at a time, reused. Dispose to close it. */
export class UsagePanels implements vscode.Disposable {
  private current: UsagePanel | undefined;
  private readonly service: UsageService;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly deps: UsageDeps,
  ) {
    this.service = new UsageService(deps.store, deps.machine);
  }

  /** Opens (or reveals, with a fresh report) the usage panel; `scope`: show that scope (the team view) at once. */
  show(scope?: UsageScope): UsagePanel {
    if (this.current && !this.current.disposed) {
      if (scope) void this.current.showScope(scope);
      else this.current.reveal();
      return this.current;
    }
    const panel = vscode.window.createWebviewPanel(
      USAGE_VIEW_TYPE,
      vscode.l10n.t('Session Ledger: Usage'),
      vscode.ViewColumn.Active,
      webviewOptions(this.extensionUri),
    );
    const { store, log, openTimeline } = this.deps;
    const usage = new UsagePanel(panel, this.extensionUri, {
      service: this.service,
      onDidChangeStore: (listener) => store.onDidChange(listener),
      log,
      sessionExists: (id) => store.sessions.get(id) !== undefined,
      openTimeline,
      team: this.deps.team,
      initialScope: scope,
    });
    usage.register(
      new vscode.Disposable(() => {
        if (this.current === usage) this.current = undefined;
      }),
    );
    this.current = usage;
    return usage;
  }

  dispose(): void {
    this.current?.dispose();
    this.current = undefined;
  }
}

export function registerUsage(
  context: Pick<vscode.ExtensionContext, 'extensionUri' | 'extensionPath' | 'globalStorageUri'>,
  deps: UsageDeps,
): UsagePanels {
  return new UsagePanels(context.extensionUri, { machine: machineLedgers(context), ...deps });
}

/** This machine's ledgers: the registry in global storage, read with the wasm and migrations shipped beside the bundle (as storeHost opens the store). */
export function machineLedgers(context: Pick<vscode.ExtensionContext, 'extensionPath' | 'globalStorageUri'>): MachineLedgers {
  return {
    registryFile: join(context.globalStorageUri.fsPath, REGISTRY_FILE),
    reader: {
      wasmPath: join(context.extensionPath, 'dist', 'sql-wasm.wasm'),
      migrationsDirectory: join(context.extensionPath, 'migrations'),
    },
    workspaceFolder: workspaceFolderPath(),
  };
}
