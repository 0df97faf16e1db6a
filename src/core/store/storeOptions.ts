/*
 * How a session store is opened (SessionStore.open / openReader): its options, its clock, and the
 * defaults the store and its snapshot scheduler (storeSnapshots.ts) fall back on.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import initSqlJs, { type SqlJsStatic } from 'sql.js';
import type { JournalFiles } from './journalWriter';
import type { FileMode } from './ledgerDatabase';
import { defaultMigrationsDirectory, loadMigrations, type Migration } from './migrations';

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
   * Write a snapshot once this many bytes of the database file are held in memory (written since the
   * last snapshot; the search index's pages are not journalled). Default 64 MiB.
   */
  snapshotResidentBytes?: number;
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

/** What every way of opening a store starts from: the absolute folder, the clock, and the migrations this version knows. */
export interface Opening {
  readonly directory: string;
  readonly clock: Clock;
  readonly wasmPath: string;
  readonly migrations: readonly Migration[];
}

export function opening(options: SessionStoreOptions): Opening {
  return {
    directory: path.resolve(options.directory),
    clock: options.clock ?? systemClock(),
    wasmPath: options.wasmPath ?? defaultWasmPath(),
    migrations: loadMigrations(options.migrationsDirectory ?? defaultMigrationsDirectory()),
  };
}

export function loadSqlJs(wasmPath: string): Promise<SqlJsStatic> {
  return initSqlJs({ locateFile: () => wasmPath });
}

/** `sql-wasm.wasm` beside this module (bundled extension: dist/), else the sql.js package's copy. */
function defaultWasmPath(): string {
  const bundled = path.join(__dirname, 'sql-wasm.wasm');
  const packagedWasm = 'sql.js/dist/sql-wasm.wasm'; // a variable, so bundlers leave the lookup to run time
  return fs.existsSync(bundled) ? bundled : require.resolve(packagedWasm);
}

/** Wall-clock time with sub-millisecond resolution (monotonic within a run). */
function systemClock(): Clock {
  const origin = Date.now() - performance.now();
  return { now: () => origin + performance.now() };
}
