/*
 * The ledger queries of the usage report (core/ledger/usageReport.ts): the per-response usage
 * events and the runs of live sessions, with their session's title and type. Sessions pulled
 * from the team ledger are left out unless asked for.
 */
import type { SqlReader } from '../ports';

type Row = ReturnType<SqlReader['all']>[number];

/**
 * The SQL condition on `s` (sessions) that keeps only the sessions made in this ledger: copies pulled
 * from the team ledger (`sync_origin` set) are other people's usage, counted by the team view
 * (core/sync/teamUsage.ts). A ledger from before the team ledger has no such column (and no copies).
 */
function ownSessionsCondition(db: SqlReader): string {
  const hasOrigin = db.all('PRAGMA table_info(sessions)').some((column) => column.name === 'sync_origin');
  return hasOrigin ? ' AND s.sync_origin IS NULL' : '';
}

/** Which sessions count: `pulled: true` counts the sessions pulled from the team ledger too. */
export interface UsageScope {
  readonly pulled?: boolean;
}

/** Every `claude.usage` event of a live session: `id`, `runId`, `sessionId`, `payload` (JSON text), `ts`, `title`, `type`, and its run's `phase`. */
export function usageResponseRows(db: SqlReader, scope: UsageScope = {}): Row[] {
  const own = scope.pulled ? '' : ownSessionsCondition(db);
  return db.all(
    `SELECT e.id AS id, e.run_id AS runId, e.session_id AS sessionId, e.payload AS payload, e.ts AS ts, s.title AS title, s.type AS type, r.phase AS phase
       FROM events e JOIN sessions s ON s.id = e.session_id LEFT JOIN runs r ON r.id = e.run_id
      WHERE e.type = 'claude.usage' AND s.deleted_at IS NULL${own}`,
  );
}

/** Every run of a live session, its token and cost totals by name (`inputTokens`, …, `costUsd`, `costUnknown`), with `title` and `type`. */
export function usageRunRows(db: SqlReader, scope: UsageScope = {}): Row[] {
  const own = scope.pulled ? '' : ownSessionsCondition(db);
  return db.all(
    `SELECT r.id AS id, r.session_id AS sessionId, r.model AS model, r.started_at AS at, r.input_tokens AS inputTokens, r.output_tokens AS outputTokens,
            r.cache_creation_tokens AS cacheCreationTokens, r.cache_creation_1h_tokens AS cacheCreation1hTokens, r.cache_read_tokens AS cacheReadTokens, r.cost_usd AS costUsd, r.cost_unknown AS costUnknown, r.phase AS phase, s.title AS title, s.type AS type
       FROM runs r JOIN sessions s ON s.id = r.session_id
      WHERE s.deleted_at IS NULL${own}`,
  );
}
