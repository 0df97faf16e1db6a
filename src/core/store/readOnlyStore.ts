import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SqlJsStatic } from 'sql.js';
import type { StoreChange, StoreChangeKind } from '../model/change';
import { JournalFollower, applyCollectingChanges, mergeChanges } from './journalFollower';
import type { FileMode, LedgerDatabase } from './ledgerDatabase';
import { inspectLock, type LockInspection } from './lockFile';
import { assertNotNewer, schemaVersion, type Migration } from './migrations';
import { performRepairs, recoverState, replayJournal, type RecoveredState, type RecoveryOptions } from './recovery';
import { LOCK_FILE, SNAPSHOT_FILE } from './storeFiles';
import type { StoreWarning } from './storeWarning';

/** How often a read-only store looks at the journal and the lock when the file system reports nothing. */
const DEFAULT_POLL_MS = 300;
/** Least time between two looks, however often the file system reports changes (a busy writer appends every millisecond). */
const MIN_GAP_MS = 40;
/**
 * A reader never writes snapshots, so the pages its applied records changed stay in memory. Past this
 * many bytes, once the holder has written a newer snapshot, it reloads from that one instead.
 */
const REBASE_RESIDENT_BYTES = 64 * 1024 * 1024;
/** How often (at most) it asks whether to. */
const REBASE_CHECK_MS = 5_000;
/** Attempts to rebuild the state while the holder installs a snapshot or rotates (each race ends in milliseconds). */
const RECOVERY_ATTEMPTS = 6;

/** The process holding a ledger's lock, as its lock file says. */
export interface StoreHolder {
  readonly pid: number;
  readonly hostname?: string;
  /** When it took the lock (ISO 8601), if the lock file says. */
  readonly acquiredAt?: string;
  /** "process 4242 on this machine since 2026-12-04 17:05:12 UTC" */
  readonly description: string;
}

/** Whether this store writes, and who does when it does not (see SessionStore.onDidChangeAccess). */
export interface StoreAccess {
  readonly readOnly: boolean;
  readonly holder: StoreHolder | undefined;
}

export function describeHolder(lock: Pick<LockInspection, 'pid' | 'hostname' | 'acquiredAt'>): StoreHolder {
  const who = lock.pid > 0 ? `process ${lock.pid}` : 'another process (its lock file is still being written)';
  const where = lock.hostname === undefined || lock.hostname === os.hostname() ? 'on this machine' : `on ${lock.hostname}`;
  const since =
    lock.acquiredAt && !Number.isNaN(Date.parse(lock.acquiredAt))
      ? ` since ${new Date(lock.acquiredAt)
          .toISOString()
          .replace('T', ' ')
          .replace(/\.\d+Z$/, ' UTC')}`
      : '';
  return { pid: lock.pid, hostname: lock.hostname, acquiredAt: lock.acquiredAt, description: `${who} ${where}${since}` };
}

/** A write to a store opened read-only because another live process holds its lock. */
export class ReadOnlyStoreError extends Error {
  constructor(
    readonly directory: string,
    readonly holder: StoreHolder | undefined,
  ) {
    super(
      `The session ledger in ${directory} is held by ${holder?.description ?? 'another process'}; this window is read-only. ` +
        'Make the change in that window (or process), or close it: this one then takes the ledger over and can write.',
    );
    this.name = 'ReadOnlyStoreError';
  }
}

/** What a read-only store gives its follower: the database it reads, and where to report. */
export interface FollowerHost {
  /** The store's database now (replaced after a reload). */
  readonly database: LedgerDatabase;
  /** Installs a database rebuilt from the newest snapshot; the store closes the old one. */
  replaceDatabase(database: LedgerDatabase, snapshotRecord: number): void;
  changed(change: StoreChange): void;
  holderChanged(holder: StoreHolder): void;
  /** The lock is free or its holder gone: the store tries to take it over. Resolves true once it is the writer. */
  lockFree(): Promise<boolean>;
  warn(warning: StoreWarning, condition: string): void;
}

export interface FollowerOptions {
  readonly directory: string;
  readonly SQL: SqlJsStatic;
  readonly fileMode?: FileMode;
  /** Default 300 ms. */
  readonly pollMs?: number;
  /** The newest schema this version knows: a holder that upgrades the ledger past it is reported while followed. */
  readonly knownSchemaVersion?: number;
  /** A lock-free reader (CLI, MCP server): it never takes the ledger over, so the warning does not say it would. */
  readonly lockFree?: boolean;
}

/** Whether a rebuilt state is one the holder's files settled on, not a snapshot install or rotation seen half done. */
function settled(state: RecoveredState, atLeast: number): boolean {
  return state.lastRecord >= atLeast && state.repairs.every((repair) => repair.kind === 'cut-journal-tail'); // a torn tail: a write in progress
}

/**
 * Rebuilds a store's state from its files without changing any (the holder owns them): the newest
 * snapshot and the journal after it, as recoverState does. The holder may be installing a snapshot or
 * deleting segments meanwhile, which can make a file look damaged or a record missing for a moment:
 * then it looks again, and accepts what it finds after a few attempts.
 */
export async function recoverForReading(
  SQL: SqlJsStatic,
  directory: string,
  fileMode: FileMode | undefined,
  atLeast = 0,
  options: RecoveryOptions = {},
): Promise<RecoveredState> {
  for (let attempt = 1; ; attempt++) {
    let state: RecoveredState | undefined;
    try {
      state = recoverState(SQL, directory, fileMode, options);
    } catch (error) {
      if (attempt >= RECOVERY_ATTEMPTS) throw error;
    }
    if (state) {
      if (attempt >= RECOVERY_ATTEMPTS || settled(state, atLeast)) return state;
      state.database.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 25 * attempt));
  }
}

/** Which sessions differ between two databases (by their bookkeeping columns), after a reload. */
function sessionsDiffering(before: LedgerDatabase, after: LedgerDatabase): StoreChange {
  const fingerprint = (database: LedgerDatabase): Map<string, string> => {
    const rows = database.all('SELECT id, updated_at, event_count, interaction_count, deleted_at FROM sessions');
    return new Map(rows.map((row) => [String(row.id), `${row.updated_at}|${row.event_count}|${row.interaction_count}|${row.deleted_at}`]));
  };
  const old = fingerprint(before);
  const sessionIds = [...fingerprint(after)].filter(([id, print]) => old.get(id) !== print).map(([id]) => id);
  const kinds: StoreChangeKind[] = ['session', 'interaction', 'event', 'run', 'conversation', 'message', 'artifact', 'note'];
  return { sessionIds, kinds };
}

/**
 * Keeps a read-only store up to date with the process holding its lock: applies the holder's journal
 * records as they become durable (fs.watch on the folder, and a poll in case the file system says
 * nothing), follows it across snapshots and journal rotation, reloads from the newest snapshot when
 * it fell so far behind that the segments it needed were deleted, and watches the lock: when the
 * holder releases it or dies, the store takes it over (see SessionStore).
 */
export class ReadOnlyFollower {
  private readonly journal: JournalFollower;
  private watcher: fs.FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private scheduled: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private lastLook = 0;
  private stopped = false;
  private holderKey: string | undefined;
  /** The snapshot file the database was loaded from, as far as we know (see {@link wantsRebase}). */
  private loadedSnapshot: string | undefined;
  private nextRebaseCheck = 0;
  /** Where the last gap was met (record and snapshot): met again there, reloading would not help. */
  private gapAt: string | undefined;
  /** Reloads from a snapshot so far (tests and diagnostics). */
  reloads = 0;
  /** Whether {@link warnIfNewer} has said so (the schema never goes back down). */
  private newerReported = false;

  constructor(
    private readonly host: FollowerHost,
    private readonly options: FollowerOptions,
    holder: LockInspection | undefined,
  ) {
    this.journal = new JournalFollower(options.directory);
    this.holderKey = holder && holderKeyOf(holder);
    this.loadedSnapshot = snapshotIdentity(options.directory);
  }

  /** Starts watching; the first look happens at once. */
  start(): void {
    try {
      this.watcher = fs.watch(this.options.directory, { persistent: false }, () => this.schedule());
      this.watcher.on('error', () => this.closeWatcher()); // the poll goes on
    } catch {
      // No watching here (some network file systems): the poll alone.
    }
    this.timer = setInterval(() => this.schedule(), this.options.pollMs ?? DEFAULT_POLL_MS);
    this.timer.unref();
    this.schedule();
  }

  /** Stops watching and polling at once (a look in progress finishes first, see {@link stop}). The journal position is kept (see {@link catchUpForWriting}). */
  halt(): void {
    this.stopped = true;
    this.closeWatcher();
    clearInterval(this.timer);
    clearTimeout(this.scheduled);
    this.scheduled = undefined;
  }

  /** {@link halt}, then waits for a look in progress (which may be taking the lock over). */
  async stop(): Promise<void> {
    this.halt();
    await this.running;
  }

  /** Starts again after {@link halt} (a takeover that failed). */
  resume(): void {
    this.stopped = false;
    this.start();
  }

  dispose(): void {
    this.halt();
    this.journal.dispose();
  }

  /** Looks now (after the look in progress, if any): resolves once what is on disk now is applied. */
  async refresh(): Promise<void> {
    while (this.running) await this.running;
    if (this.stopped) return;
    this.running = this.look().finally(() => (this.running = undefined));
    return this.running;
  }

  /**
   * With the lock now held by this process (nobody else writes): applies everything the previous
   * holder wrote, repairs its torn tail as an open would (kept aside, never deleted), and says where
   * the journal ends and what the database's snapshot covers at least. Throws StoreVersionError,
   * before repairing anything, when the holder was a newer version that upgraded the ledger past
   * `migrations`: what this version cannot read of its journal is not damage (an open refuses
   * such a ledger the same way).
   */
  catchUpForWriting(
    nowMillis: number,
    migrations: readonly Migration[],
  ): {
    lastRecord: number;
    snapshotRecord: number | undefined;
    warnings: StoreWarning[];
    change: StoreChange | undefined;
  } {
    const followed = this.journal.follow(this.host.database);
    this.journal.dispose();
    const changes = [followed.change];
    let snapshotRecord: number | undefined;
    const warnings: StoreWarning[] = [];
    if (followed.gap) {
      const state = recoverState(this.options.SQL, this.options.directory, this.options.fileMode);
      try {
        assertNotNewer(state.database, migrations, this.options.directory);
      } catch (error) {
        state.database.close();
        throw error;
      }
      changes.push(sessionsDiffering(this.host.database, state.database));
      this.host.replaceDatabase(state.database, state.snapshotRecord);
      snapshotRecord = state.snapshotRecord;
      warnings.push(...performRepairs(state.repairs, nowMillis));
      return { lastRecord: state.lastRecord, snapshotRecord, warnings, change: mergeChanges(changes.filter(isChange)) };
    }
    // What follow() left: a torn tail to cut off before this process appends a new segment after it.
    const { value: replay, change } = applyCollectingChanges(this.host.database, () =>
      replayJournal(this.host.database, this.options.directory),
    );
    changes.push(change);
    assertNotNewer(this.host.database, migrations, this.options.directory);
    warnings.push(...performRepairs(replay.repairs, nowMillis));
    return { lastRecord: replay.lastRecord, snapshotRecord, warnings, change: mergeChanges(changes.filter(isChange)) };
  }

  private schedule(): void {
    if (this.stopped || this.scheduled) return;
    const wait = Math.max(0, this.lastLook + MIN_GAP_MS - Date.now());
    this.scheduled = setTimeout(() => {
      this.scheduled = undefined;
      void this.refresh();
    }, wait);
    this.scheduled.unref();
  }

  private async look(): Promise<void> {
    if (this.stopped) return;
    this.lastLook = Date.now();
    try {
      const followed = this.journal.follow(this.host.database);
      if (followed.change) this.host.changed(followed.change);
      // A migration's record changes no session (no change is reported for it): look after any record applied.
      if (followed.applied > 0) this.warnIfNewer();
      if (followed.gap) {
        // A gap the newest snapshot did not close (nothing new since the last reload) is the holder's to repair: wait for its next snapshot.
        const at = `${this.host.database.lastAppliedRecord()}|${snapshotIdentity(this.options.directory)}`;
        if (at !== this.gapAt) await this.reload();
        else
          this.host.warn(
            {
              kind: 'unreplayable-journal',
              message: `This read-only window cannot follow the ledger in ${this.options.directory}: journal records after ${this.host.database.lastAppliedRecord()} are missing. It shows what it has, and follows again after the next snapshot.`,
            },
            'follow-gap',
          );
        this.gapAt = at;
      } else if (this.wantsRebase()) {
        await this.reload();
      }
    } catch (error) {
      this.host.warn(
        {
          kind: 'unreplayable-journal',
          message: `This read-only window could not apply the ledger's latest changes (it tries again): ${(error as Error).message}`,
        },
        'follow',
      );
    }
    if (this.stopped) return;
    try {
      const lock = inspectLock(path.join(this.options.directory, LOCK_FILE));
      if (lock === undefined || lock.stale) {
        if (await this.host.lockFree()) this.stopped = true;
        return;
      }
      const key = holderKeyOf(lock);
      if (key !== this.holderKey) {
        this.holderKey = key;
        this.host.holderChanged(describeHolder(lock));
      }
    } catch (error) {
      this.host.warn(
        {
          kind: 'journal-failed',
          message: `This read-only window could not check or take over the ledger's lock in ${this.options.directory} (it tries again): ${(error as Error).message}`,
        },
        'lock',
      );
    }
  }

  /** The journal no longer holds what comes next: rebuild from the newest snapshot (and the journal after it), then go on from there. */
  private async reload(): Promise<void> {
    const before = this.host.database;
    const snapshot = snapshotIdentity(this.options.directory);
    const state = await recoverForReading(this.options.SQL, this.options.directory, this.options.fileMode, before.lastAppliedRecord());
    if (this.stopped || state.lastRecord < before.lastAppliedRecord()) {
      state.database.close(); // stopped meanwhile (a takeover catches up by itself), or no better than what we have
      return;
    }
    this.reloads++;
    this.loadedSnapshot = snapshot;
    const progressed = state.lastRecord > before.lastAppliedRecord();
    const change = sessionsDiffering(before, state.database);
    this.journal.reset();
    this.host.replaceDatabase(state.database, state.snapshotRecord);
    if (progressed) this.host.changed(change);
    this.warnIfNewer();
  }

  /**
   * A holder of a newer version upgraded the ledger while this window followed it (an open refuses
   * such a ledger; a takeover does too, see {@link catchUpForWriting}): says so once, so the person
   * knows why this window goes on reading but will not take over.
   */
  private warnIfNewer(): void {
    const known = this.options.knownSchemaVersion;
    if (known === undefined || this.newerReported) return;
    const version = schemaVersion(this.host.database);
    if (version <= known) return;
    this.newerReported = true;
    const upgraded = `The session ledger in ${this.options.directory} was upgraded by a newer version of Session Ledger (schema ${version}; this version knows up to ${known}).`;
    this.host.warn(
      {
        kind: 'newer-version',
        message: this.options.lockFree
          ? `${upgraded} What this version reads of it may be incomplete: update Session Ledger.`
          : `${upgraded} This window goes on showing it read-only and will not take it over, even when the other window closes: update the extension.`,
      },
      'newer-schema',
    );
  }

  /** Whether the memory held for applied records is worth dropping, the holder having written a newer snapshot. */
  private wantsRebase(): boolean {
    if (Date.now() < this.nextRebaseCheck) return false;
    this.nextRebaseCheck = Date.now() + REBASE_CHECK_MS;
    return (
      (this.host.database.residentFileBytes ?? 0) > REBASE_RESIDENT_BYTES &&
      snapshotIdentity(this.options.directory) !== this.loadedSnapshot
    );
  }

  private closeWatcher(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }
}

/** Which file the snapshot name points to now (a new snapshot is renamed into place: a new inode). */
function snapshotIdentity(directory: string): string | undefined {
  try {
    const stats = fs.statSync(path.join(directory, SNAPSHOT_FILE));
    return `${stats.dev}:${stats.ino}:${stats.mtimeMs}`;
  } catch {
    return undefined;
  }
}

function holderKeyOf(lock: LockInspection): string {
  return `${lock.pid}|${lock.hostname}|${lock.acquiredAt}`;
}

function isChange(change: StoreChange | undefined): change is StoreChange {
  return change !== undefined;
}
