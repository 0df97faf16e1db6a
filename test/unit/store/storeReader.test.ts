import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { SnapshotChecksumError, fileBase } from '../../../src/core/store/chunkedFile';
import { ReadOnlyStoreError } from '../../../src/core/store/readOnlyStore';
import { SessionStore } from '../../../src/core/store/SessionStore';
import { CHECKSUM_RANGE_BYTES, LOCK_FILE, SNAPSHOT_FILE, checksumFile } from '../../../src/core/store/storeFiles';
import type { LedgerDatabase } from '../../../src/core/store/ledgerDatabase';
import { applyMigration, loadMigrations } from '../../../src/core/store/migrations';
import { REPO_MIGRATIONS, openStore, temporaryDirectory } from './storeTestSupport';

const CHILD = path.join(__dirname, 'fixtures', 'writerForReader.ts');

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

async function ledgerWithSession(directory: string, events = 3): Promise<string> {
  const store = await openStore(directory, { snapshotInWorker: false });
  try {
    const session = await store.sessions.create({ type: 'test-fix', title: 'Read me', intention: 'be read without a lock' });
    await store.transaction((tx) => {
      for (let n = 0; n < events; n++)
        tx.events.append({ id: `e-${n}`, sessionId: session.id, type: 'agent.text', payload: { text: `event ${n}` } });
    });
    return session.id;
  } finally {
    await store.close();
  }
}

/** The writer of the read-only store tests in a child process (fixtures/writerForReader.ts): holds the lock, appends on request. */
function startWriter(directory: string, sessionId: string) {
  const child = spawn(process.execPath, ['-r', 'tsx/cjs', CHILD, directory, sessionId], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let waiting: (() => void) | undefined;
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line);
    waiting?.();
  });
  const until = async (expected: string): Promise<void> => {
    for (;;) {
      const index = lines.indexOf(expected);
      if (index >= 0) {
        lines.splice(0, index + 1);
        return;
      }
      await new Promise<void>((resolve) => (waiting = resolve));
    }
  };
  return {
    child,
    until,
    send: (command: string) => child.stdin.write(`${command}\n`),
    exit: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin.write('exit\n');
      await exited;
    },
  };
}

describe('SessionStore.openReader: reading a ledger without its lock', function () {
  this.timeout(60_000);

  it('never takes the lock nor changes a file; a writer opens the ledger meanwhile as usual; writes are refused', async () => {
    const directory = temporaryDirectory('reader-');
    const sessionId = await ledgerWithSession(directory);
    const before = folderState(directory);
    const reader = await SessionStore.openReader({ directory });
    try {
      assert.equal(reader.readOnly, true);
      assert.equal(reader.holder, undefined, 'nobody holds it');
      assert.equal(fs.existsSync(path.join(directory, LOCK_FILE)), false, 'no lock taken');
      assert.deepEqual(
        reader.sessions.list().map((s) => s.id),
        [sessionId],
      );
      assert.equal(reader.events.list(sessionId, { after: 0, limit: 10 }).length, 3);
      await assert.rejects(reader.sessions.create({ type: 't', title: 't', intention: 'i' }), ReadOnlyStoreError);
      assert.deepEqual(folderState(directory), before, 'opening and reading changed no file');

      const writer = await openStore(directory, { snapshotInWorker: false });
      try {
        assert.equal(writer.readOnly, false, 'the reader does not make a writer read-only');
        await writer.events.append({ id: 'later', sessionId, type: 'agent.text', payload: { text: 'later' } });
      } finally {
        await writer.close();
      }
      assert.equal(
        reader.events.list(sessionId, { after: 0, limit: 10 }).length,
        3,
        'a reader without follow reads the ledger as it opened it',
      );
    } finally {
      await reader.close();
    }
  });

  it('with follow, applies what the holder writes (refresh) and goes on reading, never taking the lock, when the holder leaves', async () => {
    const directory = temporaryDirectory('reader-follow-');
    const sessionId = randomUUID();
    const writer = startWriter(directory, sessionId);
    let reader: SessionStore | undefined;
    try {
      await writer.until('ready');
      writer.send('append 5 first');
      await writer.until('done');
      reader = await SessionStore.openReader({ directory, follow: true, pollMs: 50 });
      assert.equal(reader.holder?.pid, writer.child.pid);
      assert.equal(reader.events.lastSeq(sessionId), 5);
      writer.send('append 40 second'); // the writer snapshots every 16 KiB of journal: the reader follows it across rotations
      await writer.until('done');
      await reader.refresh();
      assert.equal(reader.events.lastSeq(sessionId), 45, 'what the holder acknowledged before refresh() is read');
    } finally {
      await writer.exit();
    }
    try {
      await reader.refresh();
      await new Promise((resolve) => setTimeout(resolve, 200)); // several polls with the lock free
      assert.equal(reader.readOnly, true, 'it stays a reader');
      assert.equal(fs.existsSync(path.join(directory, LOCK_FILE)), false, 'it did not take the lock over');
      const next = await openStore(directory, { snapshotInWorker: false });
      try {
        assert.equal(next.readOnly, false);
        await next.events.append({ id: 'third', sessionId, type: 'followed', payload: {} });
      } finally {
        await next.close();
      }
      await reader.refresh();
      assert.equal(reader.events.lastSeq(sessionId), 46, 'it follows the next writer too');
    } finally {
      await reader.close();
    }
  });

  it('with follow, says once that a newer version upgraded the ledger, without saying it would take it over', async () => {
    const directory = temporaryDirectory('reader-newer-');
    const holder = await openStore(directory, { snapshotInWorker: false });
    const reader = await SessionStore.openReader({ directory, follow: true, pollMs: 50 });
    try {
      const known = loadMigrations(REPO_MIGRATIONS).length;
      const internals = holder as unknown as {
        database: LedgerDatabase;
        writes: { commit(work: () => void): { durable: Promise<void> } };
      };
      const newer = {
        version: known + 1,
        name: 'from_a_newer_version',
        file: 'from_a_newer_version.sql',
        sql: 'CREATE TABLE newer_things (id INTEGER PRIMARY KEY);',
      };
      await internals.writes.commit(() => applyMigration(internals.database, newer, Date.now())).durable;
      await reader.refresh();
      await holder.sessions.create({ type: 'x', title: 'after the upgrade', intention: 'kept' });
      await reader.refresh();
      const warnings = reader.warnings.filter((w) => w.kind === 'newer-version');
      assert.equal(warnings.length, 1, JSON.stringify(reader.warnings));
      assert.match(warnings[0].message, new RegExp(`schema ${known + 1}; this version knows up to ${known}\\).*may be incomplete`));
      assert.doesNotMatch(warnings[0].message, /take it over|window/);
    } finally {
      await reader.close();
      await holder.close();
    }
  });

  it('reads an older ledger brought up to date in memory only (its files keep their schema)', async () => {
    const directory = temporaryDirectory('reader-old-');
    const older = temporaryDirectory('migrations-');
    const all = fs.readdirSync(REPO_MIGRATIONS).filter((name) => name.endsWith('.sql'));
    for (const name of all.slice(0, -2)) fs.copyFileSync(path.join(REPO_MIGRATIONS, name), path.join(older, name));
    const store = await openStore(directory, { snapshotInWorker: false, migrationsDirectory: older });
    assert.equal(store.schemaVersion, all.length - 2);
    await store.close();
    const before = folderState(directory);
    const reader = await SessionStore.openReader({ directory });
    try {
      assert.equal(reader.schemaVersion, all.length);
      assert.deepEqual(reader.sessions.list({ status: 'active' }), [], 'the current queries run on it');
    } finally {
      await reader.close();
    }
    assert.deepEqual(folderState(directory), before);
  });

  it('fileBase with verify: checks a checksummed range when it is first read, each range once', () => {
    const file = path.join(temporaryDirectory('verify-'), 'base.bin');
    fs.writeFileSync(file, Buffer.from(Array.from({ length: 3 * CHECKSUM_RANGE_BYTES + 100 }, (_, i) => (i * 7919) % 251)));
    const checksum = checksumFile(file);
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.from([0xff]), 0, 1, 2 * CHECKSUM_RANGE_BYTES + 5); // range 2 no longer matches
    fs.closeSync(fd);
    const base = fileBase(file, checksum);
    try {
      const target = new Uint8Array(16);
      base.read(target, 0, 16, 10);
      assert.equal(target[0], (10 * 7919) % 251);
      base.read(target, 0, 16, CHECKSUM_RANGE_BYTES - 8); // spans ranges 0 and 1
      base.read(target, 0, 16, 3 * CHECKSUM_RANGE_BYTES + 50); // the last, short range
      assert.throws(() => base.read(target, 0, 16, 2 * CHECKSUM_RANGE_BYTES + 1000), SnapshotChecksumError);
      assert.throws(
        () => base.read(target, 0, 16, 2 * CHECKSUM_RANGE_BYTES + 1000),
        /bytes 2097152…3145727 do not match/,
        'checked again, not taken as read',
      );
    } finally {
      base.close();
    }
    assert.throws(() => fileBase(file, { ...checksum, size: checksum.size + 1 }), /its length \d+ differs/);
  });

  it('checks each part of a large snapshot against its checksum when it first reads it, and refuses a damaged part', async () => {
    const directory = temporaryDirectory('reader-damage-');
    const big = 'x'.repeat(32 * 1024);
    const store = await openStore(directory, { snapshotInWorker: false });
    let sessionId: string;
    try {
      sessionId = (
        await store.sessions.create({ type: 'test-fix', title: 'Large', intention: 'more than the 8 MiB quick-checked at open' })
      ).id;
      await store.transaction((tx) => {
        for (let n = 0; n < 320; n++) tx.events.append({ id: `big-${n}`, sessionId, type: 'agent.text', payload: { text: `${n} ${big}` } });
      });
    } finally {
      await store.close();
    }
    const snapshot = path.join(directory, SNAPSHOT_FILE);
    const size = fs.statSync(snapshot).size;
    assert.ok(size > 9 * 1024 * 1024, `the snapshot (${size} bytes) is larger than what open checks whole`);
    // One byte of the events' text, in the middle of the file: a flipped bit on disk.
    const fd = fs.openSync(snapshot, 'r+');
    const at = Math.floor(size / 2);
    const byte = Buffer.alloc(1);
    fs.readSync(fd, byte, 0, 1, at);
    byte[0] ^= 0x01;
    fs.writeSync(fd, byte, 0, 1, at);
    fs.closeSync(fd);

    const reader = await SessionStore.openReader({ directory });
    try {
      assert.equal(reader.sessions.require(sessionId).title, 'Large', 'what lies in undamaged parts is read');
      assert.throws(
        () => reader.sql.all('PRAGMA quick_check'),
        (error: unknown) =>
          error instanceof SnapshotChecksumError && /bytes \d+…\d+ do not match the checksum written with it/.test(error.message),
      );
    } finally {
      await reader.close();
    }
    // A writer opening it checks the whole file at open, as before: the damaged snapshot is kept aside, nothing read from it.
    const writer = await openStore(directory, { snapshotInWorker: false });
    try {
      assert.ok(writer.warnings.some((warning) => warning.kind === 'corrupt-snapshot'));
    } finally {
      await writer.close();
    }
  });
});
