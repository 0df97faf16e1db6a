import { chunk, sqliteUpserts } from './rowTransfer';
import { SYNC_TABLE, SYNC_TABLES, type SyncTableName } from './syncTables';
import type { ReplicatorOptions } from './replicatorTypes';

/** The pull side of the {@link Replicator}: reads other machines' rows from the server and applies them locally. */

/** Columns of a session naming another session (foreign keys in the local ledger). */
const SESSION_REFERENCES = ['parent_session_id', 'follows_session_id'];

export function ignoreError(): void {
  // the pending or next query fails with the cause, which is handled there
}

export function placeholders(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}

/**
 * Reads one table's rows in `[cursor, upper)` through a server-side cursor, a page at a time, and
 * hands each page to `apply`; returns the rows read. One scan of the table's new rows whatever
 * the planner knows (keyset pages with ORDER BY … LIMIT re-read everything after their position
 * when the server has no statistics yet — right after a big push — which made a catch-up
 * quadratic). Row order does not matter: the cursor moves only once every table is applied.
 */
export async function pullTable(
  options: ReplicatorOptions,
  name: SyncTableName,
  cursor: string,
  upper: string,
  since: number | undefined,
  apply: (rows: Record<string, unknown>[]) => Promise<void>,
): Promise<number> {
  const table = SYNC_TABLE[name];
  const values: unknown[] = [cursor, upper, options.machine];
  const where = ['t.tx_id >= $1::xid8', 't.tx_id < $2::xid8', 's.owner_machine <> $3'];
  if (!options.allProjects) {
    values.push(options.projectId);
    where.push(`t.project_id = $${values.length}`);
  }
  if (since !== undefined) {
    values.push(since);
    where.push(`s.updated_at >= $${values.length}`);
  }
  const join = name === 'sessions' ? 'sessions t JOIN sessions s ON s.id = t.id' : `${name} t JOIN sessions s ON s.id = t.session_id`;
  const text =
    `SELECT ${table.columns.map((column) => `t.${column}`).join(', ')}, s.owner_person, s.owner_machine FROM ${join} ` +
    `WHERE ${where.join(' AND ')}`;
  const pageSize = options.pageSize ?? 5000;
  const client = await options.pool.connect();
  client.on('error', ignoreError); // a dropped connection also fails the pending query, handled by the caller
  let broken = false;
  let read = 0;
  try {
    // READ ONLY and no xid: it holds back no one's pull bound (pg_snapshot_xmin counts transactions with an xid).
    await client.query('BEGIN READ ONLY');
    await client.query(`DECLARE session_ledger_pull NO SCROLL CURSOR FOR ${text}`, values);
    for (;;) {
      const rows = (await client.query(`FETCH ${pageSize} FROM session_ledger_pull`)).rows as Record<string, unknown>[];
      if (rows.length === 0) break;
      await apply(rows);
      read += rows.length;
      if (rows.length < pageSize) break;
    }
    await client.query('COMMIT');
    return read;
  } catch (error) {
    broken = true;
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.removeListener('error', ignoreError);
    client.release(broken);
  }
}

/** The earliest `updated_at` (ms) a pulled session may have, or undefined without an age bound. */
export function pullSince(options: ReplicatorOptions): number | undefined {
  const days = options.pullMaxAgeDays ?? 0;
  if (!(days > 0)) return undefined;
  return Math.floor((options.now ?? Date.now)() - days * 86_400_000);
}

/** Those of `ids` with no local row yet. */
export function absentSessions(options: ReplicatorOptions, ids: readonly string[]): string[] {
  const present = new Set<string>();
  for (const part of chunk(ids, 500)) {
    for (const row of options.store.sql.all(`SELECT id FROM sessions WHERE id IN (${placeholders(part.length)})`, part))
      present.add(String(row.id));
  }
  return ids.filter((id) => !present.has(id));
}

/** Every row of `sessionIds`' steps, events, … written before `cursor` (the rest comes with this pull's pages). */
export async function pullEarlierRows(options: ReplicatorOptions, sessionIds: readonly string[], cursor: string): Promise<void> {
  if (sessionIds.length === 0) return;
  for (const table of SYNC_TABLES) {
    if (table.name === 'sessions') continue;
    for (const part of chunk(sessionIds, 500)) {
      const result = await options.pool.query(
        `SELECT ${table.columns.map((column) => `t.${column}`).join(', ')} FROM ${table.name} t WHERE t.session_id = ANY($1::text[]) AND t.tx_id < $2::xid8`,
        [part, cursor],
      );
      if (result.rows.length > 0) await applyPulled(options, table.name, result.rows as Record<string, unknown>[]);
    }
  }
}

/** Child rows whose session was last written after this pull's bound: fetch those sessions too (a child row needs its session). */
export async function pullMissingSessions(options: ReplicatorOptions, rows: readonly Record<string, unknown>[]): Promise<void> {
  const ids = [...new Set(rows.map((row) => String(row.session_id)))];
  const present = new Set<string>();
  for (const part of chunk(ids, 500)) {
    for (const row of options.store.sql.all(`SELECT id FROM sessions WHERE id IN (${placeholders(part.length)})`, part))
      present.add(String(row.id));
  }
  const missing = ids.filter((id) => !present.has(id));
  if (missing.length === 0) return;
  const columns = SYNC_TABLE.sessions.columns.map((column) => `t.${column}`).join(', ');
  const result = await options.pool.query(
    `SELECT ${columns}, t.owner_person, t.owner_machine FROM sessions t WHERE t.id = ANY($1::text[])`,
    [missing],
  );
  await applyPulled(options, 'sessions', result.rows as Record<string, unknown>[]);
}

/**
 * Pulled sessions in an order the local ledger's foreign keys accept: a session another one refers
 * to (parent, followed-up session) first, fetched from the server when it is not here yet. A
 * reference to a session the server does not give this role (not shared, another project) is
 * NULL in the local copy.
 */
export async function withReferencedSessions(
  options: ReplicatorOptions,
  rows: readonly Record<string, unknown>[],
): Promise<Record<string, unknown>[]> {
  const references = SESSION_REFERENCES.filter((column) => SYNC_TABLE.sessions.columns.includes(column));
  const byId = new Map(rows.map((row) => [String(row.id), row]));
  const wantedBy = (list: Iterable<Record<string, unknown>>): string[] => {
    const wanted = new Set<string>();
    for (const row of list)
      for (const column of references) {
        const value = row[column];
        if (typeof value === 'string' && !byId.has(value)) wanted.add(value);
      }
    return [...wanted];
  };
  let fetched: Record<string, unknown>[] = [...rows];
  for (let depth = 0; depth < 20 && fetched.length > 0; depth++) {
    const absent = absentSessions(options, wantedBy(fetched));
    if (absent.length === 0) break;
    const columns = SYNC_TABLE.sessions.columns.map((column) => `t.${column}`).join(', ');
    const result = await options.pool.query(
      `SELECT ${columns}, t.owner_person, t.owner_machine FROM sessions t WHERE t.id = ANY($1::text[]) AND t.owner_machine <> $2`,
      [absent, options.machine],
    );
    fetched = result.rows as Record<string, unknown>[];
    for (const row of fetched) byId.set(String(row.id), row);
  }
  const referenced = wantedBy(byId.values());
  const missing = new Set(absentSessions(options, referenced));
  const pending = new Map(
    [...byId].map(([id, row]) => {
      const copy = { ...row };
      for (const column of references) if (typeof copy[column] === 'string' && missing.has(copy[column] as string)) copy[column] = null;
      return [id, copy];
    }),
  );
  // Referenced before referencing (a cycle, which the store never makes, goes in as it is).
  const ordered: Record<string, unknown>[] = [];
  while (pending.size > 0) {
    const ready = [...pending].filter(([, row]) =>
      references.every((column) => typeof row[column] !== 'string' || !pending.has(row[column] as string) || row[column] === row.id),
    );
    const batch = ready.length > 0 ? ready : [...pending];
    for (const [id, row] of batch) {
      ordered.push(row);
      pending.delete(id);
    }
  }
  return ordered;
}

export async function applyPulled(
  options: ReplicatorOptions,
  name: SyncTableName,
  pulledRows: readonly Record<string, unknown>[],
): Promise<void> {
  const { store } = options;
  const table = SYNC_TABLE[name];
  const rows = name === 'sessions' ? await withReferencedSessions(options, pulledRows) : pulledRows;
  const prepared = name === 'sessions' ? rows.map((row) => ({ ...row, sync_origin: 'pulled' })) : rows;
  const statements = sqliteUpserts(table, prepared, name === 'sessions' ? ['owner_person', 'owner_machine', 'sync_origin'] : []);
  await store.transaction(() => {
    for (const statement of statements) store.sql.run(statement.sql, statement.params);
  });
}
