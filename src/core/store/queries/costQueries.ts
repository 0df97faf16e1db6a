/*
 * The ledger queries of Recompute Costs (core/ledger/recomputeCosts.ts): the stored runs and
 * per-response usage events it re-prices, and the costs it writes back into them and into their
 * sessions' counters. The writes run inside `store.transaction`, so they are journalled.
 */
import type { SqlReader, SqlWriter } from '../ports';

type Row = ReturnType<SqlReader['all']>[number];

/** How many runs each session has, in session id order. */
export function runCountsBySession(db: SqlReader): { sessionId: string; runs: number }[] {
  return db
    .all('SELECT session_id AS sessionId, count(*) AS runs FROM runs GROUP BY session_id ORDER BY session_id')
    .map((row) => ({ sessionId: String(row.sessionId), runs: Number(row.runs) }));
}

/** The session's runs as stored (every column, by its SQL name), oldest first. */
export function sessionRunRows(db: SqlReader, sessionId: string): Row[] {
  return db.all('SELECT * FROM runs WHERE session_id = ? ORDER BY started_at, rowid', [sessionId]);
}

/** The session's events of `types` that belong to a run (`id`, `runId`, `type`, `payload` text), in seq order. */
export function runEventRows(db: SqlReader, sessionId: string, types: readonly string[]): Row[] {
  return db.all(
    `SELECT id, run_id AS runId, type, payload FROM events
      WHERE session_id = ? AND run_id IS NOT NULL AND type IN (${types.map(() => '?').join(', ')}) ORDER BY seq`,
    [sessionId, ...types],
  );
}

export function setRunCost(db: SqlWriter, runId: string, costUsd: number, costUnknown: boolean): void {
  db.run('UPDATE runs SET cost_usd = ?, cost_unknown = ? WHERE id = ?', [costUsd, costUnknown ? 1 : 0, runId]);
}

export function clearRunCostUnknown(db: SqlWriter, runId: string): void {
  db.run('UPDATE runs SET cost_unknown = 0 WHERE id = ?', [runId]);
}

export function setEventPayload(db: SqlWriter, eventId: string, payload: Record<string, unknown>): void {
  db.run('UPDATE events SET payload = ? WHERE id = ?', [JSON.stringify(payload), eventId]);
}

/** The session's cost counters as stored, and its runs' costs (what the counters should sum); undefined without the session. */
export function sessionCostCounters(
  db: SqlReader,
  sessionId: string,
): { totalUsd: number; unknown: boolean; runs: { costUsd: number; unknown: boolean }[] } | undefined {
  const session = db.all('SELECT total_cost_usd AS total, cost_unknown AS unknown FROM sessions WHERE id = ?', [sessionId])[0];
  if (!session) return undefined;
  const runs = db
    .all('SELECT cost_usd AS cost, cost_unknown AS unknown FROM runs WHERE session_id = ?', [sessionId])
    .map((row) => ({ costUsd: Number(row.cost), unknown: Number(row.unknown) === 1 }));
  return { totalUsd: Number(session.total), unknown: Number(session.unknown) === 1, runs };
}

export function setSessionCost(db: SqlWriter, sessionId: string, totalUsd: number, costUnknown: boolean): void {
  db.run('UPDATE sessions SET total_cost_usd = ?, cost_unknown = ? WHERE id = ?', [totalUsd, costUnknown ? 1 : 0, sessionId]);
}
