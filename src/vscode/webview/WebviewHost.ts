import * as vscode from 'vscode';
import { DisposableOwner } from '../lifecycle';
import { describeError } from '../../protocol/describeError';
import type { Logger } from '../logger';
import { RenderReports, type WebviewTestHooks } from './testHooks';
import { webviewHtml, webviewOptions, type WebviewPage } from './webviewHtml';

/** Messages from a page: `ready`, `rendered` and `log` are the host's; the rest go to the feature. */
export interface PageMessage {
  readonly type: string;
}
type HostOwned = 'ready' | 'rendered' | 'log';
type LogMessage = { readonly level: 'warn' | 'error'; readonly message: string };

/** One handler per message type the feature handles, each receiving that message's type. */
export type PageMessageHandlers<In extends PageMessage> = {
  [T in Exclude<In['type'], HostOwned>]: (message: Extract<In, { type: T }>) => void | Promise<void>;
};

/** What a webview feature (the timeline, the usage report) supplies to the host. */
export interface WebviewFeature<In extends PageMessage> {
  /** Validates a message from the page (zod); throws an error naming the bad field. */
  parse(raw: unknown): In;
  /** The page said `ready`: it listens now, so send it its first state. */
  onReady(): void;
  readonly handlers: PageMessageHandlers<In>;
  /** After a message that failed validation was logged (e.g. to answer a malformed request). */
  onInvalid?(raw: unknown, error: unknown): void;
  /** After a handler that threw or rejected was logged. */
  onFailed?(message: In, error: unknown): void;
}

/**
 * The one webview host: the page (strict CSP, nonce, assets from `dist/`), the `ready` handshake
 * (nothing is posted before the page says it listens, and again after a hidden webview was torn
 * down and reloaded), parse-then-dispatch of the page's messages, and the page's render reports.
 */
export class WebviewHost<In extends PageMessage, Out> extends DisposableOwner {
  private isReady = false;
  private closing = false;
  private readonly renders = this.register(new RenderReports<Extract<In, { type: 'rendered' }>>());
  private readonly _onDidDispose = this.register(new vscode.EventEmitter<void>());
  /** Fires once, when the panel is closed or the host disposed. */
  readonly onDidDispose = this._onDidDispose.event;
  /** For the integration tests only: see {@link WebviewTestHooks}. */
  readonly test: WebviewTestHooks<Extract<In, { type: 'rendered' }>>;

  constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    page: WebviewPage,
    private readonly log: Logger,
    private readonly feature: WebviewFeature<In>,
  ) {
    super();
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the test hooks' `ready` getter reads the host's live state
    const host = this;
    this.test = {
      get ready() {
        return host.isReady;
      },
      whenRendered: (predicate) => this.renders.whenRendered(predicate),
    };
    panel.webview.options = webviewOptions(extensionUri);
    this.register(panel.webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw)));
    this.register(panel.onDidDispose(() => this.dispose()));
    // Without retainContextWhenHidden a hidden webview is torn down; it says `ready` again when shown.
    this.register(
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.isReady = false;
      }),
    );
    panel.webview.html = webviewHtml(panel.webview, extensionUri, page);
  }

  /** Whether the page has said `ready` since it was (re)loaded: what is posted before is dropped. */
  get ready(): boolean {
    return this.isReady && !this.isDisposed;
  }

  get disposed(): boolean {
    return this.isDisposed;
  }

  /** Posts to the page if it is listening (else drops it: the page asks again with `ready`). */
  post(message: Out): void {
    if (!this.ready) return;
    this.panel.webview.postMessage(message).then(undefined, (error: unknown) => this.log.warn(`post failed: ${describeError(error)}`));
  }

  override dispose(): void {
    if (this.closing) return;
    this.closing = true;
    this._onDidDispose.fire();
    super.dispose();
    this.panel.dispose();
  }

  private async receive(raw: unknown): Promise<void> {
    let message: In;
    try {
      message = this.feature.parse(raw);
    } catch (error) {
      this.log.warn(describeError(error));
      this.feature.onInvalid?.(raw, error);
      return;
    }
    if (message.type === 'ready') {
      this.isReady = true;
      this.feature.onReady();
    } else if (message.type === 'rendered') {
      this.renders.record(message as Extract<In, { type: 'rendered' }>);
    } else if (message.type === 'log') {
      const { level, message: text } = message as unknown as LogMessage;
      this.log[level](`webview: ${text}`);
    } else {
      const handler = this.feature.handlers[message.type as Exclude<In['type'], HostOwned>] as (m: In) => void | Promise<void>;
      try {
        await handler(message);
      } catch (error) {
        this.log.error(`${message.type} failed`, error);
        this.feature.onFailed?.(message, error);
      }
    }
  }
}
