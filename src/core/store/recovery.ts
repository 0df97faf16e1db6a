import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SqlJsStatic } from 'sql.js';
import type { JournalRecord } from './journalRecord';
import { decodeSegment } from './journalRecord';
import { LedgerDatabase, type FileMode } from './ledgerDatabase';
import type { StoreWarning } from './SessionStore';
import { SNAPSHOT_FILE, describeSnapshotDamage, keptAsidePath, listSegments, type JournalSegment } from './storeFiles';

/** A file change recovery wants to make, deferred until the store is known to be openable (so a refused store stays untouched). */
type Repair =
  /** `replayed`: journal records rebuilt in its place; `journalDamage`: why the journal could not be replayed to its end (it was kept aside from there). */
  | { readonly kind: 'keep-aside-snapshot'; readonly reason: string; readonly replayed: number; readonly journalDamage?: string }
  | { readonly kind: 'cut-journal-tail'; readonly segment: JournalSegment; readonly validBytes: number; readonly reason: string }
  | { readonly kind: 'keep-aside-segment'; readonly segment: JournalSegment; readonly reason: string };

/** The in-memory state rebuilt from disk: snapshot + replayed journal, and what must be repaired on disk. */
export interface RecoveredState {
  readonly database: LedgerDatabase;
  /** Whether the database was loaded from the snapshot file (false: it started empty). */
  readonly loadedSnapshot: boolean;
  /** The record number the snapshot covers (0 when there is none). */
  readonly snapshotRecord: number;
  /** Journal records applied on top of the snapshot, in order. */
  readonly replayed: readonly JournalRecord[];
  readonly lastRecord: number;
  readonly repairs: readonly Repair[];
}

/** Reads the first 100 bytes (the SQLite header) and the size of a file. */
function readHeader(file: string): { header: Uint8Array; size: number } {
  const fd = fs.openSync(file, 'r');
  try {
    const header = Buffer.alloc(100);
    const length = fs.readSync(fd, header, 0, header.length, 0);
    return { header: header.subarray(0, length), size: fs.fstatSync(fd).size };
  } finally {
    fs.closeSync(fd);
  }
}

/** Opens the snapshot (see LedgerDatabase.open for how its file is held). A damaged snapshot yields an empty database and the damage. */
function loadSnapshot(SQL: SqlJsStatic, snapshotPath: string, mode: FileMode | undefined): { database: LedgerDatabase; loaded: boolean; damage?: string } {
  if (!fs.existsSync(snapshotPath)) return { database: LedgerDatabase.open(SQL, undefined, { mode }), loaded: false };
  const { header, size } = readHeader(snapshotPath);
  const damage = describeSnapshotDamage(header, size);
  if (!damage) {
    let database: LedgerDatabase | undefined;
    try {
      database = LedgerDatabase.open(SQL, { file: snapshotPath }, { mode });
      database.all('SELECT name FROM sqlite_master');
      database.lastAppliedRecord();
      return { database, loaded: true };
    } catch (error) {
      database?.close();
      return { database: LedgerDatabase.open(SQL, undefined, { mode }), loaded: false, damage: `SQLite cannot read it (${(error as Error).message})` };
    }
  }
  return { database: LedgerDatabase.open(SQL, undefined, { mode }), loaded: false, damage };
}

/**
 * Rebuilds the store in memory: loads the snapshot (a damaged one is replaced by an empty
 * database) and replays every journal record newer than it, in order, stopping at the first torn,
 * garbled, out-of-sequence or unappliable record. Touches no file: the repairs are returned.
 */
export function recoverState(SQL: SqlJsStatic, directory: string, fileMode?: FileMode): RecoveredState {
  const snapshotPath = path.join(directory, SNAPSHOT_FILE);
  const snapshot = loadSnapshot(SQL, snapshotPath, fileMode);
  const repairs: Repair[] = [];
  const database = snapshot.database;
  const snapshotRecord = database.lastAppliedRecord();
  const replayed: JournalRecord[] = [];
  let lastRecord = snapshotRecord;
  let stopped: string | undefined;

  for (const segment of listSegments(directory)) {
    if (stopped) {
      repairs.push({ kind: 'keep-aside-segment', segment, reason: `it follows journal damage (${stopped}) and cannot be replayed in order` });
      continue;
    }
    const decoded = decodeSegment(fs.readFileSync(segment.path));
    let validBytes = decoded.validBytes;
    let problem = decoded.damage;
    for (const [index, record] of decoded.records.entries()) {
      const recordStart = decoded.offsets[index];
      if (record.recordNumber <= lastRecord) continue; // already in the snapshot (or a duplicate)
      if (record.recordNumber !== lastRecord + 1) {
        problem = `record ${record.recordNumber} follows record ${lastRecord}: records ${lastRecord + 1}…${record.recordNumber - 1} are missing`;
        validBytes = recordStart;
        break;
      }
      try {
        database.applyRecord(record.recordNumber, record.statements);
      } catch (error) {
        problem = `record ${record.recordNumber} cannot be applied (${(error as Error).message})`;
        validBytes = recordStart;
        break;
      }
      replayed.push(record);
      lastRecord = record.recordNumber;
    }
    if (problem) {
      stopped = problem;
      repairs.push(
        validBytes === 0
          ? { kind: 'keep-aside-segment', segment, reason: problem }
          : { kind: 'cut-journal-tail', segment, validBytes, reason: problem },
      );
    }
  }
  if (snapshot.damage) repairs.unshift({ kind: 'keep-aside-snapshot', reason: snapshot.damage, replayed: replayed.length, journalDamage: stopped });
  return { database, loadedSnapshot: snapshot.loaded, snapshotRecord, replayed, lastRecord, repairs };
}

/** What replaced a damaged snapshot, for its warning: the whole journal, part of it, or nothing. */
function rebuiltFrom(repair: Extract<Repair, { kind: 'keep-aside-snapshot' }>): string {
  const records = `${repair.replayed} journal record${repair.replayed === 1 ? '' : 's'}`;
  const restore = 'If you have a backup of the store folder, close VS Code and restore it; otherwise keep the damaged files and report the problem.';
  if (!repair.journalDamage) {
    return repair.replayed > 0
      ? `the store was rebuilt from the journal (${records}, complete from the first record), so nothing was lost.`
      : `the journal held no changes to rebuild it from, so the store was opened empty. ${restore}`;
  }
  return repair.replayed > 0
    ? `the store was rebuilt from the ${records} before damage in the journal (${repair.journalDamage}); the rest of the journal was kept aside too. Later changes may be missing. ${restore}`
    : `the journal could not replace it (${repair.journalDamage}) and was kept aside too, so the store was opened empty. ${restore}`;
}

/** Carries out the repairs: damaged bytes are moved or copied to `<file>.corrupt-<timestamp>`, never deleted. */
export function performRepairs(directory: string, repairs: readonly Repair[], nowMillis: number): StoreWarning[] {
  return repairs.map((repair): StoreWarning => {
    switch (repair.kind) {
      case 'keep-aside-snapshot': {
        const snapshotPath = path.join(directory, SNAPSHOT_FILE);
        const aside = keptAsidePath(snapshotPath, nowMillis);
        fs.renameSync(snapshotPath, aside);
        return { kind: 'corrupt-snapshot', message: `The session store snapshot was damaged (${repair.reason}). It was kept as ${aside}; ${rebuiltFrom(repair)}`, keptAsidePath: aside };
      }
      case 'cut-journal-tail': {
        const aside = keptAsidePath(repair.segment.path, nowMillis);
        const bytes = fs.readFileSync(repair.segment.path);
        fs.writeFileSync(aside, bytes.subarray(repair.validBytes));
        fs.truncateSync(repair.segment.path, repair.validBytes);
        return {
          kind: 'corrupt-journal',
          message: `The end of the session store journal was damaged (${repair.reason}). Everything before it was recovered; the ${bytes.length - repair.validBytes} damaged bytes were kept as ${aside}.`,
          keptAsidePath: aside,
        };
      }
      case 'keep-aside-segment': {
        const aside = keptAsidePath(repair.segment.path, nowMillis);
        fs.renameSync(repair.segment.path, aside);
        return {
          kind: 'unreplayable-journal',
          message: `A session store journal file could not be replayed (${repair.reason}). It was kept as ${aside}.`,
          keptAsidePath: aside,
        };
      }
    }
  });
}
