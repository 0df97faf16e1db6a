import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SqlWriter } from '../../../src/core/claudeCode/retention';
import { SessionStore, type Clock } from '../../../src/core/store/SessionStore';

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `ledger-${prefix}-`));
}

/** A real SessionStore in a fresh temp directory (snapshots on idle disabled to keep tests quiet). */
export function openTestStore(clock?: Clock): Promise<SessionStore> {
  return SessionStore.open({ directory: tempDir('store'), snapshotIdleMs: 0, clock });
}

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  constructor(public time = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.time;
  }
  advanceDays(days: number): void {
    this.time += days * 24 * 60 * 60 * 1000;
  }
}

/** The store's raw SQL access (search reads, retention's row deletes), as the VS Code layer passes it. */
export function sqlReaderOf(store: SessionStore): SqlWriter {
  return store.sql;
}
