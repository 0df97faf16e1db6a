import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RecordFormat } from './journalRecord';
import type { LedgerDatabase } from './ledgerDatabase';
import { afterMigration } from './syncCapture';

export interface Migration {
  readonly version: number;
  readonly name: string;
  /** The file it was read from (`NNNN_name.sql`), for messages. */
  readonly file: string;
  readonly sql: string;
}

const MIGRATION_FILE = /^(\d{4})_([\w-]+)\.sql$/;

export class StoreVersionError extends Error {
  constructor(
    readonly directory: string,
    readonly storeVersion: number,
    readonly knownVersion: number,
  ) {
    super(
      `The session store in ${directory} was written by a newer version of Session Ledger (schema ${storeVersion}; ` +
        `this version knows up to ${knownVersion}). It was left untouched: update the extension to open it.`,
    );
    this.name = 'StoreVersionError';
  }
}

/** A migration's script failed: its transaction was rolled back, so the store is exactly as before it. */
export class MigrationFailedError extends Error {
  constructor(
    readonly directory: string,
    readonly migrationFile: string,
    readonly storeVersion: number,
    readonly reason: string,
  ) {
    super(
      `Could not upgrade the session store in ${directory}: migration ${migrationFile} failed (${reason}). ` +
        `It was rolled back: the store stays at schema ${storeVersion} with its data intact, and a version of Session Ledger that knows that schema can open it. ` +
        'Reinstall or update the extension; if this keeps happening, report this message.',
    );
    this.name = 'MigrationFailedError';
  }
}

/**
 * The repo's `migrations/` directory, found relative to this module: one level up from `dist/`
 * (bundled extension) or three up from `src/core/store` (source under tsx).
 */
export function defaultMigrationsDirectory(): string {
  const candidates = [path.join(__dirname, '..', 'migrations'), path.join(__dirname, '..', '..', '..', 'migrations')];
  const found = candidates.find((candidate) => fs.existsSync(path.join(candidate, '0001_initial.sql')));
  if (!found) throw new Error(`Cannot find the store's migrations (looked in ${candidates.join(', ')}); pass migrationsDirectory.`);
  return found;
}

/**
 * Reads the `NNNN_name.sql` files of `directory`, in order; numbers must run 1, 2, 3… without gaps
 * or duplicates. Shared by the local ledger's migrations and the team server's (`what` names them
 * in the message).
 */
export function readMigrationFiles(directory: string, what = 'Migrations'): Migration[] {
  const migrations = fs
    .readdirSync(directory)
    .map((file) => ({ file, match: MIGRATION_FILE.exec(file) }))
    .filter((entry): entry is { file: string; match: RegExpExecArray } => entry.match !== null)
    .map((entry) => ({
      version: Number(entry.match[1]),
      name: entry.match[2]!, // the pattern's second group is not optional
      file: entry.file,
      sql: fs.readFileSync(path.join(directory, entry.file), 'utf8'),
    }))
    .sort((a, b) => a.version - b.version);
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(
        `${what} in ${directory} must be numbered 0001, 0002, … without gaps; found ${migration.file} at position ${index + 1}.`,
      );
    }
  });
  return migrations;
}

/** The local ledger's migrations ({@link readMigrationFiles}); there must be at least one. */
export function loadMigrations(directory: string): Migration[] {
  const migrations = readMigrationFiles(directory);
  if (migrations.length === 0) throw new Error(`No migrations found in ${directory}.`);
  return migrations;
}

/** The highest migration version recorded in the database (0 for an empty one). */
export function schemaVersion(database: LedgerDatabase): number {
  const table = database.get("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'");
  if (!table) return 0;
  return Number(database.get('SELECT max(version) AS version FROM schema_migrations')?.version ?? 0);
}

/**
 * The migration from which the store journals its records in binary (see journalRecord.ts), by
 * name. None of the shipped migrations has it yet: this release reads binary records and writes
 * JSON. A later release ships it, once the versions that may still be running beside it (a window
 * not yet reloaded after an update follows the ledger, and takes it over when its holder goes) read
 * binary records too: a version that cannot read them replays up to the first one and sets the
 * rest of the journal aside as damage when it takes the ledger over. The migration changes no
 * table; the records up to and including its own are JSON.
 */
export const BINARY_RECORDS_MIGRATION = 'binary_journal_records';

/** How the store writing `database` journals its records. */
export function journalRecordFormat(database: LedgerDatabase): RecordFormat {
  if (schemaVersion(database) === 0) return 'json';
  return database.get('SELECT 1 AS found FROM schema_migrations WHERE name = ?', [BINARY_RECORDS_MIGRATION]) ? 'binary' : 'json';
}

/** Throws {@link StoreVersionError} when the database is newer than the migrations this code has. */
export function assertNotNewer(database: LedgerDatabase, migrations: readonly Migration[], directory: string): void {
  const storeVersion = schemaVersion(database);
  const knownVersion = migrations.length;
  if (storeVersion > knownVersion) throw new StoreVersionError(directory, storeVersion, knownVersion);
}

/**
 * Applies one migration inside the caller's recorded transaction (so it is journalled like any
 * write): the script, then its row in `schema_migrations`.
 */
export function applyMigration(database: LedgerDatabase, migration: Migration, appliedAt: number): void {
  database.runScript(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY NOT NULL, name TEXT NOT NULL, applied_at INTEGER NOT NULL);',
  );
  database.runScript(migration.sql);
  afterMigration(database, migration.version);
  database.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
    migration.version,
    migration.name,
    appliedAt,
  ]);
}
