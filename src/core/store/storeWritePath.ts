/*
 * A writing session store's write path: each transaction recorded to the journal before SQLite's
 * COMMIT (group commit: journalWriter.ts), numbered, and what it changed reported once durable;
 * and the rewrite of a store whose folder or journal was lost.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { StoreChangeKind } from '../model/change';
import { assertSessionWritable, hasPulledSessions } from '../sync/ownership';
import type { JournalRecord, RecordFormat } from './journalRecord';
import { JournalLostError, JournalWriter, type DurableBatch } from './journalWriter';
import type { LedgerDatabase } from './ledgerDatabase';
import { MigrationFailedError, applyMigration, journalRecordFormat, schemaVersion, type Migration } from './migrations';
import { LOCK_FILE, PREVIOUS_SNAPSHOT_FILE, SNAPSHOT_FILE } from './storeFiles';
import type { Clock, SessionStoreOptions } from './storeOptions';
import type { StoreSignals } from './storeSignals';
import type { StoreSnapshots } from './storeSnapshots';

/** What one committed transaction changed, carried with its journal record until it is durable. */
interface ChangeSet {
  readonly sessionIds: Set<string>;
  readonly kinds: Set<StoreChangeKind>;
}

export interface WritePathHost {
  readonly directory: string;
  readonly clock: Clock;
  readonly options: SessionStoreOptions;
  readonly signals: StoreSignals;
  readonly snapshots: StoreSnapshots;
  database(): LedgerDatabase;
  /** Throws why the store takes no write now (closed, read-only), if it takes none. */
  assertWritable(): void;
}

export class StoreWritePath {
  /** Opened by {@link openJournal}: a read-only store has none. */
  journal!: JournalWriter<ChangeSet>;
  private nextRecord: number;
  private currentChanges: ChangeSet | undefined;
  private rewriting: Promise<void> | undefined;
  /** How records are written: binary once the database holds the migration that fences older versions off (see migrations.ts). */
  private recordFormat: RecordFormat = 'json';
  /**
   * Whether any session here is a read-only copy pulled from the team ledger, so that a ledger
   * without one pays no ownership lookup per write. Read again after every raw write (pulled rows
   * come in by raw SQL: src/core/sync) and whenever the database or its writer changes.
   */
  private pulledSessions: boolean | undefined;

  constructor(
    private readonly host: WritePathHost,
    lastRecord: number,
  ) {
    this.nextRecord = lastRecord + 1;
  }

  /** The last record written or replayed; a store taking the lock over continues after `record`. */
  get lastRecord(): number {
    return this.nextRecord - 1;
  }

  set lastRecord(record: number) {
    this.nextRecord = record + 1;
  }

  /** Notes, from a repository, that the current transaction changed `kind` records of `sessionId`. */
  changed(sessionId: string, kind: StoreChangeKind): void {
    // A session pulled from the team ledger is read-only (src/core/sync): checked once per session and transaction.
    if (!this.currentChanges?.sessionIds.has(sessionId) && (this.pulledSessions ??= hasPulledSessions(this.host.database())))
      assertSessionWritable(this.host.database(), sessionId);
    this.currentChanges?.sessionIds.add(sessionId);
    this.currentChanges?.kinds.add(kind);
  }

  /** A raw write, or a new database or writer: whether sessions here were pulled from the team ledger is looked up again. */
  forgetPulledSessions(): void {
    this.pulledSessions = undefined;
  }

  /** Starts writing: opens the journal and the snapshot worker, and applies the migrations the database lacks. */
  async start(loadSnapshot: boolean, migrations: readonly Migration[], wantsSnapshot: boolean): Promise<void> {
    const database = this.host.database();
    this.recordFormat = 'json';
    this.openJournal();
    this.host.snapshots.startWorker();
    const pending = migrations.slice(schemaVersion(database));
    for (const migration of pending) {
      const before = schemaVersion(database);
      try {
        await this.commit(() => applyMigration(database, migration, Math.floor(this.host.clock.now()))).durable;
      } catch (error) {
        // Rolled back (the version is unchanged): say which migration. Otherwise (the journal write failed) the error says it.
        if (schemaVersion(database) !== before) throw error;
        throw new MigrationFailedError(this.host.directory, migration.file, before, (error as Error).message);
      }
    }
    // Only now: the records of the migrations themselves are JSON, which any version reads.
    this.recordFormat = journalRecordFormat(database);
    // A replayed journal, a snapshot that was not the latest or had no checksum (an older version's),
    // or an upgraded snapshot is worth a fresh snapshot; a brand-new store is not.
    if (wantsSnapshot || (pending.length > 0 && loadSnapshot)) this.host.snapshots.inBackground();
    if (database.hasPendingIndexing) this.host.snapshots.indexWhenIdle(); // events the snapshot holds unindexed
  }

  /** Undoes a {@link start} that failed: closes the journal (dropping its segment if nothing was written to it) and stops the worker. */
  async undoStart(): Promise<void> {
    await this.journal?.close({ removeIfUnused: true }).catch(() => undefined);
    await this.host.snapshots.stopWorker();
  }

  private openJournal(): void {
    this.journal = JournalWriter.open<ChangeSet>(this.host.directory, this.nextRecord, (batch) => this.onDurable(batch), {
      files: this.host.options.journalFiles,
      fileCheckMs: this.host.options.fileCheckMs,
      onFailed: (error) => {
        this.host.snapshots.stopIdleTimer();
        if (error instanceof JournalLostError) this.host.signals.warn({ kind: 'journal-lost', message: error.message }, 'journal');
        else
          this.host.signals.warn(
            {
              kind: 'journal-failed',
              message: `${error.message} Every change acknowledged before this is kept; reopen the store (reload the window) to go on.`,
            },
            'journal',
          );
      },
    });
  }

  /** See SessionStore.commit; `indexLater`: bulk work, whose events the idle indexer indexes for search (see ledgerDatabaseSql.ts). */
  commit<T>(work: () => T, options: { indexLater?: boolean } = {}): { value: T; durable: Promise<void> } {
    const database = this.host.database();
    if (database.inTransaction) throw new Error('store.transaction cannot be nested: inside a transaction call the tx methods directly.');
    this.host.assertWritable();
    if (this.journal.failed) throw this.journal.failed;
    const recordNumber = this.nextRecord;
    const changes: ChangeSet = { sessionIds: new Set(), kinds: new Set() };
    let committed: { value: T; statements: JournalRecord['statements'] };
    let durable: Promise<void> | undefined;
    this.currentChanges = changes;
    try {
      committed = database.recordTransaction(
        recordNumber,
        () => {
          const value = work();
          if (value && typeof (value as { then?: unknown }).then === 'function') {
            throw new Error(
              'store.transaction callbacks must be synchronous: do the async work first, then write in one synchronous callback.',
            );
          }
          return value;
        },
        // The record goes to the journal (write + fdatasync started) before SQLite's COMMIT, which then overlaps the flush.
        (statements) => {
          durable = this.journal.appendNow({ recordNumber, statements }, changes, this.recordFormat);
        },
        options,
      );
    } catch (error) {
      if (durable) {
        // COMMIT failed after the record was journalled (the schema has no deferred constraints, so
        // only a broken database does this): memory and journal disagree, so stop writing.
        durable.catch(() => undefined);
        this.nextRecord++;
        this.journal.fail(
          new Error(
            `The session store could not commit a transaction its journal already holds (${(error as Error).message}); no further writes are accepted until it is reopened.`,
          ),
        );
      }
      throw error;
    } finally {
      this.currentChanges = undefined;
    }
    if (options.indexLater && database.hasPendingIndexing) this.host.snapshots.bulkCommitted();
    if (!durable) return { value: committed.value, durable: this.journal.whenDurable() };
    this.nextRecord++;
    return { value: committed.value, durable };
  }

  /**
   * Writes the store anew in its folder once the snapshots queued now are done (see
   * SessionStore.rewriteHome), `retakeLock` releasing the store's lock and taking it again; refuses
   * when its journal works or failed for another reason than a lost file.
   */
  rewriteHome(retakeLock: (lockPath: string) => void): Promise<void> {
    const failure = this.journal.failed;
    if (!(failure instanceof JournalLostError)) {
      return Promise.reject(
        new Error(
          failure
            ? `The session store cannot be rewritten: its journal failed for another reason (${failure.message}).`
            : `The session store's journal in ${this.host.directory} is working: there is nothing to rewrite.`,
        ),
      );
    }
    this.rewriting ??= this.host.snapshots
      .settled()
      .then(() => this.rewrite(retakeLock))
      .finally(() => (this.rewriting = undefined));
    return this.rewriting;
  }

  /** Settles once a rewrite in progress ended, however it ended. */
  async rewritten(): Promise<void> {
    await this.rewriting?.catch(() => undefined);
  }

  private async rewrite(retakeLock: (lockPath: string) => void): Promise<void> {
    const directory = this.host.directory;
    fs.mkdirSync(directory, { recursive: true });
    const present = fs
      .readdirSync(directory)
      .filter((name) => name === SNAPSHOT_FILE || name === PREVIOUS_SNAPSHOT_FILE || /^journal-\d{16}\.log$/.test(name));
    if (present.length > 0) {
      throw new Error(
        `The folder ${directory} already holds session store files (${present.join(', ')}); rewriting there would mix two histories. Move those files elsewhere, then rewrite the store again.`,
      );
    }
    retakeLock(path.join(directory, LOCK_FILE));
    await this.journal.close(); // the lost segment's descriptor
    await this.host.snapshots.writeFiles(path.join(directory, SNAPSHOT_FILE));
    this.openJournal();
    this.host.snapshots.rewritten(this.lastRecord);
    this.host.signals.allEnded();
  }

  private onDurable(batch: DurableBatch<ChangeSet>): void {
    const sessionIds = new Set<string>();
    const kinds = new Set<StoreChangeKind>();
    for (const changes of batch.extras) {
      changes.sessionIds.forEach((id) => sessionIds.add(id));
      changes.kinds.forEach((kind) => kinds.add(kind));
    }
    this.host.signals.onDidChange.fire({ sessionIds: [...sessionIds], kinds: [...kinds] });
    this.host.snapshots.journalled(batch.bytes);
  }
}
