import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LockFile, StoreLockedError } from '../../../src/core/store/lockFile';
import { openStore, temporaryDirectory } from './storeTestSupport';

/** Writes a lock file as another holder would, its mtime (heartbeat) `ageMs` in the past. */
function foreignLock(directory: string, content: Record<string, unknown>, ageMs: number): string {
  const lockPath = path.join(directory, 'ledger.lock');
  fs.writeFileSync(lockPath, JSON.stringify({ acquiredAt: '2026-01-01T00:00:00.000Z', ...content }));
  const then = new Date(Date.now() - ageMs);
  fs.utimesSync(lockPath, then, then);
  return lockPath;
}

const OTHER_HOST = `${os.hostname()}-previous-container`;

describe('LockFile', () => {
  it('refreshes the lock file mtime while held (heartbeat) and removes the file on release', async () => {
    const lockPath = path.join(temporaryDirectory(), 'ledger.lock');
    const lock = LockFile.acquire(lockPath, { heartbeatMs: 20 });
    const anHourAgo = new Date(Date.now() - 3_600_000);
    fs.utimesSync(lockPath, anHourAgo, anHourAgo);
    await sleep(150);
    assert.ok(Date.now() - fs.statSync(lockPath).mtimeMs < 5_000, 'the heartbeat refreshed the mtime');
    assert.equal(JSON.parse(fs.readFileSync(lockPath, 'utf8')).heartbeatMs, 20, 'the lock says it has a heartbeat');
    lock.release();
    assert.equal(fs.existsSync(lockPath), false);
    await sleep(60); // the heartbeat is stopped: nothing recreates or touches the file
    assert.equal(fs.existsSync(lockPath), false);
  });

  it('takes over a lock from another host whose heartbeat stopped (a restarted container with a new hostname)', async () => {
    const directory = temporaryDirectory();
    foreignLock(directory, { pid: process.pid, hostname: OTHER_HOST, heartbeatMs: 10_000 }, 120_000);
    const store = await openStore(directory);
    const content = JSON.parse(fs.readFileSync(path.join(directory, 'ledger.lock'), 'utf8'));
    assert.deepEqual([content.pid, content.hostname], [process.pid, os.hostname()]);
    await store.close();
  });

  it('refuses a lock from another host with a live heartbeat, saying which host and process hold it and what to do', () => {
    const directory = temporaryDirectory();
    const lockPath = foreignLock(directory, { pid: 4242, hostname: OTHER_HOST, heartbeatMs: 10_000 }, 5_000);
    assert.throws(() => LockFile.acquire(lockPath), (error: unknown) => {
      assert.ok(error instanceof StoreLockedError);
      assert.deepEqual([error.pid, error.hostname], [4242, OTHER_HOST]);
      assert.ok(error.message.includes(`open on another machine or container (host "${OTHER_HOST}", pid 4242; lock file ${lockPath}, last refreshed 5 s ago)`), error.message);
      assert.match(error.message, /Close the VS Code window using this workspace there\. If that machine or container is gone, the lock is taken over once it has not been refreshed for 60 s/);
      return true;
    });
    assert.equal(JSON.parse(fs.readFileSync(lockPath, 'utf8')).pid, 4242, 'the holder keeps its lock');
  });

  it('honours a shorter stale limit', () => {
    const directory = temporaryDirectory();
    const lockPath = foreignLock(directory, { pid: 4242, hostname: OTHER_HOST, heartbeatMs: 100 }, 5_000);
    LockFile.acquire(lockPath, { staleAfterMs: 1_000 }).release();
    assert.equal(fs.existsSync(lockPath), false);
  });

  it('does not take over an old lock from another host that has no heartbeat (written by an older version), and says to delete it', () => {
    const directory = temporaryDirectory();
    const lockPath = foreignLock(directory, { pid: 4242, hostname: OTHER_HOST }, 3_600_000);
    assert.throws(() => LockFile.acquire(lockPath), (error: unknown) => {
      assert.ok(error instanceof StoreLockedError);
      assert.match(error.message, /older version of Session Ledger is never refreshed: delete the lock file/);
      return true;
    });
  });

  it('on this host judges by the pid, not the heartbeat: a live process keeps its lock however old the mtime', () => {
    const directory = temporaryDirectory();
    const lockPath = foreignLock(directory, { pid: process.ppid, hostname: os.hostname(), heartbeatMs: 10_000 }, 3_600_000);
    assert.throws(() => LockFile.acquire(lockPath), (error: unknown) => {
      assert.ok(error instanceof StoreLockedError);
      assert.ok(error.message.includes(`already open in another process (pid ${process.ppid} on this machine; lock file ${lockPath})`), error.message);
      assert.match(error.message, /Close the other VS Code window using this workspace/);
      return true;
    });
  });
});
