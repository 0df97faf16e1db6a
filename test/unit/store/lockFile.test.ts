import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LockFile, StoreLockedError, takeoverClaimPathForTests } from '../../../src/core/store/lockFile';
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

/** The pid of a process that has exited. */
function deadPid(): number {
  const pid = spawnSync(process.execPath, ['-e', '']).pid;
  assert.ok(pid);
  return pid;
}

function setAge(file: string, ageMs: number): void {
  const then = new Date(Date.now() - ageMs);
  fs.utimesSync(file, then, then);
}

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
    assert.throws(
      () => LockFile.acquire(lockPath),
      (error: unknown) => {
        assert.ok(error instanceof StoreLockedError);
        assert.deepEqual([error.pid, error.hostname], [4242, OTHER_HOST]);
        assert.ok(
          error.message.includes(
            `open on another machine or container (host "${OTHER_HOST}", pid 4242; lock file ${lockPath}, last refreshed 5 s ago)`,
          ),
          error.message,
        );
        assert.match(
          error.message,
          /Close the VS Code window using this workspace there\. If that machine or container is gone, the lock is taken over once it has not been refreshed for 60 s/,
        );
        return true;
      },
    );
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
    assert.throws(
      () => LockFile.acquire(lockPath),
      (error: unknown) => {
        assert.ok(error instanceof StoreLockedError);
        assert.match(error.message, /older version of Session Ledger is never refreshed: delete the lock file/);
        return true;
      },
    );
  });

  it('on this host judges by the pid, not the heartbeat: a live process keeps its lock however old the mtime', () => {
    const directory = temporaryDirectory();
    const lockPath = foreignLock(directory, { pid: process.ppid, hostname: os.hostname(), heartbeatMs: 10_000 }, 3_600_000);
    assert.throws(
      () => LockFile.acquire(lockPath),
      (error: unknown) => {
        assert.ok(error instanceof StoreLockedError);
        assert.ok(
          error.message.includes(`already open in another process (pid ${process.ppid} on this machine; lock file ${lockPath})`),
          error.message,
        );
        assert.match(error.message, /Close the other VS Code window using this workspace/);
        return true;
      },
    );
  });

  it('never takes over a lock file that is empty or half-written while young (its holder may be writing it), and says so', () => {
    for (const written of ['', `{"pid":4242,"hostname":"${os.hostname()}","acq`]) {
      const lockPath = path.join(temporaryDirectory(), 'ledger.lock');
      fs.writeFileSync(lockPath, written);
      const inode = fs.statSync(lockPath).ino;
      assert.throws(
        () => LockFile.acquire(lockPath),
        (error: unknown) => {
          assert.ok(error instanceof StoreLockedError);
          assert.ok(
            error.message.includes(`being opened by another process: its lock file ${lockPath} is still empty or incomplete`),
            error.message,
          );
          assert.match(
            error.message,
            /Try again in a moment\. If no other process uses the store, delete the lock file; an unreadable lock is taken over once it is 60 s old\./,
          );
          return true;
        },
      );
      assert.deepEqual([fs.statSync(lockPath).ino, fs.readFileSync(lockPath, 'utf8')], [inode, written], 'the lock file is untouched');
    }
  });

  it('takes over an unreadable lock file once it is older than the stale limit (the torn write of a holder that crashed)', () => {
    const lockPath = path.join(temporaryDirectory(), 'ledger.lock');
    fs.writeFileSync(lockPath, '{"pid":42');
    setAge(lockPath, 120_000);
    const lock = LockFile.acquire(lockPath);
    assert.equal(JSON.parse(fs.readFileSync(lockPath, 'utf8')).pid, process.pid);
    lock.release();
    assert.equal(fs.existsSync(lockPath), false);
  });

  it("takes a dead holder's lock over past a claim whose taker died mid-takeover, then removes the claims and old temporary files left behind", () => {
    const directory = temporaryDirectory();
    const lockPath = foreignLock(directory, { pid: deadPid(), hostname: os.hostname() }, 0);
    const claim = takeoverClaimPathForTests(lockPath, 0);
    fs.writeFileSync(
      claim,
      JSON.stringify({ pid: deadPid(), hostname: os.hostname(), acquiredAt: new Date().toISOString(), heartbeatMs: 10_000 }),
    );
    const oldTemporary = `${lockPath}.1234-0badf00d.tmp`;
    const youngTemporary = `${lockPath}.1235-0badf00d.tmp`;
    fs.writeFileSync(oldTemporary, '{}');
    setAge(oldTemporary, 120_000);
    fs.writeFileSync(youngTemporary, '{}');
    const lock = LockFile.acquire(lockPath);
    assert.equal(JSON.parse(fs.readFileSync(lockPath, 'utf8')).pid, process.pid);
    assert.deepEqual(
      fs.readdirSync(directory).sort(),
      ['ledger.lock', path.basename(youngTemporary)],
      'the dead claim and the old temporary file are gone; one a writer may still use is kept',
    );
    lock.release();
  });

  it("refuses while another live process is taking a dead holder's lock over, leaving the lock to it", () => {
    const directory = temporaryDirectory();
    const dead = deadPid();
    const lockPath = foreignLock(directory, { pid: dead, hostname: os.hostname() }, 0);
    const claim = takeoverClaimPathForTests(lockPath, 0);
    fs.writeFileSync(
      claim,
      JSON.stringify({ pid: process.ppid, hostname: os.hostname(), acquiredAt: new Date().toISOString(), heartbeatMs: 10_000 }),
    );
    assert.throws(
      () => LockFile.acquire(lockPath),
      (error: unknown) => {
        assert.ok(error instanceof StoreLockedError);
        assert.equal(error.pid, process.ppid);
        return true;
      },
    );
    assert.equal(JSON.parse(fs.readFileSync(lockPath, 'utf8')).pid, dead, 'the stale lock is left to the process taking it over');
    assert.ok(fs.existsSync(claim));
  });

  it('on release leaves alone a lock file that is no longer its own, even one naming the same pid', () => {
    const lockPath = path.join(temporaryDirectory(), 'ledger.lock');
    const lock = LockFile.acquire(lockPath);
    const replacement = JSON.stringify({
      pid: process.pid,
      hostname: os.hostname(),
      acquiredAt: new Date().toISOString(),
      heartbeatMs: 10_000,
      token: 'a later acquisition',
    });
    fs.writeFileSync(`${lockPath}.next`, replacement);
    fs.renameSync(`${lockPath}.next`, lockPath);
    lock.release();
    assert.equal(fs.readFileSync(lockPath, 'utf8'), replacement);
  });
});
