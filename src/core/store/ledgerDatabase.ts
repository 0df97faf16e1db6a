import * as fs from 'node:fs';
import type { Database, SqlJsStatic } from 'sql.js';
import { ChunkedFileContents, bytesBase, fileBase, wholeFileBase, type FileImage } from './chunkedFile';
import { checksumFile, describeChecksumMismatch, type SnapshotChecksum } from './storeFiles';
import type { RecordedStatement, SqlValue } from './statements';
import { SearchBacklog } from './searchBacklog';
import { StatementCache } from './statementCache';
import {
  CONNECTION_PRAGMAS,
  INDEX_EVENTS_RANGE_SQL,
  INDEXES_EVENTS_PER_TRANSACTION_SQL,
  LAST_RECORD_KEY,
  META_TABLE,
  NEXT_EVENT_ROWID_SQL,
  READS_EVENT_INDEX,
  SET_LAST_RECORD_SQL,
  type SqlRow,
} from './ledgerDatabaseSql';

export type { RecordedStatement, SqlValue } from './statements';
export type { SqlRow } from './ledgerDatabaseSql';
export { INDEX_BATCH_EVENTS, INDEX_SLICE_EVENTS, QUICK_CHECK_MAX_BYTES } from './ledgerDatabaseSql';

/** How a database holds its file: see {@link LedgerDatabase.open}. */
export type FileMode = 'on-demand' | 'in-memory' | 'plain';

/** A statement that may delete events (directly, or by a cascade or trigger). */
const MAY_DELETE = /\bdelete\b/i;

/**
 * A sql.js database with a prepared-statement cache, the store's bookkeeping table (the number of
 * the last journal record applied) and a recorder: inside `recordTransaction` every write is both
 * executed and captured, so the same statements can be journalled and replayed deterministically.
 */
export class LedgerDatabase {
  private readonly statements: StatementCache;
  private recorded: RecordedStatement[] | undefined;
  /** {@link INDEXES_EVENTS_PER_TRANSACTION_SQL}, read again after the schema may have changed (undefined until then). */
  private eventIndexing: boolean | undefined;
  /** The events waiting to be indexed for search (see ledgerDatabaseSql.ts). */
  private readonly backlog: SearchBacklog;
  /** A write held back until just before the transaction's next statement or its end (see {@link holdBack}). */
  private heldBack: (() => void) | undefined;

  /**
   * Opens a database from a snapshot file, from bytes, or new (`source` undefined), with its file
   * held in {@link ChunkedFileContents}: only the parts written since the base are in memory, a
   * growing database is never copied whole, and a snapshot is an image of the file (no export).
   *   - `on-demand` (default): the snapshot file is read when SQLite needs a page;
   *   - `in-memory` (default on Windows, where a file held open might stop the next snapshot's
   *     rename over it): the snapshot file is read whole into memory now;
   *   - `plain`: sql.js's own in-memory file (snapshots by export). Also what any mode falls back
   *     to should sql.js stop reading through the chunked contents.
   * `verifyOnRead` (`on-demand` only): the snapshot file's checksum, each range checked when first
   * read (see fileBase); the caller checks the whole file itself in the other modes.
   */
  static open(
    SQL: SqlJsStatic,
    source: { readonly file: string } | { readonly bytes: Uint8Array } | undefined,
    options: { mode?: FileMode; verifyOnRead?: SnapshotChecksum } = {},
  ): LedgerDatabase {
    const mode = LedgerDatabase.modeOf(options.mode);
    if (options.verifyOnRead && mode !== 'on-demand') throw new Error(`verifyOnRead needs the on-demand file mode, not ${mode}`);
    if (mode === 'plain') {
      const bytes = source === undefined ? undefined : 'file' in source ? fs.readFileSync(source.file) : source.bytes;
      return new LedgerDatabase(new SQL.Database(bytes));
    }
    if (source === undefined) {
      // A new database starts from the bytes of an empty one (MEMFS hands an empty file no contents object to replace).
      const empty = new LedgerDatabase(new SQL.Database());
      const bytes = empty.export();
      empty.close();
      source = { bytes };
    }
    const base =
      'bytes' in source
        ? bytesBase(source.bytes)
        : mode === 'on-demand'
          ? fileBase(source.file, options.verifyOnRead)
          : wholeFileBase(source.file);
    const contents = new ChunkedFileContents(base, { holdSnapshotFile: mode === 'on-demand' });
    let database: LedgerDatabase;
    try {
      database = new LedgerDatabase(new SQL.Database(contents as unknown as Uint8Array), contents);
    } catch (error) {
      contents.dispose();
      throw error;
    }
    if (contents.inUse) return database;
    database.close();
    if (options.verifyOnRead && 'file' in source) {
      // Read whole after all: checked whole.
      const mismatch = describeChecksumMismatch(options.verifyOnRead, checksumFile(source.file));
      if (mismatch) throw new Error(mismatch);
    }
    return LedgerDatabase.open(SQL, source, { mode: 'plain' });
  }

  /** The file mode `mode` stands for (the platform's default when undefined). */
  static modeOf(mode: FileMode | undefined): FileMode {
    return mode ?? (process.platform === 'win32' ? 'in-memory' : 'on-demand');
  }

  constructor(
    readonly db: Database,
    private readonly contents?: ChunkedFileContents,
  ) {
    this.statements = new StatementCache(db, () => (this.eventIndexing = undefined));
    const recording = () => this.recorded !== undefined;
    this.backlog = new SearchBacklog({
      get recording() {
        return recording();
      },
      read: (sql) => this.statements.get(sql),
      execute: (statement) => this.runStatement(statement),
      ownTransaction: (work) => {
        this.control('BEGIN');
        try {
          work();
          this.control('COMMIT');
        } catch (error) {
          throw this.rollbackAfter(error);
        }
      },
      indexesEventsPerTransaction: () => this.indexesEventsPerTransaction(),
      nextEventRowid: () => this.nextEventRowid(),
      fileBytes: () => this.fileBytes(),
    });
    try {
      db.exec(
        CONNECTION_PRAGMAS +
          ' ' +
          `CREATE TABLE IF NOT EXISTS ${META_TABLE} (key TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL); ` +
          `INSERT OR IGNORE INTO ${META_TABLE} (key, value) VALUES ('${LAST_RECORD_KEY}', 0);`,
      );
      this.backlog.loadMark();
    } catch (error) {
      this.statements.free();
      db.close();
      throw error;
    }
  }

  /** Bytes of the database file held in memory when it is read on demand (undefined when loaded whole). */
  get residentFileBytes(): number | undefined {
    return this.contents?.residentBytes;
  }

  /** Of those, the bytes a snapshot would release (see ChunkedFileContents.releasableBytes); undefined when loaded whole. */
  get releasableFileBytes(): number | undefined {
    return this.contents?.releasableBytes;
  }

  /**
   * An image of the database file for a snapshot (between transactions only), or undefined when the
   * file is not held in chunks (`plain`, or truncated since: then export). Writes go on meanwhile;
   * end it with {@link thawFile}.
   */
  freezeFile(): FileImage | undefined {
    if (this.recorded) throw new Error('A snapshot image can only be taken between transactions.');
    this.backlog.markForSnapshot();
    const contents = this.contents;
    if (!contents || contents.detached) return undefined;
    if (this.fileBytes() !== contents.fileSize) return undefined; // not the file SQLite sees: do not trust it
    return contents.freeze();
  }

  /** Ends the image of {@link freezeFile}; `snapshotPath` when it is now that file (which becomes the base). Whether its chunks were released. */
  thawFile(snapshotPath?: string): boolean {
    return this.contents?.thaw(snapshotPath) ?? false;
  }

  /** The store is idle: the file's spare chunks beyond what an idle store keeps are given back (see ChunkedFileContents.trimPool). */
  trimFilePool(): void {
    this.contents?.trimPool();
  }

  get inTransaction(): boolean {
    return this.recorded !== undefined;
  }

  /** Number of the last journal record whose effects this database contains. */
  lastAppliedRecord(): number {
    return Number(this.get(`SELECT value FROM ${META_TABLE} WHERE key = ?`, [LAST_RECORD_KEY])?.value ?? 0);
  }

  /** Whether events wait to be indexed for search (see {@link indexPendingEvents}). */
  get hasPendingIndexing(): boolean {
    return this.backlog.pending;
  }

  /**
   * Indexes for search the committed events that wait for it, at most `limit` of them (see
   * SearchBacklog.index). Returns whether events still wait.
   */
  indexPendingEvents(limit = Number.POSITIVE_INFINITY): boolean {
    return this.backlog.index(limit);
  }

  /**
   * Holds `write` back until just before the current transaction's next statement or its commit
   * (whichever comes first; dropped with a rollback), replacing what was held back: a run of event
   * appends counts them in its session's row once (see EventRepository). Every statement goes
   * through here, so nothing can read the row before the write is made, and the journal records
   * the write where it is made.
   */
  holdBack(write: () => void): void {
    if (!this.recorded) throw new Error('A write can be held back only inside a recorded transaction.');
    this.heldBack = write;
  }

  /** Whether `write` is held back still (not made, not dropped with a rollback). */
  holds(write: () => void): boolean {
    return this.heldBack === write;
  }

  /** Makes the write held back, if any (before every statement and at the transaction's end). */
  private releaseHeldBack(): void {
    const write = this.heldBack;
    this.heldBack = undefined;
    write?.();
  }

  /** `keepHeldBack`: as for {@link get}. */
  all(sql: string, params: readonly SqlValue[] = [], options?: { keepHeldBack: true }): SqlRow[] {
    if (!options?.keepHeldBack) this.releaseHeldBack();
    if (this.backlog.pending && READS_EVENT_INDEX.test(sql)) this.backlog.index();
    return this.statements.all(sql, params);
  }

  /** `keepHeldBack`: the read does not look at what the write held back would change (see {@link holdBack}). */
  get(sql: string, params: readonly SqlValue[] = [], options?: { keepHeldBack: true }): SqlRow | undefined {
    if (!options?.keepHeldBack) this.releaseHeldBack();
    if (this.backlog.pending && READS_EVENT_INDEX.test(sql)) this.backlog.index();
    return this.statements.get(sql, params);
  }

  /** Executes a write. Only allowed inside `recordTransaction`, so every write reaches the journal. */
  run(sql: string, params: readonly SqlValue[] = []): void {
    if (!this.recorded) {
      throw new Error('Store writes must happen inside store.transaction(tx => …) (or use the async store.<repository> methods).');
    }
    this.releaseHeldBack();
    this.runStatement([sql, params]);
    this.recorded.push([sql, params]);
  }

  /**
   * Executes a write that returns a row (`… RETURNING …`) and gives back its first row. Recorded like
   * `run`. `keepHeldBack`: the write does not touch what the write held back would (see {@link holdBack}).
   */
  runReturning(sql: string, params: readonly SqlValue[] = [], options?: { keepHeldBack: true }): SqlRow | undefined {
    if (!this.recorded) {
      throw new Error('Store writes must happen inside store.transaction(tx => …) (or use the async store.<repository> methods).');
    }
    if (!options?.keepHeldBack) this.releaseHeldBack();
    const row = this.statements.get(sql, params);
    this.recorded.push([sql, params]);
    return row;
  }

  /** Executes a write like {@link run} and returns how many rows it changed itself (not its triggers). `keepHeldBack`: as for {@link runReturning}. */
  runCountingChanges(sql: string, params: readonly SqlValue[], options?: { keepHeldBack: true }): number {
    if (!this.recorded) {
      throw new Error('Store writes must happen inside store.transaction(tx => …) (or use the async store.<repository> methods).');
    }
    if (!options?.keepHeldBack) this.releaseHeldBack();
    this.runStatement([sql, params]);
    this.recorded.push([sql, params]);
    return this.db.getRowsModified();
  }

  /** Executes a multi-statement script (a migration) as part of the recorded transaction. */
  runScript(script: string): void {
    if (!this.recorded) throw new Error('Scripts must run inside a recorded transaction.');
    this.releaseHeldBack();
    this.schemaMayHaveChanged();
    this.db.exec(script);
    this.recorded.push([script]);
  }

  /**
   * Runs `work` in one SQL transaction, capturing its writes; `beforeCommit` gets them (when there
   * are any) just before COMMIT — the store starts journalling them while SQLite commits. On success the transaction is
   * committed with `recordNumber` as the last applied record and the captured statements are
   * returned (empty when `work` wrote nothing, in which case no record number is consumed).
   * On error everything is rolled back and the error rethrown.
   */
  recordTransaction<T>(
    recordNumber: number,
    work: () => T,
    beforeCommit?: (statements: readonly RecordedStatement[]) => void,
    options: { indexLater?: boolean } = {},
  ): { value: T; statements: RecordedStatement[] } {
    if (this.recorded) throw new Error('store.transaction cannot be nested: call the tx methods directly instead.');
    const statements: RecordedStatement[] = [];
    this.control('BEGIN');
    this.recorded = statements;
    let value: T;
    try {
      this.backlog.startTransaction();
      value = work();
      this.releaseHeldBack();
      if (statements.length > 0) {
        beforeCommit?.(statements);
        // Not a recorded statement (replay sets it from the record's number): run after the hand-off, so it overlaps the journal's flush.
        this.setLastAppliedRecord(recordNumber);
      }
      this.recorded = undefined;
      this.control('COMMIT');
    } catch (error) {
      this.recorded = undefined;
      this.heldBack = undefined;
      throw this.rollbackAfter(error);
    }
    this.backlog.committed(options.indexLater === true);
    return { value, statements };
  }

  /** Applies a journal record (replay on open, or in the snapshot worker) in one SQL transaction. */
  applyRecord(recordNumber: number, statements: readonly RecordedStatement[]): void {
    this.applyRecords([{ recordNumber, statements }]);
  }

  /**
   * Applies consecutive journal records in one SQL transaction (the snapshot worker catching up):
   * the same end state as applying them one by one, for a fraction of the commits and FTS flushes.
   */
  applyRecords(records: readonly { readonly recordNumber: number; readonly statements: readonly RecordedStatement[] }[]): void {
    if (records.length === 0) return;
    this.control('BEGIN');
    try {
      for (const record of records) {
        // Per record: one may be the migration that changes how events are indexed.
        let firstNewEvent = this.indexesEventsPerTransaction() ? this.nextEventRowid() : undefined;
        for (const statement of record.statements) {
          this.runStatement(statement);
          // A delete of the newest events lets a later insert of this record reuse a rowid below the mark.
          if (firstNewEvent !== undefined && (statement.length === 1 || MAY_DELETE.test(statement[0])))
            firstNewEvent = Math.min(firstNewEvent, this.nextEventRowid());
        }
        const next = firstNewEvent === undefined ? firstNewEvent : this.nextEventRowid();
        if (firstNewEvent !== undefined && next! > firstNewEvent) this.runStatement([INDEX_EVENTS_RANGE_SQL, [firstNewEvent, next!]]);
      }
      this.setLastAppliedRecord(records[records.length - 1]!.recordNumber); // not empty: returned early above
      this.control('COMMIT');
    } catch (error) {
      throw this.rollbackAfter(error);
    }
  }

  /** `db.export()` closes and reopens the connection, freeing prepared statements: forget them first. */
  export(): Uint8Array {
    this.backlog.markForSnapshot();
    this.statements.free();
    const bytes = this.db.export();
    // export() reopens the connection with default pragmas; restore ours.
    this.db.exec(CONNECTION_PRAGMAS);
    return bytes;
  }

  close(): void {
    this.statements.free();
    try {
      this.db.close();
    } finally {
      this.contents?.dispose();
    }
  }

  /** For the events repository: the current transaction inserted the event with this rowid (indexed for search at the transaction's end; undefined: a rowid above one it noted before). */
  noteEventInserted(rowid?: number): void {
    if (this.recorded) this.backlog.noteInserted(rowid);
  }

  /** Whether the schema indexes events per transaction (read again whenever the schema may have changed). */
  private indexesEventsPerTransaction(): boolean {
    this.eventIndexing ??= Number(this.statements.get(INDEXES_EVENTS_PER_TRANSACTION_SQL)?.yes) === 1;
    return this.eventIndexing;
  }

  /**
   * After anything that may change the schema (a script, a statement creating, altering or dropping,
   * a rollback, a reopened connection): what was learnt about it is read again when next needed.
   */
  private schemaMayHaveChanged(): void {
    this.statements.schemaMayHaveChanged(); // which forgets how events are indexed too (see the constructor)
  }

  /** The size of the database file as SQLite sees it. */
  private fileBytes(): number {
    return Number(this.get('SELECT page_count * page_size AS bytes FROM pragma_page_count(), pragma_page_size()')?.bytes);
  }

  private nextEventRowid(): number {
    return Number(this.get(NEXT_EVENT_ROWID_SQL)?.next);
  }

  private setLastAppliedRecord(recordNumber: number): void {
    this.runStatement([SET_LAST_RECORD_SQL, [recordNumber]]);
  }

  /** BEGIN / COMMIT through cached statements (no parse per transaction). */
  private control(sql: 'BEGIN' | 'COMMIT'): void {
    this.statements.run(sql);
  }

  /**
   * Rolls back after `error` and returns the error to throw: always `error` itself, never the
   * rollback's. SQLite rolls a transaction back by itself on some errors (a damaged database file,
   * a full disk); ROLLBACK then fails with "no transaction is active", which says nothing. Should the
   * rollback fail for another reason, `error` says so too.
   */
  private rollbackAfter(error: unknown): unknown {
    this.schemaMayHaveChanged(); // the rollback may undo a schema change
    try {
      this.db.exec('ROLLBACK');
    } catch (rollbackError) {
      const message = (rollbackError as Error).message ?? String(rollbackError);
      if (!/no transaction is active/i.test(message) && error instanceof Error)
        error.message += ` (and the rollback failed too: ${message})`;
    }
    return error;
  }

  /**
   * `PRAGMA quick_check`: undefined when SQLite finds the file consistent, else what it reports
   * (the first few problems). Reads every page: for a snapshot without a checksum, or a small one.
   */
  quickCheck(): string | undefined {
    // SQLite checks the full-text index against the events too, so events a snapshot left waiting (see
    // ledgerDatabaseSql.ts) would read as a damaged index: index them first (quick_check reads every page anyway).
    this.indexPendingEvents();
    const problems = this.db.exec('PRAGMA quick_check(5)')[0]?.values.map((row) => String(row[0])) ?? ['no answer'];
    return problems.length === 1 && problems[0] === 'ok' ? undefined : problems.join('; ');
  }

  private runStatement(statement: RecordedStatement): void {
    if (statement.length === 1) {
      this.schemaMayHaveChanged();
      this.db.exec(statement[0]);
      return;
    }
    this.statements.run(statement[0], statement[1]);
  }
}
