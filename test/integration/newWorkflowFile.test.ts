import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { validateWorkflow } from '../../src/core/workflow/validateWorkflow';
import { activateExtension } from './helpers';

describe('New Workflow File (the walkthrough\'s "Open a Sample Workflow")', function () {
  this.timeout(60_000);

  it("writes the sample with the project's test command into the workflows folder, opens it, and never overwrites", async () => {
    await activateExtension();
    const workspace = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const makefile = join(workspace, 'Makefile');
    const hadMakefile = existsSync(makefile);
    // The fixture workspace has no package.json: a Makefile with a test target makes that the detected command.
    if (!hadMakefile) writeFileSync(makefile, 'test:\n\tsh check.sh\n');
    const written: string[] = [];
    try {
      const first = (await vscode.commands.executeCommand('sessionLedger.newWorkflowFile')) as string;
      written.push(first);
      assert.match(first, /[\\/]\.vscode[\\/]session-ledger[\\/]workflows[\\/]test-and-fix(-\d+)?\.json$/);
      const workflow = JSON.parse(readFileSync(first, 'utf8')) as { steps: { command?: string }[] };
      assert.equal(validateWorkflow(workflow).ok, true, 'the loader accepts it');
      assert.notEqual(workflow.steps[0].command, undefined);
      if (!hadMakefile) assert.equal(workflow.steps[0].command, 'make test', 'the detected test command');
      assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, first, 'opened for editing');

      const second = (await vscode.commands.executeCommand('sessionLedger.newWorkflowFile')) as string;
      written.push(second);
      assert.notEqual(second, first);
      assert.equal(readFileSync(first, 'utf8'), JSON.stringify(workflow, null, 2) + '\n', 'the first file is untouched');
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      for (const file of written) rmSync(file, { force: true });
      if (!hadMakefile) rmSync(makefile, { force: true });
    }
  });
});
