import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { SessionStore } from '../../../src/core/store/SessionStore';
import { LOCK_FILE } from '../../../src/core/store/storeFiles';
import { buildCli, runCli } from './cliHarness';
import { writeFixtureLedger, type FixtureLedger } from './fixtureLedger';

/** Every file of the folder with its size, modification time and content hash. */
function folderState(directory: string): Record<string, string> {
  const state: Record<string, string> = {};
  for (const name of fs.readdirSync(directory).sort()) {
    const file = path.join(directory, name);
    const stat = fs.statSync(file);
    state[name] = `${stat.size} ${stat.mtimeMs} ${createHash('sha256').update(fs.readFileSync(file)).digest('hex')}`;
  }
  return state;
}

describe('session-ledger command line: reading commands open the ledger lock-free and read-only', function () {
  this.timeout(120_000);
  let fixture: FixtureLedger;

  before(async () => {
    await buildCli();
    fixture = await writeFixtureLedger(path.join(fs.realpathSync(fs.mkdtempSync(path.join(tmpdir(), 'cli-readers-'))), 'ledger'));
  });

  it('list, show, search, usage and export change no file of the ledger and take no lock', async () => {
    const before = folderState(fixture.directory);
    const out = path.join(fs.mkdtempSync(path.join(tmpdir(), 'cli-readers-export-')), 'export.json');
    for (const args of [
      ['list', '--json'],
      ['show', fixture.parserId, '--json', '--events'],
      ['search', 'parser', '--json'],
      ['usage', '--json'],
      ['export', '--out', out],
    ]) {
      const result = await runCli([...args, '--ledger', fixture.directory]);
      assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
      assert.deepEqual(folderState(fixture.directory), before, `${args[0]} changed the ledger's folder`);
    }
    assert.equal(fs.existsSync(path.join(fixture.directory, LOCK_FILE)), false);
  });

  it('reads a ledger another process has open for writing in this very moment without making it wait or read-only', async () => {
    // The writer holds the lock (a VS Code window); a reading command reads what it has written so far.
    const writer = await SessionStore.open({ directory: fixture.directory, snapshotIdleMs: 0, snapshotInWorker: false });
    try {
      const added = await writer.sessions.create({ type: 'freeform', title: 'Written by the window', intention: 'seen by list' });
      const listed = await runCli(['list', '--json', '--ledger', fixture.directory]);
      assert.equal(listed.code, 0, listed.stderr);
      const data = JSON.parse(listed.stdout) as { readOnly: boolean; holder: string; sessions: { id: string }[] };
      assert.equal(data.readOnly, true);
      assert.match(data.holder, new RegExp(`^process ${process.pid} on this machine`));
      assert.ok(data.sessions.some((session) => session.id === added.id));
      assert.equal(writer.readOnly, false);
    } finally {
      await writer.close();
    }
  });
});
