import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SessionStore } from '../../../src/core/store/SessionStore';
import type { Clock, SessionStoreOptions } from '../../../src/core/store/storeOptions';

/** A clock tests move by hand; starts at a fixed instant. */
export class ManualClock implements Clock {
  constructor(public millis = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.millis;
  }
  advance(millis: number): void {
    this.millis += millis;
  }
  advanceDays(days: number): void {
    this.advance(days * 24 * 60 * 60 * 1000);
  }
}

export function temporaryDirectory(prefix = 'ledger-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** `SESSION_LEDGER_TEST_FILE_MODE=in-memory` runs the store tests as on Windows (the database file read whole at open). */
const fileModeUnderTest = process.env.SESSION_LEDGER_TEST_FILE_MODE as SessionStoreOptions['fileMode'];

export function openStore(directory: string, options: Partial<SessionStoreOptions> = {}): Promise<SessionStore> {
  return SessionStore.open({ directory, snapshotIdleMs: 0, fileMode: fileModeUnderTest, ...options });
}

export function newEventId(): string {
  return randomUUID();
}

/**
 * What a crash would leave of a store that is still open: a copy of its directory as it is now
 * (snapshot and journal, not the lock), for a store to be opened from.
 */
export function crashCopy(directory: string): string {
  const image = temporaryDirectory('ledger-crash-');
  for (const name of fs.readdirSync(directory))
    if (name !== 'ledger.lock') fs.copyFileSync(path.join(directory, name), path.join(image, name));
  return image;
}

/** Journal segment files of a store directory, oldest first. */
export function journalFiles(directory: string): string[] {
  return fs
    .readdirSync(directory)
    .filter((name) => /^journal-\d{16}\.log$/.test(name))
    .sort()
    .map((name) => path.join(directory, name));
}

/** Asserts the session's events have seqs 1..n with no gap or duplicate, and returns them. */
export function contiguousSeqs(store: SessionStore, sessionId: string): number[] {
  const seqs: number[] = [];
  let after = 0;
  for (;;) {
    const page = store.events.list(sessionId, { after, limit: 10_000 });
    if (page.length === 0) break;
    seqs.push(...page.map((event) => event.seq));
    after = page[page.length - 1].seq;
  }
  seqs.forEach((seq, index) => {
    if (seq !== index + 1) throw new Error(`seq ${seq} at position ${index + 1}: not contiguous`);
  });
  return seqs;
}

export const REPO_MIGRATIONS = path.resolve(__dirname, '../../../migrations');
