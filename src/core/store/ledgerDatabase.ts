import type { Database, SqlValue as SqlJsValue, Statement } from 'sql.js';

/** The values the store binds: text, numbers and NULL (no blobs), so statements serialise to JSON exactly. */
export type SqlValue = string | number | null;
export type SqlRow = Record<string, SqlValue>;

/**
 * One recorded write: `[sql, params]` for a prepared statement, or `[script]` for a multi-statement
 * script run with `exec` (migrations). A committed transaction is journalled as the list of these.
 */
export type RecordedStatement = readonly [sql: string, params: readonly SqlValue[]] | readonly [script: string];

const META_TABLE = '_ledger_meta';
const LAST_RECORD_KEY = 'last_record';

/**
 * A sql.js database with a prepared-statement cache, the store's bookkeeping table (the number of
 * the last journal record applied) and a recorder: inside `recordTransaction` every write is both
 * executed and captured, so the same statements can be journalled and replayed deterministically.
 */
export class LedgerDatabase {
  private readonly statementCache = new Map<string, Statement>();
  private recorded: RecordedStatement[] | undefined;

  constructor(readonly db: Database) {
    db.exec(
      'PRAGMA locking_mode=EXCLUSIVE; PRAGMA journal_mode=MEMORY; PRAGMA foreign_keys=ON; ' +
        `CREATE TABLE IF NOT EXISTS ${META_TABLE} (key TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL); ` +
        `INSERT OR IGNORE INTO ${META_TABLE} (key, value) VALUES ('${LAST_RECORD_KEY}', 0);`,
    );
  }

  get inTransaction(): boolean {
    return this.recorded !== undefined;
  }

  /** Number of the last journal record whose effects this database contains. */
  lastAppliedRecord(): number {
    return Number(this.get(`SELECT value FROM ${META_TABLE} WHERE key = ?`, [LAST_RECORD_KEY])?.value ?? 0);
  }

  all(sql: string, params: readonly SqlValue[] = []): SqlRow[] {
    const statement = this.prepare(sql);
    try {
      statement.bind(params as SqlJsValue[]);
      const rows: SqlRow[] = [];
      while (statement.step()) rows.push(statement.getAsObject() as SqlRow);
      return rows;
    } finally {
      statement.reset();
    }
  }

  get(sql: string, params: readonly SqlValue[] = []): SqlRow | undefined {
    const statement = this.prepare(sql);
    try {
      statement.bind(params as SqlJsValue[]);
      return statement.step() ? (statement.getAsObject() as SqlRow) : undefined;
    } finally {
      statement.reset();
    }
  }

  /** Executes a write. Only allowed inside `recordTransaction`, so every write reaches the journal. */
  run(sql: string, params: readonly SqlValue[] = []): void {
    if (!this.recorded) {
      throw new Error('Store writes must happen inside store.transaction(tx => …) (or use the async store.<repository> methods).');
    }
    this.runStatement([sql, params]);
    this.recorded.push([sql, params]);
  }

  /** Executes a multi-statement script (a migration) as part of the recorded transaction. */
  runScript(script: string): void {
    if (!this.recorded) throw new Error('Scripts must run inside a recorded transaction.');
    this.db.exec(script);
    this.recorded.push([script]);
  }

  /**
   * Runs `work` in one SQL transaction, capturing its writes. On success the transaction is
   * committed with `recordNumber` as the last applied record and the captured statements are
   * returned (empty when `work` wrote nothing, in which case no record number is consumed).
   * On error everything is rolled back and the error rethrown.
   */
  recordTransaction<T>(recordNumber: number, work: () => T): { value: T; statements: RecordedStatement[] } {
    if (this.recorded) throw new Error('store.transaction cannot be nested: call the tx methods directly instead.');
    const statements: RecordedStatement[] = [];
    this.db.exec('BEGIN');
    this.recorded = statements;
    try {
      const value = work();
      if (statements.length > 0) this.setLastAppliedRecord(recordNumber);
      this.recorded = undefined;
      this.db.exec('COMMIT');
      return { value, statements };
    } catch (error) {
      this.recorded = undefined;
      this.db.exec('ROLLBACK');
      throw error;
    }
  }

  /** Applies a journal record (replay on open, or in the snapshot worker) in one SQL transaction. */
  applyRecord(recordNumber: number, statements: readonly RecordedStatement[]): void {
    this.db.exec('BEGIN');
    try {
      for (const statement of statements) this.runStatement(statement);
      this.setLastAppliedRecord(recordNumber);
      this.db.exec('COMMIT');
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
  }

  /** `db.export()` closes and reopens the connection, freeing prepared statements: forget them first. */
  export(): Uint8Array {
    this.freeStatements();
    const bytes = this.db.export();
    // export() reopens the connection with default pragmas; restore ours.
    this.db.exec('PRAGMA locking_mode=EXCLUSIVE; PRAGMA journal_mode=MEMORY; PRAGMA foreign_keys=ON;');
    return bytes;
  }

  close(): void {
    this.freeStatements();
    this.db.close();
  }

  private setLastAppliedRecord(recordNumber: number): void {
    this.runStatement([`UPDATE ${META_TABLE} SET value = ? WHERE key = ?`, [recordNumber, LAST_RECORD_KEY]]);
  }

  private runStatement(statement: RecordedStatement): void {
    if (statement.length === 1) {
      this.db.exec(statement[0]);
      return;
    }
    const prepared = this.prepare(statement[0]);
    try {
      prepared.bind(statement[1] as SqlJsValue[]);
      prepared.step();
    } finally {
      prepared.reset();
    }
  }

  private prepare(sql: string): Statement {
    let statement = this.statementCache.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statementCache.set(sql, statement);
    }
    return statement;
  }

  private freeStatements(): void {
    for (const statement of this.statementCache.values()) statement.free();
    this.statementCache.clear();
  }
}
