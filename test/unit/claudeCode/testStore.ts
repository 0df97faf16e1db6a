import type { SqlWriter } from '../../../src/core/store/ports';
import type { SessionStore } from '../../../src/core/store/SessionStore';
import type { Clock } from '../../../src/core/store/storeOptions';
import { openStore, temporaryDirectory } from '../store/storeTestSupport';

export function tempDir(prefix: string): string {
  return temporaryDirectory(`ledger-${prefix}-`);
}

/** A real SessionStore in a fresh temp directory (snapshots on idle disabled to keep tests quiet). */
export function openTestStore(clock?: Clock): Promise<SessionStore> {
  return openStore(tempDir('store'), { clock });
}

/** The store's raw SQL access (search reads, retention's row deletes), as the VS Code layer passes it. */
export function sqlReaderOf(store: SessionStore): SqlWriter {
  return store.sql;
}
