/*
 * Issue 12, item 3: the store's folder deleted (or its journal replaced) while the store is open.
 * Appends after that are refused with a clear error instead of being acknowledged into an unlinked
 * file, the person is told once (not once per write), and rewriteHome() writes everything the store
 * holds to the recreated folder, after which the store works and reopens with every acknowledged event.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SessionStore } from '../../src/core/store/SessionStore';
import type { StoreWarning } from '../../src/core/store/storeWarning';
import { contiguousSeqs, journalFiles, openStore, temporaryDirectory } from '../unit/store/storeTestSupport';

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function openDescriptors(): number {
  return fs.readdirSync('/proc/self/fd').length;
}

async function storeWithHistory(
  directory: string,
  options: Parameters<typeof openStore>[1] = {},
): Promise<{ store: SessionStore; sessionId: string; acknowledged: string[]; warnings: StoreWarning[] }> {
  const store = await openStore(directory, options);
  const warnings: StoreWarning[] = [];
  store.onDidWarn((warning) => warnings.push(warning));
  const session = await store.sessions.create({ type: 't', title: 'Deleted folder', intention: 'notice it' });
  const acknowledged: string[] = [];
  for (let i = 0; i < 40; i++) {
    await store.events.append({ id: `before-${i}`, sessionId: session.id, type: 'agent.text', payload: { i, text: 'x'.repeat(200) } });
    acknowledged.push(`before-${i}`);
    if (i === 20) await store.snapshot(); // the database's base is then a file in the folder
  }
  return { store, sessionId: session.id, acknowledged, warnings };
}

describe('store folder deleted while open (issue 12, item 3)', function () {
  this.timeout(60_000);

  it('refuses every append after the deletion with one warning, and rewriteHome() restores a working store holding everything acknowledged', async function () {
    if (process.platform === 'win32') this.skip(); // an open file's folder cannot be deleted there
    const directory = temporaryDirectory('ledger-deleted-');
    const { store, sessionId, acknowledged, warnings } = await storeWithHistory(directory, { fileCheckMs: 50, snapshotJournalBytes: 4096 });
    try {
      await store.snapshot(); // none in flight while the folder goes (rm -r would race its temporary file)
      fs.rmSync(directory, { recursive: true, force: true });
      await wait(300); // the timer's check (every 50 ms) has run
      const outcomes = await Promise.allSettled(
        Array.from({ length: 200 }, (_, i) => store.events.append({ id: `after-${i}`, sessionId, type: 'agent.text', payload: { i } })),
      );
      const accepted = outcomes.filter((outcome) => outcome.status === 'fulfilled').length;
      assert.equal(accepted, 0, 'no append after the deletion is acknowledged');
      const reasons = new Set(outcomes.map((outcome) => (outcome as PromiseRejectedResult).reason.message));
      assert.equal(reasons.size, 1);
      assert.match(
        [...reasons][0],
        /journal .*journal-\d{16}\.log was deleted while the store was open .*no further changes are accepted.*Rewrite the store/,
      );
      assert.deepEqual(
        warnings.map((w) => w.kind),
        ['journal-lost'],
        'one warning for the condition, not one per write',
      );
      assert.deepEqual(
        store.warnings.map((w) => w.kind),
        ['journal-lost'],
      );
      await assert.rejects(store.snapshot(), /was deleted/);
      assert.equal(warnings.length, 1, 'a refused snapshot does not warn again');

      await store.rewriteHome();
      assert.ok(
        fs.existsSync(path.join(directory, 'ledger.sqlite')) &&
          fs.existsSync(path.join(directory, 'ledger.sqlite.sum')) &&
          fs.existsSync(path.join(directory, 'ledger.lock')),
      );
      assert.equal(journalFiles(directory).length, 1);
      await store.events.append({ id: 'after-rewrite', sessionId, type: 'agent.text' });
      assert.equal(store.events.list(sessionId, { after: 0, limit: 1000 }).length, acknowledged.length + 1);
      await assert.rejects(store.rewriteHome(), /is working: there is nothing to rewrite/);
    } finally {
      await store.close();
    }
    assert.equal(fs.existsSync(path.join(directory, 'ledger.lock')), false, 'close released the new lock');
    const reopened = await openStore(directory);
    try {
      assert.deepEqual(reopened.warnings, []);
      assert.deepEqual(
        reopened.events.list(sessionId, { after: 0, limit: 1000 }).map((e) => e.id),
        [...acknowledged, 'after-rewrite'],
      );
      contiguousSeqs(reopened, sessionId);
    } finally {
      await reopened.close();
    }
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it('without the timer, still checks before acknowledging: the first append after the deletion is refused', async function () {
    if (process.platform === 'win32') this.skip();
    const directory = temporaryDirectory('ledger-deleted-');
    const descriptors = openDescriptors();
    const { store, sessionId, warnings } = await storeWithHistory(directory, { fileCheckMs: 0, snapshotInWorker: false });
    try {
      fs.rmSync(directory, { recursive: true, force: true });
      await wait(150); // longer than the gap between two checks under load (100 ms)
      await assert.rejects(store.events.append({ id: 'first-after', sessionId, type: 'x' }), /was deleted while the store was open/);
      await assert.rejects(store.events.append({ id: 'second-after', sessionId, type: 'x' }), /was deleted while the store was open/);
      assert.deepEqual(
        warnings.map((w) => w.kind),
        ['journal-lost'],
      );
    } finally {
      await store.close();
    }
    assert.equal(openDescriptors(), descriptors, 'close released the lost segment and the snapshot it read from');
  });

  it("notices a journal replaced by another file, and rewriteHome() refuses to write over another store's files", async () => {
    const directory = temporaryDirectory('ledger-replaced-');
    const { store, sessionId, warnings } = await storeWithHistory(directory, { fileCheckMs: 50, snapshotInWorker: false });
    try {
      const [segment] = journalFiles(directory).slice(-1);
      fs.copyFileSync(segment, `${segment}.copy`);
      fs.renameSync(`${segment}.copy`, segment); // same name, another file: writes to the old one would be lost
      await wait(300);
      await assert.rejects(store.events.append({ id: 'after', sessionId, type: 'x' }), /was replaced by another file/);
      assert.deepEqual(
        warnings.map((w) => w.kind),
        ['journal-lost'],
      );
      const before = fs.readdirSync(directory).sort();
      await assert.rejects(store.rewriteHome(), /already holds session store files \(.*ledger\.sqlite.*\).*Move those files elsewhere/);
      assert.deepEqual(fs.readdirSync(directory).sort(), before, 'nothing written or removed');
    } finally {
      await store.close();
    }
    fs.rmSync(directory, { recursive: true, force: true });
  });
});
