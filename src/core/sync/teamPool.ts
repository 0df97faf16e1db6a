import { Pool, type PoolConfig } from 'pg';
import { teamPoolConfig } from './connectionSecrets';

/**
 * A `pg` pool for the team ledger (a connection string, or explicit settings). An idle connection
 * the server drops (a restart, `pg_terminate_backend`, a network change) is reported on the pool:
 * handled here so it is never an unhandled error; the next query opens a new connection.
 */
export function createTeamPool(connection: string | PoolConfig, onIdleError?: (message: string) => void): Pool {
  const pool = new Pool(
    typeof connection === 'string' ? teamPoolConfig(connection) : { max: 4, connectionTimeoutMillis: 10_000, ...connection },
  );
  pool.on('error', () => onIdleError?.('A team ledger connection was closed by the server; it reconnects on the next sync.'));
  return pool;
}
