import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import initSqlJs from 'sql.js';
import { INDEX_BATCH_EVENTS, type LedgerDatabase } from '../../../src/core/store/ledgerDatabase';
import type { SessionStore } from '../../../src/core/store/SessionStore';
import { newEventId, openStore, temporaryDirectory } from './storeTestSupport';

/*
 * Events are indexed for search in batches, not in every transaction (ledgerDatabase.ts says when).
 * What must hold whatever the batching: an acknowledged event is found by the next search, a
 * snapshot is fully indexed, and a crash with events still waiting loses none of them from search.
 */

const databaseOf = (store: SessionStore) => (store as unknown as { database: LedgerDatabase }).database;
const MATCH_SQL = 'SELECT e.id FROM search_events JOIN events e ON e.rowid = search_events.docid WHERE search_events MATCH ? ORDER BY e.id';
const matches = (store: SessionStore, word: string) => store.sql.all(MATCH_SQL, [word]).map((row) => row.id);
const segments = (store: SessionStore) => Number(store.sql.all('SELECT count(*) AS n FROM search_events_segdir')[0].n);

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
    const deadline = Date.now() + 5_000;
    while (databaseOf(store).hasPendingIndexing && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(databaseOf(store).hasPendingIndexing, false, 'indexed in the background once appends paused');
    const indexed = Number(databaseOf(store).get('SELECT count(*) AS n FROM search_events_docsize')?.n);
    assert.equal(indexed, INDEX_BATCH_EVENTS + 5);
  });

  it('a snapshot holds every acknowledged event indexed, even those still waiting when it was taken', async () => {
    const directory = temporaryDirectory();
    const store = await open(directory);
    const session = await store.sessions.create({ type: 't', title: 'Snapshot', intention: 'fully indexed' });
    const ids = await appendSingles(store, session.id, 12, { at: 4, word: 'numbat' });
    assert.equal(databaseOf(store).hasPendingIndexing, true);
    await store.snapshot();
    // Read the snapshot file as it is on disk, with plain sql.js: no journal replay, no store.
    const SQL = await initSqlJs();
    const db = new SQL.Database(fs.readFileSync(path.join(directory, 'ledger.sqlite')));
    try {
      const count = (sql: string) => Number(db.exec(sql)[0].values[0][0]);
      assert.equal(count('SELECT count(*) FROM search_events_docsize'), count('SELECT count(*) FROM events'));
      assert.equal(count('SELECT count(*) FROM events'), 12);
      const hit = db.exec(
        `SELECT e.id FROM search_events JOIN events e ON e.rowid = search_events.docid WHERE search_events MATCH 'numbat'`,
      );
      assert.deepEqual(hit[0].values, [[ids[4]]]);
    } finally {
      db.close();
    }
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
    const image = temporaryDirectory('ledger-crash-');
    for (const name of fs.readdirSync(directory))
      if (name !== 'ledger.lock') fs.copyFileSync(path.join(directory, name), path.join(image, name));
    const recovered = await open(image);
    assert.deepEqual(matches(recovered, 'wombat'), [ids[11]]);
    assert.equal(Number(recovered.sql.all('SELECT count(*) AS n FROM search_events_docsize')[0].n), 20);
  });
});
