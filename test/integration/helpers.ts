import * as vscode from 'vscode';
import type { SessionLedgerApi } from '../../src/extension';
import type { Logger } from '../../src/vscode/logger';
import { TimelinePanels } from '../../src/vscode/timeline/registration';

export const extensionId = 'session-ledger.session-ledger';

export async function activateExtension(): Promise<SessionLedgerApi> {
  const extension = vscode.extensions.getExtension<SessionLedgerApi>(extensionId);
  if (!extension) throw new Error(`${extensionId} is not installed`);
  return extension.activate();
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Resolves as `promise` does, or rejects naming `what` after `ms`. */
export function within<T>(what: string, promise: Promise<T>, ms = 20_000): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms))]);
}

/**
 * Timeline panels over the extension's own store (the commands their actions run change that
 * store), logging warnings and errors into `problems`.
 */
export function extensionTimelinePanels(api: SessionLedgerApi, problems: string[]): TimelinePanels {
  return new TimelinePanels(vscode.extensions.getExtension(extensionId)!.extensionUri, {
    store: api.store,
    log: recordingLogger(problems),
  });
}

/** A logger that keeps its warnings and errors in `problems` (tests assert there are none). */
export function recordingLogger(problems: string[]): Logger {
  const log: Logger = {
    info: () => undefined,
    debug: () => undefined,
    warn: (m) => problems.push(`warn ${m}`),
    error: (m, e) => problems.push(`error ${m} ${String(e ?? '')}`),
    child: () => log,
  };
  return log;
}

/** The extension and timeline panels over its store, shared by the tests of a describe block. */
export interface ExtensionTimeline {
  api: SessionLedgerApi;
  panels: TimelinePanels;
  /** What the panels logged as warnings and errors (tests assert there are none). */
  readonly warnings: string[];
}

/**
 * For a describe block: activates the extension in `before` and opens timeline panels over its
 * store ({@link extensionTimelinePanels}), disposed in `after` (before the block's own `after` hooks).
 * Its tests read `api` and `panels` once the hook has run.
 */
export function useExtensionTimeline(): ExtensionTimeline {
  const context: Partial<ExtensionTimeline> & Pick<ExtensionTimeline, 'warnings'> = { warnings: [] };
  before(async () => {
    context.api = await activateExtension();
    context.panels = extensionTimelinePanels(context.api, context.warnings);
  });
  after(() => context.panels?.dispose());
  return context as ExtensionTimeline;
}

/** A session's node in the Sessions tree, as the tree draws it now. */
export function sessionTreeItem(api: SessionLedgerApi, sessionId: string): vscode.TreeItem {
  return api.tree.getTreeItem({ kind: 'session', session: api.store.sessions.require(sessionId) });
}

/** The Markdown of a session's tooltip in the Sessions tree. */
export function sessionTooltip(api: SessionLedgerApi, sessionId: string): string {
  return (sessionTreeItem(api, sessionId).tooltip as vscode.MarkdownString).value;
}
