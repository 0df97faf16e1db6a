import * as vscode from 'vscode';
import { writeFile } from 'node:fs/promises';
import type { SessionStore } from '../core/store/SessionStore';
import { exportLedger, serializeLedgerExport } from '../core/ledger/ledgerExport';
import { ledgerToMarkdown } from '../core/ledger/ledgerMarkdown';
import { RedactionPatternError } from '../core/ledger/redaction';

/** The export settings (`sessionLedger.redaction.extraPatterns`, `sessionLedger.export.absolutePaths`). */
export interface ExportSettings {
  extraPatterns?: readonly string[];
  absolutePaths?: boolean;
}

type ExportFormat = 'md' | 'json';

interface ExportToFile extends ExportSettings {
  /** The sessions to export; undefined: every session (deleted ones included). */
  sessionIds: readonly string[] | undefined;
  /** The file to write; undefined: ask (the format, then where). Its extension decides the format. */
  target?: vscode.Uri;
  /** The format offered first. */
  preferred: ExportFormat;
  /** What the format picker and the save dialog say ("Export "<title>"", "Export All Sessions"). */
  pickTitle: string;
  saveTitle(formatLabel: string): string;
  /** The suggested file name, without its extension. */
  fileName: string;
  /** The Markdown choice's description. */
  markdownDescription: string;
}

/**
 * The one export-to-file flow of Export Session and Export All Sessions: asks the format and the
 * file (unless given), exports redacted (paths relative to each session's workspace folder, this
 * window's for a session without one), and writes the file. Returns what it wrote, or undefined
 * when the person cancelled or a redaction pattern is invalid (they were told, with Open Settings).
 */
async function exportToFile(store: SessionStore, request: ExportToFile): Promise<{ uri: vscode.Uri; sessions: number } | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  let uri = request.target;
  if (!uri) {
    const formats = [
      {
        label: vscode.l10n.t('JSON'),
        description: vscode.l10n.t('lossless and versioned: import it on another machine'),
        ext: 'json' as const,
      },
      { label: vscode.l10n.t('Markdown'), description: request.markdownDescription, ext: 'md' as const },
    ];
    if (request.preferred === 'md') formats.reverse();
    const format = await vscode.window.showQuickPick(formats, { title: request.pickTitle });
    if (!format) return undefined;
    uri = await vscode.window.showSaveDialog({
      title: request.saveTitle(format.label),
      defaultUri: folder ? vscode.Uri.joinPath(folder, `${request.fileName}.${format.ext}`) : undefined,
      filters: format.ext === 'md' ? { Markdown: ['md'] } : { JSON: ['json'] },
    });
    if (!uri) return undefined;
  }
  const redaction = { extraPatterns: request.extraPatterns ?? [] };
  let text: string;
  let sessions: number;
  try {
    const data = exportLedger(store, request.sessionIds, Date.now(), {
      workspaceFolder: folder?.fsPath ?? null,
      absolutePaths: request.absolutePaths === true,
      redaction,
    });
    sessions = data.sessions.length;
    text = uri.path.endsWith('.md') ? ledgerToMarkdown(data, { redaction }) : serializeLedgerExport(data);
  } catch (error) {
    if (!(error instanceof RedactionPatternError)) throw error;
    const choice = await vscode.window.showErrorMessage(
      vscode.l10n.t('Session Ledger: nothing exported. {0}', error.message),
      vscode.l10n.t('Open Settings'),
    );
    if (choice) await vscode.commands.executeCommand('workbench.action.openSettings', 'sessionLedger.redaction.extraPatterns');
    return undefined;
  }
  await writeFile(uri.fsPath, text, 'utf8');
  return { uri, sessions };
}

/** Export Session: Markdown to read, or versioned lossless JSON to import elsewhere. */
export async function exportSessionToFile(store: SessionStore, sessionId: string, settings: ExportSettings = {}): Promise<void> {
  const session = store.sessions.require(sessionId);
  const written = await exportToFile(store, {
    ...settings,
    sessionIds: [sessionId],
    preferred: 'md',
    pickTitle: vscode.l10n.t('Export "{0}"', session.title),
    saveTitle: (format) => vscode.l10n.t('Export "{0}" as {1}', session.title, format),
    fileName: session.slug,
    markdownDescription: vscode.l10n.t('readable: goal, steps, outputs, notes'),
  });
  if (!written) return;
  const choice = await vscode.window.showInformationMessage(
    vscode.l10n.t('Exported "{0}" to {1}.', session.title, vscode.workspace.asRelativePath(written.uri)),
    vscode.l10n.t('Open'),
  );
  if (choice) await vscode.window.showTextDocument(written.uri);
}

/** Export All Sessions: every session (deleted ones included) to lossless JSON or readable Markdown; to `target` when given. */
export async function exportAllSessionsToFile(
  store: SessionStore,
  target: vscode.Uri | undefined,
  settings: ExportSettings = {},
): Promise<void> {
  const written = await exportToFile(store, {
    ...settings,
    sessionIds: undefined,
    target,
    preferred: 'json',
    pickTitle: vscode.l10n.t('Export All Sessions'),
    saveTitle: (format) => vscode.l10n.t('Export All Sessions as {0}', format),
    fileName: 'session-ledger-export',
    markdownDescription: vscode.l10n.t('readable: goals, steps, outputs, notes'),
  });
  if (!written) return;
  const sessions = written.sessions === 1 ? vscode.l10n.t('1 session') : vscode.l10n.t('{0} sessions', written.sessions);
  void vscode.window.showInformationMessage(vscode.l10n.t('Exported {0} to {1}.', sessions, vscode.workspace.asRelativePath(written.uri)));
}
