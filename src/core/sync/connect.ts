import { teamLedgerError } from './connectionSecrets';
import { checkTeamSchema, loadPgMigrations } from './pgMigrations';
import { createTeamPool } from './teamPool';

export interface ConnectionCheck {
  /** `server_version` of the server, e.g. "15.8". */
  readonly serverVersion: string;
  /** The role connected as. */
  readonly role: string;
  /** The team schema's version on the server (0: not set up yet; an admin connects once to set it up). */
  readonly schemaVersion: number;
  /** The schema version this code knows. */
  readonly knownSchemaVersion: number;
  /** Whether the connection uses TLS. */
  readonly tls: boolean;
}

/**
 * "Test connection": connects with `connectionString` (its `sslmode` honoured), reads the server's
 * version, the role and the team schema's version, and disconnects. Errors never contain the
 * connection string or its password; a server below PostgreSQL 14 or a newer schema is refused.
 */
export async function checkTeamConnection(connectionString: string): Promise<ConnectionCheck> {
  const pool = createTeamPool(connectionString);
  try {
    let row: { server_version: string; role: string; num: string; tls: boolean | null };
    try {
      const result = await pool.query<{ server_version: string; role: string; num: string; tls: boolean | null }>(
        "SELECT current_setting('server_version') AS server_version, current_user AS role, current_setting('server_version_num') AS num, " +
          '(SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()) AS tls',
      );
      row = result.rows[0]!; // a SELECT without FROM returns exactly one row
    } catch (error) {
      throw teamLedgerError(
        'connect to the team ledger (check the host, database, role and password of the connection string)',
        error,
        connectionString,
      );
    }
    if (Number(row.num) < 140000) {
      throw teamLedgerError(
        'use this server',
        new Error(`it runs PostgreSQL ${row.server_version}; the team ledger needs PostgreSQL 14 or newer`),
        connectionString,
      );
    }
    const known = loadPgMigrations().length;
    const schemaVersion = await checkTeamSchema(pool, known, connectionString);
    return { serverVersion: row.server_version, role: row.role, schemaVersion, knownSchemaVersion: known, tls: row.tls === true };
  } finally {
    await pool.end().catch(() => undefined);
  }
}
