import type { LedgerDatabase } from './ledgerDatabase';

/**
 * Change capture for the team ledger (src/core/sync/replicator.ts): triggers that record every
 * insert and update of a session made here (and of its rows) in `sync_outbox`, in the same
 * transaction as the change. They exist only while capture is on (ledger_meta {@link
 * META_SYNC_CAPTURE}): turning it on creates them in the transaction that sets the key, and that
 * script is journalled like any write, so a replay creates them at the same point.
 *
 * Migration 0009 created them for every ledger, each asking on every write whether capture was on:
 * SQLite runs a trigger's sub-program to evaluate its WHEN, so a ledger that never shares paid about
 * 4.5 µs on each event it appended (a quarter of an insert). Migration 0013 drops them; a ledger
 * that had capture on gets them back in the same transaction ({@link afterMigration}).
 */
export const META_SYNC_CAPTURE = 'sync.capture';

/** The migration that drops 0009's triggers; see {@link afterMigration}. */
export const CAPTURE_TRIGGERS_ON_DEMAND_VERSION = 13;

/** The tables whose rows are captured, each keyed to its session (`sessions` by its own id); the replicator pushes these (SYNC_TABLES). */
export const CAPTURED_TABLES = ['sessions', 'interactions', 'events', 'runs', 'conversations', 'artifacts', 'notes'] as const;
export type CapturedTable = (typeof CAPTURED_TABLES)[number];

function captureTriggers(table: CapturedTable): string {
  // Rows of a pulled session (a read-only copy of someone else's) are never pushed back.
  const [when, sessionId] =
    table === 'sessions'
      ? ['new.sync_origin IS NULL', 'new.id']
      : ['(SELECT sync_origin FROM sessions WHERE id = new.session_id) IS NULL', 'new.session_id'];
  return (['insert', 'update'] as const)
    .map(
      (change) =>
        `CREATE TRIGGER IF NOT EXISTS sync_outbox_${table}_${change} AFTER ${change.toUpperCase()} ON ${table}\n` +
        `WHEN ${when} BEGIN\n` +
        `  INSERT INTO sync_outbox (table_name, row_id, session_id) VALUES ('${table}', new.id, ${sessionId});\n` +
        'END;\n',
    )
    .join('');
}

/** The script that creates the capture triggers (idempotent). */
export const CAPTURE_TRIGGERS_SQL = CAPTURED_TABLES.map(captureTriggers).join('');

/** Whether capture is on in this ledger (read inside the caller's transaction). */
export function captureIsOn(database: Pick<LedgerDatabase, 'get'>): boolean {
  return database.get('SELECT 1 AS on_ FROM ledger_meta WHERE key = ?', [META_SYNC_CAPTURE]) !== undefined;
}

/**
 * What a migration needs done in code after its script, in the same recorded transaction: after
 * 0013 dropped the capture triggers, a ledger whose capture is on gets them back.
 */
export function afterMigration(database: Pick<LedgerDatabase, 'get' | 'runScript'>, version: number): void {
  if (version === CAPTURE_TRIGGERS_ON_DEMAND_VERSION && captureIsOn(database)) database.runScript(CAPTURE_TRIGGERS_SQL);
}
