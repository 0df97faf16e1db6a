/*
 * What the database records and the journal stores, apart from both (so neither imports the other
 * for it).
 */

/** The values the store binds: text, numbers and NULL (no blobs), so statements serialise to JSON exactly. */
export type SqlValue = string | number | null;

/**
 * One recorded write: `[sql, params]` for a prepared statement, or `[script]` for a multi-statement
 * script run with `exec` (migrations). A committed transaction is journalled as the list of these.
 */
export type RecordedStatement = readonly [sql: string, params: readonly SqlValue[]] | readonly [script: string];
