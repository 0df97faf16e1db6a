import type { Database, SqlValue as SqlJsValue, Statement } from 'sql.js';
import { SCHEMA_CHANGE, toRow, type SqlRow } from './ledgerDatabaseSql';
import type { SqlValue } from './statements';

/**
 * The prepared statements of a {@link LedgerDatabase} (ledgerDatabase.ts), each SQL text parsed once,
 * and the result column names of each (reading a name costs a call into sql.js), forgotten whenever
 * the schema may have changed. Runs a statement to its first row, all its rows, or for its effect.
 */
export class StatementCache {
  private readonly statements = new Map<string, Statement>();
  private readonly columnNameCache = new Map<Statement, string[]>();
  /** Cached statements that may change the schema (running one forgets the column names). */
  private readonly schemaStatements = new Set<Statement>();

  constructor(
    private readonly db: Database,
    /** Called when a statement that may change the schema runs (after the column names are forgotten). */
    private readonly onSchemaMayChange: () => void,
  ) {}

  /** Every row `sql` returns, as objects. */
  all(sql: string, params: readonly SqlValue[]): SqlRow[] {
    const statement = this.prepare(sql);
    try {
      statement.bind(params as SqlJsValue[]);
      const rows: SqlRow[] = [];
      if (!statement.step()) return rows;
      const names = this.columnNames(statement);
      do rows.push(toRow(names, statement.get()));
      while (statement.step());
      return rows;
    } finally {
      statement.reset();
    }
  }

  /** The first row `sql` returns (undefined when none). */
  get(sql: string, params: readonly SqlValue[] = []): SqlRow | undefined {
    const statement = this.prepare(sql);
    try {
      statement.bind(params as SqlJsValue[]);
      return statement.step() ? toRow(this.columnNames(statement), statement.get()) : undefined;
    } finally {
      statement.reset();
    }
  }

  /** Runs `sql` for its effect (its first step: a write, BEGIN, COMMIT). */
  run(sql: string, params?: readonly SqlValue[]): void {
    const statement = this.prepare(sql);
    if (this.schemaStatements.has(statement)) this.schemaMayHaveChanged();
    try {
      if (params) statement.bind(params as SqlJsValue[]);
      statement.step();
    } finally {
      statement.reset();
    }
  }

  /** After anything that may change the schema: the column names are read again when next needed. */
  schemaMayHaveChanged(): void {
    this.columnNameCache.clear();
    this.onSchemaMayChange();
  }

  /** Frees every statement (before `export()` reopens the connection, or the database closes). */
  free(): void {
    for (const statement of this.statements.values()) statement.free();
    this.statements.clear();
    this.schemaStatements.clear();
    this.schemaMayHaveChanged();
  }

  private prepare(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
      if (SCHEMA_CHANGE.test(sql)) this.schemaStatements.add(statement);
    }
    return statement;
  }

  /** The result column names of `statement` (a cached one), read once until the schema may have changed. */
  private columnNames(statement: Statement): string[] {
    let names = this.columnNameCache.get(statement);
    if (!names) {
      names = statement.getColumnNames();
      this.columnNameCache.set(statement, names);
    }
    return names;
  }
}
