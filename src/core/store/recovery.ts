import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SqlJsStatic } from 'sql.js';
import type { JournalRecord } from './journalRecord';
import { decodeSegment } from './journalRecord';
import { SnapshotChecksumError } from './chunkedFile';
import { LedgerDatabase, QUICK_CHECK_MAX_BYTES, type FileMode } from './ledgerDatabase';
import type { StoreWarning } from './storeWarning';
import {
  PREVIOUS_SNAPSHOT_FILE,
  SNAPSHOT_FILE,
  checksumFile,
  checksumPath,
  describeChecksumMismatch,
  describeSnapshotDamage,
  keptAsidePath,
  listSegments,
  readChecksum,
  type JournalSegment,
  type SnapshotChecksum,
} from './storeFiles';

/** What SQLite says when the database file itself is damaged (as opposed to a statement that cannot apply). */
const DAMAGED_DATABASE = /malformed|not a database|corrupt/i;

/** A file change recovery wants to make, deferred until the store is known to be openable (so a refused store stays untouched). */
export type Repair =
  /**
   * A damaged snapshot file, kept aside. `rebuiltFrom`: what the store was rebuilt from instead (the
   * previous snapshot's file name, or undefined: the journal alone); `replayed`: journal records
   * applied on top; `journalDamage`: why the journal could not be replayed to its end.
   */
  | {
      readonly kind: 'keep-aside-snapshot';
      readonly file: string;
      readonly reason: string;
      readonly rebuiltFrom?: string;
      readonly replayed: number;
      readonly journalDamage?: string;
    }
  | { readonly kind: 'cut-journal-tail'; readonly segment: JournalSegment; readonly validBytes: number; readonly reason: string }
  | { readonly kind: 'keep-aside-segment'; readonly segment: JournalSegment; readonly reason: string };

/** The in-memory state rebuilt from disk: snapshot + replayed journal, and what must be repaired on disk. */
export interface RecoveredState {
  readonly database: LedgerDatabase;
  /** Whether the database was loaded from a snapshot file (false: it started empty). */
  readonly loadedSnapshot: boolean;
  /** Whether a new snapshot should be written soon: the one loaded was not the latest, or had no checksum. */
  readonly wantsSnapshot: boolean;
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

type LoadedSnapshot = { readonly database: LedgerDatabase; readonly checksummed: boolean } | { readonly damage: string };

/** How recovery checks a snapshot against its checksum file. */
export interface RecoveryOptions {
  /**
   * Check each checksummed range when it is first read rather than the whole file at open (file
   * mode `on-demand` only; see fileBase): for readers, which read a few MiB of a large ledger. A
   * range found damaged later throws {@link SnapshotChecksumError} from the read that met it.
   */
  readonly verifyOnRead?: boolean;
}

/**
 * Opens a snapshot file (see LedgerDatabase.open for how its file is held) once it proved itself:
 * its checksum file matches every byte (or, written by an older version without one, `PRAGMA
 * quick_check` passes), its header is sane and SQLite reads its schema. Otherwise says why not.
 * With `verifyOnRead`, the bytes are checked as they are read instead (see {@link RecoveryOptions}).
 */
function loadSnapshot(SQL: SqlJsStatic, snapshotPath: string, mode: FileMode | undefined, options: RecoveryOptions): LoadedSnapshot {
  let checksummed = false;
  let verifyOnRead: SnapshotChecksum | undefined;
  let size: number;
  try {
    const expected = readChecksum(snapshotPath);
    if (expected && options.verifyOnRead && LedgerDatabase.modeOf(mode) === 'on-demand') {
      verifyOnRead = expected;
      checksummed = true;
    } else if (expected) {
      const mismatch = describeChecksumMismatch(expected, checksumFile(snapshotPath));
      if (mismatch) return { damage: mismatch };
      checksummed = true;
    }
    const { header, size: fileSize } = readHeader(snapshotPath);
    size = fileSize;
    const damage = describeSnapshotDamage(header, size);
    if (damage) return { damage };
  } catch (error) {
    return { damage: (error as Error).message };
  }
  let database: LedgerDatabase | undefined;
  try {
    database = LedgerDatabase.open(SQL, { file: snapshotPath }, { mode, verifyOnRead });
    if (verifyOnRead) {
      // The checksum file read before the snapshot was opened is this snapshot's unless a writer installed a newer one
      // meanwhile, which replaces both (the checksum file last: see installSnapshot): then they differ now, or one is missing.
      const now = readChecksum(snapshotPath);
      if (!now || describeChecksumMismatch(verifyOnRead, now)) {
        database.close();
        return { damage: 'it was replaced while it was being opened' };
      }
    }
    database.all('SELECT name FROM sqlite_master');
    database.lastAppliedRecord();
    if (!checksummed || size <= QUICK_CHECK_MAX_BYTES) {
      const problems = database.quickCheck();
      if (problems) {
        database.close();
        return { damage: `SQLite's quick_check finds it inconsistent (${problems})` };
      }
    }
    return { database, checksummed };
  } catch (error) {
    database?.close();
    if (error instanceof SnapshotChecksumError) return { damage: error.mismatch };
    return { damage: `SQLite cannot read it (${(error as Error).message})` };
  }
}

export interface Replay {
  readonly replayed: JournalRecord[];
  readonly lastRecord: number;
  readonly repairs: Repair[];
  /** Why the journal could not be replayed to its end, if it could not. */
  readonly stopped?: string;
  /** Set when a record failed because the database it was applied to is damaged: the snapshot is to blame, not the journal. */
  readonly damagedBase?: string;
}

/**
 * Replays every journal record newer than the database, in order, stopping at the first torn, garbled, out-of-sequence or unappliable record.
 * Also how a read-only store that takes the lock over catches up with what the holder wrote last (see readOnlyStore.ts).
 */
export function replayJournal(database: LedgerDatabase, directory: string): Replay {
  const repairs: Repair[] = [];
  const replayed: JournalRecord[] = [];
  let lastRecord = database.lastAppliedRecord();
  let stopped: string | undefined;
  const segments = listSegments(directory);
  for (const [index, segment] of segments.entries()) {
    // Wholly covered by the database (kept for the previous snapshot): not read at all.
    if (!stopped && (segments[index + 1]?.firstRecord ?? Infinity) <= lastRecord + 1) continue;
    if (stopped) {
      repairs.push({
        kind: 'keep-aside-segment',
        segment,
        reason: `it follows journal damage (${stopped}) and cannot be replayed in order`,
      });
      continue;
    }
    const decoded = decodeSegment(fs.readFileSync(segment.path));
    let validBytes = decoded.validBytes;
    let problem = decoded.damage;
    for (const [index, record] of decoded.records.entries()) {
      const recordStart = decoded.offsets[index]!; // one offset per record
      if (record.recordNumber <= lastRecord) continue; // already in the snapshot (or a duplicate)
      if (record.recordNumber !== lastRecord + 1) {
        problem = `record ${record.recordNumber} follows record ${lastRecord}: records ${lastRecord + 1}…${record.recordNumber - 1} are missing`;
        validBytes = recordStart;
        break;
      }
      try {
        database.applyRecord(record.recordNumber, record.statements);
      } catch (error) {
        const message = (error as Error).message;
        if (DAMAGED_DATABASE.test(message) || error instanceof SnapshotChecksumError)
          return { replayed, lastRecord, repairs, damagedBase: `replaying journal record ${record.recordNumber} on it failed: ${message}` };
        problem = `record ${record.recordNumber} cannot be applied (${message})`;
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
  return { replayed, lastRecord, repairs, stopped };
}

/**
 * Rebuilds the store in memory from the first source that proves itself: the latest snapshot, else
 * the previous one (kept, with the journal since it, until a newer snapshot was written and
 * verified), else an empty database — each with every journal record newer than it replayed in
 * order. A snapshot is set aside when its checksum (or quick_check) fails, when SQLite cannot read
 * it, or when replaying the journal on it fails because the database is damaged (the snapshot is
 * to blame then, not the journal). Touches no file: the repairs are returned.
 */
export function recoverState(SQL: SqlJsStatic, directory: string, fileMode?: FileMode, options: RecoveryOptions = {}): RecoveredState {
  const damaged: { file: string; reason: string }[] = [];
  const candidates = [SNAPSHOT_FILE, PREVIOUS_SNAPSHOT_FILE]
    .map((name) => path.join(directory, name))
    .filter((file) => fs.existsSync(file));
  for (const file of [...candidates, undefined]) {
    let database: LedgerDatabase;
    let checksummed = false;
    if (file) {
      const loaded = loadSnapshot(SQL, file, fileMode, options);
      if ('damage' in loaded) {
        damaged.push({ file, reason: loaded.damage });
        continue;
      }
      database = loaded.database;
      checksummed = loaded.checksummed;
    } else {
      database = LedgerDatabase.open(SQL, undefined, { mode: fileMode });
    }
    let replay: Replay;
    try {
      replay = replayJournal(database, directory);
    } catch (error) {
      database.close();
      throw error;
    }
    if (file && replay.damagedBase) {
      database.close();
      damaged.push({ file, reason: replay.damagedBase });
      continue;
    }
    const rebuiltFrom = file ? path.basename(file) : undefined;
    const snapshotRepairs: Repair[] = damaged.map((entry) => ({
      kind: 'keep-aside-snapshot',
      file: entry.file,
      reason: entry.reason,
      rebuiltFrom,
      replayed: replay.replayed.length,
      journalDamage: replay.stopped,
    }));
    return {
      database,
      loadedSnapshot: file !== undefined,
      wantsSnapshot: damaged.length > 0 || (file !== undefined && (!checksummed || path.basename(file) !== SNAPSHOT_FILE)),
      snapshotRecord: file ? snapshotRecordOf(database, replay) : 0,
      replayed: replay.replayed,
      lastRecord: replay.lastRecord,
      repairs: [...snapshotRepairs, ...replay.repairs],
    };
  }
  throw new Error('unreachable: the empty database is always a candidate');
}

/** The record the loaded snapshot covered before replay. */
function snapshotRecordOf(database: LedgerDatabase, replay: Replay): number {
  const first = replay.replayed[0];
  return first !== undefined ? first.recordNumber - 1 : database.lastAppliedRecord();
}

/** What replaced a damaged snapshot, for its warning: the previous snapshot and the journal, the journal alone, part of it, or nothing. */
function rebuiltFrom(repair: Extract<Repair, { kind: 'keep-aside-snapshot' }>): string {
  const records = `${repair.replayed} journal record${repair.replayed === 1 ? '' : 's'}`;
  const restore =
    'If you have a backup of the store folder, close VS Code and restore it; otherwise keep the damaged files and report the problem.';
  if (repair.rebuiltFrom) {
    return repair.journalDamage
      ? `the store was rebuilt from the previous snapshot (${repair.rebuiltFrom}) and the ${records} after it before damage in the journal (${repair.journalDamage}); the rest of the journal was kept aside too. Later changes may be missing. ${restore}`
      : `the store was rebuilt from the previous snapshot (${repair.rebuiltFrom}) and the ${records} written since it, so nothing was lost.`;
  }
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
export function performRepairs(repairs: readonly Repair[], nowMillis: number): StoreWarning[] {
  return repairs.map((repair): StoreWarning => {
    switch (repair.kind) {
      case 'keep-aside-snapshot': {
        const aside = keptAsidePath(repair.file, nowMillis);
        fs.renameSync(repair.file, aside);
        const sum = checksumPath(repair.file);
        if (fs.existsSync(sum)) fs.renameSync(sum, checksumPath(aside));
        return {
          kind: 'corrupt-snapshot',
          message: `The session store snapshot ${path.basename(repair.file)} was damaged (${repair.reason}). It was kept as ${aside}; ${rebuiltFrom(repair)}`,
          keptAsidePath: aside,
        };
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
