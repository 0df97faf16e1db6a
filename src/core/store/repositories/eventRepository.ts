import { EventAppendInputSchema, EventListOptionsSchema, type EventAppendInput, type EventListOptions, type LedgerEvent } from '../../model/event';
import { parseWith } from '../../model/validation';
import type { SqlRow, SqlValue } from '../ledgerDatabase';
import type { EventsReads, EventsWrites } from '../repositoryApi';
import { fromJsonText, nullableText, num, text, toJsonText, type RepositoryContext } from './repositoryContext';
import type { SessionRepository } from './sessionRepository';

const INSERT_SQL =
  'INSERT INTO events (id, session_id, seq, interaction_id, run_id, type, tool_name, payload, correlation_id, ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';

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

/** The append-only event log: idempotent appends with contiguous per-session seqs, paged reads. */
export class EventRepository implements EventsReads, EventsWrites {
  constructor(
    private readonly context: RepositoryContext,
    private readonly sessions: SessionRepository,
  ) {}

  get(id: string): LedgerEvent | undefined {
    const row = this.context.db.get('SELECT * FROM events WHERE id = ?', [id]);
    return row ? rowToEvent(row) : undefined;
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
    if (parsed.interactionId !== undefined) {
      conditions.push('interaction_id = ?');
      params.push(parsed.interactionId);
    }
    if (parsed.runId !== undefined) {
      conditions.push('run_id = ?');
      params.push(parsed.runId);
    }
    params.push(parsed.limit);
    return this.context.db.all(`SELECT * FROM events WHERE ${conditions.join(' AND ')} ORDER BY seq LIMIT ?`, params).map(rowToEvent);
  }

  lastSeq(sessionId: string): number {
    return num(this.context.db.get('SELECT coalesce(max(seq), 0) AS seq FROM events WHERE session_id = ?', [sessionId])!, 'seq');
  }

  append(input: EventAppendInput): LedgerEvent {
    const parsed = parseWith(EventAppendInputSchema, input, 'event');
    const existing = this.get(parsed.id);
    if (existing) return existing;
    const ts = parsed.ts ?? this.context.nowMillis();
    const seq = this.sessions.claimEventSeq(parsed.sessionId, ts);
    const event: LedgerEvent = { ...parsed, seq, ts };
    this.context.db.run(INSERT_SQL, [
      event.id, event.sessionId, event.seq, event.interactionId, event.runId, event.type, event.toolName,
      toJsonText(event.payload), event.correlationId, event.ts,
    ]);
    this.context.changed(event.sessionId, 'event');
    return event;
  }
}
