import * as vscode from 'vscode';
import { writeFile } from 'node:fs/promises';
import { buildUsageReport, usageReportToCsv } from '../core/claudeCode/usageReport';
import type { SessionStore } from '../core/store/SessionStore';
import { parseUsageWebviewMessage, USAGE_VIEW_TYPE, type UsageHostMessage, type UsageRenderedReport, type UsageWebviewMessage } from '../protocol/usageMessages';
import { DisposableOwner } from './lifecycle';
import { describeError, type Logger } from './logger';
import { createNonce } from './timeline/timelineHtml';

export interface UsagePanelDeps {
  readonly store: SessionStore;
  readonly log: Logger;
  readonly extensionUri: vscode.Uri;
  openTimeline(sessionId: string): Promise<void>;
}

type MessageHandlers = { [T in UsageWebviewMessage['type']]: (message: Extract<UsageWebviewMessage, { type: T }>) => void | Promise<void> };

/** Redraw at most this often while sessions are being recorded. */
const REFRESH_DEBOUNCE_MS = 1000;

/**
 * "Show Usage": cost and tokens by day, model and session type, top sessions, an SVG chart and CSV
 * export, in one webview panel (reused). The extension owns the data: the webview says `ready` and
 * gets the report, again on Refresh and (debounced) when the store changes while it is visible.
 */
export class UsagePanel extends DisposableOwner {
  private static current: UsagePanel | undefined;
  private isReady = false;
  private refreshTimer: NodeJS.Timeout | undefined;
  private lastRender: UsageRenderedReport | undefined;
  private readonly _onDidRender = this.register(new vscode.EventEmitter<UsageRenderedReport>());
  readonly onDidRender = this._onDidRender.event;

  /** Opens (or reveals) the usage panel. */
  static show(deps: UsagePanelDeps): UsagePanel {
    if (UsagePanel.current && !UsagePanel.current.isDisposed) {
      UsagePanel.current.panel.reveal();
      UsagePanel.current.postReport();
      return UsagePanel.current;
    }
    const panel = vscode.window.createWebviewPanel(USAGE_VIEW_TYPE, 'Session Ledger: Usage', vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(deps.extensionUri, 'dist')],
    });
    UsagePanel.current = new UsagePanel(panel, deps);
    return UsagePanel.current;
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly deps: UsagePanelDeps,
  ) {
    super();
    this.register(panel.webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw)));
    this.register(panel.onDidDispose(() => this.dispose()));
    this.register(panel.onDidChangeViewState(() => {
      if (!panel.visible) this.isReady = false;
    }));
    this.register(deps.store.onDidChange(() => this.scheduleRefresh()));
    this.register({ dispose: () => clearTimeout(this.refreshTimer) });
    panel.webview.html = usageHtml(panel.webview, deps.extensionUri);
  }

  /** For tests: resolves with the first render report (the last one, or a later one) satisfying `predicate`. */
  whenRendered(predicate: (report: UsageRenderedReport) => boolean = () => true): Promise<UsageRenderedReport> {
    if (this.lastRender && predicate(this.lastRender)) return Promise.resolve(this.lastRender);
    return new Promise((resolve) => {
      const sub = this.onDidRender((report) => {
        if (!predicate(report)) return;
        sub.dispose();
        resolve(report);
      });
    });
  }

  override dispose(): void {
    if (this.isDisposed) return;
    if (UsagePanel.current === this) UsagePanel.current = undefined;
    super.dispose();
    this.panel.dispose();
  }

  private scheduleRefresh(): void {
    if (!this.isReady) return;
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => this.postReport(), REFRESH_DEBOUNCE_MS);
  }

  private postReport(): void {
    if (!this.isReady || this.isDisposed) return;
    try {
      const message: UsageHostMessage = { type: 'report', report: buildUsageReport(this.deps.store.sql) };
      this.panel.webview.postMessage(message).then(undefined, (e: unknown) => this.deps.log.warn(`post failed: ${describeError(e)}`));
    } catch (error) {
      this.deps.log.error('building the usage report failed', error);
    }
  }

  private async receive(raw: unknown): Promise<void> {
    let message: UsageWebviewMessage;
    try {
      message = parseUsageWebviewMessage(raw);
    } catch (error) {
      this.deps.log.warn(describeError(error));
      return;
    }
    try {
      await (this.handlers[message.type] as (m: UsageWebviewMessage) => void | Promise<void>)(message);
    } catch (error) {
      this.deps.log.error(`usage: ${message.type} failed`, error);
      void vscode.window.showErrorMessage(`Session Ledger: ${describeError(error)}`);
    }
  }

  private readonly handlers: MessageHandlers = {
    ready: () => {
      this.isReady = true;
      this.postReport();
    },
    refresh: () => this.postReport(),
    exportCsv: async () => {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      const target = await vscode.window.showSaveDialog({
        title: 'Export Usage as CSV',
        defaultUri: folder ? vscode.Uri.joinPath(folder, 'session-ledger-usage.csv') : undefined,
        filters: { CSV: ['csv'] },
      });
      if (!target) return;
      await writeFile(target.fsPath, usageReportToCsv(buildUsageReport(this.deps.store.sql)), 'utf8');
      void vscode.window.showInformationMessage(`Usage exported to ${vscode.workspace.asRelativePath(target)}.`);
    },
    openSession: ({ sessionId }) => {
      if (!this.deps.store.sessions.get(sessionId)) throw new Error(`No session ${sessionId}.`);
      return this.deps.openTimeline(sessionId);
    },
    rendered: (report) => {
      this.lastRender = report;
      this._onDidRender.fire(report);
    },
    log: ({ level, message }) => this.deps.log[level](`usage webview: ${message}`),
  };
}

/** The usage page: strict CSP, the bundled script by nonce, styles from `dist/`. */
export function usageHtml(webview: vscode.Webview, extensionUri: vscode.Uri, nonce = createNonce()): string {
  const asset = (...path: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', ...path)).toString();
  const csp = [`default-src 'none'`, `style-src ${webview.cspSource}`, `img-src ${webview.cspSource}`, `script-src 'nonce-${nonce}'`].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${asset('webview', 'usage.css')}">
  <title>Usage</title>
</head>
<body>
  <div id="app" aria-busy="true"></div>
  <script nonce="${nonce}" src="${asset('webview', 'usage.js')}"></script>
</body>
</html>`;
}
