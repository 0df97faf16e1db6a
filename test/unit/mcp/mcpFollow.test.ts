import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { SessionStore } from '../../../src/core/store/SessionStore';
import { LOCK_FILE } from '../../../src/core/store/storeFiles';

const REPO = path.resolve(__dirname, '../../..');
const CLI = path.join(REPO, 'src/cli/main.ts');
const TSX = require.resolve('tsx/cli');

function textOf(result: unknown): string {
  const content = (result as CallToolResult).content;
  assert.ok(Array.isArray(content) && content[0]?.type === 'text', JSON.stringify(result).slice(0, 300));
  return (content[0] as { text: string }).text;
}

describe('MCP server: one lock-free reader, kept open and following the ledger', function () {
  this.timeout(120_000);
  let client: Client | undefined;
  after(() => client?.close());

  it('answers with what was written since it started (by another process, or its own add_note), never holding the lock', async () => {
    const ledger = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-mcp-follow-'));
    const first = await SessionStore.open({ directory: ledger, snapshotIdleMs: 0, snapshotInWorker: false });
    let own: string;
    try {
      own = (await first.sessions.create({ type: 'test-fix', title: 'Own session', intention: 'the agent runs in it' })).id;
    } finally {
      await first.close();
    }
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [TSX, CLI, 'mcp', '--allow-notes', '--ledger', ledger],
      cwd: REPO,
      env: { ...(process.env as Record<string, string>), SESSION_LEDGER_SESSION_ID: own },
      stderr: 'pipe',
    });
    client = new Client({ name: 'session-ledger-follow-test', version: '0.0.0' });
    await client.connect(transport);

    const titles = async () => textOf(await client!.callTool({ name: 'list_sessions', arguments: {} }));
    assert.match(await titles(), /Own session/);
    assert.equal(fs.existsSync(path.join(ledger, LOCK_FILE)), false, 'the server holds no lock while it reads');

    // A VS Code window (here: this process) opens the ledger meanwhile: it is the writer, not read-only.
    const window = await SessionStore.open({ directory: ledger, snapshotIdleMs: 0, snapshotInWorker: false });
    try {
      assert.equal(window.readOnly, false);
      await window.sessions.create({ type: 'freeform', title: 'Written while the server runs', intention: 'be seen' });
      assert.match(await titles(), /Written while the server runs/, 'read from the journal of the window that holds the ledger');
      const refused = (await client.callTool({ name: 'add_note', arguments: { content: 'not now' } })) as CallToolResult;
      assert.equal(refused.isError, true, 'add_note is refused while the window holds the ledger');
      assert.match(textOf(refused), /held by process \d+/);
    } finally {
      await window.close();
    }

    const added = textOf(await client.callTool({ name: 'add_note', arguments: { content: 'Found the cause: a stale cache key' } }));
    assert.match(added, /added to session "Own session"/);
    const session = textOf(await client.callTool({ name: 'get_session', arguments: { sessionId: own } }));
    assert.match(session, /Found the cause: a stale cache key/, 'the kept reader reads the note the server just wrote');
    assert.equal(fs.existsSync(path.join(ledger, LOCK_FILE)), false, 'the lock add_note took is released');
  });
});
