import * as vscode from 'vscode';
import type { SessionLedgerApi } from '../../src/extension';

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
