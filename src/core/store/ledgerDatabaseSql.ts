import type { SqlValue } from './statements';

/** SQL and settings of {@link LedgerDatabase} (ledgerDatabase.ts), and its result rows. */

export type SqlRow = Record<string, SqlValue>;

export const META_TABLE = '_ledger_meta';

/** A statement that may change the schema (and so the columns other statements return). */
export const SCHEMA_CHANGE = /^\s*(create|alter|drop)\b/i;

/** A result row as an object, as sql.js's getAsObject makes it, from names read once per statement. */
export function toRow(names: readonly string[], values: readonly unknown[]): SqlRow {
  const row: SqlRow = {};
  for (let i = 0; i < names.length; i++) row[names[i]!] = values[i] as SqlValue;
  return row;
}

/*
 * Events are indexed for search in one statement per batch of transactions (migration 0006 says why
 * one statement, not a trigger per row). That indexing is derived from the events themselves, so it
 * is not journalled: replaying a record derives it again (from where the events' rowids stood before
 * the record). Live, the events repository says which rowids a transaction inserted and they wait,
 * in memory, for the next batch: every read of the search index runs it first (so an event is
 * searchable as soon as its append returns), as does a transaction that leaves
 * {@link INDEX_BATCH_EVENTS} or more waiting (a slice of at most {@link INDEX_SLICE_EVENTS}, after
 * its record went to the journal, overlapping the flush), and the store when it is idle (in slices,
 * so a large backlog never stalls the thread). A single append thus costs no index segment of its
 * own. Bulk work (a transcript import) leaves its events to the idle indexer: indexing is a fifth of
 * an import's time, and one large batch after it costs less than many small ones during it.
 *
 * The events below the lowest rowid that waits are all indexed. A snapshot image taken while events
 * wait records that rowid ({@link PENDING_INDEX_KEY}, in a transaction of its own, not journalled),
 * so whoever opens it (after a crash, a reader, the next session) indexes them again; the mark goes
 * once nothing waits. Indexing an event twice is a no-op (the statement skips indexed events).
 */
export const NEXT_EVENT_ROWID_SQL = 'SELECT coalesce(max(rowid), 0) + 1 AS next FROM events';
/** Indexes the events with rowids in [?1, ?2) that are not indexed yet. */
export const INDEX_EVENTS_RANGE_SQL =
  "INSERT INTO search_events (docid, session_key, type, tool_name, payload) SELECT rowid, 's' || replace(session_id, '-', ''), type, tool_name, payload FROM events " +
  'WHERE rowid >= ?1 AND rowid < ?2 AND NOT EXISTS (SELECT 1 FROM search_events_docsize WHERE docid = events.rowid)';
/**
 * A checksummed snapshot up to this size is also checked with `PRAGMA quick_check` at open (a few
 * milliseconds); larger ones rely on their checksum (quick_check reads every page: seconds for 100 MB).
 * A snapshot without a checksum (written by an older version) is always quick-checked. quick_check
 * checks the full-text index against the events too, so a snapshot up to this size is written fully
 * indexed (cheap there), and a version that knows no pending-index mark reads it as sound.
 */
export const QUICK_CHECK_MAX_BYTES = 8 * 1024 * 1024;
/** Events indexed at most in one go by the idle indexer or after a transaction (a read of the index indexes all that wait). */
export const INDEX_SLICE_EVENTS = 1024;
/** The meta key holding the lowest rowid of the events a snapshot holds unindexed (absent: none). */
export const PENDING_INDEX_KEY = 'search_pending_from';
export const GET_PENDING_INDEX_SQL = `SELECT value FROM ${META_TABLE} WHERE key = '${PENDING_INDEX_KEY}'`;
export const SET_PENDING_INDEX_SQL = `INSERT OR REPLACE INTO ${META_TABLE} (key, value) VALUES ('${PENDING_INDEX_KEY}', ?)`;
export const CLEAR_PENDING_INDEX_SQL = `DELETE FROM ${META_TABLE} WHERE key = '${PENDING_INDEX_KEY}'`;
/** Whether the schema indexes events per transaction: the FTS4 table exists and no per-row trigger does (migration 0006 on). */
export const INDEXES_EVENTS_PER_TRANSACTION_SQL =
  "SELECT (SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'search_events_docsize') = 1 " +
  "AND (SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = 'search_events_after_insert') = 0 AS yes";
/** Events waiting to be indexed that make a (not bulk) transaction leaving them index a slice at once (see above). */
export const INDEX_BATCH_EVENTS = 256;
/** Whether a query reads the events' search index (and so must see every event appended so far). */
export const READS_EVENT_INDEX = /search_events/;
export const LAST_RECORD_KEY = 'last_record';
export const SET_LAST_RECORD_SQL = `UPDATE ${META_TABLE} SET value = ? WHERE key = '${LAST_RECORD_KEY}'`;
/**
 * Connection settings, re-applied after every `export()` (which reopens the connection). The file
 * lives in sql.js's in-memory file system and durability comes from the store's journal, so SQLite's
 * own syncs are pointless (`synchronous=OFF`); its rollback journal stays (in memory) so a failed
 * transaction still rolls back. `cache_spill=OFF` keeps a transaction's pages out of the file until
 * COMMIT, so a rollback never writes (or truncates) the file.
 */
export const CONNECTION_PRAGMAS =
  'PRAGMA locking_mode=EXCLUSIVE; PRAGMA journal_mode=MEMORY; PRAGMA synchronous=OFF; PRAGMA cache_spill=OFF; PRAGMA foreign_keys=ON;';
