import { parseWith } from '../../model/validation';
import {
  SessionCreateInputSchema,
  SessionListFilterSchema,
  SessionSchema,
  SessionTimesSchema,
  SessionUpdateSchema,
  type Session,
  type SessionCreateInput,
  type SessionListFilter,
  type SessionTimes,
  type SessionUpdate,
  type TokenUsage,
} from '../../model/session';
import { assertSessionTransition, isTerminalSessionStatus } from '../../model/sessionStatus';
import type { SqlValue } from '../ledgerDatabase';
import type { SessionsImport, SessionsReads, SessionsWrites } from '../repositoryApi';
import { NotFoundError, num, text, type RepositoryContext } from './repositoryContext';

import { INSERT_SQL, rowToSession, sessionToValues, UPDATE_SQL } from './sessionRows';

export function slugify(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
  return slug || 'session';
}

function likePattern(textToFind: string): string {
  return `%${textToFind.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

/** Sessions: create, read, filter, update (validated, status via the transition table), soft delete. */
export class SessionRepository implements SessionsReads, SessionsWrites, SessionsImport {
  constructor(private readonly context: RepositoryContext) {}

  get(id: string): Session | undefined {
    const row = this.context.db.get('SELECT * FROM sessions WHERE id = ?', [id]);
    return row ? rowToSession(row) : undefined;
  }

  require(id: string): Session {
    const session = this.get(id);
    if (!session) throw new NotFoundError('session', id);
    return session;
  }

  /** Throws {@link NotFoundError} unless the session is stored (without reading its row). */
  requireExists(id: string): void {
    if (!this.context.db.get('SELECT 1 AS found FROM sessions WHERE id = ?', [id])) throw new NotFoundError('session', id);
  }

  list(filter: SessionListFilter = {}): Session[] {
    const parsed = parseWith(SessionListFilterSchema, filter, 'session list filter');
    const { where, params } = this.whereClause(parsed);
    return this.context.db
      .all(`SELECT * FROM sessions ${where} ORDER BY updated_at DESC, id LIMIT ? OFFSET ?`, [...params, parsed.limit, parsed.offset])
      .map(rowToSession);
  }

  listAll(filter: Omit<SessionListFilter, 'limit' | 'offset'> = {}): Session[] {
    const page = 10_000;
    const all: Session[] = [];
    for (let offset = 0; ; offset += page) {
      const batch = this.list({ ...filter, limit: page, offset });
      all.push(...batch);
      if (batch.length < page) return all;
    }
  }

  count(filter: SessionListFilter = {}): number {
    const { where, params } = this.whereClause(parseWith(SessionListFilterSchema, filter, 'session list filter'));
    return num(this.context.db.get(`SELECT count(*) AS total FROM sessions ${where}`, params)!, 'total');
  }

  /** The sessions that follow up this one (Start Follow-up Session), oldest first. */
  followUps(sessionId: string): Session[] {
    return this.context.db
      .all('SELECT * FROM sessions WHERE follows_session_id = ? AND deleted_at IS NULL ORDER BY created_at, id', [sessionId])
      .map(rowToSession);
  }

  /** Every tag in use (sessions not deleted), with how many sessions carry it, most used first. */
  tagCounts(): { tag: string; count: number }[] {
    return this.context.db
      .all(
        'SELECT value AS tag, count(*) AS total FROM sessions, json_each(sessions.tags) WHERE deleted_at IS NULL AND json_valid(sessions.tags) GROUP BY value ORDER BY total DESC, value',
      )
      .map((row) => ({ tag: text(row, 'tag'), count: num(row, 'total') }));
  }

  /** The owners of pulled team sessions (`owner_person`), for the tree's owner filter. */
  owners(): string[] {
    return this.context.db
      .all(
        'SELECT DISTINCT owner_person AS owner FROM sessions WHERE owner_person IS NOT NULL AND deleted_at IS NULL ORDER BY owner_person',
      )
      .map((row) => text(row, 'owner'));
  }

  children(parentSessionId: string): Session[] {
    return this.context.db
      .all('SELECT * FROM sessions WHERE parent_session_id = ? AND deleted_at IS NULL ORDER BY created_at, id', [parentSessionId])
      .map(rowToSession);
  }

  create(input: SessionCreateInput): Session {
    const parsed = parseWith(SessionCreateInputSchema, input, 'session');
    if (parsed.parentSessionId) this.require(parsed.parentSessionId);
    if (parsed.followsSessionId) this.require(parsed.followsSessionId);
    const { createdAt, ...fields } = parsed;
    const now = createdAt ?? this.context.nowMillis();
    const session: Session = {
      ...fields,
      id: parsed.id ?? this.context.newId(),
      parentSessionId: parsed.parentSessionId ?? null,
      slug: parsed.slug ?? slugify(parsed.title),
      outcome: null,
      progress: null,
      startedAt: parsed.status === 'planned' ? null : now,
      totalCostUsd: 0,
      costUnknown: false,
      inputTokens: 0,
      outputTokens: 0,
      cacheCreationTokens: 0,
      cacheCreation1hTokens: 0,
      cacheReadTokens: 0,
      interactionCount: 0,
      eventCount: 0,
      lastEventAt: null,
      createdAt: now,
      updatedAt: now,
      endedAt: isTerminalSessionStatus(parsed.status) ? now : null,
      deletedAt: null,
    };
    this.context.db.run(INSERT_SQL, sessionToValues(session));
    this.context.changed(session.id, 'session');
    return session;
  }

  update(id: string, patch: SessionUpdate): Session {
    const parsed = parseWith(SessionUpdateSchema, patch, 'session update');
    const current = this.require(id);
    const next: Session = { ...current, ...parsed, updatedAt: this.context.nowMillis() };
    if (parsed.status !== undefined && parsed.status !== current.status) {
      assertSessionTransition(current.status, parsed.status, id);
      next.endedAt = isTerminalSessionStatus(parsed.status) ? next.updatedAt : null;
      // A planned session starts now (Start); one given up before it started keeps no start.
      if (current.status === 'planned' && parsed.status === 'active') next.startedAt = next.updatedAt;
    }
    return this.save(next);
  }

  softDelete(id: string): Session {
    const current = this.require(id);
    if (current.deletedAt !== null) return current;
    const now = this.context.nowMillis();
    return this.save({ ...current, deletedAt: now, updatedAt: now });
  }

  restore(id: string): Session {
    const current = this.require(id);
    if (current.deletedAt === null) return current;
    return this.save({ ...current, deletedAt: null, updatedAt: this.context.nowMillis() });
  }

  setTimes(id: string, times: SessionTimes): Session {
    const parsed = parseWith(SessionTimesSchema, times, 'session times');
    const current = this.require(id);
    for (const field of ['updatedAt', 'endedAt'] as const) {
      const value = parsed[field];
      if (value !== undefined && value < current.createdAt) {
        throw new Error(
          `session times: ${field} (${new Date(value).toISOString()}) is before the session was created (${new Date(current.createdAt).toISOString()}).`,
        );
      }
    }
    if (parsed.endedAt !== undefined && !isTerminalSessionStatus(current.status)) {
      throw new Error(`session times: endedAt is only for a session that has ended; session ${id} is ${current.status}.`);
    }
    return this.save({ ...current, updatedAt: parsed.updatedAt ?? current.updatedAt, endedAt: parsed.endedAt ?? current.endedAt });
  }

  /**
   * For the events repository, after it inserted `count` events up to seq `lastSeq` (each claimed
   * as the previous + 1), the latest at `lastAt`: the counters, in one statement.
   */
  countEvents(id: string, count: number, lastSeq: number, lastAt: number): void {
    this.context.db.run(
      'UPDATE sessions SET event_count = event_count + ?, last_event_seq = ?, last_event_at = max(coalesce(last_event_at, 0), ?), updated_at = ? WHERE id = ?',
      [count, lastSeq, lastAt, this.context.nowMillis(), id],
    );
  }

  /** For the interactions repository: claims the next interaction seq and updates the count. Returns the seq. */
  claimInteractionSeq(id: string): number {
    const row = this.context.db.get('SELECT interaction_count FROM sessions WHERE id = ?', [id]);
    if (!row) throw new NotFoundError('session', id);
    const seq = num(row, 'interaction_count') + 1;
    this.context.db.run('UPDATE sessions SET interaction_count = ?, updated_at = ? WHERE id = ?', [seq, this.context.nowMillis(), id]);
    this.context.changed(id, 'session');
    return seq;
  }

  /** For the runs repository: a run's cost is unknown, so the session's total is a lower bound. */
  markCostUnknown(id: string): void {
    this.context.db.run('UPDATE sessions SET cost_unknown = 1, updated_at = ? WHERE id = ?', [this.context.nowMillis(), id]);
    this.context.changed(id, 'session');
  }

  /** For the runs repository: a run's cost became known; the session's total stays a lower bound only while another run's is not. */
  recountCostUnknown(id: string): void {
    this.context.db.run(
      'UPDATE sessions SET cost_unknown = EXISTS (SELECT 1 FROM runs WHERE session_id = ?1 AND cost_unknown = 1), updated_at = ?2 WHERE id = ?1',
      [id, this.context.nowMillis()],
    );
    this.context.changed(id, 'session');
  }

  /** For the runs repository: adds token and cost deltas to the session's totals. */
  addUsage(id: string, delta: TokenUsage & { costUsd: number }): void {
    // Added in SQL (the same double arithmetic as in JS): no read of the whole row first.
    const updated = this.context.db.runReturning(
      'UPDATE sessions SET input_tokens = input_tokens + ?, output_tokens = output_tokens + ?, cache_creation_tokens = cache_creation_tokens + ?, ' +
        'cache_creation_1h_tokens = cache_creation_1h_tokens + ?, cache_read_tokens = cache_read_tokens + ?, total_cost_usd = total_cost_usd + ?, ' +
        'updated_at = ? WHERE id = ? RETURNING id',
      [
        delta.inputTokens,
        delta.outputTokens,
        delta.cacheCreationTokens,
        delta.cacheCreation1hTokens,
        delta.cacheReadTokens,
        delta.costUsd,
        this.context.nowMillis(),
        id,
      ],
    );
    if (!updated) throw new NotFoundError('session', id);
    this.context.changed(id, 'session');
  }

  insertImported(session: Session): void {
    const parsed = parseWith(SessionSchema, session, 'imported session');
    this.context.db.run(INSERT_SQL, sessionToValues(parsed));
    this.context.changed(parsed.id, 'session');
  }

  /**
   * For imports, once a session's records are in: its counters recomputed from them. The next
   * interaction and event take seqs above the highest stored ones (an event seq never goes down:
   * retention may have pruned the latest). `updated_at` is left as it was.
   */
  recountFromRecords(id: string): void {
    this.context.db.run(
      `UPDATE sessions SET
        interaction_count = (SELECT coalesce(max(seq), 0) FROM interactions WHERE session_id = ?1),
        event_count = (SELECT count(*) FROM events WHERE session_id = ?1),
        last_event_at = (SELECT max(ts) FROM events WHERE session_id = ?1),
        last_event_seq = max(last_event_seq, (SELECT coalesce(max(seq), 0) FROM events WHERE session_id = ?1)),
        input_tokens = (SELECT coalesce(sum(input_tokens), 0) FROM runs WHERE session_id = ?1),
        output_tokens = (SELECT coalesce(sum(output_tokens), 0) FROM runs WHERE session_id = ?1),
        cache_creation_tokens = (SELECT coalesce(sum(cache_creation_tokens), 0) FROM runs WHERE session_id = ?1),
        cache_creation_1h_tokens = (SELECT coalesce(sum(cache_creation_1h_tokens), 0) FROM runs WHERE session_id = ?1),
        cache_read_tokens = (SELECT coalesce(sum(cache_read_tokens), 0) FROM runs WHERE session_id = ?1),
        total_cost_usd = (SELECT coalesce(sum(cost_usd), 0) FROM runs WHERE session_id = ?1),
        cost_unknown = EXISTS (SELECT 1 FROM runs WHERE session_id = ?1 AND cost_unknown = 1)
      WHERE id = ?1`,
      [id],
    );
    this.context.changed(id, 'session');
  }

  private save(session: Session): Session {
    const [, ...rest] = sessionToValues(session);
    this.context.db.run(UPDATE_SQL, [...rest, session.id]);
    this.context.changed(session.id, 'session');
    return session;
  }

  private whereClause(filter: ReturnType<typeof SessionListFilterSchema.parse>): { where: string; params: SqlValue[] } {
    const conditions: string[] = [];
    const params: SqlValue[] = [];
    if (filter.status !== undefined) {
      const statuses = Array.isArray(filter.status) ? filter.status : [filter.status];
      conditions.push(statuses.length ? `status IN (${statuses.map(() => '?').join(', ')})` : '0');
      params.push(...statuses);
    }
    if (filter.type !== undefined) {
      conditions.push('type = ?');
      params.push(filter.type);
    }
    if (filter.parentSessionId === null) {
      conditions.push('parent_session_id IS NULL');
    } else if (filter.parentSessionId !== undefined) {
      conditions.push('parent_session_id = ?');
      params.push(filter.parentSessionId);
    }
    if (filter.text) {
      const pattern = likePattern(filter.text);
      conditions.push(
        "(title LIKE ? ESCAPE '\\' OR intention LIKE ? ESCAPE '\\' OR summary LIKE ? ESCAPE '\\' OR slug LIKE ? ESCAPE '\\' OR tags LIKE ? ESCAPE '\\')",
      );
      params.push(pattern, pattern, pattern, pattern, pattern);
    }
    if (filter.tag !== undefined) {
      conditions.push('EXISTS (SELECT 1 FROM json_each(sessions.tags) WHERE json_each.value = ?)');
      params.push(filter.tag);
    }
    if (filter.executionMode !== undefined) {
      conditions.push('execution_mode = ?');
      params.push(filter.executionMode);
    }
    if (filter.createdFrom !== undefined) {
      conditions.push('created_at >= ?');
      params.push(filter.createdFrom);
    }
    if (filter.createdBefore !== undefined) {
      conditions.push('created_at < ?');
      params.push(filter.createdBefore);
    }
    if (filter.owner === 'me') {
      conditions.push('owner_person IS NULL');
    } else if (filter.owner !== undefined) {
      conditions.push('owner_person = ?');
      params.push(filter.owner);
    }
    if (filter.deleted === 'exclude') conditions.push('deleted_at IS NULL');
    if (filter.deleted === 'only') conditions.push('deleted_at IS NOT NULL');
    return { where: conditions.length ? `WHERE ${conditions.join(' AND ')}` : '', params };
  }
}
