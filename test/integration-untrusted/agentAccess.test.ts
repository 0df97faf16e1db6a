import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { activateExtension } from '../integration/helpers';

const lm = (
  vscode as unknown as { lm?: { invokeTool?(name: string, options: { input: object; toolInvocationToken: undefined }): Thenable<unknown> } }
).lm;

describe('in an untrusted workspace: agent access', function () {
  this.timeout(60_000);

  it('registers no MCP server definition and no language-model tools', async () => {
    assert.equal(vscode.workspace.isTrusted, false, 'this suite must run in an untrusted workspace');
    const { agentAccess } = await activateExtension();
    assert.equal(agentAccess.mcpProvider, false);
    assert.deepEqual(agentAccess.lmTools, []);
    assert.deepEqual(agentAccess.mcpDefinitions(), []);
    if (typeof lm?.invokeTool === 'function') {
      await assert.rejects(
        Promise.resolve(lm.invokeTool('sessionLedger_searchHistory', { input: { query: 'anything' }, toolInvocationToken: undefined })),
        'the tool has no implementation here',
      );
    }
  });

  it('refuses to add Session Ledger to Claude Code', async () => {
    await activateExtension();
    await vscode.commands.executeCommand('sessionLedger.addToClaudeCode');
    const file = join(vscode.workspace.workspaceFolders![0]!.uri.fsPath, '.mcp.json');
    assert.equal(existsSync(file), false, `${file} must not be written in an untrusted workspace`);
  });
});
