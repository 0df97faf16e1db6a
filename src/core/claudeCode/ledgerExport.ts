/**
 * Export / import of sessions as versioned, lossless JSON:
 *
 *   { format: 'session-ledger', version: 1, exportedAt, sessions: [ { ...Session, interactions,
 *     events, runs, artifacts, notes, conversations: [ { ...Conversation, messages } ] } ] }
 *
 * Every record keeps its id, seq and timestamps. Import validates with zod (errors name the
 * field path), then restores rows exactly as exported; re-importing is idempotent (existing ids
 * are left alone, nothing is duplicated). A session that already exists receives the records it
 * lacks (a longer export of the same session) and its counters are recomputed.
 */
import { z } from 'zod';
import { ArtifactSchema } from '../model/artifact';
import { ConversationSchema, MessageSchema } from '../model/conversation';
import { LedgerEventSchema } from '../model/event';
import { InteractionSchema } from '../model/interaction';
import { NoteSchema } from '../model/note';
import { RunSchema } from '../model/run';
import { SessionSchema } from '../model/session';
import type {
  ArtifactsReads,
  ConversationsReads,
  EventsReads,
  InteractionsReads,
  NotesReads,
  RunsReads,
  SessionsReads,
} from '../store/repositoryApi';
import type { SqlWriter } from './retention';
import type { TransactionalStore } from './storeAccess';
import { allSessions } from './claudeSessions';

export const EXPORT_FORMAT = 'session-ledger';
export const EXPORT_VERSION = 1;

export const ExportedConversationSchema = ConversationSchema.extend({ messages: z.array(MessageSchema) });
export const ExportedSessionSchema = SessionSchema.extend({
  interactions: z.array(InteractionSchema),
  events: z.array(LedgerEventSchema),
  runs: z.array(RunSchema),
  artifacts: z.array(ArtifactSchema),
  notes: z.array(NoteSchema),
  conversations: z.array(ExportedConversationSchema),
});
export const LedgerExportSchema = z.object({
  format: z.literal(EXPORT_FORMAT),
  version: z.literal(EXPORT_VERSION),
  exportedAt: z.number().int().nonnegative(),
  sessions: z.array(ExportedSessionSchema),
});
export type ExportedSession = z.infer<typeof ExportedSessionSchema>;
export type LedgerExport = z.infer<typeof LedgerExportSchema>;

/** Read access an export needs (the store's synchronous reads). */
export interface LedgerReads {
  readonly sessions: SessionsReads;
  readonly interactions: InteractionsReads;
  readonly events: EventsReads;
  readonly runs: RunsReads;
  readonly conversations: ConversationsReads;
  readonly artifacts: ArtifactsReads;
  readonly notes: NotesReads;
}

const PAGE = 10_000;

function allPages<T extends { seq: number }>(read: (after: number) => T[]): T[] {
  const all: T[] = [];
  for (let after = 0; ; ) {
    const page = read(after);
    all.push(...page);
    if (page.length < PAGE) return all;
    after = page[page.length - 1].seq;
  }
}

function exportSession(reads: LedgerReads, sessionId: string): ExportedSession {
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
 * Exports the given sessions (default: every session, soft-deleted ones included). Child sessions
 * are not added implicitly; pass their ids too. Oldest first, parents before children (a stable order).
 */
export function exportLedger(reads: LedgerReads, sessionIds?: readonly string[], now = Date.now()): LedgerExport {
  const ids = sessionIds ?? allSessions(reads.sessions).map((s) => s.id);
  const sessions = ids
    .map((id) => exportSession(reads, id))
    .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { format: EXPORT_FORMAT, version: EXPORT_VERSION, exportedAt: now, sessions: parentsFirst(sessions) };
}

function parentsFirst<T extends { id: string; parentSessionId: string | null }>(sessions: T[]): T[] {
  const byId = new Map(sessions.map((s) => [s.id, s]));
  const ordered: T[] = [];
  const placed = new Set<string>();
  const place = (s: T): void => {
    if (placed.has(s.id)) return;
    placed.add(s.id);
    const parent = s.parentSessionId ? byId.get(s.parentSessionId) : undefined;
    if (parent) place(parent);
    ordered.push(s);
  };
  sessions.forEach(place);
  return ordered;
}

export function serializeLedgerExport(data: LedgerExport): string {
  return JSON.stringify(data, null, 1);
}

export class LedgerImportError extends Error {
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`Not a valid Session Ledger export: ${field}: ${detail}`);
    this.name = 'LedgerImportError';
  }
}

/** Parses and validates export text; a bad file gets an error naming the field (`sessions.3.events.12.ts`). */
export function parseLedgerExport(text: string): LedgerExport {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new LedgerImportError('(file)', `not JSON (${(err as Error).message})`);
  }
  const parsed = LedgerExportSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new LedgerImportError(issue.path.map(String).join('.') || '(root)', issue.message);
  }
  return parsed.data;
}

/* Row restore: the export's records written back exactly, columns as in migrations/ (0001, 0003). sessions.last_event_seq
   (0004) is not exported: it is set from the imported events' seqs (EVENT_SEQ_REFRESH_SQL). */

type Row = Record<string, string | number | null>;
const json = (value: unknown): string => JSON.stringify(value);

const sessionRow = (s: ExportedSession, parentSessionId: string | null): Row => ({
  id: s.id, parent_session_id: parentSessionId, type: s.type, title: s.title, slug: s.slug, intention: s.intention,
  success_criteria: json(s.successCriteria), constraints: json(s.constraints), agent: s.agent, provider: s.provider,
  environment: s.environment, execution_mode: s.executionMode, status: s.status, phase: s.phase, state: json(s.state),
  external_conversation_id: s.externalConversationId, working_dir: s.workingDir, workspace_folder: s.workspaceFolder,
  tags: json(s.tags), summary: s.summary, total_cost_usd: s.totalCostUsd, cost_unknown: s.costUnknown ? 1 : 0, input_tokens: s.inputTokens,
  output_tokens: s.outputTokens, cache_creation_tokens: s.cacheCreationTokens, cache_read_tokens: s.cacheReadTokens,
  interaction_count: s.interactionCount, event_count: s.eventCount, last_event_at: s.lastEventAt,
  created_at: s.createdAt, updated_at: s.updatedAt, ended_at: s.endedAt, deleted_at: s.deletedAt,
});

const interactionRow = (i: ExportedSession['interactions'][number]): Row => ({
  id: i.id, session_id: i.sessionId, seq: i.seq, step: i.command.step, command_kind: i.command.kind, command: i.command.command,
  command_metadata: json(i.command.metadata), command_at: i.commandAtMicros, result_status: i.result.status,
  exit_code: i.result.exitCode, output: i.result.output, result_data: i.result.data === null ? null : json(i.result.data),
  error_message: i.result.errorMessage, duration_ms: i.result.durationMs, completed_at: i.result.completedAt,
});

const eventRow = (e: ExportedSession['events'][number]): Row => ({
  id: e.id, session_id: e.sessionId, seq: e.seq, interaction_id: e.interactionId, run_id: e.runId, type: e.type,
  tool_name: e.toolName, payload: json(e.payload), correlation_id: e.correlationId, ts: e.ts,
});

const runRow = (r: ExportedSession['runs'][number]): Row => ({
  id: r.id, session_id: r.sessionId, interaction_id: r.interactionId, provider: r.provider, model: r.model,
  conversation_id: r.conversationId, status: r.status, input_tokens: r.inputTokens, output_tokens: r.outputTokens,
  cache_creation_tokens: r.cacheCreationTokens, cache_read_tokens: r.cacheReadTokens, cost_usd: r.costUsd, cost_unknown: r.costUnknown ? 1 : 0,
  started_at: r.startedAt, ended_at: r.endedAt, error: r.error,
});

const artifactRow = (a: ExportedSession['artifacts'][number]): Row => ({
  id: a.id, session_id: a.sessionId, key: a.key, kind: a.kind, content_type: a.contentType, byte_size: a.byteSize,
  sha256: a.sha256, path: a.path, content: a.content, created_at: a.createdAt, deleted_at: a.deletedAt,
});

const noteRow = (n: ExportedSession['notes'][number]): Row => ({
  id: n.id, session_id: n.sessionId, kind: n.kind, content: n.content, interaction_seq: n.interactionSeq, created_at: n.createdAt,
});

const conversationRow = (c: ExportedSession['conversations'][number]): Row => ({
  id: c.id, session_id: c.sessionId, provider: c.provider, model: c.model, system: c.system,
  message_count: c.messageCount, created_at: c.createdAt, updated_at: c.updatedAt,
});

const messageRow = (m: ExportedSession['conversations'][number]['messages'][number]): Row => ({
  id: m.id, conversation_id: m.conversationId, seq: m.seq, role: m.role, content: json(m.content), run_id: m.runId, created_at: m.createdAt,
});

export interface LedgerImportReport {
  sessionsAdded: number;
  /** Sessions that already existed and were completed with the records they lacked. */
  sessionsMerged: number;
  recordsAdded: number;
  /** Records skipped because their id exists already (re-import). */
  recordsUnchanged: number;
  /** Records whose id is new but whose seq is taken by a different local record: not imported. */
  conflicts: number;
  /** Sessions whose parent is neither in the file nor in the store: imported as top-level. */
  detachedFromParent: string[];
  sessionIds: string[];
}

const COUNTER_REFRESH_SQL = `UPDATE sessions SET
  interaction_count = (SELECT count(*) FROM interactions WHERE session_id = ?1),
  event_count = (SELECT count(*) FROM events WHERE session_id = ?1),
  last_event_at = (SELECT max(ts) FROM events WHERE session_id = ?1),
  input_tokens = (SELECT coalesce(sum(input_tokens), 0) FROM runs WHERE session_id = ?1),
  output_tokens = (SELECT coalesce(sum(output_tokens), 0) FROM runs WHERE session_id = ?1),
  cache_creation_tokens = (SELECT coalesce(sum(cache_creation_tokens), 0) FROM runs WHERE session_id = ?1),
  cache_read_tokens = (SELECT coalesce(sum(cache_read_tokens), 0) FROM runs WHERE session_id = ?1),
  total_cost_usd = (SELECT coalesce(sum(cost_usd), 0) FROM runs WHERE session_id = ?1),
  cost_unknown = EXISTS (SELECT 1 FROM runs WHERE session_id = ?1 AND cost_unknown = 1),
  last_event_seq = max(last_event_seq, (SELECT coalesce(max(seq), 0) FROM events WHERE session_id = ?1))
  WHERE id = ?1`;

/** For a newly imported session: the next event appended takes the seq above its highest imported one (seqs may have gaps). */
const EVENT_SEQ_REFRESH_SQL = 'UPDATE sessions SET last_event_seq = (SELECT coalesce(max(seq), 0) FROM events WHERE session_id = ?1) WHERE id = ?1';

/**
 * Restores an export in ONE store transaction. `db` is the store's SQL access (rows are written
 * inside the transaction, so they are journalled like any other write).
 */
export async function importLedger(store: TransactionalStore, db: SqlWriter, data: LedgerExport): Promise<LedgerImportReport> {
  return store.transaction((tx) => {
    const report: LedgerImportReport = { sessionsAdded: 0, sessionsMerged: 0, recordsAdded: 0, recordsUnchanged: 0, conflicts: 0, detachedFromParent: [], sessionIds: [] };
    const exists = (table: string, id: string) => db.all(`SELECT 1 AS found FROM ${table} WHERE id = ?`, [id]).length > 0;
    const insert = (table: string, row: Row): boolean => {
      if (exists(table, String(row.id))) {
        report.recordsUnchanged++;
        return false;
      }
      const columns = Object.keys(row);
      db.run(`INSERT OR IGNORE INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`, Object.values(row));
      if (!exists(table, String(row.id))) {
        report.conflicts++;
        return false;
      }
      report.recordsAdded++;
      return true;
    };
    const inFile = new Set(data.sessions.map((s) => s.id));
    for (const session of parentsFirst(data.sessions)) {
      report.sessionIds.push(session.id);
      const parent = session.parentSessionId;
      const parentKnown = parent === null || inFile.has(parent) || tx.sessions.get(parent) !== undefined;
      if (!parentKnown) report.detachedFromParent.push(session.id);
      const added = insert('sessions', sessionRow(session, parentKnown ? parent : null));
      let grew = false;
      for (const i of session.interactions) grew = insert('interactions', interactionRow(i)) || grew;
      for (const r of session.runs) grew = insert('runs', runRow(r)) || grew;
      for (const e of session.events) grew = insert('events', eventRow(e)) || grew;
      for (const a of session.artifacts) insert('artifacts', artifactRow(a));
      for (const n of session.notes) insert('notes', noteRow(n));
      for (const c of session.conversations) {
        insert('conversations', conversationRow(c));
        for (const m of c.messages) insert('messages', messageRow(m));
      }
      if (added) {
        db.run(EVENT_SEQ_REFRESH_SQL, [session.id]);
        report.sessionsAdded++;
      } else if (grew) {
        db.run(COUNTER_REFRESH_SQL, [session.id]);
        report.sessionsMerged++;
      }
    }
    return report;
  });
}
