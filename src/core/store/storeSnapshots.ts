/*
 * When and how a writing session store snapshots its database (off the main thread, see
 * snapshotWriter.ts), and when it indexes appended events for search: after enough journal, after
 * writes pause, on demand, one snapshot at a time.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeSnapshotImage } from './chunkedFile';
import type { JournalWriter } from './journalWriter';
import { INDEX_SLICE_EVENTS, type LedgerDatabase } from './ledgerDatabase';
import { SnapshotWriter, defaultWorkerPath } from './snapshotWriter';
import type { SessionStoreOptions } from './storeOptions';
import type { StoreSignals } from './storeSignals';
import { SNAPSHOT_FILE, listSegments, writeFully, writeSnapshotFile } from './storeFiles';

const DEFAULT_SNAPSHOT_JOURNAL_BYTES = 64 * 1024 * 1024;
/**
 * A snapshot is also due once this much of the database file is held in memory (the pages written
 * since the last one; see chunkedFile.ts): indexing for search writes pages without journalling.
 */
const SNAPSHOT_RESIDENT_BYTES = 64 * 1024 * 1024;
/** How often at most a durable batch asks how much is resident (it sums the chunks: ~25 µs on a 100 MB store, per single append). */
const RESIDENT_CHECK_MS = 100;
const DEFAULT_SNAPSHOT_IDLE_MS = 30_000;
/** How long appends must pause before the events they added are indexed for search in the background (see ledgerDatabase.ts). */
const INDEX_IDLE_MS = 250;
/**
 * How long after a bulk commit (an import, which commits a chunk every few hundred milliseconds
 * and yields between chunks) the background indexer waits: indexing between the chunks would put
 * back the cost the bulk commits leave out.
 */
const BULK_QUIET_MS = 2_000;

/** The parts of the store its snapshots read (the database and journal are replaced on reload, rewrite and takeover). */
export interface SnapshotHost {
  readonly directory: string;
  readonly options: SessionStoreOptions;
  readonly signals: StoreSignals;
  database(): LedgerDatabase;
  journal(): Pick<JournalWriter<unknown>, 'failed' | 'fail' | 'checkSegment' | 'rotate' | 'requireFileCheck'>;
  closing(): boolean;
}

export class StoreSnapshots {
  /** The last journal record the latest snapshot holds. */
  lastSnapshotRecord: number;
  /** The snapshot loaded at open was not the latest or had no checksum: the next snapshot is written even with nothing new. */
  wanted = false;
  private journalBytesSinceSnapshot = 0;
  private chain: Promise<void> = Promise.resolve();
  private queued: Promise<void> | undefined;
  /** The next snapshot is the idle one: the file's spare chunks are trimmed after it (see ChunkedFileContents.trimPool). */
  private trimAfterWrite = false;
  private idleTimer: NodeJS.Timeout | undefined;
  /** Indexes for search the events appended since the last batch once appends pause (see ledgerDatabase.ts). */
  private indexTimer: NodeJS.Timeout | undefined;
  private writer: SnapshotWriter | undefined;
  /** The background indexer waits until then (see {@link BULK_QUIET_MS}). */
  private quietAfter = 0;
  /** What a snapshot that released nothing could have released (its file was not the image): not counted again. */
  private unreleased: { database: LedgerDatabase; bytes: number } | undefined;
  private residentCheckedAt = 0;
  /**
   * A snapshot has started but not yet taken its image: it will hold every write made so far, so
   * what they add to the journal and to memory asks for no other. (Until the rotation it waits for
   * and its image, the counts still include them: a 200 MB import queued a second snapshot behind
   * each one that way, for the little written while the first was being written.)
   */
  private imagePending = false;

  constructor(
    private readonly host: SnapshotHost,
    snapshotRecord: number,
  ) {
    this.lastSnapshotRecord = snapshotRecord;
  }

  /** Starts the snapshot worker, unless the options ask for snapshots on the calling thread. */
  startWorker(): void {
    if (this.host.options.snapshotInWorker === false) return;
    this.writer = new SnapshotWriter({
      workerPath: this.host.options.workerPath ?? defaultWorkerPath(),
      onBroken: (reason) =>
        this.host.signals.warn(
          { kind: 'snapshot-failed', message: `Session store snapshots now run on the main thread: ${reason}` },
          'worker',
        ),
    });
  }

  async stopWorker(): Promise<void> {
    await this.writer?.terminate().catch(() => undefined);
    this.writer = undefined;
  }

  stopTimers(): void {
    clearTimeout(this.idleTimer);
    clearTimeout(this.indexTimer);
  }

  stopIdleTimer(): void {
    clearTimeout(this.idleTimer);
  }

  /** Settles once the snapshots queued now have been written or failed. */
  settled(): Promise<void> {
    return this.chain;
  }

  /** A batch of `bytes` became durable: a snapshot is due after enough journal, else once writes pause. */
  journalled(bytes: number): void {
    this.journalBytesSinceSnapshot += bytes;
    if (this.host.database().hasPendingIndexing) this.indexWhenIdle();
    if (
      !this.imagePending &&
      (this.journalBytesSinceSnapshot >= (this.host.options.snapshotJournalBytes ?? DEFAULT_SNAPSHOT_JOURNAL_BYTES) ||
        this.residentIsLargeNow())
    ) {
      this.inBackground();
    } else {
      this.armIdle();
    }
  }

  /** {@link residentIsLarge}, asked at most every {@link RESIDENT_CHECK_MS} (for every durable batch). */
  private residentIsLargeNow(): boolean {
    const now = performance.now();
    if (now - this.residentCheckedAt < RESIDENT_CHECK_MS) return false;
    this.residentCheckedAt = now;
    return this.residentIsLarge();
  }

  /** Enough of the file is held in memory that a snapshot would release (in `in-memory` mode the file's growth stays). */
  private residentIsLarge(): boolean {
    const database = this.host.database();
    const stuck = this.unreleased?.database === database ? this.unreleased.bytes : 0;
    return (database.releasableFileBytes ?? 0) - stuck >= (this.host.options.snapshotResidentBytes ?? SNAPSHOT_RESIDENT_BYTES);
  }

  /** The store was written anew up to `record` (see SessionStore.rewriteHome). */
  rewritten(record: number): void {
    this.lastSnapshotRecord = record;
    this.journalBytesSinceSnapshot = 0;
  }

  /** Queues a snapshot after the one in progress (one queued at most). */
  snapshot(): Promise<void> {
    if (this.queued) return this.queued;
    const queued = this.chain.then(() => {
      this.queued = undefined;
      return this.write();
    });
    this.queued = queued;
    this.chain = queued.catch(() => undefined);
    return queued;
  }

  armIdle(): void {
    const idleMs = this.host.options.snapshotIdleMs ?? DEFAULT_SNAPSHOT_IDLE_MS;
    if (idleMs <= 0 || this.host.closing()) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.trimAfterWrite = true; // idle: what the busy store kept for reuse goes once this snapshot released its chunks
      this.inBackground();
    }, idleMs);
    this.idleTimer.unref();
  }

  inBackground(): void {
    clearTimeout(this.idleTimer);
    if (this.host.closing() || this.host.journal().failed) return;
    this.snapshot().catch((error: Error) => {
      const journal = this.host.journal();
      // The folder may be gone (the snapshot failing first): then that is the one thing to say.
      const lost = journal.failed ? undefined : journal.checkSegment();
      if (lost) journal.fail(lost);
      // A journal that failed has said so itself (once); only a snapshot that failed on its own is news.
      if (!journal.failed)
        this.host.signals.warn(
          {
            kind: 'snapshot-failed',
            message: `Could not write the session store snapshot (the journal keeps every change): ${error.message}`,
          },
          'snapshot',
        );
    });
  }

  /** Writes the database as the snapshot `snapshotPath` (checksummed, verified, installed; see writeSnapshotFile). */
  async writeFiles(snapshotPath: string): Promise<void> {
    const database = this.host.database();
    const releasable = database.releasableFileBytes ?? 0;
    const image = database.freezeFile();
    this.imagePending = false; // from now on, what is written is what the next snapshot would hold
    if (image) {
      try {
        if (this.writer && !this.writer.broken) await this.writer.write(image, snapshotPath);
        else writeSnapshotImage(snapshotPath, image); // no worker: here, stalling ~1 ms per MB
      } catch (error) {
        database.thawFile();
        throw error;
      }
      // Only a snapshot that could release nothing (its file was not the image) marks what it held
      // as stuck. Judging by what was left took the pages the indexer wrote while the image was out
      // (as many as it released) for stuck ones, and none was asked for again until the idle or the
      // next journal-size snapshot (a CI failure: eventIndexing.test.ts).
      const released = database.thawFile(snapshotPath);
      this.unreleased = !released && releasable > 0 ? { database, bytes: releasable } : undefined;
    } else {
      // The file is not held in chunks (sql.js's own buffer): export it here.
      const bytes = database.export();
      writeSnapshotFile(snapshotPath, (fd, summer) => {
        summer.update(bytes);
        writeFully(fd, bytes, 0);
      });
    }
  }

  /**
   * Events wait to be indexed for search: index them when appends pause, a slice at a time with the
   * event loop free between slices (a large import leaves tens of thousands; reads of the index do
   * not wait for this, they index what waits first). Also at start, for what a snapshot left waiting.
   */
  indexWhenIdle(): void {
    if (this.host.closing()) return;
    if (this.indexTimer) {
      this.indexTimer.refresh(); // not yet: appends go on
      return;
    }
    this.indexTimer = setTimeout(() => this.indexSlice(), this.host.options.indexIdleMs ?? INDEX_IDLE_MS);
    this.indexTimer.unref();
  }

  /** Indexes every event that waits, a slice at a time with the event loop free between slices (see SqlAccess.whenSearchable). */
  async indexAll(): Promise<void> {
    for (let database = this.host.database(); database.hasPendingIndexing && !this.host.closing(); database = this.host.database()) {
      if (!database.inTransaction) database.indexPendingEvents(INDEX_SLICE_EVENTS);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** A bulk commit left its events to the background indexer: it waits until bulk commits stop. */
  bulkCommitted(): void {
    this.quietAfter = performance.now() + BULK_QUIET_MS;
    this.indexWhenIdle();
  }

  private indexSlice(): void {
    this.indexTimer = undefined;
    const database = this.host.database();
    if (this.host.closing()) return;
    const quiet = this.quietAfter - performance.now();
    if (quiet > 0 || database.inTransaction) {
      this.indexTimer = setTimeout(() => this.indexSlice(), Math.max(quiet, this.host.options.indexIdleMs ?? INDEX_IDLE_MS));
      this.indexTimer.unref();
      return;
    }
    let more: boolean;
    try {
      more = database.indexPendingEvents(INDEX_SLICE_EVENTS);
    } catch {
      // Nothing is lost: the events stay marked, and the next read of the index or pause indexes them (and reports a failure).
      return;
    }
    if (!this.imagePending && !this.queued && this.residentIsLarge()) this.inBackground(); // the index is not journalled: only a snapshot frees its pages
    if (!more) return;
    this.indexTimer = setTimeout(() => this.indexSlice(), 0); // the next slice, once what waits on the event loop has run
    this.indexTimer.unref();
  }

  /**
   * Rotates the journal, writes a snapshot of the database (at least up to the rotation point), then
   * drops the segments only the previous snapshot needed. The snapshot is an image of the database
   * file taken now, written by the worker while writes go on, checksummed and read back before it
   * is installed (the snapshot it replaces becomes the previous one); the file it becomes is then
   * the database's base (see chunkedFile.ts). The previous snapshot and the journal since it stay,
   * so a latest snapshot found damaged at open is replaced by them with nothing lost.
   */
  private async write(): Promise<void> {
    const trim = this.trimAfterWrite;
    this.trimAfterWrite = false;
    this.imagePending = true;
    try {
      await this.writeAndDrop();
    } finally {
      this.imagePending = false; // also when it needed none, or failed before its image
      if (trim) this.host.database().trimFilePool();
    }
  }

  private async writeAndDrop(): Promise<void> {
    const upTo = await this.host.journal().rotate();
    this.journalBytesSinceSnapshot = 0;
    if (upTo <= this.lastSnapshotRecord && !this.wanted && !this.residentIsLarge()) return;
    // The database may be ahead of `upTo` (writes since the rotation): the snapshot records what it holds.
    await this.writeFiles(path.join(this.host.directory, SNAPSHOT_FILE));
    // The snapshot that just became the previous one covered this much: older segments are no longer needed.
    const coveredByPrevious = this.lastSnapshotRecord;
    this.lastSnapshotRecord = Math.max(upTo, this.lastSnapshotRecord);
    this.wanted = false;
    this.host.journal().requireFileCheck();
    this.host.signals.ended('snapshot');
    // Unlinking a large segment can take tens of milliseconds: keep it off the calling thread.
    const segments = listSegments(this.host.directory);
    const covered = segments.filter((_, index) => {
      const next = segments[index + 1];
      return next !== undefined && next.firstRecord <= coveredByPrevious + 1;
    });
    await Promise.all(covered.map((segment) => fs.promises.rm(segment.path, { force: true })));
  }
}
