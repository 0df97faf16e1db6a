import * as vscode from 'vscode';
import { TIMELINE_VIEW_TYPE, TimelineViewStateSchema } from './protocol';
import { TimelinePanel, type TimelineDeps, type TimelineShowOptions } from './TimelinePanel';
import { webviewOptions } from '../webview/webviewHtml';

/** The open timeline panels, one per session. */
export class TimelinePanels implements vscode.Disposable {
  private readonly open = new Map<string, TimelinePanel>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly deps: TimelineDeps,
  ) {}

  /** Opens (or reveals) the timeline of a session. */
  show(sessionId: string, options: TimelineShowOptions = {}): TimelinePanel {
    const existing = this.open.get(sessionId);
    if (existing) {
      existing.reveal(options);
      return existing;
    }
    if (!this.deps.store.sessions.get(sessionId)) {
      throw new Error(`There is no session ${sessionId}.`);
    }
    const panel = vscode.window.createWebviewPanel(TIMELINE_VIEW_TYPE, vscode.l10n.t('Timeline'), vscode.ViewColumn.Active, {
      ...webviewOptions(this.extensionUri),
      enableFindWidget: true,
    });
    return this.track(new TimelinePanel(panel, sessionId, this.extensionUri, this.deps, options.focusInteractionSeq ?? null));
  }

  get(sessionId: string): TimelinePanel | undefined {
    return this.open.get(sessionId);
  }

  /** Restores a panel after a reload from the state its webview saved. */
  revive(panel: vscode.WebviewPanel, state: unknown): void {
    const parsed = TimelineViewStateSchema.safeParse(state);
    const sessionId = parsed.success ? parsed.data.sessionId : undefined;
    if (!sessionId || !this.deps.store.sessions.get(sessionId) || this.open.has(sessionId)) {
      this.deps.log.warn(
        `timeline: not restoring a panel (${sessionId ? `session ${sessionId} is gone or already open` : 'no saved session id'})`,
      );
      panel.dispose();
      return;
    }
    this.track(new TimelinePanel(panel, sessionId, this.extensionUri, this.deps, null));
  }

  dispose(): void {
    for (const panel of [...this.open.values()]) panel.dispose();
    this.open.clear();
  }

  private track(panel: TimelinePanel): TimelinePanel {
    this.open.set(panel.sessionId, panel);
    panel.register(panel.onDidDispose(() => this.open.delete(panel.sessionId)));
    return panel;
  }
}

/**
 * Registers the timeline: the open panels (what `timelines.show` opens them through) and the
 * serializer that reopens panels after a reload. Dispose to close every panel and unregister.
 */
export function registerTimeline(
  context: Pick<vscode.ExtensionContext, 'extensionUri'>,
  deps: TimelineDeps,
): vscode.Disposable & { readonly panels: TimelinePanels } {
  const panels = new TimelinePanels(context.extensionUri, deps);
  const serializer = vscode.window.registerWebviewPanelSerializer(TIMELINE_VIEW_TYPE, {
    deserializeWebviewPanel: async (panel, state) => panels.revive(panel, state),
  });
  const registration = new vscode.Disposable(() => {
    serializer.dispose();
    panels.dispose();
  });
  return Object.assign(registration, { panels });
}
