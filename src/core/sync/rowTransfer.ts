import type { SqlRow, SqlValue } from '../store/ledgerDatabase';
import type { Redactor } from '../ledger/redaction';
import type { SyncTable } from './syncTables';

/*
 * Building the statements that move rows: multi-row upserts for PostgreSQL (push) and for the local
 * SQLite ledger (pull), and redaction of a row before it leaves the machine.
 */

/** PostgreSQL allows 65,535 parameters per statement; stay well under. */
const PG_MAX_PARAMS = 30_000;
/** SQLite (sql.js) statements: keep parameter lists modest. */
const SQLITE_MAX_PARAMS = 900;

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let index = 0; index < items.length; index += size) out.push(items.slice(index, index + size));
  return out;
}

/** The row with every text column not in `plainColumns` redacted (JSON columns as JSON, so they stay valid). */
export function redactRow(table: SyncTable, row: SqlRow, redactor: Redactor): SqlRow {
  const out: SqlRow = { ...row };
  for (const column of table.columns) {
    const value = row[column];
    if (typeof value !== 'string' || table.plainColumns.includes(column)) continue;
    if (table.jsonColumns.includes(column)) {
      try {
        out[column] = JSON.stringify(redactor.redactJson(JSON.parse(value) as unknown));
        continue;
      } catch {
        // not JSON after all: redact it as text
      }
    }
    out[column] = redactor.redactText(value);
  }
  return out;
}

export interface PgStatement {
  readonly text: string;
  readonly values: SqlValue[];
}

/**
 * Upserts of `rows` into the server's `table` (by id), each row stamped with `extra` columns
 * (project, owner). A row whose values are unchanged is not rewritten, so a re-sent batch does not
 * make other ledgers pull it again.
 */
export function pgUpserts(table: SyncTable, rows: readonly SqlRow[], extra: Readonly<Record<string, SqlValue>>): PgStatement[] {
  const extraColumns = Object.keys(extra);
  const columns = [...table.columns, ...extraColumns];
  const updated = columns.filter((column) => column !== 'id');
  const perRow = columns.length;
  const conflict =
    `ON CONFLICT (id) DO UPDATE SET ${updated.map((column) => `${column} = EXCLUDED.${column}`).join(', ')}, tx_id = pg_current_xact_id() ` +
    `WHERE (${updated.map((column) => `${table.name}.${column}`).join(', ')}) IS DISTINCT FROM (${updated.map((column) => `EXCLUDED.${column}`).join(', ')})`;
  return chunk(rows, Math.max(1, Math.floor(PG_MAX_PARAMS / perRow))).map((part) => {
    const values: SqlValue[] = [];
    const tuples = part.map((row) => {
      const placeholders = columns.map((column) => {
        values.push(column in extra ? extra[column]! : (row[column] ?? null));
        return `$${values.length}`;
      });
      return `(${placeholders.join(', ')})`;
    });
    return { text: `INSERT INTO ${table.name} (${columns.join(', ')}) VALUES ${tuples.join(', ')} ${conflict}`, values };
  });
}

/**
 * Upserts of pulled rows into the local ledger. Never overwrites a row of a session made here: a
 * session only when the local copy is itself pulled, other rows only when their session is.
 */
export function sqliteUpserts(
  table: SyncTable,
  rows: readonly Record<string, unknown>[],
  extraColumns: readonly string[],
): { sql: string; params: SqlValue[] }[] {
  const columns = [...table.columns, ...extraColumns];
  const updated = columns.filter((column) => column !== 'id');
  const guard =
    table.name === 'sessions'
      ? 'sessions.sync_origin IS NOT NULL'
      : `(SELECT sync_origin FROM sessions WHERE id = excluded.session_id) IS NOT NULL`;
  const conflict = `ON CONFLICT (id) DO UPDATE SET ${updated.map((column) => `${column} = excluded.${column}`).join(', ')} WHERE ${guard}`;
  return chunk(rows, Math.max(1, Math.floor(SQLITE_MAX_PARAMS / columns.length))).map((part) => {
    const params: SqlValue[] = [];
    const tuples = part.map((row) => {
      for (const column of columns) params.push(toSqlValue(row[column]));
      return `(${columns.map(() => '?').join(', ')})`;
    });
    return { sql: `INSERT INTO ${table.name} (${columns.join(', ')}) VALUES ${tuples.join(', ')} ${conflict}`, params };
  });
}

/** A value from `pg` as the local ledger stores it (BIGINT arrives as a string: SQLite's column affinity makes it an integer again). */
function toSqlValue(value: unknown): SqlValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return String(value);
}
