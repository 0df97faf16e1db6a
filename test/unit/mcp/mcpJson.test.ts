import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { addMcpServerInText, addMcpServerToWorkspace, McpJsonError, type McpServerEntry } from '../../../src/core/claudeCode/mcpJson';

const entry = (ledger = '/ledgers/abc'): McpServerEntry => ({
  type: 'stdio',
  command: 'node',
  args: ['/ext/dist/cli.js', 'mcp', '--ledger', ledger],
});

describe('.mcp.json: adding the Session Ledger MCP server (merge, backup, invalid JSON refused)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-mcpjson-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('creates the file when there is none, without a backup', () => {
    const result = addMcpServerToWorkspace(dir, entry());
    assert.equal(result.changed, true);
    assert.equal(result.backupWritten, false);
    assert.equal(result.backupPath, undefined);
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, '.mcp.json'), 'utf8')), { mcpServers: { 'session-ledger': entry() } });
  });

  it('merges into an existing file, keeping other servers and keys, and backs the original up once', () => {
    const file = path.join(dir, '.mcp.json');
    const original = JSON.stringify({ mcpServers: { github: { command: 'gh-mcp', args: [] } }, other: 1 }, null, 4);
    fs.writeFileSync(file, original);

    const first = addMcpServerToWorkspace(dir, entry());
    assert.equal(first.backupWritten, true);
    assert.equal(fs.readFileSync(first.backupPath!, 'utf8'), original);
    assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), {
      mcpServers: { github: { command: 'gh-mcp', args: [] }, 'session-ledger': entry() },
      other: 1,
    });

    const again = addMcpServerToWorkspace(dir, entry());
    assert.equal(again.changed, false, 'the same entry again changes nothing');

    const moved = addMcpServerToWorkspace(dir, entry('/ledgers/moved'));
    assert.equal(moved.changed, true);
    assert.equal(moved.replaced, true);
    assert.equal(moved.backupWritten, false, 'the backup keeps the ORIGINAL file');
    assert.equal(fs.readFileSync(moved.backupPath!, 'utf8'), original);
    const config = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.deepEqual(config.mcpServers['session-ledger'].args.at(-1), '/ledgers/moved');
    assert.ok(config.mcpServers.github);
  });

  it('refuses invalid JSON with a message naming the file, leaving it unchanged', () => {
    const file = path.join(dir, '.mcp.json');
    fs.writeFileSync(file, '{ "mcpServers": { oops');
    assert.throws(
      () => addMcpServerToWorkspace(dir, entry()),
      (error: Error) =>
        error instanceof McpJsonError &&
        error.message.includes(file) &&
        /not valid JSON/.test(error.message) &&
        /left unchanged/.test(error.message),
    );
    assert.equal(fs.readFileSync(file, 'utf8'), '{ "mcpServers": { oops');
    assert.equal(fs.existsSync(file + '.session-ledger.bak'), false);
    assert.throws(() => addMcpServerInText('[]', entry(), 'x/.mcp.json'), /x\/\.mcp\.json: the top level is not a JSON object/);
    assert.throws(() => addMcpServerInText('{"mcpServers": []}', entry(), 'x/.mcp.json'), /"mcpServers" is not an object/);
  });
});
