import * as vscode from 'vscode';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SessionStore, type StoreWarning } from '../core/store/SessionStore';
import type { Logger } from './logger';

/**
 * Opens the session store in the workspace's storage (or the global storage when no folder is
 * open), with the wasm, worker and migrations shipped beside the bundle, and tells the person
 * about anything the store had to keep aside.
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
  const show = (w: StoreWarning) => {
    log.warn(`${w.kind}: ${w.message}${w.keptAsidePath ? ` (kept at ${w.keptAsidePath})` : ''}`);
    void vscode.window.showWarningMessage(`Session Ledger: ${w.message}`, 'Show Log').then((c) => c && vscode.commands.executeCommand('sessionLedger.showLog'));
  };
  store.warnings.forEach(show);
  context.subscriptions.push(store.onDidWarn(show));
  return { store, directory };
}
