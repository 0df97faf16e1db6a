import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import initSqlJs from 'sql.js';
import {
  INDEX_BATCH_EVENTS,
  INDEX_SLICE_EVENTS,
  LedgerDatabase,
  QUICK_CHECK_MAX_BYTES,
  type FileMode,
} from '../../../src/core/store/ledgerDatabase';
import { PENDING_INDEX_KEY } from '../../../src/core/store/ledgerDatabaseSql';
import type { SessionStore } from '../../../src/core/store/SessionStore';
import { crashCopy, newEventId, openStore, temporaryDirectory } from './storeTestSupport';

/*
 * Events are indexed for search in batches, not in every transaction (ledgerDatabase.ts says when).
 * What must hold whatever the batching: an acknowledged event is found by the next search, a
 * snapshot says which of its events wait to be indexed, and a crash with events still waiting loses
 * none of them from search.
 */

const databaseOf = (store: SessionStore) => (store as unknown as { database: LedgerDatabase }).database;
const MATCH_SQL = 'SELECT e.id FROM search_events JOIN events e ON e.rowid = search_events.docid WHERE search_events MATCH ? ORDER BY e.id';
const matches = (store: SessionStore, word: string) => store.sql.all(MATCH_SQL, [word]).map((row) => row.id);
/** Index segments, read past the store (a read of the index through it would index what waits first). */
const segments = (store: SessionStore) => Number(databaseOf(store).db.exec('SELECT count(*) FROM search_events_segdir')[0]!.values[0]![0]);
/** Waits (up to `ms`) until no event waits to be indexed for search. */
async function untilIndexed(store: SessionStore, ms: number, pollMs = 20): Promise<void> {
  const deadline = Date.now() + ms;
  while (databaseOf(store).hasPendingIndexing && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, pollMs));
}
/** Bytes of the search index's segments. */
const indexBytesOf = (store: SessionStore) =>
  Number(databaseOf(store).db.exec('SELECT sum(length(block)) FROM search_events_segments')[0]!.values[0]![0]);

describe('Search indexing of events in batches', function () {
  this.timeout(30_000);
  const opened: SessionStore[] = [];
  /** `indexIdleMs` long by default: what these tests see must not depend on how fast the machine appends. */
  async function open(directory: string, indexIdleMs = 60_000): Promise<SessionStore> {
    const store = await openStore(directory, { indexIdleMs });
    opened.push(store);
    return store;
  }
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });

  /**
   * A store that asks for a snapshot once 128 KiB of its file is in memory (the journal never does), holding
   * a large bulk of events snapshotted but not indexed: what it writes from now on is the index.
   */
  async function storeLeftToIndex(title: string, word: string): Promise<{ directory: string; store: SessionStore }> {
    const directory = temporaryDirectory();
    const store = await openStore(directory, { indexIdleMs: 20, snapshotResidentBytes: 128 * 1024, snapshotJournalBytes: 1 << 30 });
    opened.push(store);
    const session = await store.sessions.create({ type: 't', title, intention: 'bounded memory' });
    await bulkPastQuickCheckSize(store, session.id, { at: 3, word });
    await store.snapshot(); // large: marked, not indexed; the events' own pages are on disk
    return { directory, store };
  }

  async function appendSingles(store: SessionStore, sessionId: string, count: number, rare: { at: number; word: string }) {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const id = `e${String(i).padStart(3, '0')}-${newEventId()}`;
      ids.push(id);
      await store.events.append({ id, sessionId, type: 'tool', payload: { text: i === rare.at ? `a ${rare.word} here` : `plain ${i}` } });
    }
    return ids;
  }

  it('single appends wait to be indexed together, yet each is found by the very next search', async () => {
    const store = await open(temporaryDirectory());
    const session = await store.sessions.create({ type: 't', title: 'Batched index', intention: 'search at once' });
    const before = segments(store);
    const ids = await appendSingles(store, session.id, 30, { at: 17, word: 'quokka' });
    assert.equal(databaseOf(store).hasPendingIndexing, true, 'the 30 appends were not indexed one by one');
    assert.deepEqual(matches(store, 'quokka'), [ids[17]]);
    assert.equal(databaseOf(store).hasPendingIndexing, false);
    // Before batching, each of the 30 transactions wrote its own index segment (FTS4 merges them 16 at a time).
    assert.equal(segments(store) - before, 1, 'one index segment for the 30 single appends');
    // One more append, found at once too.
    await store.events.append({ id: 'last', sessionId: session.id, type: 'tool', payload: { text: 'quokka again' } });
    assert.deepEqual(matches(store, 'quokka'), [ids[17], 'last'].sort());
    await store.transaction(() => store.sql.run("INSERT INTO search_events (search_events) VALUES ('integrity-check')"));
  });

  it(`a transaction that leaves ${INDEX_BATCH_EVENTS} or more events waiting indexes them at once; a pause in appends indexes the rest`, async () => {
    const store = await open(temporaryDirectory(), 100);
    const session = await store.sessions.create({ type: 't', title: 'Batch size', intention: 'bounded backlog' });
    await store.transaction((tx) => {
      for (let i = 0; i < INDEX_BATCH_EVENTS; i++)
        tx.events.append({ id: `b${i}`, sessionId: session.id, type: 'tool', payload: { text: `bulk ${i}` } });
    });
    assert.equal(databaseOf(store).hasPendingIndexing, false, 'a full batch is indexed by the transaction that filled it');
    await appendSingles(store, session.id, 5, { at: 2, word: 'bilby' });
    assert.equal(databaseOf(store).hasPendingIndexing, true);
    await untilIndexed(store, 5_000, 50);
    assert.equal(databaseOf(store).hasPendingIndexing, false, 'indexed in the background once appends paused');
    const indexed = Number(databaseOf(store).get('SELECT count(*) AS n FROM search_events_docsize')?.n);
    assert.equal(indexed, INDEX_BATCH_EVENTS + 5);
  });

  /** A bulk commit (not indexed) of events large enough to make the store's file pass QUICK_CHECK_MAX_BYTES. */
  async function bulkPastQuickCheckSize(store: SessionStore, sessionId: string, rare: { at: number; word: string }) {
    const filler = 'spinifex '.repeat(450); // ~4 KB per event
    const count = Math.ceil((QUICK_CHECK_MAX_BYTES * 1.2) / filler.length);
    await store.commit((tx) => {
      for (let i = 0; i < count; i++)
        tx.events.append({ id: `big${i}`, sessionId, type: 'tool', payload: { text: i === rare.at ? `a ${rare.word} here` : filler } });
    }).durable;
    return count;
  }

  it('a snapshot of a large store taken while events wait says from where, and a store opened from it alone finds every one', async () => {
    const directory = temporaryDirectory();
    const store = await open(directory);
    const session = await store.sessions.create({ type: 't', title: 'Snapshot', intention: 'nothing unsearchable' });
    await appendSingles(store, session.id, 3, { at: 1, word: 'echidna' });
    assert.deepEqual(matches(store, 'echidna').length, 1); // indexed: the first three are below the mark
    const count = await bulkPastQuickCheckSize(store, session.id, { at: 40, word: 'numbat' });
    assert.equal(databaseOf(store).hasPendingIndexing, true);
    await store.snapshot();
    // Read the snapshot file as it is on disk, with plain sql.js: no journal replay, no store.
    const file = path.join(directory, 'ledger.sqlite');
    assert.ok(fs.statSync(file).size > QUICK_CHECK_MAX_BYTES);
    const SQL = await initSqlJs();
    const db = new SQL.Database(fs.readFileSync(file));
    try {
      const number = (sql: string) => Number(db.exec(sql)[0].values[0][0]);
      assert.equal(number('SELECT count(*) FROM events'), 3 + count);
      const unindexed = db.exec('SELECT rowid FROM events WHERE rowid NOT IN (SELECT docid FROM search_events_docsize) ORDER BY rowid');
      assert.equal(unindexed[0].values.length, count, 'the snapshot itself did no indexing');
      const mark = number(`SELECT value FROM _ledger_meta WHERE key = '${PENDING_INDEX_KEY}'`);
      assert.equal(mark, Number(unindexed[0].values[0][0]), 'the mark is the lowest unindexed rowid');
    } finally {
      db.close();
    }
    // Only the snapshot (no journal, no checksum): quick_check at open checks the full-text index against the events
    // too, so the events the mark names are indexed first (else the snapshot would read as damaged and be set aside).
    const copy = temporaryDirectory('ledger-snapshot-only-');
    fs.copyFileSync(file, path.join(copy, 'ledger.sqlite'));
    const reopened = await open(copy);
    assert.deepEqual(reopened.warnings, [], 'the snapshot was not taken for damaged');
    assert.equal(databaseOf(reopened).hasPendingIndexing, false);
    assert.deepEqual(matches(reopened, 'numbat'), ['big40']);
    assert.equal(Number(reopened.sql.all('SELECT count(*) AS n FROM events')[0].n), 3 + count);
    assert.equal(databaseOf(reopened).get(`SELECT value FROM _ledger_meta WHERE key = '${PENDING_INDEX_KEY}'`), undefined, 'the mark went');
    await reopened.transaction(() => reopened.sql.run("INSERT INTO search_events (search_events) VALUES ('integrity-check')"));
  });

  it('a store reopened from its large, checksummed snapshot with events waiting indexes them in the background', async () => {
    const directory = temporaryDirectory();
    const store = await open(directory);
    const session = await store.sessions.create({ type: 't', title: 'Background', intention: 'catch up when idle' });
    const count = await bulkPastQuickCheckSize(store, session.id, { at: 7, word: 'quoll' });
    await store.close(); // its last snapshot holds them unindexed, and marks them
    const reopened = await open(directory, 20);
    assert.deepEqual(reopened.warnings, []);
    assert.equal(databaseOf(reopened).hasPendingIndexing, true, 'not indexed at open (no quick_check: checksummed and large)');
    await untilIndexed(reopened, 20_000);
    assert.equal(databaseOf(reopened).hasPendingIndexing, false, 'indexed without a search asking');
    assert.equal(Number(databaseOf(reopened).get('SELECT count(*) AS n FROM search_events_docsize')?.n), count);
    assert.deepEqual(matches(reopened, 'quoll'), ['big7']);
  });

  it("a small store's snapshot is fully indexed (what an older version, which knows no mark, reads as sound)", async () => {
    const directory = temporaryDirectory();
    const store = await open(directory);
    const session = await store.sessions.create({ type: 't', title: 'Small', intention: 'fully indexed' });
    await appendSingles(store, session.id, 12, { at: 4, word: 'bandicoot' });
    assert.equal(databaseOf(store).hasPendingIndexing, true);
    await store.snapshot();
    const SQL = await initSqlJs();
    const db = new SQL.Database(fs.readFileSync(path.join(directory, 'ledger.sqlite')));
    try {
      const number = (sql: string) => Number(db.exec(sql)[0].values[0][0]);
      assert.equal(number('SELECT count(*) FROM search_events_docsize'), number('SELECT count(*) FROM events'));
      assert.equal(db.exec(`SELECT value FROM _ledger_meta WHERE key = '${PENDING_INDEX_KEY}'`).length, 0, 'no mark');
      assert.deepEqual(db.exec('PRAGMA quick_check')[0].values, [['ok']]);
    } finally {
      db.close();
    }
  });

  it('replaying a transaction that deleted the newest events and then appended one indexes the appended one', async () => {
    const directory = temporaryDirectory();
    const store = await open(directory);
    await store.close(); // a snapshot predating the events below
    const live = await open(directory);
    const session = await live.sessions.create({ type: 't', title: 'Reuse', intention: 'rowid reused' });
    const ids = await appendSingles(live, session.id, 6, { at: 0, word: 'dugong' });
    assert.equal(matches(live, 'dugong').length, 1);
    await live.transaction((tx) => {
      live.sql.run('DELETE FROM events WHERE id IN (?, ?)', [ids[4]!, ids[5]!]); // the newest: the next insert reuses a rowid
      tx.events.append({ id: 'reused', sessionId: session.id, type: 'tool', payload: { text: 'a cassowary here' } });
    });
    assert.deepEqual(matches(live, 'cassowary'), ['reused']);
    const recovered = await open(crashCopy(directory));
    assert.deepEqual(matches(recovered, 'cassowary'), ['reused']);
    await recovered.transaction(() => recovered.sql.run("INSERT INTO search_events (search_events) VALUES ('integrity-check')"));
  });

  it(`bulk commits (an import) leave their events to the idle indexer, which indexes them ${INDEX_SLICE_EVENTS} at a time`, async () => {
    const store = await open(temporaryDirectory(), 20);
    const session = await store.sessions.create({ type: 't', title: 'Bulk', intention: 'import fast' });
    const total = INDEX_SLICE_EVENTS * 2 + 100;
    const before = segments(store);
    const { durable } = store.commit((tx) => {
      for (let i = 0; i < total; i++)
        tx.events.append({
          id: `bulk${i}`,
          sessionId: session.id,
          type: 'tool',
          payload: { text: i === total - 1 ? 'dingo' : `bulk ${i}` },
        });
    });
    await durable;
    assert.equal(databaseOf(store).hasPendingIndexing, true, 'the bulk commit did not index');
    assert.equal(segments(store), before);
    await untilIndexed(store, 20_000);
    assert.equal(databaseOf(store).hasPendingIndexing, false);
    assert.equal(Number(databaseOf(store).get('SELECT count(*) AS n FROM search_events_docsize')?.n), total);
    assert.ok(segments(store) - before >= 3, `indexed in ${segments(store) - before} slices (FTS4 segments), not at once`);
    assert.deepEqual(matches(store, 'dingo'), [`bulk${total - 1}`]);
  });

  it('the pages the background indexer writes (not journalled) are snapshotted once enough of them are in memory', async function () {
    // Read whole into memory (as on Windows), the pages past the file the store opened stay in memory until it reopens,
    // and the index's pages are such pages: a snapshot would free none of them, so none is asked for.
    if (LedgerDatabase.modeOf(process.env.SESSION_LEDGER_TEST_FILE_MODE as FileMode | undefined) !== 'on-demand') this.skip();
    const { directory, store } = await storeLeftToIndex('Resident', 'wallaby');
    assert.equal(databaseOf(store).hasPendingIndexing, true);
    const snapshotsBefore = fs.statSync(path.join(directory, 'ledger.sqlite')).mtimeMs;
    await untilIndexed(store, 30_000);
    assert.equal(databaseOf(store).hasPendingIndexing, false);
    // No idle snapshots here (snapshotIdleMs 0) and no journal to speak of: only the indexer can have asked for one.
    await (store as unknown as { snapshots: { settled(): Promise<void> } }).snapshots.settled();
    assert.ok(fs.statSync(path.join(directory, 'ledger.sqlite')).mtimeMs > snapshotsBefore, 'a snapshot was written');
    // Without those snapshots every page the index was written to would still be in memory.
    const indexBytes = indexBytesOf(store);
    const resident = databaseOf(store).residentFileBytes!;
    assert.ok(indexBytes > 4 * 128 * 1024, `the index is ${indexBytes} bytes`);
    assert.ok(resident < indexBytes / 2, `${resident} bytes in memory for an index of ${indexBytes}`);
  });

  it('what the indexer writes while a snapshot is written counts toward the next one (it is not taken for pages no snapshot frees)', async function () {
    // The shape of a CI failure: the indexer's last slices ran while a snapshot was being written, as many bytes as
    // that snapshot released, and were then taken for pages no snapshot can free, so none was asked for again.
    if (LedgerDatabase.modeOf(process.env.SESSION_LEDGER_TEST_FILE_MODE as FileMode | undefined) !== 'on-demand') this.skip();
    const { store } = await storeLeftToIndex('Slow snapshot', 'numbat');
    type Writer = { write(image: unknown, file: string): Promise<void> };
    const snapshots = (store as unknown as { snapshots: { writer: Writer; settled(): Promise<void> } }).snapshots;
    const write = snapshots.writer.write.bind(snapshots.writer);
    let slowed = 0;
    snapshots.writer.write = async (image, file) => {
      // The first snapshot the indexer asks for is slow to write (a busy disk): its image is out while the indexer finishes.
      if (slowed++ === 0)
        await new Promise<void>((resolve) => {
          const wait = () => (databaseOf(store).hasPendingIndexing ? setTimeout(wait, 5) : resolve());
          wait();
        });
      return write(image, file);
    };
    await untilIndexed(store, 30_000);
    assert.equal(databaseOf(store).hasPendingIndexing, false);
    assert.ok(slowed >= 1, 'the indexer asked for a snapshot');
    for (let settled = 0; settled < 5; settled++) {
      await snapshots.settled();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const indexBytes = indexBytesOf(store);
    const resident = databaseOf(store).residentFileBytes!;
    assert.ok(resident < indexBytes / 2, `${resident} bytes in memory for an index of ${indexBytes} after ${slowed} snapshots`);
  });

  it('in-memory file mode: the pages a snapshot cannot free do not make every later write ask for another', async () => {
    const directory = temporaryDirectory();
    const store = await openStore(directory, { fileMode: 'in-memory', snapshotResidentBytes: 256 * 1024, snapshotJournalBytes: 1 << 30 });
    opened.push(store);
    const session = await store.sessions.create({ type: 't', title: 'In memory', intention: 'no snapshot loop' });
    await store.transaction((tx) => {
      for (let i = 0; i < 2000; i++)
        tx.events.append({ id: `m${i}`, sessionId: session.id, type: 'tool', payload: { text: 'x'.repeat(300) } });
    });
    await store.snapshot(); // the file grew past the base it was read from: in this mode those pages stay in memory
    assert.ok(databaseOf(store).residentFileBytes! >= 256 * 1024, 'the case this test is about');
    const snapshots = (store as unknown as { snapshots: { writeFiles(path: string): Promise<void>; settled(): Promise<void> } }).snapshots;
    let written = 0;
    const writeFiles = snapshots.writeFiles.bind(snapshots);
    snapshots.writeFiles = (file) => {
      written++;
      return writeFiles(file);
    };
    for (let i = 0; i < 20; i++) {
      await store.events.append({ id: `after${i}`, sessionId: session.id, type: 'tool', payload: { i } });
      await snapshots.settled(); // any snapshot that append asked for is written before the next one
    }
    assert.ok(written <= 1, `${written} snapshots for 20 small appends`);
  });

  it('store.sql.whenSearchable indexes what waits a slice at a time, letting the event loop run between slices', async () => {
    const store = await open(temporaryDirectory());
    const session = await store.sessions.create({ type: 't', title: 'Catch up', intention: 'no long stall' });
    await store.commit((tx) => {
      for (let i = 0; i < INDEX_SLICE_EVENTS * 3; i++)
        tx.events.append({ id: `c${i}`, sessionId: session.id, type: 'tool', payload: { text: i === 5 ? 'kookaburra' : `c ${i}` } });
    }).durable;
    assert.equal(store.sql.searchPending, true);
    let turns = 0;
    const ticking = setInterval(() => turns++, 0);
    try {
      await store.sql.whenSearchable();
    } finally {
      clearInterval(ticking);
    }
    assert.equal(store.sql.searchPending, false);
    assert.ok(turns >= 2, `the event loop ran ${turns} times while it indexed`);
    assert.deepEqual(matches(store, 'kookaburra'), ['c5']);
    await store.sql.whenSearchable(); // nothing waits: at once
  });

  it('a search right after a bulk commit finds its events (it indexes all that wait first)', async () => {
    const store = await open(temporaryDirectory());
    const session = await store.sessions.create({ type: 't', title: 'Bulk then search', intention: 'no wait' });
    await store.commit((tx) => {
      for (let i = 0; i < INDEX_SLICE_EVENTS + 10; i++)
        tx.events.append({ id: `b${i}`, sessionId: session.id, type: 'tool', payload: { text: i === 7 ? 'platypus' : `b ${i}` } });
    }).durable;
    assert.equal(databaseOf(store).hasPendingIndexing, true);
    assert.deepEqual(matches(store, 'platypus'), ['b7']);
    assert.equal(databaseOf(store).hasPendingIndexing, false);
  });

  it('after a crash with events still waiting to be indexed, reopening finds every one of them', async () => {
    const directory = temporaryDirectory();
    const store = await open(directory);
    await store.close(); // a snapshot predating the events below
    const live = await open(directory);
    const session = await live.sessions.create({ type: 't', title: 'Crash', intention: 'nothing lost from search' });
    const ids = await appendSingles(live, session.id, 20, { at: 11, word: 'wombat' });
    assert.equal(databaseOf(live).hasPendingIndexing, true);
    // What a crash leaves on disk now (no read of the index, no snapshot since the appends).
    const recovered = await open(crashCopy(directory));
    assert.deepEqual(matches(recovered, 'wombat'), [ids[11]]);
    assert.equal(Number(recovered.sql.all('SELECT count(*) AS n FROM search_events_docsize')[0].n), 20);
  });
});
