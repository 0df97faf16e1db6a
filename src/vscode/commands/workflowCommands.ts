import * as vscode from 'vscode';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { detectTestCommand, readProjectTestFiles } from '../../core/workflow/detectTestCommand';
import { freeWorkflowFileName, sampleWorkflow } from '../../core/workflow/sampleWorkflow';
import { WORKFLOWS_DIRECTORY } from '../../core/workflow/workflowFileSystem';
import { UserFacingError } from '../userFacingError';

/**
 * New Workflow File: writes the walkthrough's sample workflow (with the project's own test command
 * when one is found) to a new file in the workspace's workflows folder and opens it, where the
 * workflow schema completes and checks it. Never overwrites a file.
 */
export async function newWorkflowFile(): Promise<string> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (!folder) {
    throw new UserFacingError(
      vscode.l10n.t('New Workflow File needs a folder open: workflows live in its .vscode/session-ledger/workflows.'),
    );
  }
  const directory = join(folder, WORKFLOWS_DIRECTORY);
  mkdirSync(directory, { recursive: true });
  const file = join(
    directory,
    freeWorkflowFileName((name) => existsSync(join(directory, name))),
  );
  const detected = detectTestCommand(await readProjectTestFiles(folder));
  writeFileSync(file, `${JSON.stringify(sampleWorkflow(detected?.command), null, 2)}\n`, { flag: 'wx' });
  await vscode.window.showTextDocument(vscode.Uri.file(file));
  return file;
}
