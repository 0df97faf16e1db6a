import type { Pool, PoolClient } from 'pg';
import type { SqlRow, SqlValue } from '../store/ledgerDatabase';
import type { SessionStore } from '../store/SessionStore';
import type { SyncStore } from '../store/ports';
import { Redactor } from '../ledger/redaction';
import { META_GIT_REMOTE, META_LEDGER_ID } from '../store/projectIdentity';
import { teamLedgerError } from './connectionSecrets';
import { checkTeamSchema, loadPgMigrations, migrateTeamLedger } from './pgMigrations';
import { chunk, pgUpserts, redactRow, sqliteUpserts } from './rowTransfer';
import { SYNC_TABLE, SYNC_TABLES, type SyncTableName } from './syncTables';

/*
 * Local-first replication of the ledger to a team's PostgreSQL (see docs/team-ledger.md).
 *
 * Push: the local `sync_outbox` (migration 0009: rows written by triggers in the same transaction as
 * each change) is read in id order, a batch at a time; the current values of the rows it names are
 * redacted and upserted on the server in ONE server transaction; only after the server committed
 * are those outbox rows deleted (a journalled local transaction). A crash or a dropped connection in
 * between re-sends the batch, which the idempotent upserts absorb (at-least-once delivery).
 *
 * Pull: every server row carries `tx_id`, the transaction that last wrote it. A pull reads rows of
 * other machines with `cursor <= tx_id < xmin`, where xmin is the oldest transaction still running
 * on the server, so every transaction below it has finished and none can appear later below the
 * new cursor. Rows are applied locally as read-only copies (`sync_origin = 'pulled'`); the cursor
 * moves to xmin only once they are durable.
 */

export const META_SYNC_CAPTURE = 'sync.capture';
export const META_PULL_CURSOR = 'sync.pull_cursor';
export const NOTIFY_CHANNEL = 'session_ledger_changes';
/** Columns of a session naming another session (foreign keys in the local ledger). */
const SESSION_REFERENCES = ['parent_session_id', 'follows_session_id'];

/** What is shared from this workspace: nothing (default), every session, or only sessions marked Share. */
export type SharingMode = 'off' | 'all' | 'shared';
export type SyncState = 'synced' | 'pending' | 'offline' | 'error' | 'off';

export interface SyncStatus {
  readonly state: SyncState;
  /** Outbox rows not yet on the server. */
  readonly pending: number;
  /** Why the last push or pull failed (connection string redacted). */
  readonly error?: string;
}

export interface ReplicatorOptions {
  readonly store: SyncStore;
  readonly pool: Pool;
  /** Only to scrub it from error messages. */
  readonly connectionString?: string;
  /** Who and where: stamped on every session pushed from here. */
  readonly person: string;
  readonly machine: string;
  /** The project's id on the server (see {@link teamProjectId}). */
  readonly projectId: string;
  readonly sharing: SharingMode;
  readonly redactor?: Redactor;
  /** Pull every project this role may read, not only this one. */
  readonly allProjects?: boolean;
  /**
   * Pull only sessions updated within this many days (0 or unset: no bound), so a large team's
   * history does not flood a laptop. A session older than that arrives whole once it changes again.
   */
  readonly pullMaxAgeDays?: number;
  /** The clock, for tests of the age bound (default Date.now). */
  readonly now?: () => number;
  /** Outbox rows per push batch (default 5,000). */
  readonly batchSize?: number;
  /** Rows per pull page (default 5,000). */
  readonly pageSize?: number;
  /** The slow poll behind LISTEN/NOTIFY (default 60 s). */
  readonly pollMs?: number;
}

/** The project's id on the team server: its normalised git remote when it has one (stable across clones), else the ledger's id. */
export function teamProjectId(store: Pick<SessionStore, 'ledgerMeta'>): string | undefined {
  return store.ledgerMeta.get(META_GIT_REMOTE) ?? store.ledgerMeta.get(META_LEDGER_ID);
}

function ignoreError(): void {
  // the pending or next query fails with the cause, which is handled there
}

function placeholders(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}

export class Replicator {
  private readonly redactor: Redactor;
  private queue: Promise<unknown> = Promise.resolve();
  private status: SyncStatus;
  private readonly statusListeners = new Set<(status: SyncStatus) => void>();
  private listener: PoolClient | undefined;
  private timers: NodeJS.Timeout[] = [];
  private pullSoon: NodeJS.Timeout | undefined;
  private pushSoon: NodeJS.Timeout | undefined;
  private storeSubscription: { dispose(): void } | undefined;
  private stopped = false;

  constructor(private readonly options: ReplicatorOptions) {
    this.redactor = options.redactor ?? new Redactor();
    this.status = { state: options.sharing === 'off' ? 'off' : 'pending', pending: this.pendingCount() };
  }

  get currentStatus(): SyncStatus {
    return this.status;
  }

  onDidChangeStatus(listener: (status: SyncStatus) => void): { dispose(): void } {
    this.statusListeners.add(listener);
    return { dispose: () => this.statusListeners.delete(listener) };
  }

  /** Outbox rows waiting (an index count, not a scan of the ledger). */
  pendingCount(): number {
    return Number(this.options.store.sql.all('SELECT count(*) AS n FROM sync_outbox')[0]?.n ?? 0);
  }

  /**
   * Checks the server's schema (refusing a newer one) and applies missing migrations when this
   * role may (an admin's); a member's role on an old schema gets a message saying to ask the admin.
   */
  async ensureSchema(): Promise<number> {
    const known = loadPgMigrations();
    const version = await checkTeamSchema(this.options.pool, known.length, this.options.connectionString);
    if (version === known.length) return version;
    return (await migrateTeamLedger(this.options.pool, known, this.options.connectionString)).version;
  }

  /**
   * Turns change capture on (once): records every existing row of the sessions made here in the
   * outbox, in dependency order, so the first push sends the whole history; from then on the
   * triggers record each change as it is made.
   */
  async enableCapture(): Promise<void> {
    const { store } = this.options;
    if (this.options.sharing === 'off' || store.ledgerMeta.get(META_SYNC_CAPTURE)) return;
    await store.transaction((tx) => {
      if (tx.ledgerMeta.get(META_SYNC_CAPTURE)) return;
      tx.ledgerMeta.set(META_SYNC_CAPTURE, '1');
      for (const table of SYNC_TABLES) store.sql.run(backfillSql(table.name, 'sync_origin IS NULL'));
    });
  }

  /** Marks a session of this machine for sharing (the "only sessions marked Share" choice) and queues its whole history. */
  async setShared(sessionId: string, shared: boolean): Promise<void> {
    const { store } = this.options;
    await store.transaction(() => {
      store.sql.run('UPDATE sessions SET shared = ? WHERE id = ? AND sync_origin IS NULL', [shared ? 1 : 0, sessionId]);
      if (shared && store.ledgerMeta.get(META_SYNC_CAPTURE)) {
        for (const table of SYNC_TABLES) if (table.name !== 'sessions') store.sql.run(backfillSql(table.name, 'id = ?'), [sessionId]);
      }
    });
  }

  /** Pushes one outbox batch; returns how many outbox rows it settled (0: nothing was waiting). Serialised with other pushes and pulls. */
  pushBatch(): Promise<number> {
    return this.serialised(() => this.pushBatchNow());
  }

  /** Pushes until the outbox is empty; returns the outbox rows settled. */
  async pushAll(): Promise<number> {
    let total = 0;
    for (let settled = await this.pushBatch(); settled > 0; settled = await this.pushBatch()) total += settled;
    return total;
  }

  /** Pulls what other machines wrote since the last pull; returns the rows applied. */
  pull(): Promise<number> {
    return this.serialised(() => this.pullNow());
  }

  /** Live mode: pushes after local changes, pulls on NOTIFY from the server and on a slow poll. */
  start(): void {
    const { store } = this.options;
    this.storeSubscription = store.onDidChange(() => this.schedulePush());
    const tick = (): void => {
      this.schedulePush();
      this.schedulePull();
      if (!this.listener) void this.listen();
    };
    this.timers.push(setInterval(tick, this.options.pollMs ?? 60_000));
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timers.forEach(clearInterval);
    this.timers = [];
    clearTimeout(this.pullSoon);
    clearTimeout(this.pushSoon);
    this.storeSubscription?.dispose();
    const listener = this.listener;
    this.listener = undefined;
    if (listener) {
      await listener.query(`UNLISTEN ${NOTIFY_CHANNEL}`).catch(() => undefined);
      listener.release(true);
    }
    await this.queue.catch(() => undefined);
  }

  private schedulePush(): void {
    if (this.stopped || this.options.sharing === 'off' || this.pushSoon) return;
    this.pushSoon = setTimeout(() => {
      this.pushSoon = undefined;
      this.pushAll().catch(() => undefined); // the status says what failed
    }, 100);
  }

  private schedulePull(): void {
    if (this.stopped || this.pullSoon) return;
    this.pullSoon = setTimeout(() => {
      this.pullSoon = undefined;
      this.pull().catch(() => undefined);
    }, 50);
  }

  private async listen(): Promise<void> {
    let client: PoolClient | undefined;
    try {
      client = await this.options.pool.connect();
      client.on('error', () => {
        // The connection dropped: forget it; the next poll reconnects.
        if (this.listener === client) this.listener = undefined;
      });
      client.on('notification', (message) => {
        if (this.options.allProjects || message.payload === this.options.projectId) this.schedulePull();
      });
      await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
      if (this.stopped) throw new Error('stopped');
      this.listener = client;
    } catch {
      client?.release(true);
    }
  }

  private serialised<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private setStatus(status: SyncStatus): void {
    this.status = status;
    for (const listener of this.statusListeners) listener(status);
  }

  private fail(doing: string, error: unknown): never {
    const wrapped = teamLedgerError(doing, error, this.options.connectionString);
    const offline = /ECONNREFUSED|ENOTFOUND|ETIMEDOUT|ECONNRESET|ENOENT|terminat|Connection terminated|57P0/.test(
      `${wrapped.message} ${wrapped.code ?? ''}`,
    );
    this.setStatus({ state: offline ? 'offline' : 'error', pending: this.pendingCount(), error: wrapped.message });
    throw wrapped;
  }

  private async pushBatchNow(): Promise<number> {
    const { store, sharing } = this.options;
    if (sharing === 'off') return 0;
    const entries = store.sql.all('SELECT id, table_name, row_id, session_id FROM sync_outbox ORDER BY id LIMIT ?', [
      this.options.batchSize ?? 5000,
    ]);
    if (entries.length === 0) {
      this.setStatus({ state: 'synced', pending: 0 });
      return 0;
    }
    const lastId = Number(entries[entries.length - 1].id);
    const eligible = this.eligibleSessions([...new Set(entries.map((entry) => String(entry.session_id)))]);
    const idsByTable = new Map<SyncTableName, Set<string>>();
    for (const entry of entries) {
      if (!eligible.has(String(entry.session_id))) continue;
      const name = String(entry.table_name) as SyncTableName;
      if (!SYNC_TABLE[name]) continue;
      if (!idsByTable.has(name)) idsByTable.set(name, new Set());
      idsByTable.get(name)!.add(String(entry.row_id));
    }
    const statements = [];
    for (const table of SYNC_TABLES) {
      const ids = [...(idsByTable.get(table.name) ?? [])];
      const rows: SqlRow[] = [];
      for (const part of chunk(ids, 500))
        rows.push(
          ...store.sql.all(`SELECT ${table.columns.join(', ')} FROM ${table.name} WHERE id IN (${placeholders(part.length)})`, part),
        );
      if (rows.length === 0) continue;
      const redacted = rows.map((row) => redactRow(table, row, this.redactor));
      const extra: Record<string, SqlValue> = { project_id: this.options.projectId };
      if (table.name === 'sessions') Object.assign(extra, { owner_person: this.options.person, owner_machine: this.options.machine });
      statements.push(...pgUpserts(table, redacted, extra));
    }
    if (statements.length > 0) {
      let client: PoolClient | undefined;
      let broken = false;
      try {
        client = await this.options.pool.connect();
        // A connection the server drops between two statements reports it here, not as a rejected query.
        client.on('error', ignoreError);
        await client.query('BEGIN');
        for (const statement of statements) await client.query(statement.text, statement.values);
        await client.query('COMMIT');
      } catch (error) {
        broken = true;
        if (client) await client.query('ROLLBACK').catch(() => undefined);
        this.fail('push changes to the team ledger (they stay queued and are sent again)', error);
      } finally {
        client?.removeListener('error', ignoreError);
        client?.release(broken);
      }
    }
    // Only now, with the server's commit acknowledged, may the outbox forget these rows.
    await store.transaction(() => store.sql.run('DELETE FROM sync_outbox WHERE id <= ?', [lastId]));
    const pending = this.pendingCount();
    this.setStatus({ state: pending === 0 ? 'synced' : 'pending', pending });
    return entries.length;
  }

  /** Sessions among `ids` made here and shared under the workspace's choice. */
  private eligibleSessions(ids: readonly string[]): Set<string> {
    const out = new Set<string>();
    for (const part of chunk(ids, 500)) {
      const rows = this.options.store.sql.all(
        `SELECT id, shared FROM sessions WHERE sync_origin IS NULL AND id IN (${placeholders(part.length)})`,
        part,
      );
      for (const row of rows) if (this.options.sharing === 'all' || Number(row.shared) === 1) out.add(String(row.id));
    }
    return out;
  }

  private async pullNow(): Promise<number> {
    const { store, pool } = this.options;
    const cursor = store.ledgerMeta.get(META_PULL_CURSOR) ?? '0';
    let applied = 0;
    let upper: string;
    const since = this.pullSince();
    try {
      upper = String((await pool.query<{ xmin: string }>('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin')).rows[0].xmin);
      for (const table of SYNC_TABLES) {
        applied += await this.pullTable(table.name, cursor, upper, since, async (rows) => {
          if (table.name !== 'sessions') await this.pullMissingSessions(rows);
          // Age-bounded: a session first seen now may be older than the bound was at earlier pulls,
          // so its rows written before the cursor were skipped then: fetch them too.
          if (table.name === 'sessions' && since !== undefined && cursor !== '0') {
            const fresh = this.absentSessions(rows.map((row) => String(row.id)));
            await this.applyPulled(table.name, rows);
            await this.pullEarlierRows(fresh, cursor);
          } else await this.applyPulled(table.name, rows);
        });
      }
    } catch (error) {
      this.fail('pull changes from the team ledger', error);
    }
    if (upper !== cursor) await store.transaction((tx) => tx.ledgerMeta.set(META_PULL_CURSOR, upper));
    // The server answered: "offline" is over (a push would say so too, but with sharing off nothing is pushed), and so
    // is a pull's error when nothing is pushed (a push's error stays until a push succeeds).
    if (this.status.state === 'offline' || (this.status.state === 'error' && this.options.sharing === 'off')) {
      const pending = this.pendingCount();
      this.setStatus({ state: this.options.sharing === 'off' ? 'off' : pending === 0 ? 'synced' : 'pending', pending });
    }
    return applied;
  }

  /**
   * Reads one table's rows in `[cursor, upper)` through a server-side cursor, a page at a time, and
   * hands each page to `apply`; returns the rows read. One scan of the table's new rows whatever
   * the planner knows (keyset pages with ORDER BY … LIMIT re-read everything after their position
   * when the server has no statistics yet — right after a big push — which made a catch-up
   * quadratic). Row order does not matter: the cursor moves only once every table is applied.
   */
  private async pullTable(
    name: SyncTableName,
    cursor: string,
    upper: string,
    since: number | undefined,
    apply: (rows: Record<string, unknown>[]) => Promise<void>,
  ): Promise<number> {
    const table = SYNC_TABLE[name];
    const values: unknown[] = [cursor, upper, this.options.machine];
    const where = ['t.tx_id >= $1::xid8', 't.tx_id < $2::xid8', 's.owner_machine <> $3'];
    if (!this.options.allProjects) {
      values.push(this.options.projectId);
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
    const pageSize = this.options.pageSize ?? 5000;
    const client = await this.options.pool.connect();
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
  private pullSince(): number | undefined {
    const days = this.options.pullMaxAgeDays ?? 0;
    if (!(days > 0)) return undefined;
    return Math.floor((this.options.now ?? Date.now)() - days * 86_400_000);
  }

  /** Those of `ids` with no local row yet. */
  private absentSessions(ids: readonly string[]): string[] {
    const present = new Set<string>();
    for (const part of chunk(ids, 500)) {
      for (const row of this.options.store.sql.all(`SELECT id FROM sessions WHERE id IN (${placeholders(part.length)})`, part))
        present.add(String(row.id));
    }
    return ids.filter((id) => !present.has(id));
  }

  /** Every row of `sessionIds`' steps, events, … written before `cursor` (the rest comes with this pull's pages). */
  private async pullEarlierRows(sessionIds: readonly string[], cursor: string): Promise<void> {
    if (sessionIds.length === 0) return;
    for (const table of SYNC_TABLES) {
      if (table.name === 'sessions') continue;
      for (const part of chunk(sessionIds, 500)) {
        const result = await this.options.pool.query(
          `SELECT ${table.columns.map((column) => `t.${column}`).join(', ')} FROM ${table.name} t WHERE t.session_id = ANY($1::text[]) AND t.tx_id < $2::xid8`,
          [part, cursor],
        );
        if (result.rows.length > 0) await this.applyPulled(table.name, result.rows as Record<string, unknown>[]);
      }
    }
  }

  /** Child rows whose session was last written after this pull's bound: fetch those sessions too (a child row needs its session). */
  private async pullMissingSessions(rows: readonly Record<string, unknown>[]): Promise<void> {
    const ids = [...new Set(rows.map((row) => String(row.session_id)))];
    const present = new Set<string>();
    for (const part of chunk(ids, 500)) {
      for (const row of this.options.store.sql.all(`SELECT id FROM sessions WHERE id IN (${placeholders(part.length)})`, part))
        present.add(String(row.id));
    }
    const missing = ids.filter((id) => !present.has(id));
    if (missing.length === 0) return;
    const columns = SYNC_TABLE.sessions.columns.map((column) => `t.${column}`).join(', ');
    const result = await this.options.pool.query(
      `SELECT ${columns}, t.owner_person, t.owner_machine FROM sessions t WHERE t.id = ANY($1::text[])`,
      [missing],
    );
    await this.applyPulled('sessions', result.rows as Record<string, unknown>[]);
  }

  /**
   * Pulled sessions in an order the local ledger's foreign keys accept: a session another one refers
   * to (parent, followed-up session) first, fetched from the server when it is not here yet. A
   * reference to a session the server does not give this role (not shared, another project) is
   * NULL in the local copy.
   */
  private async withReferencedSessions(rows: readonly Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
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
      const absent = this.absentSessions(wantedBy(fetched));
      if (absent.length === 0) break;
      const columns = SYNC_TABLE.sessions.columns.map((column) => `t.${column}`).join(', ');
      const result = await this.options.pool.query(
        `SELECT ${columns}, t.owner_person, t.owner_machine FROM sessions t WHERE t.id = ANY($1::text[]) AND t.owner_machine <> $2`,
        [absent, this.options.machine],
      );
      fetched = result.rows as Record<string, unknown>[];
      for (const row of fetched) byId.set(String(row.id), row);
    }
    const referenced = wantedBy(byId.values());
    const missing = new Set(this.absentSessions(referenced));
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

  private async applyPulled(name: SyncTableName, pulledRows: readonly Record<string, unknown>[]): Promise<void> {
    const { store } = this.options;
    const table = SYNC_TABLE[name];
    const rows = name === 'sessions' ? await this.withReferencedSessions(pulledRows) : pulledRows;
    const prepared = name === 'sessions' ? rows.map((row) => ({ ...row, sync_origin: 'pulled' })) : rows;
    const statements = sqliteUpserts(table, prepared, name === 'sessions' ? ['owner_person', 'owner_machine', 'sync_origin'] : []);
    await store.transaction(() => {
      for (const statement of statements) store.sql.run(statement.sql, statement.params);
    });
  }
}

/** Queues every row of `table` whose session matches `sessionWhere` (a condition on sessions). */
function backfillSql(table: SyncTableName, sessionWhere: string): string {
  if (table === 'sessions')
    return `INSERT INTO sync_outbox (table_name, row_id, session_id) SELECT 'sessions', id, id FROM sessions WHERE ${sessionWhere} ORDER BY rowid`;
  return `INSERT INTO sync_outbox (table_name, row_id, session_id) SELECT '${table}', id, session_id FROM ${table} WHERE session_id IN (SELECT id FROM sessions WHERE ${sessionWhere}) ORDER BY rowid`;
}
