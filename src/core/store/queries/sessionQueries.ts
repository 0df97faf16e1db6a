/*
 * Lookups of sessions by what people and agents name them with, beyond the id the repositories
 * read by: a slug, an id prefix, or the id of the agent's own conversation; and the team-ledger
 * columns of a session (migration 0009).
 */
import type { SqlReader } from '../ports';

/** The id of the most recently updated live session with slug `slug`. */
export function liveSessionIdBySlug(db: SqlReader, slug: string): string | undefined {
  const rows = db.all('SELECT id FROM sessions WHERE slug = ? AND deleted_at IS NULL ORDER BY updated_at DESC LIMIT 1', [slug]);
  return rows[0] ? String(rows[0].id) : undefined;
}

/** The id of the most recently updated live session recording the external conversation `conversationId` (a Claude Code session id). */
export function liveSessionIdByConversation(db: SqlReader, conversationId: string): string | undefined {
  const rows = db.all(
    'SELECT id FROM sessions WHERE external_conversation_id = ? AND deleted_at IS NULL ORDER BY updated_at DESC LIMIT 1',
    [conversationId],
  );
  return rows[0] ? String(rows[0].id) : undefined;
}

/**
 * Up to five sessions (deleted ones last) whose slug is `ref` or whose id starts with `ref` (at
 * least 4 characters), most recently updated first: what a person means by a short reference.
 */
export function sessionIdsBySlugOrIdPrefix(db: SqlReader, ref: string): string[] {
  return db
    .all(
      'SELECT id FROM sessions WHERE slug = ?1 OR (length(?1) >= 4 AND id LIKE ?2) ORDER BY deleted_at IS NOT NULL, updated_at DESC LIMIT 5',
      [ref, `${ref.toLowerCase().replace(/[%_]/g, '')}%`],
    )
    .map((row) => String(row.id));
}

/** Whether a session is marked Share for the team ledger (sessions.shared, migration 0009). */
export function isSessionShared(db: SqlReader, sessionId: string): boolean {
  return Number(db.all('SELECT shared FROM sessions WHERE id = ?', [sessionId])[0]?.shared ?? 0) === 1;
}

/** Who a session pulled from the team ledger belongs to, or undefined for a session made in this ledger. */
export function pulledSessionOwner(db: SqlReader, sessionId: string): { person: string; machine: string } | undefined {
  const row = db.all('SELECT owner_person, owner_machine FROM sessions WHERE id = ? AND sync_origin IS NOT NULL', [sessionId])[0];
  return row ? { person: String(row.owner_person ?? '?'), machine: String(row.owner_machine ?? '?') } : undefined;
}
