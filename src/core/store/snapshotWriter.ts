import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FileImage } from './chunkedFile';
import type { FromSnapshotWorker, ToSnapshotWorker } from './snapshotProtocol';

/** Shared buffers per message: posting one costs the main thread about half a microsecond in slices this size (more in one huge message). */
const CHUNKS_PER_MESSAGE = 1024;

export interface SnapshotWriterOptions {
  readonly workerPath: string;
  /** Called once if the worker stops (crashed or exited): snapshots then run on the main thread. */
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

/** Main-thread handle of the snapshot worker (see snapshotWorker.ts): hands it file images to write, one at a time. */
export class SnapshotWriter {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve(): void; reject(error: Error): void }>();
  private nextId = 1;
  private brokenReason: string | undefined;
  private terminated = false;

  constructor(private readonly options: SnapshotWriterOptions) {
    this.worker = options.workerPath.endsWith('.ts')
      ? // From source (unit tests, tsx): register tsx's require hook in the worker thread, then load the .ts entry.
        new Worker(
          `require('node:module').createRequire(${JSON.stringify(__filename)})('tsx/cjs'); require(${JSON.stringify(options.workerPath)});`,
          { eval: true },
        )
      : new Worker(options.workerPath);
    this.worker.unref();
    this.worker.on('message', (message: FromSnapshotWorker) => this.receive(message));
    this.worker.on('error', (error) => this.breakWith(`snapshot worker crashed: ${error.message}`));
    this.worker.on('exit', (code) => {
      if (!this.terminated) this.breakWith(`snapshot worker exited (code ${code})`);
    });
  }

  get broken(): string | undefined {
    return this.brokenReason;
  }

  /**
   * Writes `image` atomically to `snapshotPath`. The image's chunks must stay untouched until the
   * worker sets `image.chunksWritten`, or until this settles.
   */
  write(image: FileImage, snapshotPath: string): Promise<void> {
    if (this.brokenReason) return Promise.reject(new Error(this.brokenReason));
    const id = this.nextId++;
    const written = new Promise<void>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    this.worker.ref(); // keep the process alive until the snapshot is on disk
    this.send(id, image, snapshotPath);
    return written;
  }

  /**
   * Posts the image's chunks in slices, then asks for the write, all at once: until the worker has
   * written the chunks, every write the store makes to one of them goes to a copy. Posting slices
   * one per event-loop turn, as before, kept a 200 MB import's images out for ~0.5 s each and cost
   * it ~6,000 copies; all 5,000 chunks of an image in five messages take ~2.5 ms to post, one
   * message with all of them ~10 ms (measured on Node 20).
   */
  private send(id: number, image: FileImage, snapshotPath: string): void {
    for (let start = 0; start < image.chunks.length; start += CHUNKS_PER_MESSAGE)
      this.post({ type: 'chunks', id, chunks: image.chunks.slice(start, start + CHUNKS_PER_MESSAGE) });
    this.post({ type: 'snapshot', id, snapshotPath, size: image.size, base: image.base, chunksWritten: image.chunksWritten });
  }

  private post(message: ToSnapshotWorker): void {
    this.worker.postMessage(message);
  }

  async terminate(): Promise<void> {
    this.terminated = true;
    await this.worker.terminate();
    this.failWaiting(new Error('snapshot worker stopped'));
  }

  private receive(message: FromSnapshotWorker): void {
    const waiting = this.waiting.get(message.id);
    this.waiting.delete(message.id);
    if (message.type === 'snapshot-written') waiting?.resolve();
    else waiting?.reject(new Error(`snapshot failed: ${message.message}`));
    if (this.waiting.size === 0) this.worker.unref();
  }

  private breakWith(reason: string): void {
    if (this.brokenReason) return;
    this.brokenReason = reason;
    this.failWaiting(new Error(reason));
    this.options.onBroken(reason);
  }

  private failWaiting(error: Error): void {
    for (const waiting of this.waiting.values()) waiting.reject(error);
    this.waiting.clear();
  }
}
