import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeSegment } from '../../../src/core/store/journalRecord';
import { StoreLockedError } from '../../../src/core/store/lockFile';
import type { SessionStore } from '../../../src/core/store/SessionStore';
import { contiguousSeqs, crashCopy, journalFiles, newEventId, openStore, temporaryDirectory } from './storeTestSupport';

async function storeWithEvents(
  count: number,
  options: { snapshotFirst?: boolean } = {},
): Promise<{ store: SessionStore; directory: string; sessionId: string; eventIds: string[] }> {
  const directory = temporaryDirectory();
  let store = await openStore(directory);
  if (options.snapshotFirst) {
    await store.close();
    store = await openStore(directory);
  }
  const session = await store.sessions.create({ type: 't', title: 'Durable', intention: 'keep everything' });
  const eventIds: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = randomUUID();
    eventIds.push(id);
    await store.events.append({ id, sessionId: session.id, type: 'agent.text', payload: { i, text: 'x'.repeat(100) } });
  }
  return { store, directory, sessionId: session.id, eventIds };
}

/** `<name>.corrupt-<timestamp>` (ISO time with ':' and '.' as '-', then '-2', '-3'… if taken) for the snapshot. */
const KEPT_ASIDE_SNAPSHOT = /^ledger\.sqlite\.corrupt-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z(-\d+)?$/;

function asideFiles(directory: string): string[] {
  return fs.readdirSync(directory).filter((name) => name.includes('.corrupt-'));
}

describe('SessionStore durability', function () {
  this.timeout(30_000);
  const opened: SessionStore[] = [];
  async function reopen(directory: string): Promise<SessionStore> {
    const store = await openStore(directory);
    opened.push(store);
    return store;
  }
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });

  it('recovers acknowledged writes from the journal alone (no snapshot yet)', async () => {
    const { store, directory, sessionId, eventIds } = await storeWithEvents(20);
    opened.push(store);
    const image = crashCopy(directory);
    assert.equal(fs.existsSync(path.join(image, 'ledger.sqlite')), false);
    const recovered = await reopen(image);
    assert.deepEqual(
      recovered.events.list(sessionId).map((e) => e.id),
      eventIds,
    );
    assert.equal(recovered.sessions.require(sessionId).eventCount, 20);
    assert.deepEqual(recovered.warnings, []);
  });

  it('replaying the journal indexes the replayed events for search again, as the live store did (the indexing is not journalled)', async () => {
    const { store, directory, sessionId } = await storeWithEvents(3, { snapshotFirst: true });
    opened.push(store);
    await store.transaction((tx) => {
      for (let i = 0; i < 50; i++)
        tx.events.append({ id: `r${i}`, sessionId, type: 'tool', payload: { text: i === 9 ? 'bandicoot' : `plain ${i}` } });
    });
    await store.events.append({ id: 'lone', sessionId, type: 'tool', payload: { text: 'bandicoot alone' } });
    const matches = (s: SessionStore) =>
      s.sql
        .all(
          "SELECT e.id FROM search_events JOIN events e ON e.rowid = search_events.docid WHERE search_events MATCH 'bandicoot' ORDER BY e.id",
        )
        .map((r) => r.id);
    assert.deepEqual(matches(store), ['lone', 'r9']);
    const image = crashCopy(directory); // the snapshot predates these events: they come back from the journal
    const recovered = await reopen(image);
    assert.deepEqual(matches(recovered), ['lone', 'r9']);
    await recovered.transaction(() => recovered.sql.run("INSERT INTO search_events (search_events) VALUES ('integrity-check')"));
  });

  it('stops accepting writes, saying why, when a COMMIT fails after its record reached the journal; reopening keeps everything before it', async () => {
    const { store, directory, sessionId, eventIds } = await storeWithEvents(5);
    opened.push(store);
    // The schema has no deferred constraints; this transaction makes one so that COMMIT itself fails.
    await assert.rejects(
      store.transaction(() => {
        store.sql.run('PRAGMA defer_foreign_keys = ON');
        store.sql.run("INSERT INTO events (id, session_id, seq, type, payload, ts) VALUES ('orphan', 'no-such-session', 1, 'x', '{}', 0)");
      }),
      /FOREIGN KEY/,
    );
    await assert.rejects(
      store.events.append({ id: newEventId(), sessionId, type: 'after', payload: {} }),
      /could not commit a transaction its journal already holds.*reopened/,
    );
    assert.deepEqual(
      store.events.list(sessionId).map((e) => e.id),
      eventIds,
      'memory holds what was committed',
    );
    await store.close();
    const recovered = await reopen(directory);
    assert.deepEqual(
      recovered.events.list(sessionId).map((e) => e.id),
      eventIds,
    );
    assert.equal(recovered.events.get('orphan'), undefined);
    assert.ok(
      recovered.warnings.some((w) => /cannot be applied \(FOREIGN KEY/.test(w.message) && w.keptAsidePath),
      recovered.warnings.map((w) => w.message).join('\n'),
    );
    await recovered.events.append({ id: newEventId(), sessionId, type: 'after reopening', payload: {} });
    assert.equal(recovered.events.list(sessionId).length, eventIds.length + 1);
  });

  it('writes checksummed snapshots in the worker (run from source); the journal is dropped only once a newer snapshot covers it; reopening loads them', async () => {
    const { store, directory, sessionId, eventIds } = await storeWithEvents(10);
    await store.snapshot();
    assert.ok(fs.statSync(path.join(directory, 'ledger.sqlite')).size > 0);
    const sum = JSON.parse(fs.readFileSync(path.join(directory, 'ledger.sqlite.sum'), 'utf8'));
    assert.equal(sum.size, fs.statSync(path.join(directory, 'ledger.sqlite')).size);
    assert.equal(sum.ranges.length, Math.ceil(sum.size / (1024 * 1024)));
    assert.equal(
      journalFiles(directory).length,
      2,
      'the first snapshot has no previous one: the journal it covers stays, to rebuild from should it be damaged',
    );
    const kept = decodeSegment(fs.readFileSync(journalFiles(directory)[0])).records.map((r) => r.recordNumber);
    assert.deepEqual(
      kept,
      Array.from({ length: kept.length }, (_, i) => i + 1),
      'from the first record on',
    );
    await store.events.append({ id: 'after-snapshot', sessionId, type: 'x' });
    await store.snapshot();
    assert.ok(
      fs.existsSync(path.join(directory, 'ledger.previous.sqlite')) && fs.existsSync(path.join(directory, 'ledger.previous.sqlite.sum')),
      'the previous snapshot is kept, with its checksum',
    );
    const segments = journalFiles(directory);
    assert.equal(segments.length, 2, 'the segments only the first snapshot covered are dropped; the one since it stays');
    assert.deepEqual(
      decodeSegment(fs.readFileSync(segments[0])).records.map((r) => r.recordNumber),
      [kept.length + 1],
    );
    assert.deepEqual(store.warnings, [], 'the worker did the snapshot (a broken worker raises a warning)');
    const image = crashCopy(directory);
    const recovered = await reopen(image);
    assert.deepEqual(
      recovered.events.list(sessionId).map((e) => e.id),
      [...eventIds, 'after-snapshot'],
    );
    await store.close();
    const reopened = await reopen(directory);
    assert.equal(reopened.events.lastSeq(sessionId), 11);
    assert.deepEqual(reopened.warnings, []);
  });

  it('replays the valid prefix of a truncated journal tail and keeps the torn bytes aside', async () => {
    const { store, directory, sessionId, eventIds } = await storeWithEvents(5);
    opened.push(store);
    const image = crashCopy(directory);
    const [segment] = journalFiles(image);
    const size = decodeSegment(fs.readFileSync(segment)).validBytes; // the zero-filled preallocation goes too
    fs.truncateSync(segment, size - 7);
    const recovered = await reopen(image);
    assert.deepEqual(
      recovered.events.list(sessionId).map((e) => e.id),
      eventIds.slice(0, 4),
    );
    contiguousSeqs(recovered, sessionId);
    assert.equal(recovered.warnings.length, 1);
    assert.equal(recovered.warnings[0].kind, 'corrupt-journal');
    const aside = recovered.warnings[0].keptAsidePath!;
    assert.ok(fs.existsSync(aside) && aside.startsWith(`${segment}.corrupt-`));
    assert.equal(fs.statSync(segment).size + fs.statSync(aside).size, size - 7, 'nothing thrown away');
    const next = await recovered.events.append({ id: 'next', sessionId, type: 'x' });
    assert.equal(next.seq, 5);
  });

  it('stops at a garbled record, keeps it and everything after it aside', async () => {
    const { store, directory, sessionId, eventIds } = await storeWithEvents(6);
    opened.push(store);
    const image = crashCopy(directory);
    const [segment] = journalFiles(image);
    const bytes = fs.readFileSync(segment);
    const marker = bytes.indexOf(Buffer.from('\\"i\\":3')); // the event payload, JSON inside the JSON record
    assert.ok(marker > 0);
    bytes[marker + 6] = '7'.charCodeAt(0); // same length, wrong checksum
    fs.writeFileSync(segment, bytes);
    const recovered = await reopen(image);
    assert.deepEqual(
      recovered.events.list(sessionId).map((e) => e.id),
      eventIds.slice(0, 3),
    );
    assert.match(recovered.warnings[0].message, /checksum mismatch/);
    assert.deepEqual(asideFiles(image).length, 1);
  });

  it('keeps a corrupt snapshot aside and rebuilds from a complete journal', async () => {
    const { store, directory, sessionId, eventIds } = await storeWithEvents(3);
    opened.push(store);
    const image = crashCopy(directory);
    fs.writeFileSync(path.join(image, 'ledger.sqlite'), Buffer.alloc(8192, 0x5a));
    const recovered = await reopen(image);
    assert.deepEqual(
      recovered.events.list(sessionId).map((e) => e.id),
      eventIds,
    );
    assert.deepEqual(
      recovered.warnings.map((w) => w.kind),
      ['corrupt-snapshot'],
    );
    const [warning] = recovered.warnings;
    assert.equal(path.dirname(warning.keptAsidePath!), image);
    assert.match(path.basename(warning.keptAsidePath!), KEPT_ASIDE_SNAPSHOT);
    assert.equal(fs.readFileSync(warning.keptAsidePath!).length, 8192);
    assert.ok(
      warning.message.includes(`It was kept as ${warning.keptAsidePath}; the store was rebuilt from the journal (`),
      warning.message,
    );
    assert.match(warning.message, /nothing was lost/);
  });

  it('with a corrupt snapshot and a garbled journal, says the store was rebuilt only up to the damage', async () => {
    const { store, directory, sessionId, eventIds } = await storeWithEvents(6);
    opened.push(store);
    const image = crashCopy(directory);
    fs.writeFileSync(path.join(image, 'ledger.sqlite'), Buffer.alloc(8192, 0x5a));
    const [segment] = journalFiles(image);
    const bytes = fs.readFileSync(segment);
    bytes[bytes.indexOf(Buffer.from('\\"i\\":3')) + 6] = '7'.charCodeAt(0);
    fs.writeFileSync(segment, bytes);
    const recovered = await reopen(image);
    assert.deepEqual(
      recovered.events.list(sessionId).map((e) => e.id),
      eventIds.slice(0, 3),
    );
    assert.deepEqual(
      recovered.warnings.map((w) => w.kind),
      ['corrupt-snapshot', 'corrupt-journal'],
    );
    assert.match(path.basename(recovered.warnings[0].keptAsidePath!), KEPT_ASIDE_SNAPSHOT);
    assert.match(
      recovered.warnings[0].message,
      /the store was rebuilt from the \d+ journal records before damage in the journal \(.*checksum mismatch.*\); the rest of the journal was kept aside too\. Later changes may be missing\./,
    );
    assert.doesNotMatch(recovered.warnings[0].message, /nothing was lost/);
  });

  it('replaces a truncated snapshot by the previous one and the journal since it, losing nothing', async () => {
    const { store, directory } = await storeWithEvents(3, { snapshotFirst: true });
    await store.close();
    const again = await reopen(directory);
    const sessionId = again.sessions.list()[0].id;
    await again.events.append({ id: 'late', sessionId, type: 'x' });
    const image = crashCopy(directory);
    const snapshot = path.join(image, 'ledger.sqlite');
    fs.truncateSync(snapshot, fs.statSync(snapshot).size - 4096);
    const recovered = await reopen(image);
    assert.deepEqual(
      recovered.warnings.map((w) => w.kind),
      ['corrupt-snapshot'],
    );
    const [warning] = recovered.warnings;
    assert.match(path.basename(warning.keptAsidePath!), KEPT_ASIDE_SNAPSHOT);
    assert.match(warning.message, /differs from the \d+ bytes written/);
    assert.match(
      warning.message,
      /rebuilt from the previous snapshot \(ledger\.previous\.sqlite\) and the \d+ journal records? written since it, so nothing was lost/,
    );
    assert.equal(recovered.events.list(sessionId).length, 4);
    assert.ok(recovered.events.get('late'));
    contiguousSeqs(recovered, sessionId);
  });

  it('with the previous snapshot gone too, keeps the truncated snapshot and the unreplayable journal aside and says the store was opened empty', async () => {
    const { store, directory } = await storeWithEvents(3, { snapshotFirst: true });
    await store.close();
    const again = await reopen(directory);
    const sessionId = again.sessions.list()[0].id;
    await again.events.append({ id: 'late', sessionId, type: 'x' });
    const image = crashCopy(directory);
    fs.rmSync(path.join(image, 'ledger.previous.sqlite'));
    const snapshot = path.join(image, 'ledger.sqlite');
    fs.truncateSync(snapshot, fs.statSync(snapshot).size - 4096);
    const recovered = await reopen(image);
    const kinds = recovered.warnings.map((w) => w.kind);
    assert.equal(kinds[0], 'corrupt-snapshot');
    assert.ok(kinds.length >= 2 && kinds.slice(1).every((kind) => kind === 'unreplayable-journal'), kinds.join());
    const snapshotWarning = recovered.warnings[0];
    assert.match(path.basename(snapshotWarning.keptAsidePath!), KEPT_ASIDE_SNAPSHOT);
    assert.doesNotMatch(snapshotWarning.message, /rebuilt/, 'nothing was rebuilt: the journal was kept aside');
    assert.match(
      snapshotWarning.message,
      /the journal could not replace it \(record \d+ follows record 0: .*\) and was kept aside too, so the store was opened empty\. If you have a backup/,
    );
    assert.equal(recovered.sessions.count(), 0);
    assert.equal(asideFiles(image).filter((name) => !name.endsWith('.sum')).length, kinds.length, 'all kept, nothing deleted');
    await recovered.sessions.create({ type: 't', title: 'fresh', intention: 'go on' });
  });

  it('refuses a second writer with an error naming the lock file and pid', async () => {
    const { store, directory } = await storeWithEvents(1);
    opened.push(store);
    await assert.rejects(openStore(directory), (error: unknown) => {
      assert.ok(error instanceof StoreLockedError);
      assert.equal(error.pid, process.pid);
      assert.ok(error.message.includes(path.join(directory, 'ledger.lock')));
      assert.ok(error.message.includes(`pid ${process.pid}`));
      return true;
    });
    assert.equal(store.events.list(store.sessions.list()[0].id).length, 1, 'the first writer is unaffected');
  });

  it('takes over a stale lock left by a dead process', async () => {
    const directory = temporaryDirectory();
    const dead = spawnSync(process.execPath, ['-e', '']);
    fs.writeFileSync(
      path.join(directory, 'ledger.lock'),
      JSON.stringify({ pid: dead.pid, hostname: require('node:os').hostname(), acquiredAt: 'then' }),
    );
    const store = await reopen(directory);
    assert.equal(JSON.parse(fs.readFileSync(path.join(directory, 'ledger.lock'), 'utf8')).pid, process.pid);
    await store.close();
    assert.equal(fs.existsSync(path.join(directory, 'ledger.lock')), false, 'close releases the lock');
  });
});
