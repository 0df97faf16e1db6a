import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SqlReader } from '../../../src/core/claudeCode/search';
import { SessionStore } from '../../../src/core/store/SessionStore';

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `ledger-${prefix}-`));
}

/** A real SessionStore in a fresh temp directory (snapshots on idle disabled to keep tests quiet). */
export function openTestStore(): Promise<SessionStore> {
  return SessionStore.open({ directory: tempDir('store'), snapshotIdleMs: 0 });
}

/**
 * The store's sql.js database, for search. The store does not expose SQL reads publicly yet; the
 * VS Code layer will pass whatever read accessor the store offers.
 */
export function sqlReaderOf(store: SessionStore): SqlReader {
  return (store as unknown as { database: SqlReader }).database;
}
