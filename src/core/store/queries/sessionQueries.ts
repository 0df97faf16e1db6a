/*
 * Lookups of sessions by what people and agents name them with, beyond the id the repositories
 * read by: a slug, or the id of the agent's own conversation. Deleted sessions are not found.
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
