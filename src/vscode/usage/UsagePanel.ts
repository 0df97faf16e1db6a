import * as vscode from 'vscode';
import { DisposableOwner } from '../lifecycle';
import { describeError } from '../../protocol/describeError';
import type { Logger } from '../logger';
import { WebviewHost, type WebviewFeature } from '../webview/WebviewHost';
import type { WebviewTestHooks } from '../webview/testHooks';
import type { WebviewPage } from '../webview/webviewHtml';
import {
  parseUsageWebviewMessage,
  type UsageHostMessage,
  type UsageRenderedReport,
  type TeamUsageView,
  type UsageScope,
  type UsageWebviewMessage,
} from './protocol';
import type { UsageService } from './usageService';
import { usageStrings } from './usageStrings';

export interface UsagePanelDeps {
  readonly service: UsageService;
  /** What the page's session links change: the store's change event (refreshes the report). */
  readonly onDidChangeStore: (listener: () => void) => vscode.Disposable;
  readonly log: Logger;
  sessionExists(sessionId: string): boolean;
  openTimeline(sessionId: string): Promise<void>;
  /** The team view's figures; without it the team scope says to connect a team ledger. */
  readonly team?: { teamUsage(): Promise<TeamUsageView> };
  /** The scope shown first (default: this workspace). */
  readonly initialScope?: UsageScope;
}

/** Redraw at most this often while sessions are being recorded. */
const REFRESH_DEBOUNCE_MS = 1000;

/** The page (a function: its title is translated when the panel opens, not when the module loads). */
const usagePage = (): WebviewPage => ({
  title: vscode.l10n.t('Usage'),
  script: ['webview', 'usage.js'],
  styles: [['webview', 'usage.css']],
  images: true,
});

/**
 * "Show Usage": cost and tokens by day, model and session type, top sessions, an SVG chart and CSV
 * export, in one webview panel (reused), of this workspace or (the page's scope switch) of all
 * workspaces on this machine — every ledger in the registry, read once and read-only, plus a table by
 * project and the ledgers that could not be read. The extension owns the data: the webview says
 * `ready` and gets the report, again on Refresh (which re-reads the other ledgers) and (debounced)
 * when this window's store changes while it is visible.
 */
export class UsagePanel extends DisposableOwner {
  private readonly host: WebviewHost<UsageWebviewMessage, UsageHostMessage>;
  private refreshTimer: NodeJS.Timeout | undefined;
  /** This workspace, or all workspaces on this machine (the page's scope switch). */
  private scope: UsageScope = 'workspace';
  /** Counts reports asked for: an all-workspaces report that finishes after a newer request is dropped. */
  private requests = 0;
  private posted: Extract<UsageHostMessage, { type: 'report' }> | undefined;
  /** For the integration tests only. */
  readonly test: WebviewTestHooks<UsageRenderedReport>;

  constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly deps: UsagePanelDeps,
  ) {
    super();
    this.host = this.register(new WebviewHost(panel, extensionUri, usagePage(), deps.log, this.feature));
    this.register(this.host.onDidDispose(() => this.dispose()));
    this.register(deps.onDidChangeStore(() => this.scheduleRefresh()));
    this.register(new vscode.Disposable(() => clearTimeout(this.refreshTimer)));
    this.test = this.host.test;
    if (deps.initialScope) this.scope = deps.initialScope;
  }

  get disposed(): boolean {
    return this.isDisposed;
  }

  /** Brings the panel to the front with a fresh report. */
  reveal(): void {
    this.panel.reveal();
    void this.postReport(false);
  }

  /** The report last sent to the page (the integration tests read its figures). */
  get lastReport(): Extract<UsageHostMessage, { type: 'report' }> | undefined {
    return this.posted;
  }

  /** Switches the scope as the page's switch does, and shows that scope's report (the page's switch follows). */
  showScope(scope: UsageScope): Promise<void> {
    this.scope = scope;
    return this.postReport(true);
  }

  private readonly feature: WebviewFeature<UsageWebviewMessage> = {
    parse: parseUsageWebviewMessage,
    onReady: () => {
      // The page's strings first: it builds its header with them, then shows the report.
      this.host.post({ type: 'init', strings: usageStrings() });
      void this.postReport(false);
    },
    handlers: {
      refresh: () => this.postReport(true),
      exportCsv: async () => void (await this.deps.service.exportCsv(this.scope)),
      setScope: ({ scope }) => this.showScope(scope),
      openSession: ({ sessionId }) => {
        if (!this.deps.sessionExists(sessionId)) throw new Error(`No session ${sessionId}.`);
        return this.deps.openTimeline(sessionId);
      },
    },
    onFailed: (_message, error) => void vscode.window.showErrorMessage(vscode.l10n.t('Session Ledger: {0}', describeError(error))),
  };

  private scheduleRefresh(): void {
    if (!this.host.ready) return;
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => void this.postReport(false), REFRESH_DEBOUNCE_MS);
  }

  /** Posts the report of the scope shown; `reread`: all workspaces reads the other ledgers again (else as last read). */
  private async postReport(reread: boolean): Promise<void> {
    if (!this.host.ready) return;
    const request = ++this.requests;
    const scope = this.scope;
    try {
      if (scope === 'workspace') {
        this.send({ type: 'report', scope, report: this.deps.service.report() });
        return;
      }
      if (scope === 'team') {
        const empty = { byPerson: [], byProject: [], pulledSessions: 0, connected: false, person: '' };
        const team = this.deps.team ? await this.deps.team.teamUsage() : empty;
        if (request !== this.requests) return;
        this.send({ type: 'report', scope, report: this.deps.service.report(), team });
        return;
      }
      const { byProject, unread, ledgersCounted, readAt, ...report } = await this.deps.service.machineReport(reread);
      if (request !== this.requests) return; // a newer report was asked for meanwhile
      this.send({ type: 'report', scope, report, machine: { byProject, unread, ledgersCounted, readAt } });
      if (reread)
        unread.forEach((u) =>
          this.deps.log.warn(`usage of all workspaces: left out ${u.directory} (${u.project.path || u.project.name}): ${u.reason}`),
        );
    } catch (error) {
      this.deps.log.error(`building the usage report (${scope}) failed`, error);
      if (scope !== 'workspace' && request === this.requests) {
        void vscode.window.showErrorMessage(
          scope === 'team'
            ? vscode.l10n.t('Session Ledger: the team usage could not be built: {0}', describeError(error))
            : vscode.l10n.t('Session Ledger: the usage of all workspaces could not be built: {0}', describeError(error)),
        );
        this.scope = 'workspace'; // the page's switch goes back with this workspace's report
        void this.postReport(false);
      }
    }
  }

  private send(message: Extract<UsageHostMessage, { type: 'report' }>): void {
    this.posted = message;
    this.host.post(message);
  }
}
