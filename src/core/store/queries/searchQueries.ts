/*
 * The full-text search queries over the ledger (see core/ledger/search.ts): the FTS4 tables of
 * `migrations/0002_search.sql` and `0012` (tags), kept in sync by triggers, joined to the rows they index.
 */
import type { SqlReader } from '../ports';

export type SearchHitKind = 'session' | 'interaction' | 'event';

export interface SearchHit {
  kind: SearchHitKind;
  sessionId: string;
  sessionTitle: string;
  /** The interaction to open the timeline at (the hit itself, or the event's interaction). */
  interactionId: string | null;
  interactionSeq: number | null;
  /** Set for event hits. */
  eventId: string | null;
  eventSeq: number | null;
  /** Matched text with the terms in [brackets]. */
  snippet: string;
  /** Milliseconds since the epoch of the hit (session update, command time, event time). */
  at: number;
}

const SNIPPET = (table: string) => `snippet(${table}, '[', ']', '…', -1, 12)`;

const QUERIES: Record<SearchHitKind, string> = {
  // Title, intention and summary (search_sessions), or a tag (search_session_tags, migration 0012): one hit per session.
  session: `
    SELECT 'session' AS kind, s.id AS sessionId, s.title AS sessionTitle, NULL AS interactionId, NULL AS interactionSeq,
           NULL AS eventId, NULL AS eventSeq, min(m.snippet) AS snippet, s.updated_at AS at
    FROM (
      SELECT docid, ${SNIPPET('search_sessions')} AS snippet FROM search_sessions WHERE search_sessions MATCH ?1
      UNION ALL
      SELECT docid, 'tags: ' || ${SNIPPET('search_session_tags')} AS snippet FROM search_session_tags WHERE search_session_tags MATCH ?1
    ) m JOIN sessions s ON s.rowid = m.docid
    WHERE s.deleted_at IS NULL AND (?2 IS NULL OR s.id = ?2)
    GROUP BY m.docid
    ORDER BY m.docid DESC LIMIT ?3`,
  interaction: `
    SELECT 'interaction' AS kind, i.session_id AS sessionId, s.title AS sessionTitle, i.id AS interactionId, i.seq AS interactionSeq,
           NULL AS eventId, NULL AS eventSeq, ${SNIPPET('search_interactions')} AS snippet, i.command_at / 1000 AS at
    FROM search_interactions JOIN interactions i ON i.rowid = search_interactions.docid
    JOIN sessions s ON s.id = i.session_id
    WHERE search_interactions MATCH ?1 AND s.deleted_at IS NULL
    ORDER BY search_interactions.docid DESC LIMIT ?3`,
  event: `
    SELECT 'event' AS kind, e.session_id AS sessionId, s.title AS sessionTitle, e.interaction_id AS interactionId,
           (SELECT seq FROM interactions WHERE id = e.interaction_id) AS interactionSeq,
           e.id AS eventId, e.seq AS eventSeq, ${SNIPPET('search_events')} AS snippet, e.ts AS at
    FROM search_events JOIN events e ON e.rowid = search_events.docid
    JOIN sessions s ON s.id = e.session_id
    WHERE search_events MATCH ?1 AND s.deleted_at IS NULL
    ORDER BY search_events.docid DESC LIMIT ?3`,
};

/** The one-token form of a session id kept in the FTS tables' `session_key` column. */
function sessionKey(sessionId: string): string {
  return 's' + sessionId.replace(/[^0-9a-zA-Z]/g, '').toLowerCase();
}

/**
 * Hits of one kind for the FTS4 query `match`, newest first, at most `limit`; with `sessionId`, only
 * that session's (through the FTS tables' `session_key` column for interactions and events).
 */
export function searchHits(db: SqlReader, kind: SearchHitKind, match: string, sessionId: string | null, limit: number): SearchHit[] {
  const scoped = sessionId && kind !== 'session' ? `session_key:${sessionKey(sessionId)} ${match}` : match;
  return db.all(QUERIES[kind], [scoped, sessionId, limit]) as unknown as SearchHit[];
}
