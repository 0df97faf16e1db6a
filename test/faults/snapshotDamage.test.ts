/*
 * Issue 12, item 2: a damaged snapshot is detected every time, the store reopens with every
 * acknowledged event (from the previous snapshot and the journal since it), never empty, never
 * silently changed; the damaged file is kept aside with a timestamped name and the person told.
 * The damage is placed at seeded random offsets (reproducible): in the SQLite header, in pages
 * holding event data, and anywhere in the file.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LOCK_FILE, checksumFile, checksumPath } from '../../src/core/store/storeFiles';
import type { SessionStore } from '../../src/core/store/SessionStore';
import { openStore, temporaryDirectory } from '../unit/store/storeTestSupport';

const SEED = 0x5eed12;
const HEADER_DAMAGES = 6;
const DATA_PAGE_DAMAGES = 10;
const ANYWHERE_DAMAGES = 8;
const KEPT_ASIDE_SNAPSHOT = /^ledger\.sqlite\.corrupt-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z(-\d+)?$/;

/** mulberry32: a small seeded generator, so every run damages the same bytes. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function copyStore(from: string): string {
  const to = temporaryDirectory('ledger-damage-');
  for (const name of fs.readdirSync(from)) if (name !== LOCK_FILE) fs.copyFileSync(path.join(from, name), path.join(to, name));
  return to;
}

/** Everything a reader can see of the store's events and sessions, to compare before and after. */
function contents(store: SessionStore): unknown {
  return store.sessions.list().map((session) => ({
    id: session.id,
    eventCount: session.eventCount,
    lastSeq: store.events.lastSeq(session.id),
    events: store.events
      .list(session.id, { after: 0, limit: 10_000 })
      .map((event) => ({ id: event.id, seq: event.seq, type: event.type, payload: event.payload })),
  }));
}

describe('snapshot damage (issue 12, item 2)', function () {
  this.timeout(120_000);
  let pristine: string;
  let expected: unknown;
  let markers: string[];

  before(async () => {
    // Three snapshots (the last one written by close), so there are a latest and a previous one,
    // and the journal since the previous one; some events reach only the journal of the live store.
    pristine = temporaryDirectory('ledger-damage-pristine-');
    const store = await openStore(pristine, { snapshotInWorker: false });
    const sessions: { id: string }[] = [];
    for (let s = 0; s < 3; s++)
      sessions.push(await store.sessions.create({ type: 't', title: `Damage ${s}`, intention: 'survive bit rot' }));
    markers = [];
    let n = 0;
    const append = async (count: number) => {
      for (let i = 0; i < count; i++, n++) {
        const marker = `marker-${String(n).padStart(5, '0')}`;
        markers.push(marker);
        await store.events.append({
          id: `event-${n}`,
          sessionId: sessions[n % 3].id,
          type: 'agent.text',
          payload: { marker, text: `${marker} `.repeat(20 + (n % 40)) },
        });
      }
    };
    await append(120);
    await store.snapshot();
    await append(120);
    await store.snapshot();
    await append(60);
    expected = contents(store);
    await store.close();
    assert.ok(fs.existsSync(path.join(pristine, 'ledger.previous.sqlite')), 'a previous snapshot to fall back to');
  });

  after(() => fs.rmSync(pristine, { recursive: true, force: true }));

  function offsets(): { offset: number; where: string }[] {
    const next = random(SEED);
    const snapshot = fs.readFileSync(path.join(pristine, 'ledger.sqlite'));
    const chosen: { offset: number; where: string }[] = [];
    for (let i = 0; i < HEADER_DAMAGES; i++) chosen.push({ offset: Math.floor(next() * 100), where: 'header' });
    for (let i = 0; i < DATA_PAGE_DAMAGES; i++) {
      // A byte inside an event's stored payload: a page that holds data.
      const marker = markers[Math.floor(next() * markers.length)];
      const at = snapshot.indexOf(Buffer.from(marker));
      assert.ok(at >= 0, `${marker} is in the snapshot`);
      chosen.push({ offset: at + Math.floor(next() * marker.length), where: `event data (${marker})` });
    }
    for (let i = 0; i < ANYWHERE_DAMAGES; i++) chosen.push({ offset: Math.floor(next() * snapshot.length), where: 'anywhere' });
    return chosen;
  }

  it(`detects damage at ${HEADER_DAMAGES + DATA_PAGE_DAMAGES + ANYWHERE_DAMAGES} seeded offsets every time and reopens with every acknowledged event, from the previous snapshot and the journal`, async () => {
    const damages = offsets();
    assert.ok(damages.length >= 20);
    const next = random(SEED ^ 0xffff);
    for (const { offset, where } of damages) {
      const directory = copyStore(pristine);
      const snapshot = path.join(directory, 'ledger.sqlite');
      const bytes = fs.readFileSync(snapshot);
      bytes[offset] ^= 1 + Math.floor(next() * 255); // always a change
      fs.writeFileSync(snapshot, bytes);
      const label = `damage at byte ${offset} (${where})`;
      const store = await openStore(directory, { snapshotInWorker: false });
      try {
        assert.deepEqual(
          store.warnings.map((w) => w.kind),
          ['corrupt-snapshot'],
          `${label}: ${store.warnings.map((w) => w.message).join(' | ')}`,
        );
        const [warning] = store.warnings;
        assert.match(path.basename(warning.keptAsidePath!), KEPT_ASIDE_SNAPSHOT, label);
        assert.ok(fs.readFileSync(warning.keptAsidePath!).equals(bytes), `${label}: the damaged bytes are kept as they were`);
        assert.match(
          warning.message,
          /rebuilt from the previous snapshot \(ledger\.previous\.sqlite\) and the \d+ journal records? written since it, so nothing was lost/,
          label,
        );
        assert.deepEqual(contents(store), expected, `${label}: every acknowledged event, unchanged`);
        await store.events.append({ id: `after-${offset}`, sessionId: store.sessions.list()[0].id, type: 'after' });
      } finally {
        await store.close();
      }
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });

  it('blames the snapshot, not the journal, when its checksum matches but SQLite finds it inconsistent (a bad image, not bit rot)', async () => {
    const directory = copyStore(pristine);
    const snapshot = path.join(directory, 'ledger.sqlite');
    const bytes = fs.readFileSync(snapshot);
    const pageSize = bytes.readUInt16BE(16);
    // The b-tree page holding the first marker: its page-type byte set to an invalid value.
    const page = Math.floor(bytes.indexOf(Buffer.from(markers[0])) / pageSize);
    bytes[page * pageSize] = 0x07;
    fs.writeFileSync(snapshot, bytes);
    // The checksum file rewritten to match, as a writer bug (rather than the disk) would leave it.
    const sum = JSON.parse(fs.readFileSync(checksumPath(snapshot), 'utf8'));
    fs.writeFileSync(checksumPath(snapshot), JSON.stringify({ ...sum, ...checksumFile(snapshot) }));
    const store = await openStore(directory, { snapshotInWorker: false });
    try {
      assert.deepEqual(
        store.warnings.map((w) => w.kind),
        ['corrupt-snapshot'],
        store.warnings.map((w) => w.message).join(' | '),
      );
      assert.match(store.warnings[0].message, /quick_check|malformed/);
      assert.deepEqual(contents(store), expected);
    } finally {
      await store.close();
    }
  });

  it('a crash in the middle of installing a snapshot (latest moved to previous, new one not yet in place) loses nothing and warns of nothing', async () => {
    const directory = copyStore(pristine);
    const file = (name: string) => path.join(directory, name);
    // Where the install stops: the previous snapshot's checksum removed, the latest renamed to the
    // previous, its checksum file not yet moved, the new snapshot still a temporary file.
    fs.rmSync(file('ledger.previous.sqlite.sum'));
    fs.renameSync(file('ledger.sqlite'), file('ledger.previous.sqlite'));
    fs.writeFileSync(file('ledger.sqlite.tmp'), Buffer.alloc(4096, 0x11));
    let store = await openStore(directory, { snapshotInWorker: false });
    try {
      assert.deepEqual(store.warnings, []);
      assert.deepEqual(contents(store), expected);
    } finally {
      await store.close();
    }
    store = await openStore(directory, { snapshotInWorker: false });
    try {
      assert.deepEqual(store.warnings, [], 'the snapshot written since pairs with its own checksum file');
      assert.deepEqual(contents(store), expected);
    } finally {
      await store.close();
    }
  });

  it('a damaged checksum file sets its snapshot aside too (never trusted unverified) and the previous snapshot restores everything', async () => {
    const directory = copyStore(pristine);
    fs.writeFileSync(path.join(directory, 'ledger.sqlite.sum'), '{"format": "session-ledger snapshot checksum", "version": 1, "algor');
    const store = await openStore(directory, { snapshotInWorker: false });
    try {
      assert.deepEqual(
        store.warnings.map((w) => w.kind),
        ['corrupt-snapshot'],
      );
      assert.match(store.warnings[0].message, /checksum file .*ledger\.sqlite\.sum is unreadable/);
      assert.ok(fs.existsSync(`${store.warnings[0].keptAsidePath}.sum`), 'the checksum file is kept aside beside it');
      assert.deepEqual(contents(store), expected);
    } finally {
      await store.close();
    }
  });

  it('opens a snapshot written before checksums (no .sum file) after quick_check, then writes a checksummed one', async () => {
    const directory = copyStore(pristine);
    for (const name of ['ledger.sqlite.sum', 'ledger.previous.sqlite', 'ledger.previous.sqlite.sum']) fs.rmSync(path.join(directory, name));
    const store = await openStore(directory, { snapshotInWorker: false });
    try {
      assert.deepEqual(store.warnings, []);
      assert.deepEqual(contents(store), expected);
    } finally {
      await store.close();
    }
    const sum = JSON.parse(fs.readFileSync(path.join(directory, 'ledger.sqlite.sum'), 'utf8'));
    assert.equal(sum.size, fs.statSync(path.join(directory, 'ledger.sqlite')).size, 'a checksummed snapshot replaced the old one');
  });
});
