import {
  EventAppendInputSchema,
  EventListOptionsSchema,
  LedgerEventSchema,
  type EventAppendInput,
  type EventListOptions,
  type LedgerEvent,
} from '../../model/event';
import { parseWith } from '../../model/validation';
import type { SqlRow, SqlValue } from '../ledgerDatabase';
import type { EventsImport, EventsReads, EventsWrites } from '../repositoryApi';
import { NotFoundError, fromJsonText, nullableText, num, text, toJsonText, type RepositoryContext } from './repositoryContext';
import type { SessionRepository } from './sessionRepository';

/**
 * The idempotency check, the seq claim and the insert in one statement: the seq is the session's
 * last claimed seq + 1 (`last_event_seq`, migration 0004; not `event_count`, which retention and
 * import lower to the number of surviving events), read in the same statement; an existing id inserts nothing and returns no row
 * (and so does a missing session: the caller tells the two apart). Deterministic given the
 * database state, so the journal replays it as is.
 */
const INSERT_SQL =
  'INSERT INTO events (id, session_id, seq, interaction_id, run_id, type, tool_name, payload, correlation_id, ts) ' +
  'SELECT ?, id, last_event_seq + 1, ?, ?, ?, ?, ?, ?, ? FROM sessions WHERE id = ? ' +
  'ON CONFLICT (id) DO NOTHING RETURNING seq, rowid';

/**
 * The next append of a run to one session (see {@link EventRepository.appendIfAbsent}): its seq is
 * known, and so is that the session exists, as nothing else ran since the previous one. Without
 * RETURNING (SQLite gathers returned rows in a temporary table: a sixth of a 2 KB event's insert in
 * a sql.js micro-benchmark); whether it inserted is the statement's change count.
 */
const INSERT_NEXT_SQL =
  'INSERT INTO events (id, session_id, seq, interaction_id, run_id, type, tool_name, payload, correlation_id, ts) ' +
  'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING';

/** The stored columns (`SELECT *` would also compute the generated `session_key` of migration 0005 for every row). */
const EVENT_COLUMNS = 'id, session_id, seq, interaction_id, run_id, type, tool_name, payload, correlation_id, ts';

function rowToEvent(row: SqlRow): LedgerEvent {
  return {
    id: text(row, 'id'),
    sessionId: text(row, 'session_id'),
    seq: num(row, 'seq'),
    interactionId: nullableText(row, 'interaction_id'),
    runId: nullableText(row, 'run_id'),
    type: text(row, 'type'),
    toolName: nullableText(row, 'tool_name'),
    payload: fromJsonText(row.payload),
    correlationId: nullableText(row, 'correlation_id'),
    ts: num(row, 'ts'),
  };
}

/** The append-only event log: idempotent appends with increasing per-session seqs (contiguous unless pruned), paged reads. */
export class EventRepository implements EventsReads, EventsWrites, EventsImport {
  /**
   * The appends made since the transaction's previous other statement, all to one session: their
   * session counters are held back (LedgerDatabase.holdBack) and written in one statement, before
   * anything else runs (a bulk import appends thousands of events to a session at a time).
   */
  private run: { sessionId: string; count: number; lastSeq: number; lastAt: number; readonly write: () => void } | undefined;

  constructor(
    private readonly context: RepositoryContext,
    private readonly sessions: SessionRepository,
  ) {}

  get(id: string): LedgerEvent | undefined {
    // Reads no session row: a run of appends stays held back (see appendIfAbsent).
    const row = this.context.db.get(`SELECT ${EVENT_COLUMNS} FROM events WHERE id = ?`, [id], { keepHeldBack: true });
    return row ? rowToEvent(row) : undefined;
  }

  stored(ids: readonly string[]): Set<string> {
    if (ids.length === 0) return new Set();
    // One statement for any number of ids (a list of placeholders would be a statement per length).
    const rows = this.context.db.all('SELECT id FROM events WHERE id IN (SELECT value FROM json_each(?))', [JSON.stringify(ids)], {
      keepHeldBack: true,
    });
    return new Set(rows.map((row) => String(row.id)));
  }

  list(sessionId: string, options: EventListOptions = {}): LedgerEvent[] {
    const parsed = parseWith(EventListOptionsSchema, options, 'event list options');
    const conditions = ['session_id = ?', 'seq > ?'];
    const params: SqlValue[] = [sessionId, parsed.after];
    if (parsed.type !== undefined) {
      const types = Array.isArray(parsed.type) ? parsed.type : [parsed.type];
      conditions.push(types.length ? `type IN (${types.map(() => '?').join(', ')})` : '0');
      params.push(...types);
    }
    if (parsed.interactionId === null) {
      conditions.push('interaction_id IS NULL');
    } else if (parsed.interactionId !== undefined) {
      conditions.push('interaction_id = ?');
      params.push(parsed.interactionId);
    }
    if (parsed.runId !== undefined) {
      conditions.push('run_id = ?');
      params.push(parsed.runId);
    }
    params.push(parsed.limit);
    return this.context.db
      .all(`SELECT ${EVENT_COLUMNS} FROM events WHERE ${conditions.join(' AND ')} ORDER BY seq LIMIT ?`, params)
      .map(rowToEvent);
  }

  getBySeq(sessionId: string, seq: number): LedgerEvent | undefined {
    const row = this.context.db.get(`SELECT ${EVENT_COLUMNS} FROM events WHERE session_id = ? AND seq = ?`, [sessionId, seq]);
    return row ? rowToEvent(row) : undefined;
  }

  lastSeq(sessionId: string): number {
    return num(this.context.db.get('SELECT coalesce(max(seq), 0) AS seq FROM events WHERE session_id = ?', [sessionId])!, 'seq');
  }

  append(input: EventAppendInput): LedgerEvent {
    return this.appendIfAbsent(input) ?? this.get(input.id)!;
  }

  appendIfAbsent(input: EventAppendInput): LedgerEvent | undefined {
    const parsed = parseWith(EventAppendInputSchema, input, 'event');
    const ts = parsed.ts ?? this.context.nowMillis();
    const payload = toJsonText(parsed.payload);
    // A run held back still (not written by another statement, not dropped with a rolled-back transaction).
    const run = this.run?.sessionId === parsed.sessionId && this.context.db.holds(this.run.write) ? this.run : undefined;
    const columns = [parsed.interactionId, parsed.runId, parsed.type, parsed.toolName, payload, parsed.correlationId, ts];
    if (run) {
      const seq = run.lastSeq + 1;
      const inserted = this.context.db.runCountingChanges(INSERT_NEXT_SQL, [parsed.id, parsed.sessionId, seq, ...columns], {
        keepHeldBack: true,
      });
      if (inserted === 0) return undefined; // the id is already stored (idempotent append)
      // Its rowid is above the run's first event's, noted in this transaction: only the count changes.
      this.context.db.noteEventInserted();
      run.count++;
      run.lastSeq = seq;
      run.lastAt = Math.max(run.lastAt, ts);
      this.context.changed(parsed.sessionId, 'event');
      this.context.changed(parsed.sessionId, 'session');
      return { ...parsed, seq, ts };
    }
    const inserted = this.context.db.runReturning(INSERT_SQL, [parsed.id, ...columns, parsed.sessionId]);
    if (!inserted) {
      // Nothing inserted: the id is already stored (idempotent append), or the session does not exist.
      if (this.get(parsed.id)) return undefined;
      throw new NotFoundError('session', parsed.sessionId);
    }
    const seq = num(inserted, 'seq');
    this.context.db.noteEventInserted(num(inserted, 'rowid')); // indexed for search at the transaction's end
    const started = {
      sessionId: parsed.sessionId,
      count: 1,
      lastSeq: seq,
      lastAt: ts,
      write: () => {
        if (this.run === started) this.run = undefined;
        this.sessions.countEvents(started.sessionId, started.count, started.lastSeq, started.lastAt);
      },
    };
    this.run = started;
    this.context.db.holdBack(started.write);
    this.context.changed(parsed.sessionId, 'event');
    this.context.changed(parsed.sessionId, 'session');
    return { ...parsed, seq, ts };
  }

  insertImported(event: LedgerEvent): void {
    const parsed = parseWith(LedgerEventSchema, event, 'imported event');
    const inserted = this.context.db.runReturning(
      `INSERT INTO events (${EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING rowid`,
      [
        parsed.id,
        parsed.sessionId,
        parsed.seq,
        parsed.interactionId,
        parsed.runId,
        parsed.type,
        parsed.toolName,
        toJsonText(parsed.payload),
        parsed.correlationId,
        parsed.ts,
      ],
    );
    this.context.db.noteEventInserted(num(inserted!, 'rowid')); // indexed for search at the transaction's end, like an append
    this.context.changed(parsed.sessionId, 'event');
  }
}
