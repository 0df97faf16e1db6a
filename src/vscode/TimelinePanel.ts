import * as vscode from 'vscode';
import { isAbsolute, join } from 'node:path';
import type { StoreChange } from '../core/model/change';
import type { Interaction } from '../core/model/interaction';
import { stripAnsi } from '../protocol/displayText';
import { sessionActionStatuses, type SessionAction } from '../protocol/sessionActions';
import {
  TIMELINE_VIEW_TYPE,
  TimelineViewStateSchema,
  parseWebviewMessage,
  type HostMessage,
  type RenderedReport,
  type RequestMessage,
  type RequestParams,
  type RequestResult,
  type TimelineMethod,
  type WebviewMessage,
} from '../protocol/timelineMessages';
import { CommandId } from './commandIds';
import { DisposableOwner } from './lifecycle';
import { describeError, type Logger } from './logger';
import { timelineHtml } from './timeline/timelineHtml';
import { TimelineSync } from './timeline/timelineSync';
import { EVENTS_PAGE, toEventRow, toInteractionDetail, type TimelineStoreReads } from './timeline/timelineViewModel';

/** What the timeline needs from the store: synchronous reads and the change event. */
export interface TimelineStore extends TimelineStoreReads {
  onDidChange(listener: (change: StoreChange) => void): vscode.Disposable;
}

export interface TimelineDeps {
  readonly store: TimelineStore;
  readonly log: Logger;
}

export interface TimelineShowOptions {
  /** Scroll to this interaction and expand it. */
  readonly focusInteractionSeq?: number;
}

type RequestHandlers = { [M in TimelineMethod]: (params: RequestParams<M>) => Promise<RequestResult<M>> | RequestResult<M> };
/** The command each of the header's session actions runs (with the panel's session id). */
const sessionActionCommands: Readonly<Record<SessionAction, CommandId>> = {
  nextStep: CommandId.nextStep,
  pause: CommandId.pauseSession,
  resume: CommandId.resumeSession,
  cancel: CommandId.cancelSession,
};

type MessageHandlers = { [T in WebviewMessage['type']]: (message: Extract<WebviewMessage, { type: T }>) => void };

/**
 * The timeline of one session in a webview panel. The extension owns the data: the webview says
 * `ready`, gets a snapshot, then live updates driven by `store.onDidChange`; everything else it
 * asks for with requests that are answered by id.
 */
export class TimelinePanel extends DisposableOwner {
  /** Set by {@link registerTimeline}; what {@link TimelinePanel.show} opens panels through. */
  private static panels: TimelinePanels | undefined;

  /** Opens (or reveals) the timeline of a session. Needs {@link registerTimeline} to have run. */
  static show(sessionId: string, options: TimelineShowOptions = {}): TimelinePanel {
    if (!TimelinePanel.panels) {
      throw new Error('The timeline is not registered: call registerTimeline() during activation.');
    }
    return TimelinePanel.panels.show(sessionId, options);
  }

  /** @internal */
  static setRegistry(panels: TimelinePanels | undefined): void {
    TimelinePanel.panels = panels;
  }

  private readonly sync: TimelineSync;
  private readonly log: Logger;
  private isReady = false;
  /** Bumped on each `ready`: pages of an older snapshot stop being sent. */
  private generation = 0;
  private pendingFocusSeq: number | null;
  private lastRender: RenderedReport | undefined;
  private readonly _onDidRender = this.register(new vscode.EventEmitter<RenderedReport>());
  /** Fires when the webview reports a render (row counts); used by tests and the bench. */
  readonly onDidRender = this._onDidRender.event;
  private readonly _onDidDispose = this.register(new vscode.EventEmitter<void>());
  readonly onDidDispose = this._onDidDispose.event;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly sessionId: string,
    extensionUri: vscode.Uri,
    private readonly deps: TimelineDeps,
    focusInteractionSeq: number | null,
  ) {
    super();
    this.log = deps.log.child('timeline');
    this.sync = new TimelineSync(deps.store, sessionId);
    this.pendingFocusSeq = focusInteractionSeq;
    panel.webview.options = webviewOptions(extensionUri);
    this.updateTitle();
    this.register(panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)));
    this.register(deps.store.onDidChange((change) => this.onStoreChange(change)));
    this.register(panel.onDidDispose(() => this.dispose()));
    // Without retainContextWhenHidden a hidden webview is torn down; it says `ready` again when shown.
    this.register(panel.onDidChangeViewState(() => {
      if (!panel.visible) this.isReady = false;
    }));
    panel.webview.html = timelineHtml(panel.webview, extensionUri);
  }

  /** Whether the webview has said `ready` since its page was (re)loaded. */
  get ready(): boolean {
    return this.isReady;
  }

  /**
   * Resolves with the first render report (the last one received, or a later one) that
   * satisfies `predicate`. For tests: e.g. `whenRendered((r) => r.loadedRows === r.totalRows)`.
   */
  whenRendered(predicate: (report: RenderedReport) => boolean = () => true): Promise<RenderedReport> {
    if (this.lastRender && predicate(this.lastRender)) {
      return Promise.resolve(this.lastRender);
    }
    return new Promise((resolve) => {
      const sub = this.onDidRender((report) => {
        if (!predicate(report)) return;
        sub.dispose();
        resolve(report);
      });
    });
  }

  /**
   * For tests: runs a request the way one from the webview is run (validated by the protocol's
   * schema, then answered by the same handler) and resolves with its result.
   */
  async requestForTest<M extends TimelineMethod>(method: M, params: RequestParams<M>): Promise<RequestResult<M>> {
    const message = parseWebviewMessage({ type: 'request', id: 0, method, params });
    if (message.type !== 'request') throw new Error('not a request');
    return (await this.handle(message)) as RequestResult<M>;
  }

  reveal(options: TimelineShowOptions): void {
    this.panel.reveal(undefined, false);
    if (options.focusInteractionSeq !== undefined) {
      if (this.isReady) {
        this.post({ type: 'focusInteraction', seq: options.focusInteractionSeq });
      } else {
        this.pendingFocusSeq = options.focusInteractionSeq;
      }
    }
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this._onDidDispose.fire();
    super.dispose();
    this.panel.dispose();
  }

  private updateTitle(): void {
    const session = this.deps.store.sessions.get(this.sessionId);
    this.panel.title = `Timeline: ${session?.title ?? 'unknown session'}`;
  }

  private post(message: HostMessage): void {
    if (!this.isReady || this.isDisposed) return;
    this.panel.webview.postMessage(message).then(undefined, (error: unknown) => this.log.warn(`post failed: ${describeError(error)}`));
  }

  private receive(raw: unknown): void {
    let message: WebviewMessage;
    try {
      message = parseWebviewMessage(raw);
    } catch (error) {
      this.log.warn(describeError(error));
      const id = (raw as { type?: unknown; id?: unknown } | null)?.id;
      if ((raw as { type?: unknown } | null)?.type === 'request' && typeof id === 'number' && Number.isInteger(id) && id >= 0) {
        this.post({ type: 'response', id, ok: false, error: describeError(error) });
      }
      return;
    }
    (this.messageHandlers[message.type] as (m: WebviewMessage) => void)(message);
  }

  private readonly messageHandlers: MessageHandlers = {
    ready: () => {
      this.isReady = true;
      const snapshot = this.sync.snapshot(this.pendingFocusSeq);
      this.pendingFocusSeq = null;
      if (!snapshot) {
        this.log.warn(`session ${this.sessionId} is not in the store; closing its timeline`);
        this.dispose();
        return;
      }
      this.post(snapshot);
      this.sendRemainingPages(++this.generation);
    },
    request: (message) => void this.answer(message),
    rendered: (report) => {
      this.lastRender = report;
      this._onDidRender.fire(report);
    },
    log: ({ level, message }) => this.log[level](`webview: ${message}`),
  };

  /** Sends the snapshot's remaining interactions a page per task, so the extension host stays responsive. */
  private sendRemainingPages(generation: number): void {
    const step = () => {
      if (this.isDisposed || generation !== this.generation) return;
      try {
        const page = this.sync.nextPage();
        if (!page) return;
        this.post(page);
        if (!page.done) setTimeout(step, 0);
      } catch (error) {
        this.log.error('loading the timeline failed', error);
      }
    };
    setTimeout(step, 0);
  }

  private handle(request: RequestMessage): Promise<unknown> {
    const handler = this.requestHandlers[request.method] as (params: unknown) => unknown;
    return Promise.resolve(handler(request.params));
  }

  private async answer(request: RequestMessage): Promise<void> {
    try {
      const result = await this.handle(request);
      this.post({ type: 'response', id: request.id, ok: true, result });
    } catch (error) {
      this.log.warn(`${request.method} failed: ${describeError(error)}`);
      this.post({ type: 'response', id: request.id, ok: false, error: describeError(error) });
    }
  }

  private readonly requestHandlers: RequestHandlers = {
    loadDetail: ({ interactionId }) => toInteractionDetail(this.interaction(interactionId)),
    loadEvents: ({ interactionId, after }) => {
      this.interaction(interactionId);
      const events = this.deps.store.events.list(this.sessionId, { interactionId, after, limit: EVENTS_PAGE });
      return { events: events.map(toEventRow), hasMore: events.length === EVENTS_PAGE };
    },
    loadSessionEvents: ({ after }) => {
      const events = this.deps.store.events.list(this.sessionId, { interactionId: null, after, limit: EVENTS_PAGE });
      return { events: events.map(toEventRow), hasMore: events.length === EVENTS_PAGE };
    },
    openArtifact: async ({ artifactId }) => {
      const artifact = this.deps.store.artifacts.get(artifactId);
      if (!artifact || artifact.sessionId !== this.sessionId) {
        throw new Error(`No artifact ${artifactId} in this session.`);
      }
      if (artifact.path !== null) {
        await vscode.commands.executeCommand('vscode.open', this.resolveArtifactPath(artifact.path));
      } else {
        const language = artifact.contentType.includes('markdown') ? 'markdown' : artifact.contentType.includes('json') ? 'json' : 'plaintext';
        const document = await vscode.workspace.openTextDocument({ content: artifact.content ?? '', language });
        await vscode.window.showTextDocument(document, { preview: true });
      }
      return { opened: true };
    },
    copy: async ({ interactionId, what }) => {
      const interaction = this.interaction(interactionId);
      const text = what === 'command' ? interaction.command.command : stripAnsi(interaction.result.output ?? '');
      await vscode.env.clipboard.writeText(text);
      return { copiedChars: text.length };
    },
    runSessionAction: async ({ action }) => {
      const session = this.deps.store.sessions.get(this.sessionId);
      if (!session) throw new Error(`Session ${this.sessionId} no longer exists.`);
      if (!sessionActionStatuses[action].includes(session.status)) {
        // The header may have been a status behind: the command would act on a session it no longer fits.
        throw new Error(`"${session.title}" is ${session.status}; ${action} does not apply.`);
      }
      // The command handlers report their own failures to the person (and log them).
      const ran = vscode.commands.executeCommand(sessionActionCommands[action], this.sessionId);
      if (action === 'nextStep') {
        // A step can run for minutes: answer now, so Pause and Cancel stay usable meanwhile.
        ran.then(undefined, (error: unknown) => this.log.warn(`nextStep failed: ${describeError(error)}`));
      } else {
        await ran;
      }
      return { status: this.deps.store.sessions.get(this.sessionId)?.status ?? session.status };
    },
  };

  /** An interaction of THIS session (the webview cannot reach into others). */
  private interaction(id: string): Interaction {
    const interaction = this.deps.store.interactions.get(id);
    if (!interaction || interaction.sessionId !== this.sessionId) {
      throw new Error(`No interaction ${id} in this session.`);
    }
    return interaction;
  }

  private resolveArtifactPath(path: string): vscode.Uri {
    if (isAbsolute(path)) return vscode.Uri.file(path);
    const session = this.deps.store.sessions.get(this.sessionId);
    const base = session?.workspaceFolder ?? session?.workingDir ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    if (!base) throw new Error(`Cannot open "${path}": no workspace folder to resolve it against.`);
    return /^[a-z][\w+.-]*:\/\//i.test(base) ? vscode.Uri.joinPath(vscode.Uri.parse(base), path) : vscode.Uri.file(join(base, path));
  }

  private onStoreChange(change: StoreChange): void {
    if (!this.isReady) return; // the snapshot sent on `ready` will include it
    try {
      if (change.sessionIds.includes(this.sessionId)) this.updateTitle();
      for (const message of this.sync.update(change)) this.post(message);
    } catch (error) {
      this.log.error('live update failed', error);
    }
  }
}

function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist')] };
}

/** The open timeline panels, one per session. */
export class TimelinePanels implements vscode.Disposable {
  private readonly open = new Map<string, TimelinePanel>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly deps: TimelineDeps,
  ) {}

  show(sessionId: string, options: TimelineShowOptions = {}): TimelinePanel {
    const existing = this.open.get(sessionId);
    if (existing) {
      existing.reveal(options);
      return existing;
    }
    if (!this.deps.store.sessions.get(sessionId)) {
      throw new Error(`There is no session ${sessionId}.`);
    }
    const panel = vscode.window.createWebviewPanel(TIMELINE_VIEW_TYPE, 'Timeline', vscode.ViewColumn.Active, {
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
      this.deps.log.warn(`timeline: not restoring a panel (${sessionId ? `session ${sessionId} is gone or already open` : 'no saved session id'})`);
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
 * Registers the timeline: the panel registry behind {@link TimelinePanel.show} and the serializer
 * that reopens panels after a reload. Dispose to close every panel and unregister.
 */
export function registerTimeline(context: Pick<vscode.ExtensionContext, 'extensionUri'>, deps: TimelineDeps): vscode.Disposable & { readonly panels: TimelinePanels } {
  const panels = new TimelinePanels(context.extensionUri, deps);
  TimelinePanel.setRegistry(panels);
  const serializer = vscode.window.registerWebviewPanelSerializer(TIMELINE_VIEW_TYPE, {
    deserializeWebviewPanel: async (panel, state) => panels.revive(panel, state),
  });
  const registration = new vscode.Disposable(() => {
    serializer.dispose();
    panels.dispose();
    TimelinePanel.setRegistry(undefined);
  });
  return Object.assign(registration, { panels });
}
