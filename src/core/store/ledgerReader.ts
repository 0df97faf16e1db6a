import * as path from 'node:path';
import initSqlJs, { type SqlJsStatic } from 'sql.js';
import { holdsLedger } from './ledgerAdoption';
import type { FileMode, LedgerDatabase } from './ledgerDatabase';
import { applyMigration, assertNotNewer, defaultMigrationsDirectory, loadMigrations, schemaVersion, type Migration } from './migrations';
import { readLedgerIdentity, type LedgerIdentity } from './projectIdentity';
import { recoverForReading } from './readOnlyStore';
import type { Repair } from './recovery';
import { LedgerMetaRepository } from './repositories/ledgerMetaRepository';
import type { SessionStore } from './SessionStore';

/** What reading another ledger needs: the sql.js wasm and the migrations this version knows. */
export interface LedgerReaderOptions {
  /** Path of `sql-wasm.wasm` (the extension's `dist/sql-wasm.wasm`; `require.resolve('sql.js/dist/sql-wasm.wasm')` from source). */
  readonly wasmPath: string;
  /** Default: the repo's `migrations/` (see defaultMigrationsDirectory). */
  readonly migrationsDirectory?: string;
  /** How the snapshot file is held while it is read (see LedgerDatabase.open); default as the store's. */
  readonly fileMode?: FileMode;
}

/** A ledger as read: its database (in memory, closed after the read) and whose it says it is. */
export interface ReadLedger {
  readonly database: LedgerDatabase;
  /** From its `ledger_meta` (empty for a ledger never stamped). */
  readonly identity: Partial<LedgerIdentity>;
}

/** A ledger that could not be read, and why, in words that say what to do. */
export class LedgerUnreadableError extends Error {
  constructor(
    readonly directory: string,
    readonly reason: string,
  ) {
    super(`The ledger in ${directory} could not be read: ${reason}`);
    this.name = 'LedgerUnreadableError';
  }
}

/**
 * Reads ledgers that belong to someone else — another window's, whose process holds the lock and
 * writes, or a closed project's — once each, strictly read-only: never takes a ledger's lock and
 * never writes, renames or repairs anything in its folder. Each read rebuilds the ledger in memory
 * (snapshot + journal replay, as a read-only window does: see recoverForReading), brings an older
 * schema up to date in memory only, hands the database to `work`, and closes it.
 *
 * A ledger whose files are damaged (anything but a torn journal tail, which is a write in progress)
 * is refused with a {@link LedgerUnreadableError} rather than read in part: the window that opens it
 * as its own repairs it (keeping the damaged files aside) and tells the person.
 *
 * One reader holds one sql.js instance (a few MB); drop the reader to free it.
 */
export class LedgerReader {
  private constructor(
    private readonly SQL: SqlJsStatic,
    private readonly migrations: readonly Migration[],
    private readonly fileMode: FileMode | undefined,
  ) {}

  static async create(options: LedgerReaderOptions): Promise<LedgerReader> {
    const migrations = loadMigrations(options.migrationsDirectory ?? defaultMigrationsDirectory());
    const SQL = await initSqlJs({ locateFile: () => options.wasmPath });
    return new LedgerReader(SQL, migrations, options.fileMode);
  }

  /** Rebuilds the ledger in `directory` in memory, runs `work` on it, closes it. Throws {@link LedgerUnreadableError} when it cannot be read whole. */
  async read<T>(directory: string, work: (ledger: ReadLedger) => T): Promise<T> {
    const folder = path.resolve(directory);
    if (!holdsLedger(folder))
      throw new LedgerUnreadableError(
        folder,
        'the folder is gone or holds no ledger (no snapshot or journal file). If the project was deleted, nothing is lost here.',
      );
    let database: LedgerDatabase;
    let repairs: readonly Repair[];
    try {
      ({ database, repairs } = await recoverForReading(this.SQL, folder, this.fileMode));
    } catch (error) {
      throw new LedgerUnreadableError(folder, `${(error as Error).message}. Open its project in VS Code to check it.`);
    }
    try {
      const damage = repairs.find((repair) => repair.kind !== 'cut-journal-tail');
      if (damage)
        throw new LedgerUnreadableError(
          folder,
          `${describeDamage(damage)}. Open its project in VS Code: that window repairs it, keeps the damaged files aside and says what was recovered.`,
        );
      try {
        assertNotNewer(database, this.migrations, folder);
      } catch (error) {
        throw new LedgerUnreadableError(folder, (error as Error).message);
      }
      this.upgradeInMemory(database, folder);
      return work({ database, identity: identityOf(database) });
    } finally {
      database.close();
    }
  }

  /** Applies the migrations the ledger lacks to the copy in memory (its files keep their schema: their writer upgrades them). */
  private upgradeInMemory(database: LedgerDatabase, folder: string): void {
    const pending = this.migrations.slice(schemaVersion(database));
    for (const migration of pending) {
      try {
        database.recordTransaction(database.lastAppliedRecord() + 1, () => applyMigration(database, migration, Date.now()));
      } catch (error) {
        throw new LedgerUnreadableError(
          folder,
          `it was written by an older version (schema ${schemaVersion(database)}) and reading it as this version failed at ${migration.file} (${(error as Error).message}). Open its project in VS Code to upgrade it.`,
        );
      }
    }
  }
}

function identityOf(database: LedgerDatabase): Partial<LedgerIdentity> {
  const unused = () => {
    throw new Error('a ledger read once is never written');
  };
  const meta = new LedgerMetaRepository({ db: database, nowMillis: unused, nowMicros: unused, newId: unused, changed: unused });
  // Only its reads are used.
  return readLedgerIdentity({ ledgerMeta: { all: () => meta.all(), get: (key: string) => meta.get(key) } } as Pick<
    SessionStore,
    'ledgerMeta'
  >);
}

function describeDamage(repair: Repair): string {
  switch (repair.kind) {
    case 'keep-aside-snapshot':
      return `its snapshot ${path.basename(repair.file)} is damaged (${repair.reason})`;
    case 'keep-aside-segment':
      return `its journal file ${path.basename(repair.segment.path)} cannot be replayed (${repair.reason})`;
    case 'cut-journal-tail':
      return `the end of its journal file ${path.basename(repair.segment.path)} is damaged (${repair.reason})`;
  }
}
