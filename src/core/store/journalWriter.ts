import * as fs from 'node:fs';
import { encodeRecord, recycleRecord, type JournalRecord, type RecordFormat } from './journalRecord';
import { checkSegmentFile, nodeJournalFiles, type JournalFiles, type JournalLostError, type JournalWriterOptions } from './journalFiles';
import { writeRecords } from './journalFiles';
import { segmentPath } from './storeFiles';

export { JournalLostError, nodeJournalFiles, type JournalFiles, type JournalWriterOptions } from './journalFiles';

/** Zero-filled space is kept at least this far ahead of the write position… */
const PREALLOCATE_AHEAD_BYTES = 1024 * 1024;
/** …by writing this much more whenever it falls below (once per that many bytes of records). */
const PREALLOCATE_STEP_BYTES = 2 * 1024 * 1024;
/** How often the journal checks, when idle, that its segment is still the file at its path. */
const DEFAULT_FILE_CHECK_MS = 1000;
/** Under load, a batch is acknowledged only after such a check if the last one is older than this. */
const ACK_CHECK_GAP_MS = 100;
const ZEROS = Buffer.alloc(1024 * 1024);

interface PendingRecord<Extra> {
  /** Only its number: the statements are in `bytes`, and kept no longer than the transaction (an import's are megabytes). */
  readonly recordNumber: number;
  readonly bytes: Buffer;
  readonly extra: Extra;
}

/** A batch of records made durable by one write + fdatasync. */
export interface DurableBatch<Extra> {
  readonly recordNumbers: readonly number[];
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
  /** Set when writing zeros ahead failed (a nearly full disk): this segment is written without preallocation. */
  private preallocationFailed = false;
  /** The fdatasync of the zeros last written ahead, while it runs (see {@link zeroAhead}). */
  private zeroing: Promise<void> | undefined;
  /** The segment's identity when opened: the path must still lead to it (see {@link checkSegment}). */
  private identity: { dev: number; ino: number };
  /** The next acknowledgement must be preceded by a check of the segment (after a rotation or a snapshot). */
  private checkBeforeAck = true;
  private nextCheckAt = 0;
  private readonly checkTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly files: JournalFiles;

  private constructor(
    private readonly directory: string,
    /** The current segment's descriptor (raw: the callback API costs less per fdatasync than a FileHandle). */
    private fd: number,
    private currentFirstRecord: number,
    private readonly onDurable: (batch: DurableBatch<Extra>) => void,
    private readonly options: JournalWriterOptions,
  ) {
    this.files = options.files ?? nodeJournalFiles;
    this.lastWrittenRecord = currentFirstRecord - 1;
    this.identity = this.files.fstatSync(fd);
    const checkMs = options.fileCheckMs ?? DEFAULT_FILE_CHECK_MS;
    if (checkMs > 0) {
      this.checkTimer = setInterval(() => this.checkOnTimer(), checkMs);
      this.checkTimer.unref();
    }
  }

  /**
   * Creates the segment whose first record is `nextRecord` and writes there. Synchronous, like the
   * rest of opening (a file creation takes well under a millisecond): an asynchronous open would
   * finish only when the event loop next gets the CPU, which in a fresh process comes after V8 has
   * compiled sql.js's hot functions (a few hundred milliseconds on a small machine).
   */
  static open<Extra>(
    directory: string,
    nextRecord: number,
    onDurable: (batch: DurableBatch<Extra>) => void,
    options: JournalWriterOptions = {},
  ): JournalWriter<Extra> {
    const files = options.files ?? nodeJournalFiles;
    const existed = fs.existsSync(segmentPath(directory, nextRecord));
    // A segment named after its first record. If one exists it holds no replayable record (recovery
    // replayed or kept aside everything before `nextRecord`), so it is started afresh.
    const fd = files.openSync(segmentPath(directory, nextRecord), 'w');
    let writer: JournalWriter<Extra>;
    try {
      writer = new JournalWriter<Extra>(directory, fd, nextRecord, onDurable, options);
    } catch (error) {
      files.closeSync(fd);
      throw error;
    }
    writer.createdFirstSegment = !existed;
    return writer;
  }

  /** Set once a write failed: the in-memory database is then ahead of the journal and the store must stop writing. */
  get failed(): Error | undefined {
    return this.failure;
  }

  /** First record number of the segment being written. */
  get currentSegmentFirstRecord(): number {
    return this.currentFirstRecord;
  }

  /** The next acknowledgement waits for a check that the segment is still the file at its path (the store asks after a snapshot). */
  requireFileCheck(): void {
    this.checkBeforeAck = true;
  }

  /** Queues a record (written in `format`); resolves once it (and everything before it) is durable. */
  append(record: JournalRecord, extra: Extra, format: RecordFormat = 'json'): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const durable = this.queue(record, extra, format);
    this.scheduleFlush();
    return durable;
  }

  /**
   * Like {@link append}, but when the writer is idle the record is written and its fdatasync started
   * before this returns (not at the end of the tick), so the flush overlaps whatever the caller does
   * next — the store commits the transaction in memory meanwhile.
   */
  appendNow(record: JournalRecord, extra: Extra, format: RecordFormat = 'json'): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const durable = this.queue(record, extra, format);
    // Idle: nothing to wait for, so the flush's synchronous part (write, fdatasync submitted) runs now.
    if (this.operations === 0 && !this.flushScheduled && this.lastBatchRecords <= 1)
      void this.track(this.flushPending()); // failures reach the waiters (settle)
    else this.scheduleFlush();
    return durable;
  }

  /** Stops the writer: every waiting and later write is rejected with `error` (the store's memory no longer matches the journal). */
  fail(error: Error): void {
    const first = !this.failure;
    this.failure ??= error;
    this.settle(this.waiters.splice(0), this.failure);
    this.pending = [];
    if (first && !this.closed) {
      clearInterval(this.checkTimer);
      this.options.onFailed?.(this.failure);
    }
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
      await this.flushPending({ zeroAhead: false }); // no zeros for a segment about to be left
      await this.zeroing; // its descriptor is closed below
      if (this.lastWrittenRecord + 1 === this.currentFirstRecord) return this.lastWrittenRecord; // nothing in this segment yet
      const next = this.files.openSync(segmentPath(this.directory, this.lastWrittenRecord + 1), 'w');
      const previous = this.fd;
      try {
        this.identity = this.files.fstatSync(next);
      } catch (error) {
        this.files.closeSync(next);
        throw error;
      }
      this.fd = next;
      this.position = 0;
      this.allocatedEnd = 0;
      this.preallocationFailed = false;
      this.currentFirstRecord = this.lastWrittenRecord + 1;
      this.checkBeforeAck = true;
      this.files.closeSync(previous);
      return this.lastWrittenRecord;
    });
  }

  /**
   * Closes the segment after everything queued is durable (or failed): always releases its
   * descriptor and settles, also after a write failure. `removeIfUnused` deletes the segment `open`
   * created when no record was ever made durable in it (a failed start — a refused upgrade, a full
   * disk — then leaves the files as they were, without a zero-filled segment).
   */
  async close(options: { removeIfUnused?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    await this.whenDurable().catch(() => undefined);
    await this.chain; // never rejects: every operation in flight has settled
    await this.zeroing; // never rejects either
    this.closed = true;
    clearInterval(this.checkTimer);
    this.fail(new Error('The session store journal is closed.'));
    try {
      this.files.closeSync(this.fd);
    } finally {
      if (options.removeIfUnused && this.createdFirstSegment && this.lastWrittenRecord + 1 === this.currentFirstRecord) {
        this.files.rmSync(segmentPath(this.directory, this.currentFirstRecord));
      }
    }
  }

  /**
   * Whether the segment is still the file at its path: undefined if so, else the error that stops
   * the writer (deleted: no links left or nothing at the path; replaced: another file there).
   * Two syscalls (fstat, stat); run on a timer and before some acknowledgements, never per record.
   */
  checkSegment(): JournalLostError | undefined {
    return checkSegmentFile(this.files, this.directory, segmentPath(this.directory, this.currentFirstRecord), this.fd, this.identity);
  }

  private checkOnTimer(): void {
    if (this.failure || this.closed) return;
    const lost = this.checkSegment();
    this.nextCheckAt = performance.now() + ACK_CHECK_GAP_MS;
    if (lost) this.fail(lost);
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
        if (this.failure) {
          this.fail(this.failure); // whoever still waits learns it now
          throw this.failure;
        }
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
  private queue(record: JournalRecord, extra: Extra, format: RecordFormat): Promise<void> {
    this.pending.push({ recordNumber: record.recordNumber, bytes: encodeRecord(record.recordNumber, record.statements, format), extra });
    return new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private async flushPending(options: { zeroAhead?: boolean } = {}): Promise<void> {
    if (this.pending.length === 0) {
      this.settle(this.waiters.splice(0), undefined);
      return;
    }
    const batch = this.pending;
    const waiters = this.waiters;
    this.pending = [];
    this.waiters = [];
    const records = batch.map((pending) => pending.bytes);
    const start = this.position;
    try {
      // Written synchronously (copies into the page cache); the fdatasync, the slow and durable part, runs off the thread.
      this.position += writeRecords(this.files, this.fd, this.position, records);
      records.forEach(recycleRecord); // written: their buffers are free for the next records
      this.allocatedEnd = Math.max(this.allocatedEnd, this.position);
      await this.fdatasync();
    } catch (error) {
      this.settle(
        waiters,
        undefined,
        new Error(
          `The session store could not write its journal; no further writes are accepted until it is reopened: ${(error as Error).message}`,
        ),
      );
      throw this.failure;
    }
    if (this.failure) {
      // Stopped while the flush ran (the segment was found lost): these records are not acknowledged either.
      this.settle(waiters, this.failure);
      throw this.failure;
    }
    // Before acknowledging: after a rotation or snapshot, and at most every ACK_CHECK_GAP_MS under
    // load (one clock read per batch otherwise), make sure the segment is still the file at its path.
    if (this.checkBeforeAck || performance.now() >= this.nextCheckAt) {
      this.checkBeforeAck = false;
      this.nextCheckAt = performance.now() + ACK_CHECK_GAP_MS;
      const lost = this.checkSegment();
      if (lost) {
        this.settle(waiters, undefined, lost);
        throw lost;
      }
    }
    this.lastWrittenRecord = batch[batch.length - 1]!.recordNumber; // not empty: an empty queue returned early
    this.lastBatchRecords = batch.length;
    if (options.zeroAhead !== false) this.zeroAhead();
    this.onDurable({ recordNumbers: batch.map((p) => p.recordNumber), extras: batch.map((p) => p.extra), bytes: this.position - start });
    this.settle(waiters, undefined);
  }

  private fdatasync(): Promise<void> {
    return new Promise<void>((resolve, reject) => this.files.fdatasync(this.fd, (error) => (error ? reject(error) : resolve())));
  }

  /**
   * Keeps zero-filled, durable space ahead of the write position: a record's fdatasync then only
   * overwrites allocated blocks, skipping the metadata commit every append to a growing file costs.
   * When less than PREALLOCATE_AHEAD_BYTES is left, a flush that has made its records durable writes
   * PREALLOCATE_STEP_BYTES of zeros and starts their own fdatasync, which runs while the callers go
   * on (records written meanwhile land before the zeros): a record's acknowledgement no longer waits
   * for megabytes of zeros its fdatasync had to carry. Rotation and close wait for it. Best effort:
   * on a nearly full disk, or should their flush fail, the zeros are cut off again and the segment
   * grows by its records alone (each record's own write and fdatasync report the disk's state).
   */
  private zeroAhead(): void {
    if (this.zeroing || this.preallocationFailed || this.failure || this.allocatedEnd - this.position >= PREALLOCATE_AHEAD_BYTES) return;
    const target = this.allocatedEnd + PREALLOCATE_STEP_BYTES;
    try {
      while (this.allocatedEnd < target) {
        const length = Math.min(ZEROS.length, target - this.allocatedEnd);
        this.allocatedEnd += this.files.writeSync(this.fd, ZEROS, 0, length, this.allocatedEnd);
      }
    } catch {
      this.stopPreallocating();
      return;
    }
    const fd = this.fd;
    this.zeroing = this.fdatasync()
      .catch(() => {
        if (fd === this.fd && !this.closed) this.stopPreallocating();
      })
      .finally(() => (this.zeroing = undefined));
  }

  /** Writing zeros ahead failed: the zeros past the records are cut off and the segment grows by its records alone. */
  private stopPreallocating(): void {
    this.preallocationFailed = true;
    this.allocatedEnd = this.position;
    try {
      this.files.ftruncateSync(this.fd, this.position);
    } catch {
      // The next record's own write and fdatasync report the disk's state.
    }
  }

  /** Resolves or rejects `waiters`; with `failure`, first stops the writer with it (rejecting everyone else waiting too). */
  private settle(waiters: { resolve(): void; reject(error: Error): void }[], error: Error | undefined, failure?: Error): void {
    if (failure) {
      this.fail(failure);
      error = this.failure;
    }
    for (const waiter of waiters) {
      if (error) waiter.reject(error);
      else waiter.resolve();
    }
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }
}
