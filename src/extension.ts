import * as vscode from 'vscode';
import { createLogger, describeError } from './vscode/logger';
import { createServices, type Services } from './vscode/services';

/** What `activate` returns: the services, for the integration tests and other extensions. */
export type SessionLedgerApi = Services;

export async function activate(context: vscode.ExtensionContext): Promise<SessionLedgerApi> {
  const channel = vscode.window.createOutputChannel('Session Ledger', { log: true });
  context.subscriptions.push(channel);
  const log = createLogger(channel);
  try {
    const services = await createServices(context, channel, log);
    log.info(`activated (VS Code ${vscode.version}); store in ${services.storeDirectory}`);
    return services;
  } catch (error) {
    log.error('activation failed', error);
    void vscode.window
      .showErrorMessage(`Session Ledger could not start: ${describeError(error)}`, 'Show Log')
      .then((choice) => choice && channel.show());
    throw error;
  }
}

export function deactivate(): void {
  // Everything is owned by context.subscriptions; the store's journal already holds every write.
}
