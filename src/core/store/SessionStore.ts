import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import initSqlJs from 'sql.js';
import type { StoreChange, StoreChangeKind } from '../model/change';
import type { JournalRecord } from './journalRecord';
import type { DurableBatch, JournalFiles } from './journalWriter';
import { JournalLostError, JournalWriter } from './journalWriter';
import type { FileMode, LedgerDatabase } from './ledgerDatabase';
import { LockFile, StoreLockedError, inspectLock } from './lockFile';
import {
  MigrationFailedError,
  applyMigration,
  assertNotNewer,
  defaultMigrationsDirectory,
  loadMigrations,
  schemaVersion,
  type Migration,
} from './migrations';
import {
  ReadOnlyFollower,
  ReadOnlyStoreError,
  describeHolder,
  recoverForReading,
  type FollowerHost,
  type StoreAccess,
  type StoreHolder,
} from './readOnlyStore';
import { performRepairs, recoverState } from './recovery';
import { ArtifactRepository } from './repositories/artifactRepository';
import { ConversationRepository } from './repositories/conversationRepository';
import { EventRepository } from './repositories/eventRepository';
import { InteractionRepository } from './repositories/interactionRepository';
import { LedgerMetaRepository } from './repositories/ledgerMetaRepository';
import { NoteRepository } from './repositories/noteRepository';
import type { RepositoryContext } from './repositories/repositoryContext';
import { RunRepository } from './repositories/runRepository';
import { SessionRepository } from './repositories/sessionRepository';
import { SnapshotWriter, defaultWorkerPath } from './snapshotWriter';
import type { StoreWarning } from './storeWarning';
import { assertSessionWritable, hasPulledSessions } from '../sync/ownership';
import { writeSnapshotImage } from './chunkedFile';
import { LOCK_FILE, PREVIOUS_SNAPSHOT_FILE, SNAPSHOT_FILE, listSegments, writeFully, writeSnapshotFile } from './storeFiles';
import type {
  Acknowledged,
  ArtifactsReads,
  ArtifactsWrites,
  ConversationsReads,
  ConversationsWrites,
  EventsReads,
  EventsWrites,
  InteractionsReads,
  InteractionsWrites,
  LedgerMetaReads,
  LedgerMetaWrites,
  NotesReads,
  NotesWrites,
  RunsReads,
  RunsWrites,
  SessionsReads,
  SessionsWrites,
  StoreTransaction,
} from './repositoryApi';

/** What {@link SessionStore.sql} exposes: reads anywhere, journalled writes inside `store.transaction`. */
export interface SqlAccess {
  all(sql: string, params?: readonly (string | number | null)[]): Record<string, string | number | null>[];
  run(sql: string, params?: readonly (string | number | null)[]): void;
}

/** Time source (milliseconds since the epoch, may be fractional). Tests pass a fake one. */
export interface Clock {
  now(): number;
}

export interface Disposable {
  dispose(): void;
}

export interface SessionStoreOptions {
  /** Directory holding the snapshot (`ledger.sqlite`), journal segments and the lock file. Created if missing. */
  directory: string;
  /** Path of `sql-wasm.wasm`. Default: `require.resolve('sql.js/dist/sql-wasm.wasm')`, then `<module dir>/sql-wasm.wasm`. */
  wasmPath?: string;
  /** Directory of `NNNN_name.sql` migrations. Default: the repo's `migrations/` found relative to this module (works from `dist/` and `src/core/store`). */
  migrationsDirectory?: string;
  /** Snapshot worker script. Default: `snapshotWorker.js` beside this module (bundled), else `snapshotWorker.ts` run through tsx (source). */
  workerPath?: string;
  clock?: Clock;
  /** Write a snapshot (off the main thread) once the journal since the last one exceeds this many bytes. Default 64 MiB. */
  snapshotJournalBytes?: number;
  /**
   * Write snapshots in a worker thread (default true). `false` writes them on the calling thread,
   * which stalls it for about a millisecond per MB: only for tools and tests with small stores.
   */
  snapshotInWorker?: boolean;
  /**
   * How the database file is held (see LedgerDatabase.open): `on-demand` (default) reads the
   * snapshot file when SQLite needs a page; `in-memory` (default on Windows) reads it whole at open.
   */
  fileMode?: FileMode;
  /** Write a snapshot after this long without writes, if anything was written since the last one. Default 30 s; 0 disables. */
  snapshotIdleMs?: number;
  /**
   * Index the events appended since the last batch for search after appends paused this long
   * (default 250 ms). Reads of the index and snapshots never wait for it: they index what waits first.
   */
  indexIdleMs?: number;
  /**
   * How often (ms) the journal checks, when idle, that its file is still in the store's folder (it
   * also checks before acknowledging after a snapshot or rotation, and every 100 ms under load).
   * Default 1 s; 0 disables the timer.
   */
  fileCheckMs?: number;
  /** The journal's file operations (default: Node's fs). For fault-injection tests only. */
  journalFiles?: JournalFiles;
  /**
   * When another live process holds the store's lock, open read-only instead of failing: follow its
   * journal live, refuse writes with {@link ReadOnlyStoreError}, and take the lock over (becoming the
   * writer, without a reload) when that process exits or dies. See readOnlyStore.ts.
   */
  readOnlyWhenHeld?: boolean;
}

export { ReadOnlyStoreError, type StoreAccess, type StoreHolder } from './readOnlyStore';

export type { StoreWarning, StoreWarningKind } from './storeWarning';

export type StoreSessions = SessionsReads & Acknowledged<SessionsWrites>;
export type StoreInteractions = InteractionsReads & Acknowledged<InteractionsWrites>;
export type StoreEvents = EventsReads & Acknowledged<EventsWrites>;
export type StoreRuns = RunsReads & Acknowledged<RunsWrites>;
export type StoreConversations = ConversationsReads & Acknowledged<ConversationsWrites>;
export type StoreArtifacts = ArtifactsReads & Acknowledged<ArtifactsWrites>;
export type StoreNotes = NotesReads & Acknowledged<NotesWrites>;

const DEFAULT_SNAPSHOT_JOURNAL_BYTES = 64 * 1024 * 1024;
const DEFAULT_SNAPSHOT_IDLE_MS = 30_000;
/** How long appends must pause before the events they added are indexed for search in the background (see ledgerDatabase.ts). */
const INDEX_IDLE_MS = 250;

/** `sql-wasm.wasm` beside this module (bundled extension: dist/), else the sql.js package's copy. */
function defaultWasmPath(): string {
  const bundled = path.join(__dirname, 'sql-wasm.wasm');
  const packagedWasm = 'sql.js/dist/sql-wasm.wasm'; // a variable, so bundlers leave the lookup to run time
  return fs.existsSync(bundled) ? bundled : require.resolve(packagedWasm);
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

/** Wall-clock time with sub-millisecond resolution (monotonic within a run). */
function systemClock(): Clock {
  const origin = Date.now() - performance.now();
  return { now: () => origin + performance.now() };
}

/** What one committed transaction changed, carried with its journal record until it is durable. */
interface ChangeSet {
  readonly sessionIds: Set<string>;
  readonly kinds: Set<StoreChangeKind>;
}

type Listener<T> = (value: T) => void;

class Emitter<T> {
  private readonly listeners = new Set<Listener<T>>();

  on(listener: Listener<T>): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  fire(value: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch {
        // A failing listener must not break the store or the other listeners.
      }
    }
  }
}

/** Builds the store-level face of a repository: reads delegated, each write run as its own durable transaction. */
function acknowledgedFacade<Reads, Writes>(
  repository: Reads & Writes,
  reads: Record<keyof Reads, true>,
  writes: Record<keyof Writes, true>,
  commit: <T>(work: () => T) => Promise<T>,
): Reads & Acknowledged<Writes> {
  const target = repository as unknown as Record<string, (...args: unknown[]) => unknown>;
  const facade: Record<string, unknown> = {};
  for (const name of Object.keys(reads)) facade[name] = (...args: unknown[]) => target[name]!(...args); // `reads` names methods of `repository`
  for (const name of Object.keys(writes)) facade[name] = (...args: unknown[]) => commit(() => target[name]!(...args)); // `writes` names methods of `repository`
  return facade as Reads & Acknowledged<Writes>;
}

/**
 * The session store: sql.js for synchronous reads (its database file read on demand from the last
 * snapshot, written parts held in memory: see chunkedFile.ts), an append-only checksummed journal
 * for durability (group commit), and snapshots — images of the database file taken between two
 * transactions — written by a worker thread, so the extension host never waits on one.
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
  readonly ledgerMeta: LedgerMetaReads & Acknowledged<LedgerMetaWrites>;

  private readonly _warnings: StoreWarning[] = [];
  /** Conditions already reported (see {@link warn}): one warning per condition, not one per write. */
  private readonly reportedConditions = new Set<string>();
  private rewriting: Promise<void> | undefined;
  private readonly _onDidWarn = new Emitter<StoreWarning>();
  private readonly _onDidChange = new Emitter<StoreChange>();
  private readonly tx: StoreTransaction;
  private currentChanges: ChangeSet | undefined;
  private nextRecord: number;
  private lastSnapshotRecord: number;
  private journalBytesSinceSnapshot = 0;
  /** The snapshot loaded at open was not the latest or had no checksum: the next snapshot is written even with nothing new. */
  private snapshotWanted = false;
  private snapshotChain: Promise<void> = Promise.resolve();
  private queuedSnapshot: Promise<void> | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  /**
   * Whether any session here is a read-only copy pulled from the team ledger, so that a ledger
   * without one pays no ownership lookup per write. Read again after every raw write (pulled rows
   * come in by raw SQL: src/core/sync) and whenever the database or its writer changes.
   */
  private pulledSessions: boolean | undefined;
  /** Indexes for search the events appended since the last batch once appends pause (see ledgerDatabase.ts). */
  private indexTimer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;
  private journal!: JournalWriter<ChangeSet>;
  private writer: SnapshotWriter | undefined;
  /** Set while the store is read-only: another live process holds the lock (see {@link openReadOnly}). */
  private reading:
    | {
        /** Undefined for a reader that does not follow (see {@link openReader}). */
        readonly follower: ReadOnlyFollower | undefined;
        readonly migrations: readonly Migration[];
        /** Opened by {@link openReader}: never takes the lock, even when it is free. */
        readonly lockFree?: boolean;
      }
    | undefined;
  private holderInfo: StoreHolder | undefined;
  private readonly _onDidChangeAccess = new Emitter<StoreAccess>();

  private constructor(
    private readonly directory: string,
    /** Replaced only while read-only, when the store reloads from a newer snapshot. */
    private database: LedgerDatabase,
    /** Undefined while read-only. */
    private lock: LockFile | undefined,
    private readonly clock: Clock,
    private readonly options: SessionStoreOptions,
    lastRecord: number,
    snapshotRecord: number,
  ) {
    this.nextRecord = lastRecord + 1;
    this.lastSnapshotRecord = snapshotRecord;
    const context: RepositoryContext = {
      db: database,
      nowMillis: () => Math.floor(this.clock.now()),
      nowMicros: () => Math.round(this.clock.now() * 1000),
      newId: () => randomUUID(),
      changed: (sessionId, kind) => {
        // A session pulled from the team ledger is read-only (src/core/sync): checked once per session and transaction.
        if (!this.currentChanges?.sessionIds.has(sessionId) && this.mayHavePulledSessions())
          assertSessionWritable(this.database, sessionId);
        this.currentChanges?.sessionIds.add(sessionId);
        this.currentChanges?.kinds.add(kind);
      },
    };
    // Always the store's current database: a read-only store replaces it when it reloads (readOnlyStore.ts).
    Object.defineProperty(context, 'db', { get: () => this.database });
    const sessions = new SessionRepository(context);
    this.tx = {
      sessions,
      interactions: new InteractionRepository(context, sessions),
      events: new EventRepository(context, sessions),
      runs: new RunRepository(context, sessions),
      conversations: new ConversationRepository(context, sessions),
      artifacts: new ArtifactRepository(context, sessions),
      notes: new NoteRepository(context, sessions),
      ledgerMeta: new LedgerMetaRepository(context),
    };
    const commit = <T>(work: () => T): Promise<T> => this.transaction(() => work());
    this.sessions = acknowledgedFacade<SessionsReads, SessionsWrites>(
      this.tx.sessions,
      { get: true, require: true, list: true, listAll: true, count: true, children: true, followUps: true, tagCounts: true, owners: true },
      { create: true, update: true, softDelete: true, restore: true, setTimes: true },
      commit,
    );
    this.interactions = acknowledgedFacade<InteractionsReads, InteractionsWrites>(
      this.tx.interactions,
      { get: true, getBySeq: true, list: true, latest: true, listPending: true },
      { append: true, setResult: true, reviseResult: true },
      commit,
    );
    this.events = acknowledgedFacade<EventsReads, EventsWrites>(
      this.tx.events,
      { get: true, list: true, lastSeq: true },
      { append: true },
      commit,
    );
    this.runs = acknowledgedFacade<RunsReads, RunsWrites>(
      this.tx.runs,
      { get: true, listBySession: true, listByInteraction: true },
      { start: true, update: true },
      commit,
    );
    this.conversations = acknowledgedFacade<ConversationsReads, ConversationsWrites>(
      this.tx.conversations,
      { get: true, listBySession: true, messages: true },
      { create: true, appendMessage: true },
      commit,
    );
    this.artifacts = acknowledgedFacade<ArtifactsReads, ArtifactsWrites>(
      this.tx.artifacts,
      { get: true, getByKey: true, list: true },
      { put: true, softDelete: true, setReview: true },
      commit,
    );
    this.notes = acknowledgedFacade<NotesReads, NotesWrites>(this.tx.notes, { get: true, list: true }, { add: true }, commit);
    this.ledgerMeta = acknowledgedFacade<LedgerMetaReads, LedgerMetaWrites>(
      this.tx.ledgerMeta,
      { get: true, all: true },
      { set: true, remove: true },
      commit,
    );
  }

  /**
   * Opens (creating if needed) the store in `options.directory`: takes the lock, loads the snapshot,
   * replays the journal, refuses a store written by a newer version (leaving it untouched), keeps
   * damaged files aside with a warning, applies pending migrations, and starts the snapshot worker.
   */
  static async open(options: SessionStoreOptions): Promise<SessionStore> {
    const directory = path.resolve(options.directory);
    fs.mkdirSync(directory, { recursive: true });
    const clock = options.clock ?? systemClock();
    const wasmPath = options.wasmPath ?? defaultWasmPath();
    const migrations = loadMigrations(options.migrationsDirectory ?? defaultMigrationsDirectory());
    let lock: LockFile;
    try {
      lock = LockFile.acquire(path.join(directory, LOCK_FILE));
    } catch (error) {
      if (!(error instanceof StoreLockedError) || !options.readOnlyWhenHeld) throw error;
      return SessionStore.openReadOnly(options, directory, clock, wasmPath, migrations, error);
    }
    let database: LedgerDatabase | undefined;
    let store: SessionStore | undefined;
    try {
      const SQL = await initSqlJs({ locateFile: () => wasmPath });
      const recovered = recoverState(SQL, directory, options.fileMode);
      database = recovered.database;
      assertNotNewer(database, migrations, directory);
      const warnings = performRepairs(recovered.repairs, Math.floor(clock.now()));
      store = new SessionStore(directory, database, lock, clock, options, recovered.lastRecord, recovered.snapshotRecord);
      store._warnings.push(...warnings);
      store.snapshotWanted = recovered.wantsSnapshot;
      await store.start(recovered.loadedSnapshot, migrations, recovered.replayed.length > 0 || recovered.wantsSnapshot);
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
  private static async openReadOnly(
    options: SessionStoreOptions,
    directory: string,
    clock: Clock,
    wasmPath: string,
    migrations: readonly Migration[],
    locked: StoreLockedError,
  ): Promise<SessionStore> {
    const SQL = await initSqlJs({ locateFile: () => wasmPath });
    const recovered = await recoverForReading(SQL, directory, options.fileMode);
    let store: SessionStore;
    try {
      assertNotNewer(recovered.database, migrations, directory);
      store = new SessionStore(directory, recovered.database, undefined, clock, options, recovered.lastRecord, recovered.snapshotRecord);
    } catch (error) {
      recovered.database.close();
      throw error;
    }
    const held = inspectLock(path.join(directory, LOCK_FILE));
    store.holderInfo = describeHolder(held ?? { pid: locked.pid, hostname: locked.hostname });
    const follower = new ReadOnlyFollower(store.followerHost(), { directory, SQL, fileMode: options.fileMode }, held);
    store.reading = { follower, migrations };
    follower.start();
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
    const directory = path.resolve(options.directory);
    const clock = options.clock ?? systemClock();
    const wasmPath = options.wasmPath ?? defaultWasmPath();
    const SQL = await initSqlJs({ locateFile: () => wasmPath });
    const migrations = loadMigrations(options.migrationsDirectory ?? defaultMigrationsDirectory());
    // Each part of the snapshot is checked against its checksum when first read: a read touching a few MiB does not read them all.
    const recovered = await recoverForReading(SQL, directory, options.fileMode, 0, { verifyOnRead: true });
    let store: SessionStore;
    try {
      assertNotNewer(recovered.database, migrations, directory);
      upgradeInMemory(recovered.database, migrations, Math.floor(clock.now()), directory);
      store = new SessionStore(directory, recovered.database, undefined, clock, options, recovered.lastRecord, recovered.snapshotRecord);
    } catch (error) {
      recovered.database.close();
      throw error;
    }
    const held = inspectLock(path.join(directory, LOCK_FILE));
    store.holderInfo = held && !held.stale ? describeHolder(held) : undefined;
    const follower = options.follow
      ? new ReadOnlyFollower(store.followerHost(), { directory, SQL, fileMode: options.fileMode, pollMs: options.pollMs }, held)
      : undefined;
    store.reading = { follower, migrations, lockFree: true };
    follower?.start();
    return store;
  }

  /** A following reader ({@link openReader} with `follow`): resolves once everything on disk now is applied. Otherwise nothing to do. */
  async refresh(): Promise<void> {
    await this.reading?.follower?.refresh();
  }

  /** True while another live process holds the store's lock: reads work, writes throw {@link ReadOnlyStoreError}. */
  get readOnly(): boolean {
    return this.reading !== undefined;
  }

  /** Who holds the lock while the store is read-only. */
  get holder(): StoreHolder | undefined {
    return this.reading ? this.holderInfo : undefined;
  }

  /** Fired when the store becomes the writer (the holder exited or died) or the holder changes. */
  onDidChangeAccess(listener: (access: StoreAccess) => void): Disposable {
    return this._onDidChangeAccess.on(listener);
  }

  get warnings(): readonly StoreWarning[] {
    return this._warnings;
  }

  /** Where the store lives. */
  get storageDirectory(): string {
    return this.directory;
  }

  /** The schema version (number of applied migrations). */
  get schemaVersion(): number {
    return schemaVersion(this.database);
  }

  // --- Raw SQL access (search, retention, ledger import) -------------------------------------

  /**
   * Raw SQL over the store's database, for the few features that need queries the repositories do
   * not offer (full-text search, retention's row deletes, lossless import). `all` reads at any
   * time; `run` writes ONLY inside `store.transaction(tx => …)` (it throws elsewhere), so every
   * write is journalled like the repositories' writes. Raw writes are not reported by
   * `onDidChange`: callers refresh their views themselves.
   */
  get sql(): SqlAccess {
    return {
      all: (sql, params) => this.database.all(sql, params),
      run: (sql, params) => {
        this.pulledSessions = undefined;
        this.database.run(sql, params);
      },
    };
  }

  onDidWarn(listener: (warning: StoreWarning) => void): Disposable {
    return this._onDidWarn.on(listener);
  }

  onDidChange(listener: (change: StoreChange) => void): Disposable {
    return this._onDidChange.on(listener);
  }

  transaction<T>(work: (tx: StoreTransaction) => T): Promise<T> {
    if (this.database.inTransaction) {
      // Thrown, not rejected: it aborts (and rolls back) the enclosing transaction's callback.
      throw new Error('store.transaction cannot be nested: inside a transaction call the tx methods directly.');
    }
    try {
      const { value, durable } = this.commit(work);
      return durable.then(() => value);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * `transaction` for a writer that goes on working while the journal syncs (a bulk import): runs
   * `work` and commits it in memory now, giving back its value at once with the promise of its
   * durability. Nothing is acknowledged until `durable` resolves; throws what `work` threw (the
   * transaction rolled back) or why the store refused it.
   */
  commit<T>(work: (tx: StoreTransaction) => T): { value: T; durable: Promise<void> } {
    if (this.database.inTransaction)
      throw new Error('store.transaction cannot be nested: inside a transaction call the tx methods directly.');
    if (this.closing) throw new Error('The session store is closed.');
    if (this.reading) throw new ReadOnlyStoreError(this.directory, this.holderInfo);
    if (this.journal.failed) throw this.journal.failed;
    const recordNumber = this.nextRecord;
    const changes: ChangeSet = { sessionIds: new Set(), kinds: new Set() };
    let committed: { value: T; statements: JournalRecord['statements'] };
    let durable: Promise<void> | undefined;
    this.currentChanges = changes;
    try {
      committed = this.database.recordTransaction(
        recordNumber,
        () => {
          const value = work(this.tx);
          if (value && typeof (value as { then?: unknown }).then === 'function') {
            throw new Error(
              'store.transaction callbacks must be synchronous: do the async work first, then write in one synchronous callback.',
            );
          }
          return value;
        },
        // The record goes to the journal (write + fdatasync started) before SQLite's COMMIT, which then overlaps the flush.
        (statements) => {
          durable = this.journal.appendNow({ recordNumber, statements }, changes);
        },
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
    if (!durable) return { value: committed.value, durable: this.journal.whenDurable() };
    this.nextRecord++;
    return { value: committed.value, durable };
  }

  flush(): Promise<void> {
    if (this.reading) return Promise.resolve(); // nothing written here
    return this.journal.whenDurable();
  }

  snapshot(): Promise<void> {
    if (this.reading) return Promise.reject(new ReadOnlyStoreError(this.directory, this.holderInfo));
    if (this.queuedSnapshot) return this.queuedSnapshot;
    const queued = this.snapshotChain.then(() => {
      this.queuedSnapshot = undefined;
      return this.writeSnapshot();
    });
    this.queuedSnapshot = queued;
    this.snapshotChain = queued.catch(() => undefined);
    return queued;
  }

  close(): Promise<void> {
    this.closing ??= this.reading ? this.shutDownReader(this.reading.follower) : this.shutDown();
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
    if (this.reading) return Promise.reject(new ReadOnlyStoreError(this.directory, this.holderInfo));
    const failure = this.journal.failed;
    if (!(failure instanceof JournalLostError)) {
      return Promise.reject(
        new Error(
          failure
            ? `The session store cannot be rewritten: its journal failed for another reason (${failure.message}).`
            : `The session store's journal in ${this.directory} is working: there is nothing to rewrite.`,
        ),
      );
    }
    this.rewriting ??= this.snapshotChain.then(() => this.rewrite()).finally(() => (this.rewriting = undefined));
    return this.rewriting;
  }

  private async rewrite(): Promise<void> {
    const directory = this.directory;
    fs.mkdirSync(directory, { recursive: true });
    const present = fs
      .readdirSync(directory)
      .filter((name) => name === SNAPSHOT_FILE || name === PREVIOUS_SNAPSHOT_FILE || /^journal-\d{16}\.log$/.test(name));
    if (present.length > 0) {
      throw new Error(
        `The folder ${directory} already holds session store files (${present.join(', ')}); rewriting there would mix two histories. Move those files elsewhere, then rewrite the store again.`,
      );
    }
    this.lock?.release(); // its file went with the folder; released first, so it cannot remove the new one
    this.lock = LockFile.acquire(path.join(directory, LOCK_FILE));
    await this.journal.close(); // the lost segment's descriptor
    await this.writeSnapshotFiles(path.join(directory, SNAPSHOT_FILE));
    this.journal = this.openJournal();
    this.lastSnapshotRecord = this.nextRecord - 1;
    this.journalBytesSinceSnapshot = 0;
    this.reportedConditions.clear();
  }

  private openJournal(): JournalWriter<ChangeSet> {
    return JournalWriter.open<ChangeSet>(this.directory, this.nextRecord, (batch) => this.onDurable(batch), {
      files: this.options.journalFiles,
      fileCheckMs: this.options.fileCheckMs,
      onFailed: (error) => {
        clearTimeout(this.idleTimer);
        if (error instanceof JournalLostError) this.warn({ kind: 'journal-lost', message: error.message }, 'journal');
        else
          this.warn(
            {
              kind: 'journal-failed',
              message: `${error.message} Every change acknowledged before this is kept; reopen the store (reload the window) to go on.`,
            },
            'journal',
          );
      },
    });
  }

  private async start(loadSnapshot: boolean, migrations: readonly Migration[], wantsSnapshot: boolean): Promise<void> {
    this.journal = this.openJournal();
    if (this.options.snapshotInWorker !== false) {
      this.writer = new SnapshotWriter({
        workerPath: this.options.workerPath ?? defaultWorkerPath(),
        onBroken: (reason) =>
          this.warn({ kind: 'snapshot-failed', message: `Session store snapshots now run on the main thread: ${reason}` }, 'worker'),
      });
    }
    const pending = migrations.slice(schemaVersion(this.database));
    for (const migration of pending) {
      const before = schemaVersion(this.database);
      try {
        await this.transaction(() => applyMigration(this.database, migration, Math.floor(this.clock.now())));
      } catch (error) {
        // Rolled back (the version is unchanged): say which migration. Otherwise (the journal write failed) the error says it.
        if (schemaVersion(this.database) !== before) throw error;
        throw new MigrationFailedError(this.directory, migration.file, before, (error as Error).message);
      }
    }
    // A replayed journal, a snapshot that was not the latest or had no checksum (an older version's),
    // or an upgraded snapshot is worth a fresh snapshot; a brand-new store is not.
    if (wantsSnapshot || (pending.length > 0 && loadSnapshot)) this.snapshotInBackground();
  }

  private onDurable(batch: DurableBatch<ChangeSet>): void {
    this.journalBytesSinceSnapshot += batch.bytes;
    const sessionIds = new Set<string>();
    const kinds = new Set<StoreChangeKind>();
    for (const changes of batch.extras) {
      changes.sessionIds.forEach((id) => sessionIds.add(id));
      changes.kinds.forEach((kind) => kinds.add(kind));
    }
    this._onDidChange.fire({ sessionIds: [...sessionIds], kinds: [...kinds] });
    if (this.database.hasPendingIndexing) this.armIndexing();
    if (this.journalBytesSinceSnapshot >= (this.options.snapshotJournalBytes ?? DEFAULT_SNAPSHOT_JOURNAL_BYTES)) {
      this.snapshotInBackground();
    } else {
      this.armIdleSnapshot();
    }
  }

  private mayHavePulledSessions(): boolean {
    this.pulledSessions ??= hasPulledSessions(this.database);
    return this.pulledSessions;
  }

  /** Events wait to be indexed for search: index them when appends pause (reads of the index and snapshots do not wait for it). */
  private armIndexing(): void {
    if (this.closing) return;
    if (this.indexTimer) {
      this.indexTimer.refresh(); // not yet: appends go on
      return;
    }
    this.indexTimer = setTimeout(() => {
      this.indexTimer = undefined;
      if (this.closing || this.database.inTransaction) return;
      try {
        this.database.indexPendingEvents();
      } catch {
        // Nothing is lost: the events stay marked, and the next read of the index or snapshot indexes them (and reports a failure).
      }
    }, this.options.indexIdleMs ?? INDEX_IDLE_MS);
    this.indexTimer.unref();
  }

  private armIdleSnapshot(): void {
    const idleMs = this.options.snapshotIdleMs ?? DEFAULT_SNAPSHOT_IDLE_MS;
    if (idleMs <= 0 || this.closing) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.snapshotInBackground(), idleMs);
    this.idleTimer.unref();
  }

  private snapshotInBackground(): void {
    clearTimeout(this.idleTimer);
    if (this.closing || this.journal.failed) return;
    this.snapshot().catch((error: Error) => {
      // The folder may be gone (the snapshot failing first): then that is the one thing to say.
      const lost = this.journal.failed ? undefined : this.journal.checkSegment();
      if (lost) this.journal.fail(lost);
      // A journal that failed has said so itself (once); only a snapshot that failed on its own is news.
      if (!this.journal.failed)
        this.warn(
          {
            kind: 'snapshot-failed',
            message: `Could not write the session store snapshot (the journal keeps every change): ${error.message}`,
          },
          'snapshot',
        );
    });
  }

  /**
   * Rotates the journal, writes a snapshot of the database (at least up to the rotation point), then
   * drops the segments only the previous snapshot needed. The snapshot is an image of the database
   * file taken now, written by the worker while writes go on, checksummed and read back before it
   * is installed (the snapshot it replaces becomes the previous one); the file it becomes is then
   * the database's base (see chunkedFile.ts). The previous snapshot and the journal since it stay,
   * so a latest snapshot found damaged at open is replaced by them with nothing lost.
   */
  private async writeSnapshot(): Promise<void> {
    const upTo = await this.journal.rotate();
    this.journalBytesSinceSnapshot = 0;
    if (upTo <= this.lastSnapshotRecord && !this.snapshotWanted) return;
    // The database may be ahead of `upTo` (writes since the rotation): the snapshot records what it holds.
    await this.writeSnapshotFiles(path.join(this.directory, SNAPSHOT_FILE));
    // The snapshot that just became the previous one covered this much: older segments are no longer needed.
    const coveredByPrevious = this.lastSnapshotRecord;
    this.lastSnapshotRecord = Math.max(upTo, this.lastSnapshotRecord);
    this.snapshotWanted = false;
    this.journal.requireFileCheck();
    this.reportedConditions.delete('snapshot');
    // Unlinking a large segment can take tens of milliseconds: keep it off the calling thread.
    const segments = listSegments(this.directory);
    const covered = segments.filter((_, index) => {
      const next = segments[index + 1];
      return next !== undefined && next.firstRecord <= coveredByPrevious + 1;
    });
    await Promise.all(covered.map((segment) => fs.promises.rm(segment.path, { force: true })));
  }

  /** Writes the database as the snapshot `snapshotPath` (checksummed, verified, installed; see writeSnapshotFile). */
  private async writeSnapshotFiles(snapshotPath: string): Promise<void> {
    const image = this.database.freezeFile();
    if (image) {
      try {
        if (this.writer && !this.writer.broken) await this.writer.write(image, snapshotPath);
        else writeSnapshotImage(snapshotPath, image); // no worker: here, stalling ~1 ms per MB
      } catch (error) {
        this.database.thawFile();
        throw error;
      }
      this.database.thawFile(snapshotPath);
    } else {
      // The file is not held in chunks (sql.js's own buffer): export it here.
      const bytes = this.database.export();
      writeSnapshotFile(snapshotPath, (fd, summer) => {
        summer.update(bytes);
        writeFully(fd, bytes, 0);
      });
    }
  }

  /**
   * Reports `warning`. With `condition`, only once while the condition lasts (a failing snapshot or
   * a lost journal is one warning, not one per write); the store clears a condition when it ends.
   */
  private warn(warning: StoreWarning, condition?: string): void {
    if (condition !== undefined) {
      if (this.reportedConditions.has(condition)) return;
      this.reportedConditions.add(condition);
    }
    this._warnings.push(warning);
    this._onDidWarn.fire(warning);
  }

  /**
   * Undoes a start that failed: closes the journal (dropping the segment it created if nothing was
   * written to it, so a refused upgrade leaves the files as they were), stops the worker and closes the
   * database. The caller releases the lock.
   */
  private async abandon(): Promise<void> {
    this.closing ??= Promise.resolve();
    clearTimeout(this.idleTimer);
    clearTimeout(this.indexTimer);
    await this.journal?.close({ removeIfUnused: true }).catch(() => undefined);
    await this.writer?.terminate().catch(() => undefined);
    this.database.close();
  }

  /** Writes a final snapshot when the journal works, then releases everything — each step even if one before it failed — so close() always settles. */
  private async shutDown(): Promise<void> {
    clearTimeout(this.idleTimer);
    clearTimeout(this.indexTimer);
    try {
      await this.rewriting?.catch(() => undefined);
      if (!this.journal.failed) {
        await this.journal.whenDurable();
        await this.snapshot();
      }
    } catch (error) {
      if (!this.journal.failed)
        this.warn({
          kind: 'snapshot-failed',
          message: `No final snapshot was written (the journal keeps every change): ${(error as Error).message}`,
        });
    } finally {
      await this.journal.close().catch(() => undefined);
      await this.writer?.terminate().catch(() => undefined);
      try {
        this.database.close();
      } finally {
        this.lock?.release();
      }
    }
  }

  // --- Read-only mode: following the holder, and taking its lock over (see readOnlyStore.ts) ---

  private followerHost(): FollowerHost {
    const database = (): LedgerDatabase => this.database;
    return {
      get database() {
        return database();
      },
      replaceDatabase: (replacement, snapshotRecord) => {
        const old = this.database;
        this.database = replacement;
        this.pulledSessions = undefined;
        this.lastSnapshotRecord = snapshotRecord;
        old.close();
      },
      changed: (change) => this._onDidChange.fire(change),
      holderChanged: (holder) => {
        this.holderInfo = holder;
        this._onDidChangeAccess.fire({ readOnly: true, holder });
      },
      lockFree: () => {
        if (!this.reading?.lockFree) return this.takeOverLock();
        this.holderInfo = undefined; // a lock-free reader goes on following whoever writes next
        return Promise.resolve(false);
      },
      warn: (warning, condition) => this.warn(warning, condition),
    };
  }

  /**
   * The holder released the lock or died: takes the lock, applies what the holder wrote last
   * (repairing a torn tail as an open would), and becomes the writer — same database, no reload.
   * False when another process took the lock first (this store then follows that one).
   */
  private async takeOverLock(): Promise<boolean> {
    const reading = this.reading;
    const follower = reading?.follower;
    if (!reading || !follower || reading.lockFree || this.closing) return false;
    let lock: LockFile;
    try {
      lock = LockFile.acquire(path.join(this.directory, LOCK_FILE));
    } catch (error) {
      if (error instanceof StoreLockedError) return false;
      throw error;
    }
    follower.halt();
    const holder = this.holderInfo;
    try {
      const caughtUp = follower.catchUpForWriting(Math.floor(this.clock.now()));
      follower.dispose();
      this.lock = lock;
      this.reading = undefined;
      this.holderInfo = undefined;
      this.pulledSessions = undefined;
      this.nextRecord = caughtUp.lastRecord + 1;
      if (caughtUp.snapshotRecord !== undefined) this.lastSnapshotRecord = caughtUp.snapshotRecord;
      caughtUp.warnings.forEach((warning) => this.warn(warning));
      if (caughtUp.change) this._onDidChange.fire(caughtUp.change);
      await this.start(true, reading.migrations, false);
    } catch (error) {
      // Nothing was written by this process: stay read-only, following whoever holds the lock next.
      await this.journal?.close({ removeIfUnused: true }).catch(() => undefined);
      await this.writer?.terminate().catch(() => undefined);
      this.writer = undefined;
      lock.release();
      this.lock = undefined;
      this.reading = reading;
      this.holderInfo = holder;
      follower.resume();
      this.warn(
        {
          kind: 'journal-failed',
          message: `This window could not take the session ledger in ${this.directory} over from the process that held it (${(error as Error).message}); it stays read-only.`,
        },
        'takeover',
      );
      return false;
    }
    this.armIdleSnapshot();
    this._onDidChangeAccess.fire({ readOnly: false, holder: undefined });
    return true;
  }

  /** Closes a read-only store; one that became the writer meanwhile closes as a writer. */
  private async shutDownReader(follower: ReadOnlyFollower | undefined): Promise<void> {
    await follower?.stop();
    if (!this.reading) return this.shutDown();
    follower?.dispose();
    this.database.close();
  }
}
