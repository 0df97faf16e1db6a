import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { StoreChange } from '../model/change';
import type { LedgerDatabase } from './ledgerDatabase';
import { LockFile, StoreLockedError, inspectLock } from './lockFile';
import { assertNotNewer, schemaVersion } from './migrations';
import { ReadOnlyStoreError, describeHolder, type StoreAccess, type StoreHolder } from './readOnlyStore';
import { performRepairs, recoverState, type RecoveredState } from './recovery';
import type { RepositoryContext } from './repositories/repositoryContext';
import { LOCK_FILE } from './storeFiles';
import type { StoreWarning } from './storeWarning';
import type { StoreTransaction } from './repositoryApi';
import {
  createFacades,
  createRepositories,
  type StoreArtifacts,
  type StoreConversations,
  type StoreEvents,
  type StoreInteractions,
  type StoreLedgerMeta,
  type StoreNotes,
  type StoreRuns,
  type StoreSessions,
  type SqlAccess,
} from './storeFacades';
import { loadSqlJs, opening, type Clock, type Disposable, type Opening, type SessionStoreOptions } from './storeOptions';
import { ReadOnlyMode, recoverReadOnly, type ReadOnlyHost } from './storeReadOnlyMode';
import { StoreSignals } from './storeSignals';
import { StoreSnapshots } from './storeSnapshots';
import { StoreWritePath } from './storeWritePath';

/**
 * The session store: sql.js for synchronous reads (its database file read on demand from the last
 * snapshot, written parts held in memory: see chunkedFile.ts), an append-only checksummed journal
 * for durability (group commit), and snapshots — images of the database file taken between two
 * transactions — written by a worker thread (storeSnapshots.ts), so the extension host never waits
 * on one. Read-only while another live process holds its lock (storeReadOnlyMode.ts).
 *
 *   const store = await SessionStore.open({ directory });
 *   const session = await store.sessions.create({ type: 'test-fix', title: 'Fix flaky test', intention: '…' });
 *   store.events.list(session.id, { after: 0, limit: 200 });
 *   await store.transaction((tx) => { tx.sessions.update(id, { phase: 'build' }); tx.events.append({ … }); });
 */
export class SessionStore {
  readonly sessions: StoreSessions;
  readonly interactions: StoreInteractions;
  readonly events: StoreEvents;
  readonly runs: StoreRuns;
  readonly conversations: StoreConversations;
  readonly artifacts: StoreArtifacts;
  readonly notes: StoreNotes;
  /** The ledger's own metadata (ledger id, project identity): see projectIdentity.ts. */
  readonly ledgerMeta: StoreLedgerMeta;

  private readonly signals = new StoreSignals();
  private readonly snapshots: StoreSnapshots;
  private readonly writes: StoreWritePath;
  private readonly tx: StoreTransaction;
  private closing: Promise<void> | undefined;
  /** Set while the store is read-only: another live process holds the lock, or it was opened as a reader. */
  private reading: ReadOnlyMode | undefined;

  private readonly directory: string;
  private readonly clock: Clock;
  /** Replaced only while read-only, when the store reloads from a newer snapshot. */
  private database: LedgerDatabase;

  private constructor(
    start: Opening,
    recovered: Pick<RecoveredState, 'database' | 'lastRecord' | 'snapshotRecord'>,
    /** Undefined while read-only. */
    private lock: LockFile | undefined,
    options: SessionStoreOptions,
  ) {
    ({ directory: this.directory, clock: this.clock } = start);
    this.database = recovered.database;
    const closing = (): boolean => this.closing !== undefined;
    const host = { directory: this.directory, clock: this.clock, options, signals: this.signals, database: () => this.database, closing };
    this.snapshots = new StoreSnapshots({ ...host, journal: () => this.writes.journal }, recovered.snapshotRecord);
    this.writes = new StoreWritePath(
      {
        ...host,
        snapshots: this.snapshots,
        assertWritable: () => {
          if (this.closing) throw new Error('The session store is closed.');
          if (this.reading) throw new ReadOnlyStoreError(this.directory, this.reading.holder);
        },
      },
      recovered.lastRecord,
    );
    const context: RepositoryContext = {
      db: this.database,
      nowMillis: () => Math.floor(this.clock.now()),
      nowMicros: () => Math.round(this.clock.now() * 1000),
      newId: () => randomUUID(),
      changed: (sessionId, kind) => this.writes.changed(sessionId, kind),
    };
    // Always the store's current database: a read-only store replaces it when it reloads (readOnlyStore.ts).
    Object.defineProperty(context, 'db', { get: () => this.database });
    this.tx = createRepositories(context);
    const facades = createFacades(this.tx, (work) => this.transaction(() => work()));
    this.sessions = facades.sessions;
    this.interactions = facades.interactions;
    this.events = facades.events;
    this.runs = facades.runs;
    this.conversations = facades.conversations;
    this.artifacts = facades.artifacts;
    this.notes = facades.notes;
    this.ledgerMeta = facades.ledgerMeta;
  }

  /**
   * Opens (creating if needed) the store in `options.directory`: takes the lock, loads the snapshot,
   * replays the journal, refuses a store written by a newer version (leaving it untouched), keeps
   * damaged files aside with a warning, applies pending migrations, and starts the snapshot worker.
   */
  static async open(options: SessionStoreOptions): Promise<SessionStore> {
    const start = opening(options);
    const directory = start.directory;
    fs.mkdirSync(directory, { recursive: true });
    let lock: LockFile;
    try {
      lock = LockFile.acquire(path.join(directory, LOCK_FILE));
    } catch (error) {
      if (!(error instanceof StoreLockedError) || !options.readOnlyWhenHeld) throw error;
      return SessionStore.openReadOnly(options, start, error);
    }
    let database: LedgerDatabase | undefined;
    let store: SessionStore | undefined;
    try {
      const recovered = recoverState(await loadSqlJs(start.wasmPath), directory, options.fileMode);
      database = recovered.database;
      assertNotNewer(database, start.migrations, directory);
      const warnings = performRepairs(recovered.repairs, Math.floor(start.clock.now()));
      store = new SessionStore(start, recovered, lock, options);
      store.signals.warnings.push(...warnings);
      store.snapshots.wanted = recovered.wantsSnapshot;
      await store.writes.start(recovered.loadedSnapshot, start.migrations, recovered.replayed.length > 0 || recovered.wantsSnapshot);
      return store;
    } catch (error) {
      // A failed start (e.g. a migration, a full disk) must not leave the journal file open, the worker running or the lock held.
      try {
        if (store) await store.abandon();
        else database?.close();
      } finally {
        lock.release();
      }
      throw error;
    }
  }

  /**
   * Opens the store read-only, another live process holding its lock: its state rebuilt from the files
   * (none changed: they are the holder's), then followed live until the holder goes (see readOnlyStore.ts).
   */
  private static async openReadOnly(options: SessionStoreOptions, start: Opening, locked: StoreLockedError): Promise<SessionStore> {
    const { SQL, value: store } = await recoverReadOnly(
      start,
      options.fileMode,
      { upgrade: false },
      (recovered) => new SessionStore(start, recovered, undefined, options),
    );
    const held = inspectLock(path.join(start.directory, LOCK_FILE));
    const holder = describeHolder(held ?? { pid: locked.pid, hostname: locked.hostname });
    store.reading = new ReadOnlyMode(store.readOnlyHost(), start.migrations, false, holder);
    store.reading.follow({ directory: start.directory, SQL, fileMode: options.fileMode }, held);
    return store;
  }

  /**
   * Opens the store strictly read-only without ever taking its lock, whether or not another process
   * holds it: for commands and servers that only read (the `session-ledger` reading commands, its
   * MCP server). Its state is rebuilt from the files as a read-only window's is (the newest snapshot
   * and the journal after it, nothing on disk changed, no journal or snapshot written); a ledger of
   * an older schema is brought up to date in memory only. With `follow`, it then applies what the
   * writer (if any) appends, live, like a read-only window, but never takes the lock over: see
   * {@link refresh}. Writes throw {@link ReadOnlyStoreError}; {@link holder} is who held the lock at open.
   */
  static async openReader(options: SessionStoreOptions & { readonly follow?: boolean; readonly pollMs?: number }): Promise<SessionStore> {
    const start = opening(options);
    // Each part of the snapshot is checked against its checksum when first read: a read touching a few MiB does not read them all.
    const { SQL, value: store } = await recoverReadOnly(
      start,
      options.fileMode,
      { upgrade: true, verifyOnRead: true },
      (recovered) => new SessionStore(start, recovered, undefined, options),
    );
    const held = inspectLock(path.join(start.directory, LOCK_FILE));
    store.reading = new ReadOnlyMode(store.readOnlyHost(), start.migrations, true, held && !held.stale ? describeHolder(held) : undefined);
    if (options.follow) store.reading.follow({ directory: start.directory, SQL, fileMode: options.fileMode, pollMs: options.pollMs }, held);
    return store;
  }

  /** A following reader ({@link openReader} with `follow`): resolves once everything on disk now is applied. Otherwise nothing to do. */
  async refresh(): Promise<void> {
    await this.reading?.refresh();
  }

  /** True while another live process holds the store's lock: reads work, writes throw {@link ReadOnlyStoreError}. */
  get readOnly(): boolean {
    return this.reading !== undefined;
  }

  /** Who holds the lock while the store is read-only. */
  get holder(): StoreHolder | undefined {
    return this.reading?.holder;
  }

  /** Fired when the store becomes the writer (the holder exited or died) or the holder changes. */
  onDidChangeAccess(listener: (access: StoreAccess) => void): Disposable {
    return this.signals.onDidChangeAccess.on(listener);
  }

  get warnings(): readonly StoreWarning[] {
    return this.signals.warnings;
  }

  /** Where the store lives. */
  get storageDirectory(): string {
    return this.directory;
  }

  /** The schema version (number of applied migrations). */
  get schemaVersion(): number {
    return schemaVersion(this.database);
  }

  /**
   * Raw SQL over the store's database, for the few features that need queries the repositories do
   * not offer (full-text search, retention's row deletes, team replication: see store/queries).
   * `all` reads at any time; `run` writes ONLY inside `store.transaction(tx => …)` (it throws
   * elsewhere), so every write is journalled like the repositories' writes. Raw writes are not
   * reported by `onDidChange`: callers refresh their views themselves.
   */
  get sql(): SqlAccess {
    const database = () => this.database;
    return {
      all: (sql, params) => this.database.all(sql, params),
      run: (sql, params) => {
        this.writes.forgetPulledSessions();
        this.database.run(sql, params);
      },
      runScript: (script) => {
        this.writes.forgetPulledSessions();
        this.database.runScript(script);
      },
      get searchPending() {
        return database().hasPendingIndexing;
      },
      whenSearchable: () => this.snapshots.indexAll(),
    };
  }

  onDidWarn(listener: (warning: StoreWarning) => void): Disposable {
    return this.signals.onDidWarn.on(listener);
  }

  onDidChange(listener: (change: StoreChange) => void): Disposable {
    return this.signals.onDidChange.on(listener);
  }

  transaction<T>(work: (tx: StoreTransaction) => T): Promise<T> {
    if (this.database.inTransaction) {
      // Thrown, not rejected: it aborts (and rolls back) the enclosing transaction's callback.
      throw new Error('store.transaction cannot be nested: inside a transaction call the tx methods directly.');
    }
    try {
      const { value, durable } = this.writes.commit(() => work(this.tx));
      return durable.then(() => value);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * `transaction` for a writer that goes on working while the journal syncs (a bulk import): runs
   * `work` and commits it in memory now, giving back its value at once with the promise of its
   * durability. Nothing is acknowledged until `durable` resolves; throws what `work` threw (the
   * transaction rolled back) or why the store refused it. The events it adds are indexed for search
   * once writes pause (or by the next search), not by the transaction: that is a fifth of an import.
   */
  commit<T>(work: (tx: StoreTransaction) => T): { value: T; durable: Promise<void> } {
    return this.writes.commit(() => work(this.tx), { indexLater: true });
  }

  flush(): Promise<void> {
    if (this.reading) return Promise.resolve(); // nothing written here
    return this.writes.journal.whenDurable();
  }

  snapshot(): Promise<void> {
    if (this.reading) return Promise.reject(new ReadOnlyStoreError(this.directory, this.reading.holder));
    return this.snapshots.snapshot();
  }

  close(): Promise<void> {
    this.closing ??= this.reading ? this.shutDownReader(this.reading) : this.shutDown();
    return this.closing;
  }

  /**
   * After the store lost its folder or journal file (deleted or replaced while open: the
   * `journal-lost` warning, when every change is refused), writes everything the store holds —
   * every change it acknowledged, and those refused since, which it still holds in memory — to a
   * fresh, checksummed snapshot and a new journal in its folder (recreated if missing), takes the
   * lock again and accepts changes again. Refuses, leaving everything as it is, when the folder
   * already holds store files (another store's history must not be overwritten: move them away
   * first) or another process holds its lock.
   */
  rewriteHome(): Promise<void> {
    if (this.closing) return Promise.reject(new Error('The session store is closed.'));
    if (this.reading) return Promise.reject(new ReadOnlyStoreError(this.directory, this.reading.holder));
    return this.writes.rewriteHome((lockPath) => {
      this.lock?.release(); // its file went with the folder; released first, so it cannot remove the new one
      this.lock = LockFile.acquire(lockPath);
    });
  }

  /**
   * Undoes a start that failed: closes the journal (dropping the segment it created if nothing was
   * written to it, so a refused upgrade leaves the files as they were), stops the worker and closes the
   * database. The caller releases the lock.
   */
  private async abandon(): Promise<void> {
    this.closing ??= Promise.resolve();
    this.snapshots.stopTimers();
    await this.writes.undoStart();
    this.database.close();
  }

  /** Writes a final snapshot when the journal works, then releases everything — each step even if one before it failed — so close() always settles. */
  private async shutDown(): Promise<void> {
    this.snapshots.stopTimers();
    try {
      await this.writes.rewritten();
      if (!this.writes.journal.failed) {
        await this.writes.journal.whenDurable();
        await this.snapshot();
      }
    } catch (error) {
      if (!this.writes.journal.failed)
        this.signals.warn({
          kind: 'snapshot-failed',
          message: `No final snapshot was written (the journal keeps every change): ${(error as Error).message}`,
        });
    } finally {
      await this.writes.journal.close().catch(() => undefined);
      await this.snapshots.stopWorker();
      try {
        this.database.close();
      } finally {
        this.lock?.release();
      }
    }
  }

  /** Closes a read-only store; one that became the writer meanwhile closes as a writer. */
  private async shutDownReader(mode: ReadOnlyMode): Promise<void> {
    await mode.stop();
    if (!this.reading) return this.shutDown();
    mode.dispose();
    this.database.close();
  }

  /** What the read-only mode needs of the store: its database, and the two halves of becoming the writer. */
  private readOnlyHost(): ReadOnlyHost {
    return {
      directory: this.directory,
      clock: this.clock,
      signals: this.signals,
      database: () => this.database,
      replaceDatabase: (replacement, snapshotRecord) => {
        const old = this.database;
        this.database = replacement;
        this.writes.forgetPulledSessions();
        this.snapshots.lastSnapshotRecord = snapshotRecord;
        old.close();
      },
      closing: () => this.closing !== undefined,
      becomeWriter: (lock, lastRecord, snapshotRecord) => {
        this.lock = lock;
        this.reading = undefined;
        this.writes.forgetPulledSessions();
        this.writes.lastRecord = lastRecord;
        if (snapshotRecord !== undefined) this.snapshots.lastSnapshotRecord = snapshotRecord;
      },
      startWriting: (migrations) => this.writes.start(true, migrations, false),
      stayReader: async (lock, mode) => {
        // A reader writes no snapshots: no idle snapshot armed by the failed takeover's writes may fire.
        this.snapshots.stopIdleTimer();
        await this.writes.undoStart();
        lock.release();
        this.lock = undefined;
        this.reading = mode;
      },
      becameWriter: () => {
        this.snapshots.armIdle();
        this.signals.onDidChangeAccess.fire({ readOnly: false, holder: undefined });
      },
    };
  }
}
