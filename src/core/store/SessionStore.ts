import type { StoreChange } from '../model/change';
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
  NotesReads,
  NotesWrites,
  RunsReads,
  RunsWrites,
  SessionsReads,
  SessionsWrites,
  StoreTransaction,
} from './repositoryApi';

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
  /** Write a snapshot after this long without writes, if anything was written since the last one. Default 30 s; 0 disables. */
  snapshotIdleMs?: number;
}

export type StoreWarningKind = 'corrupt-snapshot' | 'corrupt-journal' | 'unreplayable-journal' | 'snapshot-failed';

/** Something the extension must show the user. Nothing was deleted: `keptAsidePath` says where the damaged bytes are. */
export interface StoreWarning {
  readonly kind: StoreWarningKind;
  readonly message: string;
  readonly keptAsidePath?: string;
}

export type StoreSessions = SessionsReads & Acknowledged<SessionsWrites>;
export type StoreInteractions = InteractionsReads & Acknowledged<InteractionsWrites>;
export type StoreEvents = EventsReads & Acknowledged<EventsWrites>;
export type StoreRuns = RunsReads & Acknowledged<RunsWrites>;
export type StoreConversations = ConversationsReads & Acknowledged<ConversationsWrites>;
export type StoreArtifacts = ArtifactsReads & Acknowledged<ArtifactsWrites>;
export type StoreNotes = NotesReads & Acknowledged<NotesWrites>;

/**
 * The session store: sql.js in memory for synchronous reads, an append-only checksummed journal
 * for durability (group commit), and snapshots written by a worker thread replica so the
 * extension host never waits on `db.export()`.
 *
 *   const store = await SessionStore.open({ directory });
 *   const session = await store.sessions.create({ type: 'test-fix', title: 'Fix flaky test', intention: '…' });
 *   store.events.list(session.id, { after: 0, limit: 200 });
 *   await store.transaction((tx) => { tx.sessions.update(id, { phase: 'build' }); tx.events.append({ … }); });
 */
export declare class SessionStore {
  static open(options: SessionStoreOptions): Promise<SessionStore>;

  readonly sessions: StoreSessions;
  readonly interactions: StoreInteractions;
  readonly events: StoreEvents;
  readonly runs: StoreRuns;
  readonly conversations: StoreConversations;
  readonly artifacts: StoreArtifacts;
  readonly notes: StoreNotes;

  /** Warnings raised so far (corrupt snapshot or journal tail kept aside, failed snapshot…). */
  readonly warnings: readonly StoreWarning[];
  /** Fires for each warning raised after `open` returned (those raised while opening are in `warnings`). */
  onDidWarn(listener: (warning: StoreWarning) => void): Disposable;

  /** Fires after commits are durable, naming the sessions and kinds of record that changed. */
  onDidChange(listener: (change: StoreChange) => void): Disposable;

  /**
   * Runs `work` synchronously against the repositories, commits it as ONE journal record and
   * resolves with its return value once durable. If `work` throws, nothing is written and the
   * promise rejects with that error. `work` must not be async.
   */
  transaction<T>(work: (tx: StoreTransaction) => T): Promise<T>;

  /** Resolves when every write issued so far is durable. */
  flush(): Promise<void>;

  /** Writes a snapshot now (off the main thread) and truncates the journal; resolves when done. */
  snapshot(): Promise<void>;

  /** Flushes, writes a final snapshot, stops the worker and releases the lock. Idempotent. */
  close(): Promise<void>;
}
