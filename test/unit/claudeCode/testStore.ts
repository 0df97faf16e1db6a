import type { SqlWriter } from '../../../src/core/ledger/retention';
import type { Clock, SessionStore } from '../../../src/core/store/SessionStore';
import { ManualClock, openStore, temporaryDirectory } from '../store/storeTestSupport';

export { ManualClock };

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
