import * as vscode from 'vscode';
import { join } from 'node:path';
import { SessionTypeRegistry } from '../core/workflow/SessionTypeRegistry';
import { WorkflowLoader, type WorkflowLoadResult } from '../core/workflow/WorkflowLoader';
import { NodeWorkflowFileSystem, WORKFLOWS_DIRECTORY, type WorkflowFileWatch } from '../core/workflow/workflowFileSystem';
import type { Logger } from './logger';

/** Node's file reads and watcher, plus VS Code's file watcher: whichever sees a change first reloads. */
class WorkspaceWorkflowFileSystem extends NodeWorkflowFileSystem {
  constructor(private readonly root: string) {
    super();
  }

  override watch(directory: string, onChange: () => void): WorkflowFileWatch {
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(this.root, `${WORKFLOWS_DIRECTORY}/*.json`));
    const subscriptions = [
      watcher,
      watcher.onDidCreate(onChange),
      watcher.onDidChange(onChange),
      watcher.onDidDelete(onChange),
      super.watch(directory, onChange),
    ];
    return { dispose: () => subscriptions.forEach((s) => s.dispose()) };
  }
}

/**
 * Built-in session types plus the workspace's workflow files, re-read when a file changes. A
 * broken file is reported (file, field, why) and every other workflow still loads.
 */
export async function loadSessionTypes(
  workspaceRoot: string | undefined,
  log: Logger,
): Promise<{ types: SessionTypeRegistry; watcher: vscode.Disposable }> {
  const types = new SessionTypeRegistry();
  if (!workspaceRoot) return { types, watcher: new vscode.Disposable(() => undefined) };
  const loader = new WorkflowLoader(
    new WorkspaceWorkflowFileSystem(workspaceRoot),
    join(workspaceRoot, WORKFLOWS_DIRECTORY),
    types.builtinIds,
  );
  const apply = (result: WorkflowLoadResult) => {
    types.setUserWorkflows(result.workflows);
    log.info(`workflows: ${result.workflows.map((w) => w.definition.id).join(', ') || 'none'} loaded from ${WORKFLOWS_DIRECTORY}`);
    for (const error of result.errors) {
      log.warn(`workflow file ${error.toString()}`);
      void vscode.window
        .showWarningMessage(
          vscode.l10n.t('Session Ledger: workflow {0}. The other workflows are loaded.', error.toString()),
          vscode.l10n.t('Open File'),
        )
        .then((c) => (c ? vscode.window.showTextDocument(vscode.Uri.file(error.file)) : undefined));
    }
  };
  apply(await loader.load());
  const watch = loader.watch(apply, (error) => log.error('reloading workflows failed', error));
  return { types, watcher: new vscode.Disposable(() => watch.dispose()) };
}
