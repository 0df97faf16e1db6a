import * as vscode from 'vscode';
import { describeError } from './protocol/describeError';
import { createLogger } from './vscode/logger';
import { createServices, type Services } from './vscode/services';
import { closeStore } from './vscode/storeHost';

/** What `activate` returns: the services, for the integration tests and other extensions. */
export type SessionLedgerApi = Services;

/** What `deactivate` must finish: the store's close (set once activation opened it). */
let shutdown: (() => Promise<void>) | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<SessionLedgerApi> {
  const channel = vscode.window.createOutputChannel('Session Ledger', { log: true });
  context.subscriptions.push(channel);
  const log = createLogger(channel);
  try {
    const services = await createServices(context, channel, log);
    shutdown = () => closeStore(services.store, log.child('store'));
    log.info(`activated (VS Code ${vscode.version}); store in ${services.storeDirectory}`);
    const changed = services.config.changedFromDefaults();
    log.info(`settings changed from their defaults: ${changed.length ? changed.join(', ') : 'none'}`);
    return services;
  } catch (error) {
    log.error('activation failed', error);
    void vscode.window
      .showErrorMessage(vscode.l10n.t('Session Ledger could not start: {0}', describeError(error)), vscode.l10n.t('Show Log'))
      .then((choice) => choice && channel.show());
    throw error;
  }
}

/**
 * Returns the store's close — final snapshot, lock released — waited for at most 5 s (a longer one
 * goes on; the journal holds every acknowledged change). Everything else is owned by context.subscriptions.
 */
export function deactivate(): Promise<void> | undefined {
  const closing = shutdown?.();
  shutdown = undefined;
  return closing;
}
