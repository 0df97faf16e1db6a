import * as fs from 'node:fs';
import type { JournalRecord } from './journalRecord';
import { encodeRecord } from './journalRecord';
import { segmentPath } from './storeFiles';

const PREALLOCATE_BYTES = 4 * 1024 * 1024;

/** The fs callback API as promises, on raw descriptors. */
const fdOps = {
  open: (file: string, flags: string) => new Promise<number>((resolve, reject) => fs.open(file, flags, (error, fd) => (error ? reject(error) : resolve(fd)))),
  datasync: (fd: number) => new Promise<void>((resolve, reject) => fs.fdatasync(fd, (error) => (error ? reject(error) : resolve()))),
  close: (fd: number) => new Promise<void>((resolve, reject) => fs.close(fd, (error) => (error ? reject(error) : resolve()))),
};
const ZEROS = Buffer.alloc(1024 * 1024);

interface PendingRecord<Extra> {
  readonly record: JournalRecord;
  readonly bytes: Buffer;
  readonly extra: Extra;
}

/** A batch of records made durable by one write + fdatasync. */
export interface DurableBatch<Extra> {
  readonly records: readonly JournalRecord[];
  readonly extras: readonly Extra[];
  readonly bytes: number;
}

/**
 * Appends records to the current journal segment with group commit: every record queued in the
 * same tick (and all queued while a flush is in progress) is written with one `write` and made
 * durable with one `fdatasync`. Operations — flushes and segment rotations — run strictly one
 * after another, so a rotation always falls between whole batches.
 *
 * `Extra` is whatever the caller wants back with each durable record (e.g. change descriptions).
 */
export class JournalWriter<Extra> {
  private pending: PendingRecord<Extra>[] = [];
  private waiters: { resolve(): void; reject(error: Error): void }[] = [];
  private chain: Promise<void> = Promise.resolve();
  private flushScheduled = false;
  /** Records in the last flushed batch: 1 means a lone writer, who gains nothing from waiting for company. */
  private lastBatchRecords = 0;
  private failure: Error | undefined;
  /** Operations (flushes, rotations, the close) queued or running: 0 means a flush may start at once. */
  private operations = 0;
  private lastWrittenRecord: number;
  /** Where the next batch is written, and how far the segment has been preallocated with zeros. */
  private position = 0;
  private allocatedEnd = 0;
  /** Whether `open` created the first segment (it did not exist before). */
  private createdFirstSegment = false;

  private constructor(
    private readonly directory: string,
    /** The current segment's descriptor (raw: the callback API costs less per fdatasync than a FileHandle). */
    private fd: number,
    private currentFirstRecord: number,
    private readonly onDurable: (batch: DurableBatch<Extra>) => void,
  ) {
    this.lastWrittenRecord = currentFirstRecord - 1;
  }

  /**
   * Creates the segment whose first record is `nextRecord` and writes there. Synchronous, like the
   * rest of opening (a file creation takes well under a millisecond): an asynchronous open would
   * finish only when the event loop next gets the CPU, which in a fresh process comes after V8 has
   * compiled sql.js's hot functions (a few hundred milliseconds on a small machine).
   */
  static open<Extra>(directory: string, nextRecord: number, onDurable: (batch: DurableBatch<Extra>) => void): JournalWriter<Extra> {
    const existed = fs.existsSync(segmentPath(directory, nextRecord));
    const writer = new JournalWriter<Extra>(directory, JournalWriter.createSegment(directory, nextRecord), nextRecord, onDurable);
    writer.createdFirstSegment = !existed;
    return writer;
  }

  /**
   * A segment named after its first record. If one exists it holds no replayable record (recovery
   * replayed or kept aside everything before `firstRecord`), so it is started afresh.
   */
  private static createSegment(directory: string, firstRecord: number): number {
    return fs.openSync(segmentPath(directory, firstRecord), 'w');
  }

  /** Set once a write failed: the in-memory database is then ahead of the journal and the store must stop writing. */
  get failed(): Error | undefined {
    return this.failure;
  }

  /** First record number of the segment being written. */
  get currentSegmentFirstRecord(): number {
    return this.currentFirstRecord;
  }

  /** Queues a record; resolves once it (and everything before it) is durable. */
  append(record: JournalRecord, extra: Extra): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const durable = this.queue(record, extra);
    this.scheduleFlush();
    return durable;
  }

  /**
   * Like {@link append}, but when the writer is idle the record is written and its fdatasync started
   * before this returns (not at the end of the tick), so the flush overlaps whatever the caller does
   * next — the store commits the transaction in memory meanwhile.
   */
  appendNow(record: JournalRecord, extra: Extra): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const durable = this.queue(record, extra);
    // Idle: nothing to wait for, so the flush's synchronous part (write, fdatasync submitted) runs now.
    if (this.operations === 0 && !this.flushScheduled && this.lastBatchRecords <= 1) this.track(this.flushPending());
    else this.scheduleFlush();
    return durable;
  }

  /** Stops the writer: every waiting and later write is rejected with `error` (the store's memory no longer matches the journal). */
  fail(error: Error): void {
    this.failure ??= error;
    this.settle([...this.waiters.splice(0)], this.failure);
    this.pending = [];
  }

  /** Resolves when everything queued so far is durable (or rejects with the write failure). */
  whenDurable(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.pending.length === 0) return this.chain.then(() => this.throwIfFailed());
    const durable = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.scheduleFlush();
    return durable;
  }

  /**
   * After the records queued so far are durable, starts a new segment. Resolves with the number of
   * the last record in the previous segments — a snapshot covering it makes them deletable.
   */
  rotate(): Promise<number> {
    return this.enqueue(async () => {
      await this.flushPending();
      if (this.lastWrittenRecord + 1 === this.currentFirstRecord) return this.lastWrittenRecord; // nothing in this segment yet
      const next = await fdOps.open(segmentPath(this.directory, this.lastWrittenRecord + 1), 'w');
      const previous = this.fd;
      this.fd = next;
      this.position = 0;
      this.allocatedEnd = 0;
      this.currentFirstRecord = this.lastWrittenRecord + 1;
      await fdOps.close(previous);
      return this.lastWrittenRecord;
    });
  }

  /**
   * Closes the segment after everything queued is durable. `removeIfUnused` deletes the segment
   * `open` created when nothing was ever written (a failed start then leaves the files as they were).
   */
  async close(options: { removeIfUnused?: boolean } = {}): Promise<void> {
    await this.whenDurable().catch(() => undefined);
    await this.enqueue(() => fdOps.close(this.fd));
    if (options.removeIfUnused && this.createdFirstSegment && this.lastWrittenRecord + 1 === this.currentFirstRecord) {
      await fs.promises.rm(segmentPath(this.directory, this.currentFirstRecord), { force: true });
    }
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    const flush = (): void => {
      this.flushScheduled = false;
      void this.enqueue(() => this.flushPending()).catch(() => undefined);
    };
    // Every write issued in the same synchronous run joins the batch either way, and everything
    // queued while a flush is in progress shares the next one. After batches of several records
    // (concurrent writers) wait for the end of the tick (setImmediate) so the whole wave of
    // continuations joins; a lone writer awaiting each append flushes at once (a microtask),
    // without an event-loop turn of extra latency.
    if (this.lastBatchRecords <= 1) queueMicrotask(flush);
    else setImmediate(flush);
  }

  private enqueue<T>(operation: () => Promise<T>): Promise<T> {
    return this.track(
      this.chain.then(() => {
        this.throwIfFailed();
        return operation();
      }),
    );
  }

  /** Counts `operation` (started now, or queued by {@link enqueue}) as in flight until it settles; later operations wait for it. */
  private track<T>(operation: Promise<T>): Promise<T> {
    this.operations++;
    const result = operation.finally(() => this.operations--);
    this.chain = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** Adds a record to the next flush; resolves once it is durable. */
  private queue(record: JournalRecord, extra: Extra): Promise<void> {
    this.pending.push({ record, bytes: encodeRecord(record.recordNumber, record.statements), extra });
    return new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private async flushPending(): Promise<void> {
    if (this.pending.length === 0) {
      this.settle(this.waiters.splice(0), undefined);
      return;
    }
    const batch = this.pending;
    const waiters = this.waiters;
    this.pending = [];
    this.waiters = [];
    const bytes = batch.length === 1 ? batch[0].bytes : Buffer.concat(batch.map((pending) => pending.bytes));
    try {
      // The write only copies into the page cache (microseconds), so it is done synchronously to save
      // a thread-pool round trip; the fdatasync — the slow, durable part — runs off the thread.
      this.preallocate(bytes.length);
      let written = 0;
      while (written < bytes.length) written += fs.writeSync(this.fd, bytes, written, bytes.length - written, this.position + written);
      this.position += bytes.length;
      await fdOps.datasync(this.fd);
    } catch (error) {
      this.failure = new Error(`The session store could not write its journal; no further writes are accepted until it is reopened: ${(error as Error).message}`);
      this.settle([...waiters, ...this.waiters.splice(0)], this.failure);
      throw this.failure;
    }
    this.lastWrittenRecord = batch[batch.length - 1].record.recordNumber;
    this.lastBatchRecords = batch.length;
    this.onDurable({ records: batch.map((p) => p.record), extras: batch.map((p) => p.extra), bytes: bytes.length });
    this.settle(waiters, undefined);
  }

  /**
   * Keeps zero-filled space ahead of the write position. Overwriting allocated blocks lets
   * fdatasync skip the file-size metadata commit that every append to a growing file costs.
   */
  private preallocate(needed: number): void {
    if (this.position + needed <= this.allocatedEnd) return;
    const target = this.position + needed + PREALLOCATE_BYTES;
    while (this.allocatedEnd < target) {
      const length = Math.min(ZEROS.length, target - this.allocatedEnd);
      this.allocatedEnd += fs.writeSync(this.fd, ZEROS, 0, length, this.allocatedEnd);
    }
  }

  private settle(waiters: { resolve(): void; reject(error: Error): void }[], error: Error | undefined): void {
    for (const waiter of waiters) (error ? waiter.reject(error) : waiter.resolve());
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }
}
