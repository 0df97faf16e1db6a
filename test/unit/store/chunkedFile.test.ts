import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import initSqlJs, { type SqlJsStatic } from 'sql.js';
import { CHUNK_BYTES, ChunkedFileContents, bytesBase, writeImageAtomically, type FileImage } from '../../../src/core/store/chunkedFile';
import { LedgerDatabase } from '../../../src/core/store/ledgerDatabase';
import { randomBytes } from 'node:crypto';
import { BlockChecksummer, RangeChecksummer, checksumFile, writeFileAtomic } from '../../../src/core/store/storeFiles';
import { SnapshotWriter, defaultWorkerPath } from '../../../src/core/store/snapshotWriter';
import { SessionStore } from '../../../src/core/store/SessionStore';
import type { SessionStoreOptions } from '../../../src/core/store/storeOptions';
import { newEventId, openStore, temporaryDirectory } from './storeTestSupport';

let SQL: SqlJsStatic;

/** Node's own fs module object (the one src/ calls through), whose functions a test may swap for a moment. */
function fsModule(): typeof fs {
  return require('node:fs') as typeof fs;
}

/** A database file of `rows` rows of ~1 KB each, written plainly (loaded whole). */
function writeDatabaseFile(file: string, rows: number, tag: string): void {
  const database = new LedgerDatabase(new SQL.Database());
  database.recordTransaction(1, () => {
    database.run('CREATE TABLE t (id INTEGER PRIMARY KEY, tag TEXT NOT NULL, body TEXT NOT NULL)');
    database.run('CREATE INDEX t_tag ON t (tag)');
    for (let i = 0; i < rows; i++)
      database.run('INSERT INTO t (tag, body) VALUES (?, ?)', [tag, `${tag}-${i}-`.padEnd(1000, String.fromCharCode(97 + (i % 26)))]);
  });
  fs.writeFileSync(file, database.export());
  database.close();
}

/** Descriptors of this process open on `file` (Linux: /proc/self/fd). */
function descriptorsOn(file: string): number {
  return fs.readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return fs.readlinkSync(`/proc/self/fd/${fd}`) === file;
    } catch {
      return false;
    }
  }).length;
}

function contentOf(database: LedgerDatabase): { count: number; digest: string } {
  const row = database.get(
    "SELECT count(*) AS n, group_concat(tag || ':' || length(body) || substr(body, 1, 12), ',') AS digest FROM (SELECT * FROM t ORDER BY id)",
  )!;
  return { count: Number(row.n), digest: String(row.digest) };
}

describe('database file read on demand (ChunkedFileContents)', () => {
  before(async () => {
    SQL = await initSqlJs();
  });

  describe('the contents object', () => {
    const base = Uint8Array.from({ length: 3 * CHUNK_BYTES + 100 }, (_, i) => i % 251);

    function adopted(): ChunkedFileContents {
      const contents = new ChunkedFileContents(bytesBase(base));
      assert.equal(contents.length, base.length, 'before MEMFS adopts it, length is the number of bytes to write');
      assert.equal(contents.slice(0, base.length), contents, 'the first slice of the whole is the object itself');
      return contents;
    }

    it('reads the base across chunk boundaries without holding any of it', () => {
      const contents = adopted();
      assert.deepEqual(contents.subarray(CHUNK_BYTES - 10, CHUNK_BYTES + 10), base.subarray(CHUNK_BYTES - 10, CHUNK_BYTES + 10));
      assert.deepEqual(contents.subarray(0, base.length), base);
      assert.equal(contents.residentBytes, 0);
      assert.ok(contents.length > 2 ** 50, 'once adopted, a capacity no write reaches (MEMFS never reallocates)');
    });

    it('keeps written chunks (loaded from the base first) and reads zeros past the base', () => {
      const contents = adopted();
      contents.set(Uint8Array.from([1, 2, 3, 4]), CHUNK_BYTES - 2);
      assert.equal(contents.residentBytes, 2 * CHUNK_BYTES, 'the two chunks the write touched');
      const expected = Uint8Array.from(base.subarray(0, 2 * CHUNK_BYTES));
      expected.set([1, 2, 3, 4], CHUNK_BYTES - 2);
      assert.deepEqual(contents.subarray(0, 2 * CHUNK_BYTES), expected);
      // A write past the end leaves a gap of zeros.
      const far = base.length + 5 * CHUNK_BYTES;
      contents.set(Uint8Array.from([9, 9]), far);
      const tail = contents.subarray(base.length - 2, far + 2);
      assert.deepEqual([...tail.subarray(0, 2)], [...base.subarray(base.length - 2)]);
      assert.ok(
        tail.subarray(2, tail.length - 2).every((b) => b === 0),
        'the gap reads as zeros',
      );
      assert.deepEqual([...tail.subarray(tail.length - 2)], [9, 9]);
      assert.deepEqual(contents.slice(CHUNK_BYTES - 2, CHUNK_BYTES + 2), Uint8Array.from([1, 2, 3, 4]), 'a later slice is a copy');
    });
    it('keeps the chunks it read (most recent first, within its limit): a second read or a write of them does not read the base again', () => {
      const inner = bytesBase(base);
      let baseReads = 0;
      const counting = { ...inner, view: undefined, read: (...args: Parameters<typeof inner.read>) => (baseReads++, inner.read(...args)) }; // like a file: no view
      const contents = new ChunkedFileContents(counting, { holdSnapshotFile: false, readCacheChunks: 2 });
      contents.slice(0, base.length);
      assert.deepEqual(contents.subarray(10, 20), base.subarray(10, 20));
      assert.deepEqual(contents.subarray(100, 4196), base.subarray(100, 4196));
      assert.equal(baseReads, 1, 'the second read of chunk 0 came from memory');
      contents.subarray(CHUNK_BYTES, CHUNK_BYTES + 10);
      contents.subarray(2 * CHUNK_BYTES, 2 * CHUNK_BYTES + 10); // a third chunk: chunk 0 (least recent) is dropped
      assert.equal(baseReads, 3);
      assert.equal(contents.cachedBytes, 2 * CHUNK_BYTES);
      contents.set(Uint8Array.from([7]), 2 * CHUNK_BYTES);
      assert.equal(baseReads, 3, 'writing a cached chunk needs no read');
      assert.equal(contents.residentBytes, CHUNK_BYTES);
      assert.equal(contents.cachedBytes, CHUNK_BYTES, 'a written chunk leaves the read cache');
      contents.subarray(0, 10);
      assert.equal(baseReads, 4, 'chunk 0 was dropped, so it is read again');
      assert.equal(contents.subarray(2 * CHUNK_BYTES, 2 * CHUNK_BYTES + 1)[0], 7);
    });

    it('counts as releasable only what the image out does not hold: its chunks are released by its own snapshot', () => {
      const contents = adopted();
      contents.set(Uint8Array.from([1]), 0);
      contents.set(Uint8Array.from([2]), CHUNK_BYTES);
      assert.equal(contents.releasableBytes, 2 * CHUNK_BYTES);
      contents.freeze();
      assert.equal(contents.releasableBytes, 0, 'both are in the image: a second snapshot now would release nothing more');
      assert.equal(contents.residentBytes, 2 * CHUNK_BYTES, 'still in memory until the image is thawed');
      contents.set(Uint8Array.from([3]), CHUNK_BYTES); // written while the image is out: a copy, which the image does not hold
      contents.set(Uint8Array.from([4]), 2 * CHUNK_BYTES);
      assert.equal(contents.releasableBytes, 2 * CHUNK_BYTES, 'the copy and the newly written chunk');
      assert.equal(contents.thaw(), false, "the snapshot failed: the image's chunks stay and count again");
      assert.equal(contents.releasableBytes, 3 * CHUNK_BYTES);
    });
  });

  it("moves onto a snapshot file only when it is the image, and says whether the image's chunks were released", () => {
    const base = Uint8Array.from({ length: 3 * CHUNK_BYTES + 100 }, (_, i) => i % 251);
    const contents = new ChunkedFileContents(bytesBase(base));
    contents.slice(0, base.length);
    contents.set(Uint8Array.from([1]), 0);
    contents.set(Uint8Array.from([2]), CHUNK_BYTES);
    const written = Uint8Array.from(base);
    written[0] = 1;
    written[CHUNK_BYTES] = 2;
    const directory = temporaryDirectory();
    try {
      contents.freeze();
      const other = path.join(directory, 'other');
      fs.writeFileSync(other, Buffer.alloc(base.length + 1));
      assert.equal(contents.thaw(other), false, 'another size: not the image, nothing released');
      assert.equal(contents.releasableBytes, 2 * CHUNK_BYTES, 'both chunks kept, and counted again');
      contents.freeze();
      const snapshot = path.join(directory, 'snapshot');
      fs.writeFileSync(snapshot, written);
      assert.equal(contents.thaw(snapshot), true);
      assert.equal(contents.residentBytes, 0, "the image's chunks were released");
      assert.equal(contents.subarray(0, 1)[0], 1);
      assert.equal(contents.subarray(CHUNK_BYTES, CHUNK_BYTES + 1)[0], 2);
    } finally {
      contents.dispose();
    }
  });

  it('keeps the chunks a snapshot released for the next writes, with the bytes of where they go, and gives them back when trimmed', () => {
    // 800 chunks released at once: more than an idle store keeps (512), all kept while writes go on.
    const chunks = 800;
    const big = Uint8Array.from({ length: chunks * CHUNK_BYTES }, (_, i) => (i * 7) % 253);
    const expected = Uint8Array.from(big);
    const contents = new ChunkedFileContents(bytesBase(big), { holdSnapshotFile: false, readCacheChunks: 0 });
    contents.slice(0, big.length);
    const writeEach = (offset: number, value: number) => {
      for (let index = 0; index < chunks; index++) {
        contents.set(Uint8Array.from([value]), index * CHUNK_BYTES + offset);
        expected[index * CHUNK_BYTES + offset] = value;
      }
    };
    writeEach(5, 1);
    assert.equal(contents.residentBytes, chunks * CHUNK_BYTES);
    const pooledBefore = contents.pooledBytes;
    contents.freeze();
    assert.equal(contents.thaw('image in memory'), true, 'merged into the base held in memory: every chunk released');
    assert.equal(contents.residentBytes, 0);
    assert.equal(contents.pooledBytes, pooledBefore + chunks * CHUNK_BYTES, 'all kept for the next writes');
    writeEach(9, 2); // reuses them, each loaded again from the (merged) base
    assert.equal(contents.pooledBytes, pooledBefore, 'the writes took them back');
    assert.deepEqual(contents.subarray(0, big.length), expected);
    contents.freeze();
    contents.thaw('image in memory');
    contents.trimPool(); // the store went idle
    assert.equal(contents.pooledBytes, 512 * CHUNK_BYTES, 'an idle store keeps 8 MiB');
    writeEach(13, 3);
    assert.deepEqual(contents.subarray(0, big.length), expected);
  });

  describe('LedgerDatabase.open', () => {
    let directory: string;
    beforeEach(() => {
      directory = temporaryDirectory('ledger-chunked-');
    });
    afterEach(() => fs.rmSync(directory, { recursive: true, force: true }));

    it('reads a snapshot on demand: nothing of the file is held until written, then only what was written', () => {
      const file = path.join(directory, 'ledger.sqlite');
      writeDatabaseFile(file, 3000, 'a');
      const size = fs.statSync(file).size;
      const eager = LedgerDatabase.open(SQL, { file }, { mode: 'plain' });
      const lazy = LedgerDatabase.open(SQL, { file });
      try {
        assert.equal(eager.residentFileBytes, undefined, 'loaded whole');
        assert.deepEqual(contentOf(lazy), contentOf(eager));
        assert.equal(contentOf(lazy).count, 3000);
        assert.equal(lazy.residentFileBytes, 0, 'reading everything kept nothing in memory');
        lazy.recordTransaction(2, () => lazy.run('INSERT INTO t (tag, body) VALUES (?, ?)', ['b', 'new']));
        const resident = lazy.residentFileBytes!;
        assert.ok(resident > 0 && resident < size / 4, `one insert held ${resident} of ${size} bytes`);
        assert.equal(lazy.get("SELECT body FROM t WHERE tag = 'b'")?.body, 'new');
        assert.equal(lazy.get('PRAGMA integrity_check')?.integrity_check, 'ok');
      } finally {
        eager.close();
        lazy.close();
      }
    });

    it('ends in the same bytes as a database loaded whole after the same writes, growth and VACUUM included', () => {
      const file = path.join(directory, 'ledger.sqlite');
      writeDatabaseFile(file, 500, 'a');
      const databases = [
        LedgerDatabase.open(SQL, { file }, { mode: 'plain' }),
        LedgerDatabase.open(SQL, { file }),
        LedgerDatabase.open(SQL, undefined),
      ];
      try {
        for (const [n, database] of databases.entries()) {
          database.recordTransaction(2, () => {
            if (n === 2) {
              database.run('CREATE TABLE t (id INTEGER PRIMARY KEY, tag TEXT NOT NULL, body TEXT NOT NULL)');
              database.run('CREATE INDEX t_tag ON t (tag)');
            }
            // Grows the file well past its first size (many new chunks), then frees pages.
            for (let i = 0; i < 4000; i++) database.run('INSERT INTO t (tag, body) VALUES (?, ?)', ['g', `g-${i}`.padEnd(700, 'x')]);
            database.run("DELETE FROM t WHERE tag = 'g' AND id % 3 = 0");
          });
        }
        const [eager, lazy] = databases;
        assert.deepEqual(contentOf(lazy), contentOf(eager));
        assert.deepEqual(Buffer.from(lazy.export()), Buffer.from(eager.export()), 'same file bytes');
        // VACUUM shrinks the file: MEMFS copies it into a plain buffer, and it stays correct.
        assert.ok(lazy.freezeFile(), 'an image before');
        lazy.thawFile();
        for (const database of databases) database.db.exec('VACUUM');
        assert.deepEqual(contentOf(lazy), contentOf(eager));
        assert.equal(lazy.freezeFile(), undefined, 'no image of a file the chunks no longer hold (the store exports instead)');
        assert.equal(contentOf(databases[2]).count, 4000 - Math.floor(4000 / 3), 'the new database, grown from empty');
        for (const database of databases) assert.equal(database.get('PRAGMA integrity_check')?.integrity_check, 'ok');
      } finally {
        for (const database of databases) database.close();
      }
    });

    it('keeps reading the bytes it was opened from when a new snapshot is renamed over the file, and releases the file on close', function () {
      if (process.platform !== 'linux') this.skip();
      const file = path.join(directory, 'ledger.sqlite');
      writeDatabaseFile(file, 800, 'old');
      const lazy = LedgerDatabase.open(SQL, { file });
      assert.equal(descriptorsOn(file), 1, 'the snapshot is held open while the database is');
      const before = contentOf(lazy);
      const replacement = path.join(directory, 'other.sqlite');
      writeDatabaseFile(replacement, 50, 'new');
      writeFileAtomic(file, fs.readFileSync(replacement), { durable: true });
      assert.deepEqual(contentOf(lazy), before, 'still the database it opened');
      lazy.recordTransaction(2, () => lazy.run('INSERT INTO t (tag, body) VALUES (?, ?)', ['later', 'x']));
      assert.equal(contentOf(lazy).count, 801);
      lazy.close();
      assert.equal(descriptorsOn(file), 0, 'closed with the database');
      assert.equal(descriptorsOn(`${file} (deleted)`), 0, 'the replaced snapshot is released too');
    });

    for (const mode of ['on-demand', 'in-memory'] as const)
      it(`${mode}: a frozen image stays the file as it was while writes go on; thawed onto its snapshot, the written chunks are released`, () => {
        const file = path.join(directory, 'ledger.sqlite');
        writeDatabaseFile(file, 1500, 'a');
        const eager = LedgerDatabase.open(SQL, { file }, { mode: 'plain' });
        const lazy = LedgerDatabase.open(SQL, { file }, { mode });
        const write = (database: LedgerDatabase, record: number, tag: string, rows: number, updateEvery: number) =>
          database.recordTransaction(record, () => {
            for (let i = 0; i < rows; i++) database.run('INSERT INTO t (tag, body) VALUES (?, ?)', [tag, `${tag}-${i}`.padEnd(900, 'y')]);
            database.run('UPDATE t SET body = ? WHERE id % ? = 0', [`${tag}-updated`, updateEvery]);
          });
        try {
          for (const database of [eager, lazy]) write(database, 2, 'before', 600, 7);
          const atFreeze = Buffer.from(eager.export());
          const image = lazy.freezeFile()!;
          assert.ok(image && image.chunks.length > 0 && image.size === atFreeze.length);
          assert.throws(() => lazy.freezeFile(), /already out/);
          for (const database of [eager, lazy]) write(database, 3, 'during', 20, 500); // rewrites some frozen chunks: copies
          const snapshot = path.join(directory, 'snapshot.sqlite');
          writeImageAtomically(snapshot, image);
          const written = LedgerDatabase.open(SQL, { file: snapshot }, { mode: 'plain' });
          assert.equal(written.get('PRAGMA integrity_check')?.integrity_check, 'ok');
          assert.deepEqual(
            contentOf(written),
            contentOf(LedgerDatabase.open(SQL, { bytes: atFreeze }, { mode: 'plain' })),
            'the image is the database at the freeze, not after',
          );
          assert.equal(written.get("SELECT count(*) AS n FROM t WHERE tag = 'during'")?.n, 0);
          written.close();
          const resident = lazy.residentFileBytes!;
          lazy.thawFile(snapshot);
          assert.ok(lazy.residentFileBytes! < resident, `thawing released chunks (${resident} → ${lazy.residentFileBytes} bytes)`);
          assert.deepEqual(contentOf(lazy), contentOf(eager));
          for (const database of [eager, lazy]) write(database, 4, 'after', 300, 11);
          assert.ok(Buffer.from(lazy.export()).equals(Buffer.from(eager.export())), 'same file bytes as the database loaded whole');
          assert.equal(lazy.get('PRAGMA integrity_check')?.integrity_check, 'ok');
        } finally {
          eager.close();
          lazy.close();
        }
      });

    it("writes to the image's chunks go to copies until the worker has written them, then in place; the snapshot is the file at the freeze", async function () {
      this.timeout(30_000);
      const file = path.join(directory, 'ledger.sqlite');
      writeDatabaseFile(file, 1500, 'a');
      const eager = LedgerDatabase.open(SQL, { file }, { mode: 'plain' });
      const lazy = LedgerDatabase.open(SQL, { file }, { mode: 'on-demand' });
      const contents = (lazy as unknown as { contents: ChunkedFileContents }).contents;
      const writer = new SnapshotWriter({ workerPath: defaultWorkerPath(), onBroken: (reason) => assert.fail(reason) });
      const write = (record: number, tag: string, rows: number, updateEvery: number) => {
        for (const database of [eager, lazy])
          database.recordTransaction(record, () => {
            for (let i = 0; i < rows; i++) database.run('INSERT INTO t (tag, body) VALUES (?, ?)', [tag, `${tag}-${i}`.padEnd(900, 'z')]);
            database.run('UPDATE t SET body = ? WHERE id % ? = 0', [`${tag}-updated`, updateEvery]);
          });
      };
      /** The image's chunks whose bytes in the file now differ from what the image holds, and whether each is the image's own buffer. */
      const changed = (image: FileImage, atFreeze: ReadonlyMap<number, Buffer>) =>
        image.chunks
          .map(([index, bytes]) => ({ index, bytes, now: contents.subarray(index * CHUNK_BYTES, (index + 1) * CHUNK_BYTES) }))
          .filter(({ index, now }) => !Buffer.from(now).equals(atFreeze.get(index)!))
          .map(({ index, bytes, now }) => ({ index, inPlace: now.buffer === bytes.buffer }));
      try {
        write(2, 'before', 600, 7);
        const atFreeze = Buffer.from(eager.export());
        const image = lazy.freezeFile()!;
        const imageBytes = new Map(image.chunks.map(([index, bytes]) => [index, Buffer.from(bytes)] as const));
        write(3, 'early', 5, 300); // before the worker has the image: copies
        const early = changed(image, imageBytes);
        assert.ok(early.length > 0 && early.every((chunk) => !chunk.inPlace), 'written to copies while the image may still be read');
        const snapshot = path.join(directory, 'released.sqlite');
        const written = writer.write(image, snapshot);
        const deadline = Date.now() + 10_000;
        while (Atomics.load(image.chunksWritten, 0) === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 1));
        assert.equal(Atomics.load(image.chunksWritten, 0), 1, 'the worker said its chunks are written');
        write(4, 'during', 40, 97); // the worker is past the chunks (or done): in place
        const during = changed(image, imageBytes).filter((chunk) => !early.some((e) => e.index === chunk.index));
        assert.ok(during.length > 0 && during.every((chunk) => chunk.inPlace), 'written in place once the chunks are in the file');
        await written;

        const fromSnapshot = LedgerDatabase.open(SQL, { file: snapshot }, { mode: 'plain' });
        assert.equal(fromSnapshot.get('PRAGMA integrity_check')?.integrity_check, 'ok');
        assert.deepEqual(contentOf(fromSnapshot), contentOf(LedgerDatabase.open(SQL, { bytes: atFreeze }, { mode: 'plain' })));
        assert.equal(
          fromSnapshot.get("SELECT count(*) AS n FROM t WHERE tag IN ('early', 'during')")?.n,
          0,
          'neither later write is in it',
        );
        fromSnapshot.close();
        assert.deepEqual(checksumFile(snapshot).size, atFreeze.length);
        lazy.thawFile(snapshot); // the chunks changed meanwhile stay; the rest is the new base
        assert.deepEqual(contentOf(lazy), contentOf(eager));
        write(5, 'after', 200, 13);
        assert.ok(Buffer.from(lazy.export()).equals(Buffer.from(eager.export())), 'same file bytes as the database loaded whole');
      } finally {
        await writer.terminate();
        eager.close();
        lazy.close();
      }
    });

    it('writes every chunk of the image from its own memory before it sets chunksWritten, and none after it (each write watched)', () => {
      // The worker test above sees the flag's effect; this one checks its order without timing: the same
      // writeImage the worker runs, here in-process, with Node's writes recorded as they happen.
      const file = path.join(directory, 'ledger.sqlite');
      writeDatabaseFile(file, 1500, 'a');
      const lazy = LedgerDatabase.open(SQL, { file }, { mode: 'on-demand' });
      const nodeFs = fsModule();
      const realWritev = nodeFs.writevSync;
      const realWrite = nodeFs.writeSync;
      try {
        lazy.recordTransaction(2, () => {
          for (let i = 0; i < 400; i++) lazy.run('INSERT INTO t (tag, body) VALUES (?, ?)', ['image', `image-${i}`.padEnd(900, 'q')]);
        });
        const image = lazy.freezeFile()!;
        const chunkMemory = new Set<ArrayBufferLike>(image.chunks.map(([, bytes]) => bytes.buffer));
        const writes: { flag: number; chunks: number; other: number }[] = [];
        const record = (buffers: readonly NodeJS.ArrayBufferView[]) => {
          const chunks = buffers.filter((b) => chunkMemory.has(b.buffer)).length;
          writes.push({ flag: Atomics.load(image.chunksWritten, 0), chunks, other: buffers.length - chunks });
        };
        nodeFs.writevSync = ((fd: number, buffers: NodeJS.ArrayBufferView[], position?: number) => {
          record(buffers);
          return realWritev(fd, buffers, position);
        }) as typeof nodeFs.writevSync;
        nodeFs.writeSync = ((fd: number, buffer: NodeJS.ArrayBufferView, ...rest: unknown[]) => {
          record([buffer]);
          return (realWrite as (...args: unknown[]) => number)(fd, buffer, ...rest);
        }) as typeof nodeFs.writeSync;
        writeImageAtomically(path.join(directory, 'watched.sqlite'), image);
        nodeFs.writevSync = realWritev;
        nodeFs.writeSync = realWrite;

        const chunkWrites = writes.filter((w) => w.chunks > 0);
        const written = chunkWrites.reduce((sum, w) => sum + w.chunks, 0);
        assert.ok(written >= image.chunks.length, `every chunk written from the image's own memory (${written} of ${image.chunks.length})`);
        assert.ok(chunkWrites.length < image.chunks.length, 'consecutive chunks go in one writev');
        assert.ok(
          chunkWrites.every((w) => w.flag === 0 && w.other === 0),
          'no chunk written after the flag (the store may be changing it by then)',
        );
        const rest = writes.filter((w) => w.chunks === 0);
        assert.ok(
          rest.length > 0 && rest.every((w) => w.flag === 1),
          'the flag is set before the rest of the file is copied from the base',
        );
        assert.equal(Atomics.load(image.chunksWritten, 0), 1);
      } finally {
        nodeFs.writevSync = realWritev;
        nodeFs.writeSync = realWrite;
        lazy.close();
      }
    });

    it('a reopened store reads its snapshot on demand and holds only what it writes', async () => {
      let store = await openStore(directory);
      const session = await store.sessions.create({ type: 'bench', title: 'On demand', intention: 'read pages when needed' });
      await store.transaction((tx) => {
        for (let i = 0; i < 2000; i++)
          tx.events.append({ id: newEventId(), sessionId: session.id, type: 'tool', payload: { i, text: 'x'.repeat(400) } });
      });
      await store.close();
      store = await openStore(directory);
      try {
        const database = (store as unknown as { database: LedgerDatabase }).database;
        assert.equal(store.events.list(session.id, { after: 1990, limit: 100 }).length, 10);
        assert.equal(database.residentFileBytes, 0);
        await store.events.append({ id: newEventId(), sessionId: session.id, type: 'tool', payload: { i: 2000 } });
        assert.ok(database.residentFileBytes! > 0);
        assert.equal(store.events.list(session.id, { after: 2000, limit: 10 })[0]?.seq, 2001);
      } finally {
        await store.close();
      }
    });

    it('an idle store gives back the chunks its last snapshots released, beyond the 8 MiB it keeps', async function () {
      if (process.env.SESSION_LEDGER_TEST_FILE_MODE === 'in-memory') this.skip(); // the file's growth stays in memory there: nothing is released
      // No idle snapshot until the busy part is checked (a loaded machine could otherwise take it first).
      const options: SessionStoreOptions = { directory, snapshotIdleMs: 0 };
      const store = await SessionStore.open(options);
      try {
        const pooled = () => (store as unknown as { database: { contents: ChunkedFileContents } }).database.contents.pooledBytes;
        const session = await store.sessions.create({ type: 'bench', title: 'Busy then idle', intention: 'give memory back' });
        for (let batch = 0; batch < 5; batch++)
          await store.transaction((tx) => {
            for (let i = 0; i < 1000; i++)
              tx.events.append({ id: newEventId(), sessionId: session.id, type: 'tool', payload: { i, text: 'x'.repeat(8000) } });
          });
        await store.snapshot(); // as a busy store's snapshots do: the chunks written (beyond the 16 MiB read cache) are kept for the next writes
        assert.ok(pooled() > 8 * 1024 * 1024, `kept while busy: ${pooled()} bytes`);
        options.snapshotIdleMs = 100; // the store reads it whenever a write arms the idle snapshot
        await store.events.append({ id: newEventId(), sessionId: session.id, type: 'tool', payload: { last: true } });
        const deadline = Date.now() + 10_000;
        while (pooled() > 8 * 1024 * 1024 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
        assert.ok(pooled() <= 8 * 1024 * 1024, `given back once idle: ${pooled()} bytes`);
      } finally {
        await store.close();
      }
    });

    it('a snapshot asked for by the memory it frees is not asked for again by the writes made while it is taken and written', async function () {
      if (process.env.SESSION_LEDGER_TEST_FILE_MODE === 'in-memory') this.skip(); // the file's growth stays in memory there: nothing is released
      const store = await SessionStore.open({
        directory,
        snapshotIdleMs: 0,
        snapshotResidentBytes: 1024 * 1024,
        snapshotJournalBytes: 1 << 30,
      });
      try {
        const internals = store as unknown as {
          snapshots: {
            writeFiles(file: string): Promise<void>;
            settled(): Promise<void>;
            writer: { write(image: FileImage, file: string): Promise<void> };
          };
          writes: { journal: { rotate(): Promise<number> } };
        };
        const { snapshots, writes } = internals;
        // Two holds: the journal's rotation (a snapshot's first step, after the records queued before it are
        // durable), then the image (taken, but the worker does not start writing it).
        const hold = () => {
          let letGo!: () => void;
          const held = new Promise<void>((resolve) => (letGo = resolve));
          return { held, letGo, reached: false };
        };
        const rotation = hold();
        const image = hold();
        const rotate = writes.journal.rotate.bind(writes.journal);
        writes.journal.rotate = async () => {
          rotation.reached = true;
          await rotation.held;
          return rotate();
        };
        const write = snapshots.writer.write.bind(snapshots.writer);
        snapshots.writer.write = async (frozen, file) => {
          image.reached = true;
          await image.held;
          return write(frozen, file);
        };
        let snapshotsWritten = 0;
        const writeFiles = snapshots.writeFiles.bind(snapshots);
        snapshots.writeFiles = (file) => (snapshotsWritten++, writeFiles(file));
        const session = await store.sessions.create({ type: 'bench', title: 'Large write', intention: 'one snapshot for it' });
        await store.transaction((tx) => {
          for (let i = 0; i < 300; i++)
            tx.events.append({ id: newEventId(), sessionId: session.id, type: 'tool', payload: { i, text: 'x'.repeat(8000) } });
        });
        const until = async (done: () => boolean, what: string) => {
          const deadline = Date.now() + 10_000;
          while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
          assert.ok(done(), what);
        };
        /** Small writes, each past the store's 100 ms between checks of what is in memory. */
        const smallWrites = async (tag: string) => {
          for (let i = 0; i < 3; i++) {
            await new Promise((resolve) => setTimeout(resolve, 120));
            await store.events.append({ id: newEventId(), sessionId: session.id, type: 'tool', payload: { tag, i } });
          }
        };
        await until(() => rotation.reached, 'the 2.4 MB written asked for a snapshot (over 1 MiB in memory)');
        await smallWrites('before the image'); // the large write is still in memory, not yet in an image
        rotation.letGo();
        await until(() => image.reached, 'the snapshot took its image');
        await smallWrites('while the image is out'); // the large write is in memory, held by the image
        image.letGo();
        await snapshots.settled();
        assert.equal(snapshotsWritten, 1, 'the small writes made meanwhile do not need a snapshot of their own');
        assert.equal((await store.sessions.get(session.id))?.eventCount, 306);
      } finally {
        await store.close();
      }
    });

    for (const fileMode of ['on-demand', 'in-memory'] as const)
      it(`${fileMode}: a store snapshot taken while appends go on keeps every acknowledged event, and the store moves onto it`, async () => {
        let store = await openStore(directory, { fileMode });
        const session = await store.sessions.create({
          type: 'bench',
          title: 'Snapshot under load',
          intention: 'write while the image is written',
        });
        const append = (i: number) =>
          store.events.append({ id: newEventId(), sessionId: session.id, type: 'tool', payload: { i, text: 'z'.repeat(300) } });
        for (let i = 0; i < 1000; i += 100) await Promise.all(Array.from({ length: 100 }, (_, k) => append(i + k)));
        await store.close();
        store = await openStore(directory, { fileMode }); // the base is now the snapshot: on disk, or read whole into memory
        for (let i = 1000; i < 1500; i += 100) await Promise.all(Array.from({ length: 100 }, (_, k) => append(i + k)));
        const database = (store as unknown as { database: LedgerDatabase }).database;
        // Moving onto the snapshot releases the chunks its image holds unchanged, checked the moment it happens (a later
        // write may take a released buffer back). Comparing resident bytes before and after instead measures the appends:
        // in-memory, the chunks past the base the store opened from (what the file grew by) stay, so 500 more appends
        // can add as many chunks as the move released.
        const held = (database as unknown as { contents: { chunks: readonly (Uint8Array | undefined)[] } }).contents.chunks;
        let image: FileImage | undefined;
        let moves = 0;
        let keptFromImage: number[] | undefined;
        const freezeFile = database.freezeFile.bind(database);
        const thawFile = database.thawFile.bind(database);
        database.freezeFile = () => (image = freezeFile());
        database.thawFile = (snapshotPath) => {
          const released = thawFile(snapshotPath);
          if (snapshotPath === undefined || !image) return released;
          moves++;
          keptFromImage = image.chunks.filter(([index, bytes]) => held[index] === bytes).map(([index]) => index);
          return released;
        };
        const during = Array.from({ length: 400 }, (_, k) => append(1500 + k));
        const snapshot = store.snapshot();
        during.push(...Array.from({ length: 100 }, (_, k) => append(1900 + k)));
        await Promise.all([snapshot, ...during]);
        assert.ok(image, 'the snapshot is an image of the file');
        const baseSize = image.base.size;
        // In-memory the image's chunks are copied into the base where it has room: those past its end stay.
        const pastBase = image.chunks
          .map(([index]) => index)
          .filter((index) => fileMode === 'in-memory' && (index + 1) * CHUNK_BYTES > baseSize);
        assert.ok(image.chunks.length > pastBase.length, 'the image holds chunks the move must release');
        assert.equal(moves, 1, 'the store moved onto its snapshot once');
        assert.deepEqual(
          keptFromImage!.filter((index) => !pastBase.includes(index)),
          [],
          `the store moved onto its snapshot: the image's ${image.chunks.length} chunks released but for the ${pastBase.length} past the base`,
        );
        assert.equal(store.warnings.length, 0, store.warnings.map((w) => w.message).join('; '));
        await store.close();
        store = await openStore(directory, { fileMode });
        try {
          const events = store.events.list(session.id, { after: 0, limit: 5000 });
          assert.equal(events.length, 2000);
          assert.deepEqual(
            events.map((e) => e.seq),
            Array.from({ length: 2000 }, (_, i) => i + 1),
          );
          assert.deepEqual(new Set(events.map((e) => (e.payload as { i: number }).i)).size, 2000);
        } finally {
          await store.close();
        }
      });
  });
});

describe('snapshot checksums of blocks written in any order (BlockChecksummer)', () => {
  it('gives the checksum of the bytes in file order, whatever the order and the length of the last block', () => {
    for (const size of [1, 4096, CHUNK_BYTES, CHUNK_BYTES + 4096, 1024 * 1024, 1024 * 1024 + 12288, 3 * 1024 * 1024 - 4096, 2_500_001]) {
      const bytes = randomBytes(size);
      const inOrder = new RangeChecksummer();
      inOrder.update(bytes);
      const blocks = Array.from({ length: Math.ceil(size / CHUNK_BYTES) }, (_, index) => index);
      for (let i = blocks.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [blocks[i], blocks[j]] = [blocks[j]!, blocks[i]!];
      }
      const summer = new BlockChecksummer(size, CHUNK_BYTES);
      for (const index of blocks) summer.add(index, bytes.subarray(index * CHUNK_BYTES, Math.min(size, (index + 1) * CHUNK_BYTES)));
      assert.deepEqual(summer.finish(), inOrder.finish(), `${size} bytes`);
    }
  });

  it('refuses a block given twice, of the wrong length, or missing', () => {
    const summer = new BlockChecksummer(3 * CHUNK_BYTES - 100, CHUNK_BYTES);
    summer.add(0, new Uint8Array(CHUNK_BYTES));
    assert.throws(() => summer.add(0, new Uint8Array(CHUNK_BYTES)), /checksummed twice/);
    assert.throws(() => summer.add(2, new Uint8Array(CHUNK_BYTES)), /instead of 16284/);
    assert.throws(() => summer.finish(), /block 1 of the snapshot was never checksummed/);
    assert.throws(() => new BlockChecksummer(10, 3000), /do not divide/);
  });
});
