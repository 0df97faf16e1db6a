import * as vscode from 'vscode';

/**
 * Agentic mode and `run_command` run things without a person pressing a button, so they are
 * refused in an untrusted workspace. Returns true when trusted; otherwise explains, offers to
 * manage trust, and returns false.
 */
export function ensureTrusted(what: string, why = vscode.l10n.t('it runs commands and Claude without asking')): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window
    .showWarningMessage(
      vscode.l10n.t(
        'Session Ledger: {0} is not available in an untrusted workspace: {1}. Trust the workspace to use it; recorded history stays readable.',
        what,
        why,
      ),
      vscode.l10n.t('Manage Workspace Trust'),
    )
    .then((choice) => choice && vscode.commands.executeCommand('workbench.trust.manage'));
  return false;
}
