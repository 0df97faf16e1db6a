/*
 * Issue 12, item 3: every failure path of the store releases its descriptors, temporary files and
 * lock, and close() always settles. Faults come through the journal's file-operations seam
 * (`journalFiles`) and through the file system itself, never by patching globals.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import initSqlJs from 'sql.js';
import { nodeJournalFiles, type JournalFiles } from '../../src/core/store/journalWriter';
import { LedgerDatabase } from '../../src/core/store/ledgerDatabase';
import type { SessionStore } from '../../src/core/store/SessionStore';
import { writeSnapshotFile } from '../../src/core/store/storeFiles';
import type { StoreWarning } from '../../src/core/store/storeWarning';
import { journalFiles, openStore, temporaryDirectory } from '../unit/store/storeTestSupport';

function openDescriptors(): number {
  return fs.readdirSync('/proc/self/fd').length;
}

function errno(code: string, syscall: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: injected fault, ${syscall}`), { code, syscall });
}

/** A disk with `budget` bytes free for the journal: writes past it fail with ENOSPC (nothing of them written). */
function diskWithRoom(budget: { bytes: number }): JournalFiles {
  return {
    ...nodeJournalFiles,
    writeSync(fd, buffer, offset, length, position) {
      if (length > budget.bytes) throw errno('ENOSPC', 'write');
      budget.bytes -= length;
      return nodeJournalFiles.writeSync(fd, buffer, offset, length, position);
    },
  };
}

/** Settles within `ms`, or fails the test saying what did not settle. */
function settlesWithin<T>(promise: Promise<T>, ms: number, what: string): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms)),
  );
  return Promise.race([
    promise.then(
      (value) => value,
      () => undefined,
    ),
    timeout,
  ]).finally(() => clearTimeout(timer));
}

/** Files the store must not leave behind after a failure: temporary files and zero-filled segments. */
function leftovers(directory: string): string[] {
  return fs.readdirSync(directory).filter((name) => name.endsWith('.tmp') || name === 'ledger.lock' || /^journal-/.test(name));
}

describe('store failure paths release what they hold (issue 12, item 3)', function () {
  this.timeout(60_000);
  const isLinux = process.platform === 'linux';

  it('a failed open on a full disk leaves no descriptor, no segment, no temporary file and no lock', async function () {
    if (!isLinux) this.skip();
    const directory = temporaryDirectory('ledger-full-');
    await (await openStore(directory, { snapshotInWorker: false })).close(); // sql.js and the migrations loaded once: not counted below
    for (const name of fs.readdirSync(directory)) fs.rmSync(path.join(directory, name));
    const descriptors = openDescriptors();
    await assert.rejects(
      openStore(directory, { snapshotInWorker: false, journalFiles: diskWithRoom({ bytes: 0 }) }),
      /could not write its journal.*ENOSPC/,
    );
    assert.equal(openDescriptors(), descriptors, 'descriptors released');
    assert.deepEqual(leftovers(directory), [], 'no segment (zero-filled or not), no temporary file, no lock');
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it('on a nearly full disk the journal is not preallocated with zeros; when the disk fills, writes fail with one warning and close() settles, releasing everything', async function () {
    if (!isLinux) this.skip();
    const directory = temporaryDirectory('ledger-nearly-full-');
    await (await openStore(directory, { snapshotInWorker: false })).close();
    for (const name of fs.readdirSync(directory)) fs.rmSync(path.join(directory, name));
    const descriptors = openDescriptors();
    const room = { bytes: 256 * 1024 }; // far less than the 4 MiB preallocation
    const store = await openStore(directory, { snapshotInWorker: false, journalFiles: diskWithRoom(room) });
    const warnings: StoreWarning[] = [];
    store.onDidWarn((warning) => warnings.push(warning));
    const session = await store.sessions.create({ type: 't', title: 'Full disk', intention: 'fail cleanly' });
    const [segment] = journalFiles(directory);
    assert.ok(
      fs.statSync(segment).size < 256 * 1024,
      `the segment holds its records, not megabytes of zeros (${fs.statSync(segment).size} bytes)`,
    );
    room.bytes = 0;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => store.events.append({ id: `e${i}`, sessionId: session.id, type: 'x' })),
    );
    assert.ok(outcomes.every((outcome) => outcome.status === 'rejected'));
    assert.match((outcomes[0] as PromiseRejectedResult).reason.message, /could not write its journal.*ENOSPC/);
    assert.deepEqual(
      warnings.map((w) => w.kind),
      ['journal-failed'],
      'one warning, not one per write',
    );
    await settlesWithin(store.close(), 10_000, 'close() after ENOSPC');
    assert.equal(openDescriptors(), descriptors, 'descriptors released');
    assert.deepEqual(
      leftovers(directory).filter((name) => !name.startsWith('journal-')),
      [],
      'no temporary file, no lock',
    );
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it('close() settles after an injected fdatasync failure, releasing the segment, the snapshot and the lock; reopening keeps everything acknowledged', async function () {
    if (!isLinux) this.skip();
    const directory = temporaryDirectory('ledger-eio-');
    let store: SessionStore = await openStore(directory, { snapshotInWorker: false });
    const session = await store.sessions.create({ type: 't', title: 'EIO', intention: 'fail cleanly' });
    await store.close();
    const descriptors = openDescriptors();
    let failing = false;
    store = await openStore(directory, {
      snapshotInWorker: false,
      journalFiles: {
        ...nodeJournalFiles,
        fdatasync: (fd, callback) =>
          failing ? setImmediate(() => callback(errno('EIO', 'fdatasync'))) : nodeJournalFiles.fdatasync(fd, callback),
      },
    });
    const acknowledged: string[] = [];
    for (let i = 0; i < 10; i++) {
      await store.events.append({ id: `ok${i}`, sessionId: session.id, type: 'x' });
      acknowledged.push(`ok${i}`);
    }
    failing = true;
    await assert.rejects(store.events.append({ id: 'lost', sessionId: session.id, type: 'x' }), /could not write its journal.*EIO/);
    await assert.rejects(store.events.append({ id: 'refused', sessionId: session.id, type: 'x' }), /could not write its journal.*EIO/);
    await settlesWithin(store.close(), 10_000, 'close() after EIO');
    assert.equal(openDescriptors(), descriptors, 'descriptors released');
    assert.equal(fs.existsSync(path.join(directory, 'ledger.lock')), false, 'lock released');
    store = await openStore(directory, { snapshotInWorker: false });
    try {
      for (const id of acknowledged) assert.ok(store.events.get(id), `${id} kept`);
      assert.equal(store.events.get('refused'), undefined);
    } finally {
      await store.close();
    }
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it('a failed snapshot leaves no temporary file and the installed snapshot as it was', async () => {
    const directory = temporaryDirectory('ledger-snapfail-');
    const store = await openStore(directory, { snapshotInWorker: false });
    try {
      const session = await store.sessions.create({ type: 't', title: 'Snapshot fails', intention: 'leave nothing behind' });
      await store.snapshot();
      const installed = fs.readFileSync(path.join(directory, 'ledger.sqlite'));
      await store.events.append({ id: 'e1', sessionId: session.id, type: 'x' });
      fs.mkdirSync(path.join(directory, 'ledger.sqlite.sum.tmp')); // the checksum file cannot be created: the snapshot fails after its image was written
      await assert.rejects(store.snapshot(), /EISDIR/);
      assert.equal(fs.existsSync(path.join(directory, 'ledger.sqlite.tmp')), false, 'the written image was removed');
      assert.ok(fs.readFileSync(path.join(directory, 'ledger.sqlite')).equals(installed), 'the installed snapshot is untouched');
      fs.rmdirSync(path.join(directory, 'ledger.sqlite.sum.tmp'));
      await store.events.append({ id: 'e2', sessionId: session.id, type: 'x' });
      await store.snapshot();
    } finally {
      await store.close();
    }
    const reopened = await openStore(directory, { snapshotInWorker: false });
    try {
      assert.deepEqual(reopened.warnings, []);
      assert.ok(reopened.events.get('e1') && reopened.events.get('e2'));
    } finally {
      await reopened.close();
    }
    // The shared writer (worker and main thread) on its own: a write failing half-way leaves nothing.
    const file = path.join(directory, 'other.sqlite');
    assert.throws(
      () =>
        writeSnapshotFile(file, (fd, summer) => {
          const bytes = Buffer.alloc(8192, 1);
          summer.update(bytes);
          fs.writeSync(fd, bytes);
          throw errno('ENOSPC', 'write');
        }),
      /ENOSPC/,
    );
    assert.deepEqual(
      fs.readdirSync(directory).filter((name) => name.startsWith('other.')),
      [],
    );
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it('a rollback after SQLite already rolled back never replaces the original error', async () => {
    const SQL = await initSqlJs();
    const database = LedgerDatabase.open(SQL, undefined);
    try {
      database.recordTransaction(1, () => database.run('CREATE TABLE t (x INTEGER)'));
      assert.throws(
        () =>
          database.recordTransaction(2, () => {
            database.run('INSERT INTO t (x) VALUES (1)');
            database.db.exec('ROLLBACK'); // what SQLite does by itself on a damaged file or a full disk
            throw new Error('database disk image is malformed');
          }),
        (error: Error) => error.message === 'database disk image is malformed',
      );
      database.recordTransaction(3, () => database.run('INSERT INTO t (x) VALUES (2)'));
      assert.equal(database.get('SELECT count(*) AS n FROM t')?.n, 1, 'later transactions work');
    } finally {
      database.close();
    }
  });
});
