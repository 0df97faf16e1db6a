import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { SessionStore } from '../../../src/core/store/SessionStore';

const REPO = path.resolve(__dirname, '../../..');
const CLI = path.join(REPO, 'src/cli/main.ts');
const TSX = require.resolve('tsx/cli');
const STEPS = 10_000;

/** The real command line (`session-ledger mcp …`) run from source, driven by the MCP SDK's own client over stdio. */
async function connect(ledger: string, extraArgs: string[] = [], env: Record<string, string> = {}): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [TSX, CLI, 'mcp', '--ledger', ledger, ...extraArgs],
    cwd: REPO,
    env: { ...(process.env as Record<string, string>), ...env },
    stderr: 'pipe',
  });
  const client = new Client({ name: 'session-ledger-test', version: '0.0.0' });
  await client.connect(transport);
  return client;
}

function textOf(result: unknown): string {
  const content = (result as CallToolResult).content;
  assert.ok(
    Array.isArray(content) && content.length === 1 && content[0]!.type === 'text',
    `one text block: ${JSON.stringify(result).slice(0, 300)}`,
  );
  return (content[0] as { text: string }).text;
}

describe('MCP server (session-ledger mcp over stdio, driven by the MCP SDK client)', function () {
  this.timeout(120_000);
  let ledger: string;
  let bugSession: string;
  let bigSession: string;
  /** The default (read-only) server, shared by the read tests. */
  let reader: Client;
  let client: Client | undefined;

  before(async () => {
    ledger = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-mcp-'));
    const store = await SessionStore.open({ directory: ledger, snapshotIdleMs: 0 });
    try {
      const bug = await store.sessions.create({
        type: 'test-fix',
        title: 'Fix the auth bug',
        intention: 'Stop the login token from expiring early',
      });
      bugSession = bug.id;
      await store.transaction((tx) => {
        const step = tx.interactions.append({
          sessionId: bug.id,
          step: 'run-tests',
          kind: 'shell',
          command: 'npm test -- --grep tokenRefresh',
        });
        tx.interactions.setResult(step.id, {
          status: 'error',
          exitCode: 1,
          output: 'AssertionError: refresh window was zero (wombat clock skew)',
        });
        tx.notes.add({ sessionId: bug.id, content: 'Clock skew between the gateway and the API is the cause.' });
      });
      await store.sessions.create({ type: 'spec-plan-build', title: 'Unrelated dashboard work', intention: 'charts' });
      const big = await store.sessions.create({ type: 'test-fix', title: 'A very long session', intention: 'many steps' });
      bigSession = big.id;
      // 10,000 steps through the store's write path, 1,000 per transaction.
      for (let from = 1; from <= STEPS; from += 1_000) {
        await store.transaction((tx) => {
          for (let seq = from; seq < from + 1_000; seq++) {
            const step = tx.interactions.append({
              sessionId: big.id,
              step: 'build',
              kind: 'shell',
              command: `make target-${seq} ${'x'.repeat(200)}`,
            });
            tx.interactions.setResult(step.id, { status: 'ok', exitCode: 0, output: `built target ${seq}\n${'log line\n'.repeat(100)}` });
          }
        });
      }
    } finally {
      await store.close();
    }
    reader = await connect(ledger);
  });

  after(() => reader?.close());

  afterEach(async () => {
    await client?.close();
    client = undefined;
  });

  it('lists its read-only tools and session resources (no add_note by default)', async () => {
    const client = reader;
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), ['get_session', 'list_sessions', 'search_history', 'usage_summary']);
    for (const tool of tools) {
      assert.ok((tool.description ?? '').length > 40, `${tool.name} has a description`);
      assert.equal(tool.inputSchema.type, 'object');
      assert.equal(tool.annotations?.readOnlyHint, true, `${tool.name} is read-only`);
    }
    assert.ok('query' in (tools.find((t) => t.name === 'search_history')!.inputSchema.properties ?? {}));
    const { resources } = await client.listResources();
    assert.ok(resources.some((r) => r.uri === `session-ledger://session/${bugSession}` && r.name === 'Fix the auth bug'));
    const read = await client.readResource({ uri: `session-ledger://session/${bugSession}` });
    assert.match((read.contents[0] as { text: string }).text, /# Fix the auth bug[\s\S]*Clock skew/);
  });

  it('search_history finds the step that mentions the words, with its session and step number', async () => {
    const client = reader;
    const text = textOf(await client.callTool({ name: 'search_history', arguments: { query: 'wombat skew' } }));
    assert.match(text, /^1 match for "wombat skew"/);
    assert.ok(text.includes(`"Fix the auth bug" (session ${bugSession}) · step 1 (interaction)`), text);
    assert.match(text, /\[wombat\]/);
    const none = textOf(await client.callTool({ name: 'search_history', arguments: { query: 'platypus' } }));
    assert.match(none, /^No matches for "platypus"/);
    const listed = textOf(await client.callTool({ name: 'list_sessions', arguments: { text: 'auth' } }));
    assert.match(listed, /Sessions 1–1 of 1/);
    assert.ok(listed.includes(bugSession));
  });

  it('get_session on a 10,000-step session stays within its cap, says what was cut and pages on', async () => {
    const client = reader;
    const first = textOf(await client.callTool({ name: 'get_session', arguments: { sessionId: bigSession } }));
    assert.ok(first.length <= 20_000, `default cap: ${first.length} characters`);
    assert.match(first, /## Steps \(10000\)/);
    const cut = /Cut at the size cap: steps 1–(\d+) shown, (\d+) more\. Call get_session with sessionId "[^"]+" and afterSeq (\d+)/.exec(
      first,
    );
    assert.ok(cut, first.slice(-500));
    const shown = Number(cut[1]);
    assert.ok(shown > 0 && shown < STEPS);
    assert.equal(Number(cut[2]), STEPS - shown);
    assert.equal(Number(cut[3]), shown);

    const second = textOf(
      await client.callTool({ name: 'get_session', arguments: { sessionId: bigSession, afterSeq: shown, maxChars: 5_000 } }),
    );
    assert.ok(second.length <= 5_000, `asked cap: ${second.length} characters`);
    assert.ok(second.includes(`### Step ${shown + 1} ·`), 'the next page starts after the last step shown');
    assert.ok(!second.includes(`### Step ${shown} ·`));

    const last = textOf(await client.callTool({ name: 'get_session', arguments: { sessionId: bigSession, afterSeq: STEPS - 1 } }));
    assert.ok(last.includes(`### Step ${STEPS} ·`) && !last.includes('Cut at the size cap'));

    const missing = (await client.callTool({ name: 'get_session', arguments: { sessionId: 'no-such-session' } })) as CallToolResult;
    assert.equal(missing.isError, true);
    assert.match(textOf(missing), /No session "no-such-session"/);
    const tooBig = (await client.callTool({
      name: 'get_session',
      arguments: { sessionId: bigSession, maxChars: 10_000_000 },
    })) as CallToolResult;
    assert.equal(tooBig.isError, true, 'the cap has an upper bound (zod input schema)');
  });

  it('refuses add_note by default, and with --allow-notes adds notes only to the own session', async () => {
    client = await connect(ledger, [], { SESSION_LEDGER_SESSION_ID: bugSession });
    const refused = (await client.callTool({ name: 'add_note', arguments: { content: 'should not be stored' } })) as CallToolResult;
    assert.equal(refused.isError, true);
    await client.close();

    client = await connect(ledger, ['--allow-notes'], { SESSION_LEDGER_SESSION_ID: bugSession });
    const tool = (await client.listTools()).tools.find((t) => t.name === 'add_note');
    assert.ok(
      tool && !('sessionId' in (tool.inputSchema.properties ?? {})),
      'add_note takes no session: it writes to the own session only',
    );
    const added = textOf(
      await client.callTool({ name: 'add_note', arguments: { content: 'Agent: fixed by widening the refresh window' } }),
    );
    assert.match(added, /added to session "Fix the auth bug"/);
    await client.close();

    client = await connect(ledger, ['--allow-notes']);
    const noOwn = (await client.callTool({ name: 'add_note', arguments: { content: 'nowhere' } })) as CallToolResult;
    assert.equal(noOwn.isError, true);
    assert.match(textOf(noOwn), /SESSION_LEDGER_SESSION_ID/);
    await client.close();
    client = undefined;

    const store = await SessionStore.open({ directory: ledger, snapshotIdleMs: 0 });
    try {
      const notes = store.notes.list(bugSession).map((n) => `${n.kind}:${n.content}`);
      assert.deepEqual(notes.slice(1), ['agent:Agent: fixed by widening the refresh window']);
      assert.equal(store.notes.list(bigSession).length, 0);
    } finally {
      await store.close();
    }
  });

  it('usage_summary answers from the usage report', async () => {
    const client = reader;
    const text = textOf(await client.callTool({ name: 'usage_summary', arguments: {} }));
    assert.match(text, /^Usage of this ledger/);
    assert.match(text, /No usage is recorded yet\./);
  });
});
