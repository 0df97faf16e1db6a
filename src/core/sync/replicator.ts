import type { PoolClient } from 'pg';
import type { SqlRow, SqlValue } from '../store/ledgerDatabase';
import type { SessionStore } from '../store/SessionStore';
import { Redactor } from '../ledger/redaction';
import { META_GIT_REMOTE, META_LEDGER_ID } from '../store/projectIdentity';
import { CAPTURE_TRIGGERS_SQL, META_SYNC_CAPTURE } from '../store/syncCapture';
import { teamLedgerError } from './connectionSecrets';
import { checkTeamSchema, loadPgMigrations, migrateTeamLedger } from './pgMigrations';
import { chunk, pgUpserts, redactRow } from './rowTransfer';
import { SYNC_TABLE, SYNC_TABLES, type SyncTableName } from './syncTables';
import type { ReplicatorOptions, SyncStatus } from './replicatorTypes';
import {
  absentSessions,
  applyPulled,
  ignoreError,
  placeholders,
  pullEarlierRows,
  pullMissingSessions,
  pullSince,
  pullTable,
} from './replicatorPull';

export type { SharingMode, SyncState, SyncStatus, ReplicatorOptions } from './replicatorTypes';

/*
 * Local-first replication of the ledger to a team's PostgreSQL (see docs/team-ledger.md).
 *
 * Push: the local `sync_outbox` (migration 0009: rows written by triggers in the same transaction as
 * each change, which exist only while capture is on: store/syncCapture.ts) is read in id order, a
 * batch at a time; the current values of the rows it names are redacted and upserted on the server in ONE server transaction; only after the server committed
 * are those outbox rows deleted (a journalled local transaction). A crash or a dropped connection in
 * between re-sends the batch, which the idempotent upserts absorb (at-least-once delivery).
 *
 * Pull: every server row carries `tx_id`, the transaction that last wrote it. A pull reads rows of
 * other machines with `cursor <= tx_id < xmin`, where xmin is the oldest transaction still running
 * on the server, so every transaction below it has finished and none can appear later below the
 * new cursor. Rows are applied locally as read-only copies (`sync_origin = 'pulled'`); the cursor
 * moves to xmin only once they are durable.
 */

export { META_SYNC_CAPTURE };
export const META_PULL_CURSOR = 'sync.pull_cursor';
export const NOTIFY_CHANNEL = 'session_ledger_changes';

/** The project's id on the team server: its normalised git remote when it has one (stable across clones), else the ledger's id. */
export function teamProjectId(store: Pick<SessionStore, 'ledgerMeta'>): string | undefined {
  return store.ledgerMeta.get(META_GIT_REMOTE) ?? store.ledgerMeta.get(META_LEDGER_ID);
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
   * triggers it creates in the same transaction record each change as it is made.
   */
  async enableCapture(): Promise<void> {
    const { store } = this.options;
    if (this.options.sharing === 'off' || store.ledgerMeta.get(META_SYNC_CAPTURE)) return;
    await store.transaction((tx) => {
      if (tx.ledgerMeta.get(META_SYNC_CAPTURE)) return;
      tx.ledgerMeta.set(META_SYNC_CAPTURE, '1');
      store.sql.runScript(CAPTURE_TRIGGERS_SQL);
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
    const lastId = Number(entries[entries.length - 1]!.id); // not empty: returned above
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
    const since = pullSince(this.options);
    try {
      upper = String((await pool.query<{ xmin: string }>('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin')).rows[0]!.xmin); // a SELECT without FROM returns one row
      for (const table of SYNC_TABLES) {
        applied += await pullTable(this.options, table.name, cursor, upper, since, async (rows) => {
          if (table.name !== 'sessions') await pullMissingSessions(this.options, rows);
          // Age-bounded: a session first seen now may be older than the bound was at earlier pulls,
          // so its rows written before the cursor were skipped then: fetch them too.
          if (table.name === 'sessions' && since !== undefined && cursor !== '0') {
            const fresh = absentSessions(
              this.options,
              rows.map((row) => String(row.id)),
            );
            await applyPulled(this.options, table.name, rows);
            await pullEarlierRows(this.options, fresh, cursor);
          } else await applyPulled(this.options, table.name, rows);
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
}

/** Queues every row of `table` whose session matches `sessionWhere` (a condition on sessions). */
function backfillSql(table: SyncTableName, sessionWhere: string): string {
  if (table === 'sessions')
    return `INSERT INTO sync_outbox (table_name, row_id, session_id) SELECT 'sessions', id, id FROM sessions WHERE ${sessionWhere} ORDER BY rowid`;
  return `INSERT INTO sync_outbox (table_name, row_id, session_id) SELECT '${table}', id, session_id FROM ${table} WHERE session_id IN (SELECT id FROM sessions WHERE ${sessionWhere}) ORDER BY rowid`;
}
