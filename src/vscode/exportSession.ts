import * as vscode from 'vscode';
import { writeFile } from 'node:fs/promises';
import type { SessionStore } from '../core/store/SessionStore';
import { exportLedger, serializeLedgerExport } from '../core/ledger/ledgerExport';
import { ledgerToMarkdown } from '../core/ledger/ledgerMarkdown';
import { RedactionPatternError } from '../core/ledger/redaction';

/** Export Session: Markdown to read, or versioned lossless JSON to import elsewhere. */
export async function exportSessionToFile(
  store: SessionStore,
  sessionId: string,
  options: { extraPatterns?: readonly string[]; absolutePaths?: boolean } = {},
): Promise<void> {
  const session = store.sessions.require(sessionId);
  const format = await vscode.window.showQuickPick(
    [
      { label: vscode.l10n.t('Markdown'), description: vscode.l10n.t('readable: goal, steps, outputs, notes'), ext: 'md' },
      { label: vscode.l10n.t('JSON'), description: vscode.l10n.t('lossless and versioned: import it on another machine'), ext: 'json' },
    ],
    { title: vscode.l10n.t('Export "{0}"', session.title) },
  );
  if (!format) return;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const target = await vscode.window.showSaveDialog({
    title: vscode.l10n.t('Export "{0}" as {1}', session.title, format.label),
    defaultUri: folder ? vscode.Uri.joinPath(folder, `${session.slug}.${format.ext}`) : undefined,
    filters: format.ext === 'md' ? { Markdown: ['md'] } : { JSON: ['json'] },
  });
  if (!target) return;
  // Redacted, paths relative to the session's workspace folder (this window's for a session without one).
  const redaction = { extraPatterns: options.extraPatterns ?? [] };
  let text: string;
  try {
    const data = exportLedger(store, [sessionId], Date.now(), {
      workspaceFolder: folder?.fsPath ?? null,
      absolutePaths: options.absolutePaths === true,
      redaction,
    });
    text = format.ext === 'md' ? ledgerToMarkdown(data, { redaction }) : serializeLedgerExport(data);
  } catch (error) {
    if (!(error instanceof RedactionPatternError)) throw error;
    const choice = await vscode.window.showErrorMessage(
      vscode.l10n.t('Session Ledger: nothing exported. {0}', error.message),
      vscode.l10n.t('Open Settings'),
    );
    if (choice) await vscode.commands.executeCommand('workbench.action.openSettings', 'sessionLedger.redaction.extraPatterns');
    return;
  }
  await writeFile(target.fsPath, text, 'utf8');
  const choice = await vscode.window.showInformationMessage(
    vscode.l10n.t('Exported "{0}" to {1}.', session.title, vscode.workspace.asRelativePath(target)),
    vscode.l10n.t('Open'),
  );
  if (choice) await vscode.window.showTextDocument(target);
}
