import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Pool } from 'pg';
import { readMigrationFiles, type Migration } from '../store/migrations';
import { TeamLedgerError, teamLedgerError } from './connectionSecrets';

/*
 * The team server's schema: `migrations/postgres/NNNN_name.sql`, applied in order, each in its own
 * transaction, under a session-level advisory lock (two machines upgrading at once: the second waits,
 * then finds nothing left to do), and recorded in `session_ledger_migrations`. A server whose
 * schema is newer than this code knows is refused (nothing is written to it).
 */

/** A file of `migrations/postgres/`, read like the local ledger's migrations. */
export type PgMigration = Migration;

/** The advisory lock key (any constant: "SLED" in ASCII). */
export const MIGRATION_LOCK_KEY = 0x534c4544;

export class TeamSchemaTooNewError extends TeamLedgerError {
  constructor(
    readonly serverVersion: number,
    readonly knownVersion: number,
  ) {
    super(
      `The team ledger's database has schema ${serverVersion}, newer than this version of Session Ledger knows (up to ${knownVersion}). ` +
        'Nothing was written to it: update the extension to sync with this team ledger.',
    );
    this.name = 'TeamSchemaTooNewError';
  }
}

/** `migrations/postgres/` found relative to this module (bundled `dist/` or `src/core/sync` under tsx). */
export function defaultPgMigrationsDirectory(): string {
  const candidates = [
    path.join(__dirname, '..', 'migrations', 'postgres'),
    path.join(__dirname, '..', '..', '..', 'migrations', 'postgres'),
  ];
  const found = candidates.find((candidate) => fs.existsSync(path.join(candidate, '0001_team_ledger.sql')));
  if (!found) throw new Error(`Cannot find the team ledger's PostgreSQL migrations (looked in ${candidates.join(', ')}).`);
  return found;
}

export function loadPgMigrations(directory = defaultPgMigrationsDirectory()): PgMigration[] {
  return readMigrationFiles(directory, 'PostgreSQL migrations');
}

export interface MigrateResult {
  /** The server's schema version afterwards. */
  readonly version: number;
  /** Files applied by this call (empty when another client had already done it). */
  readonly applied: readonly string[];
}

/**
 * Brings the server's schema up to date. Throws {@link TeamSchemaTooNewError} for a newer server,
 * and a {@link TeamLedgerError} naming the file for a migration that failed (rolled back) — for
 * example when the role may not create tables: an admin must connect once to set the schema up.
 */
export async function migrateTeamLedger(
  pool: Pool,
  migrations: readonly PgMigration[] = loadPgMigrations(),
  connectionString?: string,
): Promise<MigrateResult> {
  const client = await pool.connect().catch((error: unknown) => {
    throw teamLedgerError('connect to the team ledger', error, connectionString);
  });
  const ignore = (): void => undefined; // a dropped connection also fails the pending query, handled below
  client.on('error', ignore);
  const applied: string[] = [];
  let broken = false;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await client.query(
        'CREATE TABLE IF NOT EXISTS session_ledger_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())',
      );
      const result = await client.query<{ version: number | null }>('SELECT max(version) AS version FROM session_ledger_migrations');
      let version = Number(result.rows[0]?.version ?? 0);
      if (version > migrations.length) throw new TeamSchemaTooNewError(version, migrations.length);
      for (const migration of migrations.slice(version)) {
        try {
          await client.query('BEGIN');
          await client.query(migration.sql);
          await client.query('INSERT INTO session_ledger_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw teamLedgerError(
            `apply migrations/postgres/${migration.file} (rolled back; the schema stays at ${version}; if the role may not create tables, an admin must connect once — see migrations/postgres/README.md)`,
            error,
            connectionString,
          );
        }
        applied.push(migration.file);
        version = migration.version;
      }
      return { version, applied };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {
        broken = true;
      });
    }
  } catch (error) {
    broken = true;
    throw teamLedgerError('update the team ledger schema', error, connectionString);
  } finally {
    client.removeListener('error', ignore);
    client.release(broken);
  }
}

/** The server's schema version without changing anything; refuses a newer one. */
export async function checkTeamSchema(pool: Pool, knownVersion = loadPgMigrations().length, connectionString?: string): Promise<number> {
  try {
    const exists = await pool.query<{ present: boolean }>("SELECT to_regclass('session_ledger_migrations') IS NOT NULL AS present");
    if (!exists.rows[0]?.present) return 0;
    const result = await pool.query<{ version: number | null }>('SELECT max(version) AS version FROM session_ledger_migrations');
    const version = Number(result.rows[0]?.version ?? 0);
    if (version > knownVersion) throw new TeamSchemaTooNewError(version, knownVersion);
    return version;
  } catch (error) {
    throw teamLedgerError('read the team ledger schema version', error, connectionString);
  }
}
