import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import * as vscode from 'vscode';
import { activateExtension, extensionId, waitFor, within } from './helpers';

/** The stable `vscode.lm` members this test uses, typed here (@types/vscode is 1.93, older than them). */
interface LmApi {
  registerTool?: unknown;
  registerMcpServerDefinitionProvider?: unknown;
  tools?: readonly { name: string }[];
  invokeTool?(name: string, options: { input: object; toolInvocationToken: undefined }): Thenable<{ content: unknown[] }>;
}
const lm = (vscode as unknown as { lm?: LmApi }).lm;

describe('agent access: MCP server definition and language-model tools', function () {
  this.timeout(90_000);

  it('registers the MCP server definition (serving this ledger, live while the window holds it) and the LM tools when this VS Code has the APIs', async () => {
    const api = await activateExtension();
    assert.equal(vscode.workspace.isTrusted, true);
    const session = await api.store.sessions.create({
      type: 'quick',
      title: 'Agent access probe kookaburra',
      intention: 'find me through MCP',
    });

    if (typeof lm?.registerMcpServerDefinitionProvider !== 'function') {
      // Feature detection: this VS Code has no MCP provider API, so nothing is registered (and nothing fails).
      assert.equal(api.agentAccess.mcpProvider, false);
      assert.deepEqual(api.agentAccess.mcpDefinitions(), []);
      console.log(
        `      (vscode.lm.registerMcpServerDefinitionProvider is absent in VS Code ${vscode.version}: the feature-detection path was checked)`,
      );
    } else {
      assert.equal(api.agentAccess.mcpProvider, true, 'the MCP server definition provider is registered');
      const [definition] = api.agentAccess.mcpDefinitions();
      const extensionPath = vscode.extensions.getExtension(extensionId)!.extensionPath;
      assert.deepEqual(definition.args, [join(extensionPath, 'dist', 'cli.js'), 'mcp', '--ledger', api.storeDirectory]);
      // The definition really serves this window's ledger: run it, as VS Code would, and search.
      const transport = new StdioClientTransport({
        command: definition.command,
        args: definition.args,
        env: { ...(process.env as Record<string, string>), ELECTRON_RUN_AS_NODE: '1' },
        stderr: 'pipe',
      });
      const client = new Client({ name: 'integration-test', version: '0.0.0' });
      try {
        await within('the MCP server to start', client.connect(transport), 30_000);
        const result = (await within(
          'search_history',
          client.callTool({ name: 'search_history', arguments: { query: 'kookaburra' } }),
          30_000,
        )) as { content: { text: string }[] };
        assert.ok(result.content[0]!.text.includes(`(session ${session.id})`), result.content[0]!.text);
      } finally {
        await client.close();
      }
    }

    if (typeof lm?.registerTool !== 'function') {
      assert.deepEqual(api.agentAccess.lmTools, []);
      console.log(`      (vscode.lm.registerTool is absent in VS Code ${vscode.version}: the feature-detection path was checked)`);
    } else {
      assert.deepEqual([...api.agentAccess.lmTools].sort(), ['sessionLedger_searchHistory', 'sessionLedger_usageSummary']);
      const listed = (lm.tools ?? []).map((t) => t.name);
      assert.ok(
        listed.includes('sessionLedger_searchHistory') && listed.includes('sessionLedger_usageSummary'),
        `vscode.lm.tools: ${listed.join(', ')}`,
      );
      const answer = await lm.invokeTool!('sessionLedger_searchHistory', {
        input: { query: 'kookaburra' },
        toolInvocationToken: undefined,
      });
      const text = answer.content.map((part) => (part as { value?: string }).value ?? '').join('');
      assert.ok(text.includes('Agent access probe kookaburra'), text);
      const usage = await lm.invokeTool!('sessionLedger_usageSummary', { input: {}, toolInvocationToken: undefined });
      assert.match(usage.content.map((part) => (part as { value?: string }).value ?? '').join(''), /^Usage of this ledger/);
    }
  });

  it('Add Session Ledger to Claude Code merges the entry into the workspace .mcp.json and keeps a backup', async () => {
    const api = await activateExtension();
    const folder = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    const file = join(folder, '.mcp.json');
    const backup = file + '.session-ledger.bak';
    const hadFile = existsSync(file);
    const original = hadFile ? readFileSync(file, 'utf8') : undefined;
    try {
      writeFileSync(file, JSON.stringify({ mcpServers: { other: { command: 'other-server' } } }));
      // The command ends with a message offering to open the file: not awaited.
      void vscode.commands.executeCommand('sessionLedger.addToClaudeCode');
      const config = await waitFor('the session-ledger entry in .mcp.json', () => {
        const parsed = JSON.parse(readFileSync(file, 'utf8'));
        return parsed.mcpServers['session-ledger'] ? parsed : undefined;
      });
      assert.deepEqual(config.mcpServers.other, { command: 'other-server' });
      assert.deepEqual(config.mcpServers['session-ledger'].args.slice(1), ['mcp', '--ledger', api.storeDirectory]);
      assert.ok(existsSync(backup), 'the original file was backed up');
    } finally {
      if (original !== undefined) writeFileSync(file, original);
      else rmSync(file, { force: true });
      rmSync(backup, { force: true });
    }
  });
});
