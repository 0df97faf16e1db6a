import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { JournalRecord } from './journalRecord';
import type { FromSnapshotWorker, ToSnapshotWorker } from './snapshotProtocol';

export interface SnapshotWritten {
  readonly upTo: number;
  readonly bytes: number;
  readonly exportMs: number;
  readonly writeMs: number;
}

export interface SnapshotReplicaOptions {
  readonly workerPath: string;
  readonly wasmPath: string;
  readonly snapshotPath: string;
  /** Whether the store was loaded from the snapshot file (false: it started empty). */
  readonly loadSnapshot: boolean;
  readonly records: readonly JournalRecord[];
  /** Called once if the replica stops mirroring the store (worker crashed or failed to apply a record). */
  readonly onBroken: (reason: string) => void;
}

/**
 * `snapshotWorker.js` beside this module when bundled (dist/), else `snapshotWorker.ts` beside it
 * when running from source under tsx.
 */
export function defaultWorkerPath(): string {
  const bundled = path.join(__dirname, 'snapshotWorker.js');
  return fs.existsSync(bundled) ? bundled : path.join(__dirname, 'snapshotWorker.ts');
}

/**
 * Main-thread handle of the snapshot worker (see snapshotWorker.ts): posts durable records to the
 * replica and asks it for snapshots, one at a time, in record order.
 */
export class SnapshotReplica {
  private readonly worker: Worker;
  private readonly waitingSnapshots: { resolve(written: SnapshotWritten): void; reject(error: Error): void }[] = [];
  private brokenReason: string | undefined;
  private terminated = false;

  constructor(private readonly options: SnapshotReplicaOptions) {
    this.worker = options.workerPath.endsWith('.ts')
      ? // From source (unit tests, tsx): register tsx's require hook in the worker thread, then load the .ts entry.
        new Worker(`require('node:module').createRequire(${JSON.stringify(__filename)})('tsx/cjs'); require(${JSON.stringify(options.workerPath)});`, { eval: true })
      : new Worker(options.workerPath);
    this.worker.unref();
    this.worker.on('message', (message: FromSnapshotWorker) => this.receive(message));
    this.worker.on('error', (error) => this.breakWith(`snapshot worker crashed: ${error.message}`));
    this.worker.on('exit', (code) => {
      if (!this.terminated) this.breakWith(`snapshot worker exited (code ${code})`);
    });
    this.send({ type: 'init', wasmPath: options.wasmPath, snapshotPath: options.snapshotPath, loadSnapshot: options.loadSnapshot, records: options.records });
  }

  get broken(): string | undefined {
    return this.brokenReason;
  }

  post(records: readonly JournalRecord[]): void {
    if (!this.brokenReason) this.send({ type: 'records', records });
  }

  /** Writes a snapshot of the replica at record `upTo` (it must have been posted every record up to it). */
  writeSnapshot(upTo: number): Promise<SnapshotWritten> {
    if (this.brokenReason) return Promise.reject(new Error(this.brokenReason));
    return new Promise((resolve, reject) => {
      this.waitingSnapshots.push({ resolve, reject });
      this.worker.ref(); // keep the process alive until the snapshot is on disk
      this.send({ type: 'snapshot', upTo });
    });
  }

  async terminate(): Promise<void> {
    this.terminated = true;
    await this.worker.terminate();
    this.failWaiting(new Error('snapshot worker stopped'));
  }

  private send(message: ToSnapshotWorker): void {
    this.worker.postMessage(message);
  }

  private receive(message: FromSnapshotWorker): void {
    switch (message.type) {
      case 'ready':
        return;
      case 'snapshot-written':
        this.waitingSnapshots.shift()?.resolve(message);
        this.unrefWhenIdle();
        return;
      case 'failed':
        if (message.during === 'snapshot') {
          this.waitingSnapshots.shift()?.reject(new Error(`snapshot failed: ${message.message}`));
          this.unrefWhenIdle();
        } else {
          this.breakWith(`snapshot worker failed during ${message.during}: ${message.message}`);
        }
        return;
    }
  }

  private unrefWhenIdle(): void {
    if (this.waitingSnapshots.length === 0) this.worker.unref();
  }

  private breakWith(reason: string): void {
    if (this.brokenReason) return;
    this.brokenReason = reason;
    this.failWaiting(new Error(reason));
    this.options.onBroken(reason);
  }

  private failWaiting(error: Error): void {
    for (const waiting of this.waitingSnapshots.splice(0)) waiting.reject(error);
  }
}
