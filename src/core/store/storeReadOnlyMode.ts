/*
 * A session store while read-only (another live process holds its lock, or it was opened as a
 * reader): rebuilt from the holder's files, following its journal (readOnlyStore.ts), and taking the
 * lock over — becoming the writer without a reload — when the holder goes.
 */
import * as path from 'node:path';
import type { SqlJsStatic } from 'sql.js';
import type { StoreChange } from '../model/change';
import type { FileMode, LedgerDatabase } from './ledgerDatabase';
import { LockFile, StoreLockedError, type LockInspection } from './lockFile';
import { MigrationFailedError, applyMigration, assertNotNewer, schemaVersion, type Migration } from './migrations';
import { ReadOnlyFollower, recoverForReading, type FollowerHost, type FollowerOptions, type StoreHolder } from './readOnlyStore';
import type { RecoveredState } from './recovery';
import { LOCK_FILE } from './storeFiles';
import { loadSqlJs, type Clock, type Opening } from './storeOptions';
import type { StoreSignals } from './storeSignals';

/** What a read-only store lends its mode: its database, its signals, and the two halves of becoming the writer. */
export interface ReadOnlyHost {
  readonly directory: string;
  readonly clock: Clock;
  readonly signals: StoreSignals;
  database(): LedgerDatabase;
  /** Installs a database rebuilt from a newer snapshot (the store closes the old one). */
  replaceDatabase(replacement: LedgerDatabase, snapshotRecord: number): void;
  closing(): boolean;
  /** Takes `lock` and becomes the writer, going on after `lastRecord` (the newest snapshot, if the follower reloaded, holds `snapshotRecord`). */
  becomeWriter(lock: LockFile, lastRecord: number, snapshotRecord: number | undefined): void;
  /** Starts writing as the writer: journal, worker, the migrations the database lacks. */
  startWriting(migrations: readonly Migration[]): Promise<void>;
  /** Undoes a takeover that failed ({@link becomeWriter}, {@link startWriting}; nothing was written): releases `lock`, and the store is read-only with `mode` again. */
  stayReader(lock: LockFile, mode: ReadOnlyMode): Promise<void>;
  /** Became the writer: the store says so and goes on as one. */
  becameWriter(): void;
}

/**
 * Rebuilds a store's state from its files for reading (nothing on disk changed), refusing a ledger
 * of a newer version (with `upgrade`, an older one is brought up to this version in memory), and
 * gives it to `build`; the database is closed if that fails.
 */
export async function recoverReadOnly<T>(
  start: Opening,
  fileMode: FileMode | undefined,
  options: { readonly upgrade: boolean; readonly verifyOnRead?: boolean },
  build: (recovered: RecoveredState) => T,
): Promise<{ SQL: SqlJsStatic; value: T }> {
  const SQL = await loadSqlJs(start.wasmPath);
  const recovered = await recoverForReading(SQL, start.directory, fileMode, 0, { verifyOnRead: options.verifyOnRead });
  try {
    assertNotNewer(recovered.database, start.migrations, start.directory);
    if (options.upgrade) upgradeInMemory(recovered.database, start.migrations, Math.floor(start.clock.now()), start.directory);
    return { SQL, value: build(recovered) };
  } catch (error) {
    recovered.database.close();
    throw error;
  }
}

/**
 * Brings a reader's copy of an older ledger up to this version's schema, in memory only (its files
 * keep their schema: their writer upgrades them). The database's last applied record is left as it
 * is, so a following reader goes on applying the writer's journal from where it was.
 */
function upgradeInMemory(database: LedgerDatabase, migrations: readonly Migration[], nowMillis: number, directory: string): void {
  for (const migration of migrations.slice(schemaVersion(database))) {
    const before = schemaVersion(database);
    try {
      database.recordTransaction(database.lastAppliedRecord(), () => applyMigration(database, migration, nowMillis));
    } catch (error) {
      throw new MigrationFailedError(directory, migration.file, before, (error as Error).message);
    }
  }
}

export class ReadOnlyMode {
  private follower: ReadOnlyFollower | undefined;
  /** False once the store became the writer. */
  private active = true;

  /**
   * @param lockFree opened as a reader ({@link SessionStore.openReader}): never takes the lock, even when it is free.
   * @param holder who holds the lock.
   */
  constructor(
    private readonly host: ReadOnlyHost,
    private readonly migrations: readonly Migration[],
    private readonly lockFree: boolean,
    public holder: StoreHolder | undefined,
  ) {}

  /** Follows the holder's journal live from now on. */
  follow(options: FollowerOptions, held: LockInspection | undefined): void {
    this.follower = new ReadOnlyFollower(
      this.followerHost(),
      { knownSchemaVersion: this.migrations.length, lockFree: this.lockFree, ...options },
      held,
    );
    this.follower.start();
  }

  /** A following reader: resolves once everything on disk now is applied. */
  async refresh(): Promise<void> {
    await this.follower?.refresh();
  }

  /** Stops following, waiting for a look in progress (which may be taking the lock over). */
  async stop(): Promise<void> {
    await this.follower?.stop();
  }

  dispose(): void {
    this.follower?.dispose();
  }

  private followerHost(): FollowerHost {
    const host = this.host;
    return {
      get database() {
        return host.database();
      },
      replaceDatabase: (replacement, snapshotRecord) => host.replaceDatabase(replacement, snapshotRecord),
      changed: (change: StoreChange) => host.signals.onDidChange.fire(change),
      holderChanged: (holder) => {
        this.holder = holder;
        host.signals.onDidChangeAccess.fire({ readOnly: true, holder });
      },
      lockFree: () => {
        if (!this.active || !this.lockFree) return this.takeOver();
        this.holder = undefined; // a lock-free reader goes on following whoever writes next
        return Promise.resolve(false);
      },
      warn: (warning, condition) => host.signals.warn(warning, condition),
    };
  }

  /**
   * The holder released the lock or died: takes the lock, applies what the holder wrote last
   * (repairing a torn tail as an open would), and becomes the writer — same database, no reload.
   * False when another process took the lock first (this store then follows that one).
   */
  private async takeOver(): Promise<boolean> {
    const follower = this.follower;
    if (!this.active || !follower || this.lockFree || this.host.closing()) return false;
    let lock: LockFile;
    try {
      lock = LockFile.acquire(path.join(this.host.directory, LOCK_FILE));
    } catch (error) {
      if (error instanceof StoreLockedError) return false;
      throw error;
    }
    follower.halt();
    try {
      const caughtUp = follower.catchUpForWriting(Math.floor(this.host.clock.now()), this.migrations);
      follower.dispose();
      this.active = false;
      this.host.becomeWriter(lock, caughtUp.lastRecord, caughtUp.snapshotRecord);
      caughtUp.warnings.forEach((warning) => this.host.signals.warn(warning));
      if (caughtUp.change) this.host.signals.onDidChange.fire(caughtUp.change);
      await this.host.startWriting(this.migrations);
    } catch (error) {
      // Nothing was written by this process: stay read-only, following whoever holds the lock next.
      await this.host.stayReader(lock, this);
      this.active = true;
      follower.resume();
      this.host.signals.warn(
        {
          kind: 'journal-failed',
          message: `This window could not take the session ledger in ${this.host.directory} over from the process that held it (${(error as Error).message}); it stays read-only.`,
        },
        'takeover',
      );
      return false;
    }
    this.host.becameWriter();
    return true;
  }
}
