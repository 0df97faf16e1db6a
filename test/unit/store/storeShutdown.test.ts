import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { closeWithin } from '../../../src/core/store/storeShutdown';
import { LOCK_FILE, SNAPSHOT_FILE } from '../../../src/core/store/storeFiles';
import { openStore, temporaryDirectory } from './storeTestSupport';

describe('closing the store at shutdown', () => {
  it('waits for the close: final snapshot written, lock released', async () => {
    const directory = temporaryDirectory('shutdown-');
    const store = await openStore(directory, { snapshotInWorker: false });
    await store.sessions.create({ type: 'freeform', title: 'kept', intention: 'x' });
    assert.equal(fs.existsSync(path.join(directory, SNAPSHOT_FILE)), false, 'no snapshot yet');
    assert.equal(await closeWithin(store, 5_000), 'closed');
    assert.equal(fs.existsSync(path.join(directory, SNAPSHOT_FILE)), true, 'the final snapshot was written');
    assert.equal(fs.existsSync(path.join(directory, LOCK_FILE)), false, 'the lock was released');
  });

  it('stops waiting for a close that takes too long (the close goes on)', async () => {
    let finish!: () => void;
    const slow = { close: () => new Promise<void>((resolve) => (finish = resolve)) };
    const started = Date.now();
    assert.equal(await closeWithin(slow, 200), 'timed-out');
    const waited = Date.now() - started;
    assert.ok(waited >= 190 && waited < 2_000, `waited ${waited} ms`);
    finish();
  });

  it('passes on a close that fails', async () => {
    await assert.rejects(closeWithin({ close: () => Promise.reject(new Error('disk gone')) }, 1_000), /disk gone/);
  });
});
