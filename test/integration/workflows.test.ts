import { strict as assert } from 'node:assert';
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { activateExtension, waitFor } from './helpers';

describe('workspace workflow files', function () {
  this.timeout(90_000);
  const folder = () => join(vscode.workspace.workspaceFolders![0].uri.fsPath, '.vscode', 'session-ledger', 'workflows');

  after(() => {
    rmSync(join(folder(), 'integration-good.json'), { force: true });
    rmSync(join(folder(), 'integration-bad.json'), { force: true });
  });

  it('loads a new workflow file as a session type without a reload', async () => {
    const { engine } = await activateExtension();
    mkdirSync(folder(), { recursive: true });
    writeFileSync(
      join(folder(), 'integration-good.json'),
      JSON.stringify({
        id: 'integration-echo',
        label: 'Integration echo',
        description: 'one shell step',
        steps: [{ id: 'echo', kind: 'shell', command: 'echo {{session.intention}}' }],
      }),
    );
    const type = await waitFor('the workflow to be listed', () => engine.listTypes().find((t) => t.id === 'integration-echo'), 20_000);
    assert.equal(type.source, 'workflow');
    assert.equal(type.label, 'Integration echo');
  });

  it('marks a bad field in the editor through the contributed JSON schema', async () => {
    mkdirSync(folder(), { recursive: true });
    const file = join(folder(), 'integration-bad.json');
    writeFileSync(file, JSON.stringify({ id: 'bad', label: 'Bad', steps: [{ id: 's', kind: 'teleport', command: 'x' }] }, null, 2));
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    await vscode.window.showTextDocument(doc);
    const diagnostics = await waitFor(
      'a schema diagnostic on the bad workflow file',
      () => {
        const d = vscode.languages.getDiagnostics(doc.uri);
        return d.length > 0 ? d : undefined;
      },
      45_000,
    );
    const line = doc.lineAt(diagnostics[0].range.start.line).text;
    assert.ok(
      diagnostics.some((d) => doc.lineAt(d.range.start.line).text.includes('teleport')),
      `diagnostic on: ${line}`,
    );
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});
