import * as vscode from 'vscode';
import type { StoreChange } from '../../core/model/change';
import { DisposableOwner } from '../lifecycle';
import { describeError } from '../../protocol/describeError';
import type { Logger } from '../logger';
import { WebviewHost, type WebviewFeature } from '../webview/WebviewHost';
import type { WebviewTestHooks } from '../webview/testHooks';
import type { WebviewPage } from '../webview/webviewHtml';
import {
  parseWebviewMessage,
  type HostMessage,
  type ReadOnlyAccess,
  type RenderedReport,
  type RequestMessage,
  type RequestParams,
  type RequestResult,
  type TimelineMethod,
  type WebviewMessage,
} from './protocol';
import { TimelineService } from './timelineService';
import { timelineStrings } from './timelineStrings';
import { TimelineSync } from './timelineSync';
import type { TimelineStoreReads } from './timelineViewModel';

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

/** For the integration tests only: the host's hooks, and a request run as one from the page. */
export interface TimelinePanelTestHooks extends WebviewTestHooks<RenderedReport> {
  /** Runs a request the way one from the webview is run (validated by the protocol's schema, then answered by the same handler). */
  request<M extends TimelineMethod>(method: M, params: RequestParams<M>): Promise<RequestResult<M>>;
}

/** The page (a function: its title is translated when the panel opens, not when the module loads). */
const timelinePage = (): WebviewPage => ({
  title: vscode.l10n.t('Session timeline'),
  script: ['webview', 'timeline.js'],
  styles: [
    ['codicons', 'codicon.css'],
    ['webview', 'timeline.css'],
  ],
  fonts: true,
});

/**
 * The timeline of one session in a webview panel. The extension owns the data: the webview says
 * `ready`, gets a snapshot, then live updates driven by `store.onDidChange`; everything else it
 * asks for with requests that {@link TimelineService} answers by id.
 */
export class TimelinePanel extends DisposableOwner {
  private readonly host: WebviewHost<WebviewMessage, HostMessage>;
  private readonly sync: TimelineSync;
  private readonly service: TimelineService;
  private readonly log: Logger;
  /** Bumped on each `ready`: pages of an older snapshot stop being sent. */
  private generation = 0;
  private pendingFocusSeq: number | null;
  private readonly _onDidDispose = this.register(new vscode.EventEmitter<void>());
  readonly onDidDispose = this._onDidDispose.event;
  /** For the integration tests only. */
  readonly test: TimelinePanelTestHooks;

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
    this.service = new TimelineService(deps.store, sessionId, this.log);
    this.pendingFocusSeq = focusInteractionSeq;
    this.updateTitle();
    this.host = this.register(new WebviewHost(panel, extensionUri, timelinePage(), this.log, this.feature));
    this.register(this.host.onDidDispose(() => this.dispose()));
    this.register(deps.store.onDidChange((change) => this.onStoreChange(change)));
    const access = storeAccess(deps.store);
    if (access?.onDidChangeAccess) {
      this.register(access.onDidChangeAccess(() => this.host.post({ type: 'accessChanged', readOnly: this.readOnly() ?? null })));
    }
    const host = this.host;
    this.test = {
      get ready() {
        return host.test.ready;
      },
      whenRendered: (predicate) => host.test.whenRendered(predicate),
      request: async (method, params) => {
        const message = parseWebviewMessage({ type: 'request', id: 0, method, params });
        if (message.type !== 'request') throw new Error('not a request');
        return (await this.service.handle(message.method, message.params)) as RequestResult<typeof method>;
      },
    };
  }

  reveal(options: TimelineShowOptions): void {
    this.panel.reveal(undefined, false);
    if (options.focusInteractionSeq !== undefined) {
      if (this.host.ready) {
        this.host.post({ type: 'focusInteraction', seq: options.focusInteractionSeq });
      } else {
        this.pendingFocusSeq = options.focusInteractionSeq;
      }
    }
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this._onDidDispose.fire();
    super.dispose();
  }

  private readonly feature: WebviewFeature<WebviewMessage> = {
    parse: parseWebviewMessage,
    onReady: () => {
      // The page's strings first: it builds its view with them, then shows the snapshot.
      this.host.post({ type: 'init', strings: timelineStrings() });
      const snapshot = this.sync.snapshot(this.pendingFocusSeq);
      this.pendingFocusSeq = null;
      if (!snapshot) {
        this.log.warn(`session ${this.sessionId} is not in the store; closing its timeline`);
        this.dispose();
        return;
      }
      const readOnly = this.readOnly();
      this.host.post(readOnly ? { ...snapshot, readOnly } : snapshot);
      this.sendRemainingPages(++this.generation);
    },
    handlers: {
      request: (message) => this.answer(message),
    },
    // A malformed request is still answered (when it has an id), so the page's promise settles.
    onInvalid: (raw, error) => {
      const id = (raw as { type?: unknown; id?: unknown } | null)?.id;
      if ((raw as { type?: unknown } | null)?.type === 'request' && typeof id === 'number' && Number.isInteger(id) && id >= 0) {
        this.host.post({ type: 'response', id, ok: false, error: describeError(error) });
      }
    },
  };

  private updateTitle(): void {
    const session = this.deps.store.sessions.get(this.sessionId);
    this.panel.title = vscode.l10n.t('Timeline: {0}', session?.title ?? vscode.l10n.t('unknown session'));
  }

  /** Whether (and by whom) the ledger is held elsewhere, when the store says so. */
  private readOnly(): ReadOnlyAccess | undefined {
    const access = storeAccess(this.deps.store);
    return access?.readOnly ? { holder: access.holder ?? null } : undefined;
  }

  /** Sends the snapshot's remaining interactions a page per task, so the extension host stays responsive. */
  private sendRemainingPages(generation: number): void {
    const step = () => {
      if (this.isDisposed || generation !== this.generation) return;
      try {
        const page = this.sync.nextPage();
        if (!page) return;
        this.host.post(page);
        if (!page.done) setTimeout(step, 0);
      } catch (error) {
        this.log.error('loading the timeline failed', error);
      }
    };
    setTimeout(step, 0);
  }

  private async answer(request: RequestMessage): Promise<void> {
    try {
      const result: unknown = await this.service.handle(request.method, request.params);
      this.host.post({ type: 'response', id: request.id, ok: true, result });
    } catch (error) {
      this.log.warn(`${request.method} failed: ${describeError(error)}`);
      this.host.post({ type: 'response', id: request.id, ok: false, error: describeError(error) });
    }
  }

  private onStoreChange(change: StoreChange): void {
    if (!this.host.ready) return; // the snapshot sent on `ready` will include it
    try {
      if (change.sessionIds.includes(this.sessionId)) this.updateTitle();
      for (const message of this.sync.update(change)) this.host.post(message);
    } catch (error) {
      this.log.error('live update failed', error);
    }
  }
}

/**
 * The store's access state, when it has one: a store opened in a second window is read-only while
 * another process holds the ledger. Checked at run time, so any store (or a test's plain object) fits.
 */
/** The holder as text: a string, or a holder's `description` (e.g. "process 4242 on this machine"). */
function holderText(holder: unknown): string | undefined {
  const text =
    typeof holder === 'string'
      ? holder
      : holder !== null && typeof holder === 'object' && 'description' in holder && typeof holder.description === 'string'
        ? holder.description
        : undefined;
  return text?.slice(0, 500);
}

interface StoreAccess {
  readonly readOnly: boolean;
  readonly holder?: string | undefined;
  readonly onDidChangeAccess?: (listener: () => void) => { dispose(): void };
}

function storeAccess(store: object): StoreAccess | undefined {
  if (!('readOnly' in store) || typeof store.readOnly !== 'boolean') return undefined;
  const holder = 'holder' in store ? holderText(store.holder) : undefined;
  const event =
    'onDidChangeAccess' in store && typeof store.onDidChangeAccess === 'function'
      ? (store.onDidChangeAccess as (listener: () => void) => { dispose(): void })
      : undefined;
  return { readOnly: store.readOnly, holder, onDidChangeAccess: event?.bind(store) };
}
