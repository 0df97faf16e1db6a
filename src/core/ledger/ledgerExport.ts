/**
 * Export of sessions as versioned JSON (the format: ./exportFormat.ts).
 *
 * What leaves the machine is redacted first (./redaction.ts: API keys, tokens, `KEY=value`
 * secrets, …) and absolute paths under the workspace folder become workspace-relative (the home
 * directory becomes `~` elsewhere) unless `absolutePaths` is asked for (./exportSanitizer.ts).
 */
import { Redactor } from './redaction';
import type { LedgerReads } from '../store/ports';
import { EXPORT_FORMAT, EXPORT_VERSION, parentsFirst, type ExportedSession, type ExportOptions, type LedgerExport } from './exportFormat';
import { ExportSanitizer } from './exportSanitizer';

const PAGE = 10_000;

function allPages<T extends { seq: number }>(read: (after: number) => T[]): T[] {
  const all: T[] = [];
  for (let after = 0; ;) {
    const page = read(after);
    all.push(...page);
    const last = page.at(-1);
    if (page.length < PAGE || last === undefined) return all;
    after = last.seq;
  }
}

function readSession(reads: LedgerReads, sessionId: string): ExportedSession {
  const session = reads.sessions.require(sessionId);
  return {
    ...session,
    interactions: allPages((after) => reads.interactions.list(sessionId, { after, limit: PAGE })),
    events: allPages((after) => reads.events.list(sessionId, { after, limit: PAGE })),
    runs: reads.runs.listBySession(sessionId),
    artifacts: reads.artifacts.list(sessionId, { includeDeleted: true }),
    notes: reads.notes.list(sessionId),
    conversations: reads.conversations.listBySession(sessionId).map((c) => ({
      ...c,
      messages: allPages((after) => reads.conversations.messages(c.id, { after, limit: PAGE })),
    })),
  };
}

/**
 * Exports the given sessions (default: every session, soft-deleted ones included), redacted and with
 * workspace-relative paths (see {@link ExportOptions}). Child sessions are not added implicitly; pass
 * their ids too. Oldest first, parents before children (a stable order).
 */
export function exportLedger(
  reads: LedgerReads,
  sessionIds?: readonly string[],
  now = Date.now(),
  options: ExportOptions = {},
): LedgerExport {
  const sanitizer = new ExportSanitizer(options);
  const ids = sessionIds ?? reads.sessions.listAll({ deleted: 'include' }).map((s) => s.id);
  const sessions = ids
    .map((id) => {
      const session = readSession(reads, id);
      return sanitizer.sanitize(session, session.workspaceFolder);
    })
    .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { format: EXPORT_FORMAT, version: EXPORT_VERSION, exportedAt: now, sessions: parentsFirst(sessions) };
}

/** Redacts finished export text (the Markdown rendering applies it to all it writes). */
export function redactExportText(text: string, options: Pick<ExportOptions, 'redaction'> = {}): string {
  return new Redactor(options.redaction).redactText(text);
}

export function serializeLedgerExport(data: LedgerExport): string {
  return JSON.stringify(data, null, 1);
}

/* ---------------------------------------------------------------- import */
