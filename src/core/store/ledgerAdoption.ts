import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LedgerRegistry, RegisteredLedger } from './ledgerRegistry';
import { LockFile } from './lockFile';
import { readLedgerIdentity, type ProjectIdentity } from './projectIdentity';
import { SessionStore } from './SessionStore';
import { CHECKSUM_SUFFIX, LOCK_FILE, PREVIOUS_SNAPSHOT_FILE, SNAPSHOT_FILE, fsyncDirectory } from './storeFiles';
import type { SessionStoreOptions } from './storeOptions';

/** How to open a ledger for a look (or a check) rather than for use: everything but its directory. */
export type LedgerOpenOptions = Omit<SessionStoreOptions, 'directory'>;

/** What a ledger holds, counted from its tables (deleted sessions included). */
export interface LedgerSummary {
  readonly sessions: number;
  readonly events: number;
  readonly ledgerId: string | undefined;
}

const STORE_FILE = new RegExp(
  `^(?:${[SNAPSHOT_FILE, PREVIOUS_SNAPSHOT_FILE].map((f) => f.replace(/\./g, '\\.')).join('|')})(?:${CHECKSUM_SUFFIX.replace('.', '\\.')})?$|^journal-\\d{16}\\.log$`,
);

/** The files that make up a ledger (snapshots, their checksums, journal segments): not the lock, temporary or kept-aside files. */
export function ledgerFiles(directory: string): string[] {
  try {
    return fs
      .readdirSync(directory)
      .filter((name) => STORE_FILE.test(name))
      .sort();
  } catch {
    return [];
  }
}

/** Whether `directory` holds a ledger (a snapshot or a journal segment). */
export function holdsLedger(directory: string): boolean {
  return ledgerFiles(directory).some((name) => name === SNAPSHOT_FILE || name.startsWith('journal-'));
}

/** Counts what the ledger in `directory` holds: opens it (taking its lock: fails if another process holds it), counts, closes. */
export async function summarizeLedger(directory: string, options: LedgerOpenOptions): Promise<LedgerSummary> {
  const store = await SessionStore.open({ snapshotInWorker: false, snapshotIdleMs: 0, fileCheckMs: 0, ...options, directory });
  try {
    const count = (table: 'sessions' | 'events') => Number(store.sql.all(`SELECT count(*) AS n FROM ${table}`)[0]?.n ?? 0);
    return { sessions: count('sessions'), events: count('events'), ledgerId: readLedgerIdentity(store).ledgerId };
  } finally {
    await store.close();
  }
}

export interface AdoptionResult {
  /** Where the copy now is (registered as this folder's ledger). */
  readonly directory: string;
  /** The original, left in place. */
  readonly originalDirectory: string;
  readonly sessions: number;
  readonly events: number;
}

export interface AdoptionRequest {
  readonly original: RegisteredLedger;
  /** An empty or absent folder in this window's storage to copy into. */
  readonly targetDirectory: string;
  readonly project: ProjectIdentity;
  readonly registry: LedgerRegistry;
  readonly open: LedgerOpenOptions;
}

/**
 * Adopts the ledger of a moved or renamed folder: counts it, copies its files (under its lock, so
 * nothing writes them meanwhile) into `targetDirectory`, fsyncs the copy, opens the copy and checks
 * it holds the same sessions and events and the same ledger id; only then re-registers the copy as
 * this folder's ledger. The original files are never changed or removed. A copy that does not
 * verify is left where it is (not registered) and the error says where.
 */
export async function adoptLedger(request: AdoptionRequest): Promise<AdoptionResult> {
  const { original, targetDirectory } = request;
  if (ledgerFiles(targetDirectory).length > 0) {
    throw new Error(`Cannot adopt the ledger into ${targetDirectory}: that folder already holds ledger files. Nothing was copied.`);
  }
  const before = await summarizeLedger(original.directory, request.open);
  fs.mkdirSync(targetDirectory, { recursive: true });
  const lock = LockFile.acquire(path.join(original.directory, LOCK_FILE));
  try {
    for (const name of ledgerFiles(original.directory)) {
      const target = path.join(targetDirectory, name);
      await fs.promises.copyFile(path.join(original.directory, name), target, fs.constants.COPYFILE_EXCL);
      const handle = await fs.promises.open(target, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    fsyncDirectory(targetDirectory);
  } finally {
    lock.release();
  }
  const after = await summarizeLedger(targetDirectory, request.open);
  if (after.sessions !== before.sessions || after.events !== before.events || after.ledgerId !== before.ledgerId) {
    throw new Error(
      `The copy of the ledger ${original.directory} in ${targetDirectory} does not match it (${after.sessions} sessions and ${after.events} events copied, ${before.sessions} and ${before.events} expected). ` +
        'It was not adopted: the original is unchanged; the copy is left for inspection and can be deleted.',
    );
  }
  await request.registry.recordAdoption(original, {
    directory: targetDirectory,
    ledgerId: after.ledgerId ?? original.ledgerId,
    canonicalPath: request.project.canonicalPath,
    ...(request.project.git ? { git: request.project.git } : {}),
  });
  return { directory: targetDirectory, originalDirectory: original.directory, sessions: after.sessions, events: after.events };
}
