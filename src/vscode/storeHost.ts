import * as vscode from 'vscode';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SessionStore, type StoreWarning } from '../core/store/SessionStore';
import type { Logger } from './logger';

const REWRITE_STORE = 'Rewrite Store';

/** The action of the `journal-lost` notification: writes everything the store holds to its (recreated) folder, and says how it went. */
async function rewriteStore(store: SessionStore, directory: string, log: Logger): Promise<void> {
  try {
    await store.rewriteHome();
    log.info(`store rewritten in ${directory}`);
    void vscode.window.showInformationMessage(`Session Ledger: the store was rewritten in ${directory}; changes are saved again.`);
  } catch (error) {
    log.error('could not rewrite the store', error);
    void vscode.window.showErrorMessage(`Session Ledger could not rewrite the store in ${directory}: ${(error as Error).message}`, 'Show Log').then((c) => c && vscode.commands.executeCommand('sessionLedger.showLog'));
  }
}

/**
 * Opens the session store in the workspace's storage (or the global storage when no folder is
 * open), with the wasm, worker and migrations shipped beside the bundle, and tells the person
 * about anything the store had to keep aside (and, should its folder be lost while open, offers to
 * rewrite the store there).
 */
export async function openStore(context: vscode.ExtensionContext, log: Logger): Promise<{ store: SessionStore; directory: string }> {
  const base = context.storageUri ?? context.globalStorageUri;
  const directory = join(base.fsPath, 'ledger');
  mkdirSync(directory, { recursive: true });
  const dist = join(context.extensionPath, 'dist');
  const store = await SessionStore.open({
    directory,
    wasmPath: join(dist, 'sql-wasm.wasm'),
    workerPath: join(dist, 'snapshotWorker.js'),
    migrationsDirectory: join(context.extensionPath, 'migrations'),
  });
  log.info(`store opened in ${directory}`);
  const showLog = () => vscode.commands.executeCommand('sessionLedger.showLog');
  // The store reports each condition once (not once per write), so each warning is one notification.
  const show = (w: StoreWarning) => {
    log.warn(`${w.kind}: ${w.message}${w.keptAsidePath ? ` (kept at ${w.keptAsidePath})` : ''}`);
    if (w.kind === 'journal-lost') {
      void vscode.window.showErrorMessage(`Session Ledger: ${w.message}`, REWRITE_STORE, 'Show Log').then((choice) => {
        if (choice === REWRITE_STORE) void rewriteStore(store, directory, log);
        else if (choice) void showLog();
      });
      return;
    }
    void vscode.window.showWarningMessage(`Session Ledger: ${w.message}`, 'Show Log').then((c) => c && showLog());
  };
  store.warnings.forEach(show);
  context.subscriptions.push(store.onDidWarn(show));
  return { store, directory };
}
