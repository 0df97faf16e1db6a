/*
 * The events that wait to be indexed for search, and indexing them: the part of LedgerDatabase
 * that lets the full-text index of events lag behind the events (ledgerDatabaseSql.ts says when it
 * catches up, and how a snapshot records where it lags).
 */
import {
  CLEAR_PENDING_INDEX_SQL,
  GET_PENDING_INDEX_SQL,
  INDEX_BATCH_EVENTS,
  INDEX_EVENTS_RANGE_SQL,
  INDEX_SLICE_EVENTS,
  QUICK_CHECK_MAX_BYTES,
  SET_PENDING_INDEX_SQL,
  type SqlRow,
} from './ledgerDatabaseSql';
import type { RecordedStatement } from './statements';

/** What the backlog needs of its database (LedgerDatabase). */
export interface BacklogDatabase {
  /** Inside a recorded transaction. */
  readonly recording: boolean;
  /** A read that never indexes first. */
  read(sql: string): SqlRow | undefined;
  /** Runs a statement now, not journalled. */
  execute(statement: RecordedStatement): void;
  /** Runs `work` in a transaction of its own (not journalled), rolled back when it throws. */
  ownTransaction(work: () => void): void;
  /** Whether the schema indexes events per transaction (migration 0006 on). */
  indexesEventsPerTransaction(): boolean;
  nextEventRowid(): number;
  /** The size of the database file as SQLite sees it. */
  fileBytes(): number;
}

export class SearchBacklog {
  /** The lowest rowid of the committed events not yet indexed (undefined: none wait). */
  private from: number | undefined;
  /** How many committed events wait (an upper bound). */
  private waiting = 0;
  /** The rowid the database file's pending-index mark holds (undefined: no mark). */
  private mark: number | undefined;
  /** The lowest rowid of the events the current transaction inserted. */
  private firstNew: number | undefined;
  /** How many events the current transaction inserted. */
  private added = 0;

  constructor(private readonly db: BacklogDatabase) {}

  /** A snapshot taken while events waited to be indexed says from where: they wait here too. */
  loadMark(): void {
    const mark = this.db.read(GET_PENDING_INDEX_SQL)?.value;
    if (mark === undefined || mark === null) return;
    this.mark = this.from = Number(mark);
    this.waiting = INDEX_BATCH_EVENTS;
  }

  get pending(): boolean {
    return this.from !== undefined;
  }

  startTransaction(): void {
    this.firstNew = undefined;
    this.added = 0;
  }

  /** The current transaction inserted the event with this rowid (undefined: one above a rowid it noted before). */
  noteInserted(rowid?: number): void {
    this.added++;
    if (rowid !== undefined && (this.firstNew === undefined || rowid < this.firstNew)) this.firstNew = rowid;
  }

  /**
   * After the transaction's COMMIT: its events wait. With enough waiting, a slice is indexed now
   * (bulk work, `later`, leaves it to the idle indexer). A failure here loses nothing (the events
   * are committed and journalled, and stay waiting): the next read of the index or pause tries again.
   */
  committed(later: boolean): void {
    if (this.firstNew === undefined) return;
    this.from = Math.min(this.from ?? this.firstNew, this.firstNew);
    this.waiting += this.added;
    if (later || this.waiting < INDEX_BATCH_EVENTS) return;
    try {
      this.index(INDEX_SLICE_EVENTS);
    } catch {
      // see above
    }
  }

  /**
   * Indexes for search the committed events that wait (at most `limit` of them, from the lowest
   * rowid), in one statement (a no-op when none wait). Between transactions in a transaction of its
   * own, which is not journalled (replay derives the index); inside one it becomes part of it (and
   * so is undone by its rollback). Returns whether events still wait.
   */
  index(limit = Number.POSITIVE_INFINITY): boolean {
    const from = this.from;
    if (from === undefined) return false;
    if (!this.db.indexesEventsPerTransaction()) {
      // An older schema (before migration 0006) indexes each event by a trigger as it is inserted.
      this.from = undefined;
      this.waiting = 0;
      return false;
    }
    const next = this.db.nextEventRowid();
    const to = Math.min(next, from + limit);
    if (this.db.recording) {
      // Read inside a transaction: index now, as part of it; what waits stays waiting (indexing again is a no-op).
      this.db.execute([INDEX_EVENTS_RANGE_SQL, [from, to]]);
      return true;
    }
    this.db.ownTransaction(() => {
      this.db.execute([INDEX_EVENTS_RANGE_SQL, [from, to]]);
      if (to >= next && this.mark !== undefined) this.db.execute([CLEAR_PENDING_INDEX_SQL, []]);
    });
    if (to >= next) {
      this.from = undefined;
      this.waiting = 0;
      this.mark = undefined;
      return false;
    }
    this.from = to;
    this.waiting = next - to;
    return true;
  }

  /**
   * Before a snapshot image: records in the file from which rowid events wait (see
   * ledgerDatabaseSql.ts), so the snapshot needs no indexing of its own; a small file is indexed
   * whole instead (see QUICK_CHECK_MAX_BYTES). Not journalled, like the index.
   */
  markForSnapshot(): void {
    const from = this.from;
    if (from === undefined || from === this.mark || !this.db.indexesEventsPerTransaction()) return;
    if (this.db.fileBytes() <= QUICK_CHECK_MAX_BYTES) {
      this.index();
      return;
    }
    this.db.ownTransaction(() => this.db.execute([SET_PENDING_INDEX_SQL, [from]]));
    this.mark = from;
  }
}
