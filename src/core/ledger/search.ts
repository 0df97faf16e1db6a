/**
 * Full-text search over titles, intentions, tags, commands, outputs, Claude text and event payloads,
 * through the FTS4 tables of `migrations/0002_search.sql` and `0012` (tags), kept in sync by triggers.
 */

import type { SqlReader } from '../store/ports';

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

export interface SearchOptions {
  /** At most this many hits per kind (default 50). */
  limitPerKind?: number;
  kinds?: readonly SearchHitKind[];
  /** Restrict to one session. */
  sessionId?: string;
}

/**
 * Turns what a person typed into an FTS4 query: every word must occur (implicit AND), the last
 * word is a prefix ("pars" finds "parser"). Quotes and operators are neutralised, so user text
 * never produces an FTS syntax error. Returns undefined for a query with no words.
 */
export function toFtsQuery(text: string): string | undefined {
  const words = text
    .split(/[\s"]+/)
    .map((w) => w.replace(/[^\p{L}\p{N}_-]/gu, ''))
    .filter((w) => /[\p{L}\p{N}]/u.test(w));
  if (words.length === 0) return undefined;
  return words.map((w, i) => `"${w}${i === words.length - 1 ? '*' : ''}"`).join(' ');
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

/** Newest hits first within each kind; sessions, then interactions, then events. */
export function searchLedger(db: SqlReader, text: string, options: SearchOptions = {}): SearchHit[] {
  const match = toFtsQuery(text);
  if (!match) return [];
  const limit = options.limitPerKind ?? 50;
  const kinds = options.kinds ?? (['session', 'interaction', 'event'] as const);
  const sessionId = options.sessionId ?? null;
  return kinds.flatMap((kind) => {
    const scoped = sessionId && kind !== 'session' ? `session_key:${sessionKey(sessionId)} ${match}` : match;
    return db.all(QUERIES[kind], [scoped, sessionId, limit]) as unknown as SearchHit[];
  });
}
