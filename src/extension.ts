import * as vscode from 'vscode';
import { createLogger, describeError } from './vscode/logger';
import { registerCommands } from './vscode/commands';

/** What `activate` returns: used by the integration tests, stable for other extensions. */
export interface SessionLedgerApi {
  readonly ready: true;
}

export async function activate(context: vscode.ExtensionContext): Promise<SessionLedgerApi> {
  const channel = vscode.window.createOutputChannel('Session Ledger', { log: true });
  context.subscriptions.push(channel);
  const log = createLogger(channel);
  try {
    context.subscriptions.push(registerCommands({ channel, log }));
    log.info(`activated (VS Code ${vscode.version})`);
    return { ready: true };
  } catch (error) {
    log.error('activation failed', error);
    void vscode.window
      .showErrorMessage(`Session Ledger could not start: ${describeError(error)}`, 'Show Log')
      .then((choice) => choice && channel.show());
    throw error;
  }
}

export function deactivate(): void {
  // Everything is owned by context.subscriptions.
}
