// A long-lived child process of lockRace.test.ts: on each `race` message it waits for the shared
// start instant, tries to acquire the lock, reports whether it holds it, and keeps holding it until
// the next command, so that every process that believes it holds the lock believes so at once.
// `LOCK_RACE_MODULE` names the lock implementation to race (default: the store's), which lets the
// same race be run against another version of lockFile.ts.
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type * as LockFileModule from '../../src/core/store/lockFile';

/** `race` first releases the lock held since the previous round; `release` only that. */
export type WorkerCommand = { kind: 'race'; round: number; lockPath: string; startAt: number } | { kind: 'release' };
export type WorkerReply =
  { kind: 'raced'; round: number; pid: number; acquired: boolean; error?: string } | { kind: 'released' } | { kind: 'ready' };

const modulePath = process.env.LOCK_RACE_MODULE ?? path.join(__dirname, '../../src/core/store/lockFile');
const { LockFile } = require(modulePath) as typeof LockFileModule;

/** How long before the shared start instant a worker stops sleeping and spins. */
const SPIN_MS = 3;

let held: LockFileModule.LockFile | undefined;

function send(reply: WorkerReply): void {
  process.send?.(reply);
}

function now(): number {
  return performance.timeOrigin + performance.now();
}

function race(command: Extract<WorkerCommand, { kind: 'race' }>): void {
  // The last stretch spinning (a timer is too coarse), so that the processes really acquire at once.
  while (now() < command.startAt) {
    // busy-wait
  }
  try {
    // A long heartbeat: nothing but the acquisition itself touches the file during a round.
    held = LockFile.acquire(command.lockPath, { heartbeatMs: 600_000 });
    send({ kind: 'raced', round: command.round, pid: process.pid, acquired: true });
  } catch (error) {
    const refused = (error as Error).name === 'StoreLockedError';
    send({
      kind: 'raced',
      round: command.round,
      pid: process.pid,
      acquired: false,
      error: refused ? undefined : String((error as Error).stack ?? error),
    });
  }
}

process.on('message', (command: WorkerCommand) => {
  held?.release();
  held = undefined;
  if (command.kind === 'race') {
    // Sleep until shortly before the start (spinning all along would keep the other workers off the CPUs).
    setTimeout(() => race(command), Math.max(0, command.startAt - now() - SPIN_MS));
  } else {
    send({ kind: 'released' });
  }
});

process.on('disconnect', () => process.exit(0));
send({ kind: 'ready' });
