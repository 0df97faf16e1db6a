/*
 * The ledger queries of retention (core/ledger/retention.ts): counting the events a policy would
 * prune, pruning them, and deleting a session with all its records. The writes run inside
 * `store.transaction`, so they are journalled like the repositories' writes.
 */
import type { SqlReader, SqlWriter } from '../ports';

/** How many events of one type a session holds, and the highest event seq of the session. */
export interface SessionEventTypeCount {
  readonly sessionId: string;
  readonly type: string;
  readonly count: number;
  readonly lastSeq: number;
}

/** Per session and event type: how many events, and the session's highest seq among them. */
export function eventTypeCounts(db: SqlReader): SessionEventTypeCount[] {
  return db
    .all('SELECT session_id AS sessionId, type, count(*) AS n, max(seq) AS lastSeq FROM events GROUP BY session_id, type')
    .map((row) => ({ sessionId: String(row.sessionId), type: String(row.type), count: Number(row.n), lastSeq: Number(row.lastSeq) }));
}

/** Deletes the session's events of `types` up to `throughSeq`, then counts the session's events again. */
export function pruneSessionEvents(db: SqlWriter, sessionId: string, types: readonly string[], throughSeq: number): void {
  for (const type of types) db.run('DELETE FROM events WHERE session_id = ? AND type = ? AND seq <= ?', [sessionId, type, throughSeq]);
  db.run('UPDATE sessions SET event_count = (SELECT count(*) FROM events WHERE session_id = ?1) WHERE id = ?1', [sessionId]);
}

const HARD_DELETE_STATEMENTS = [
  'DELETE FROM messages WHERE conversation_id IN (SELECT id FROM conversations WHERE session_id = ?)',
  'DELETE FROM conversations WHERE session_id = ?',
  'DELETE FROM events WHERE session_id = ?',
  'DELETE FROM runs WHERE session_id = ?',
  'DELETE FROM interactions WHERE session_id = ?',
  'DELETE FROM artifacts WHERE session_id = ?',
  'DELETE FROM notes WHERE session_id = ?',
  'DELETE FROM sessions WHERE id = ?',
];

/** Deletes the session and every record of it, for good. */
export function hardDeleteSession(db: SqlWriter, sessionId: string): void {
  for (const sql of HARD_DELETE_STATEMENTS) db.run(sql, [sessionId]);
}
