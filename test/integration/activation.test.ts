import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const extensionId = 'session-ledger.session-ledger';

describe('activation', () => {
  it('activates and registers every contributed command', async () => {
    const extension = vscode.extensions.getExtension(extensionId);
    assert.ok(extension, `${extensionId} is not installed`);
    await extension.activate();
    assert.equal(extension.isActive, true);
    const contributed: string[] = extension.packageJSON.contributes.commands.map((c: { command: string }) => c.command);
    assert.ok(contributed.length > 0);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((id) => !registered.has(id));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  });

  it('contributes the Sessions view container and its tree view', async () => {
    const extension = vscode.extensions.getExtension(extensionId)!;
    const pkg = JSON.parse(readFileSync(join(extension.extensionPath, 'package.json'), 'utf8'));
    assert.equal(pkg.contributes.viewsContainers.activitybar[0].id, 'sessionLedger');
    // Opening the container and focusing the view only succeed when the workbench knows them.
    await vscode.commands.executeCommand('workbench.view.extension.sessionLedger');
    await vscode.commands.executeCommand('sessionLedger.sessions.focus');
  });
});
