/**
 * Full-text search over titles, intentions, tags, commands, outputs, Claude text and event payloads:
 * what a person typed made an FTS4 query, run by the store's search queries (store/queries/searchQueries.ts).
 */

import type { SqlReader } from '../store/ports';
import { searchHits, type SearchHit, type SearchHitKind } from '../store/queries/searchQueries';

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

/** Newest hits first within each kind; sessions, then interactions, then events. */
export function searchLedger(db: SqlReader, text: string, options: SearchOptions = {}): SearchHit[] {
  const match = toFtsQuery(text);
  if (!match) return [];
  const limit = options.limitPerKind ?? 50;
  const kinds = options.kinds ?? (['session', 'interaction', 'event'] as const);
  const sessionId = options.sessionId ?? null;
  return kinds.flatMap((kind) => searchHits(db, kind, match, sessionId, limit));
}
