import * as fs from 'node:fs';
import type { StoreChange, StoreChangeKind } from '../model/change';
import type { JournalRecord } from './journalRecord';
import { decodeSegment } from './journalRecord';
import type { LedgerDatabase } from './ledgerDatabase';
import { listSegments } from './storeFiles';

/** Bytes read from a segment at a time: the tail of a live segment is preallocated zeros, never read whole. */
const READ_BYTES = 64 * 1024;
/** Records applied in one SQL transaction while catching up. */
const APPLY_BATCH_RECORDS = 500;

/** The tables whose rows belong to a session, with how a changed row names its session and what kind of record it is. */
const SESSION_OF_ROW: Readonly<Record<string, { readonly kind: StoreChangeKind; readonly sql: string }>> = {
  sessions: { kind: 'session', sql: 'SELECT id AS s FROM sessions WHERE rowid = ?' },
  interactions: { kind: 'interaction', sql: 'SELECT session_id AS s FROM interactions WHERE rowid = ?' },
  events: { kind: 'event', sql: 'SELECT session_id AS s FROM events WHERE rowid = ?' },
  runs: { kind: 'run', sql: 'SELECT session_id AS s FROM runs WHERE rowid = ?' },
  conversations: { kind: 'conversation', sql: 'SELECT session_id AS s FROM conversations WHERE rowid = ?' },
  messages: {
    kind: 'message',
    sql: 'SELECT c.session_id AS s FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.rowid = ?',
  },
  artifacts: { kind: 'artifact', sql: 'SELECT session_id AS s FROM artifacts WHERE rowid = ?' },
  notes: { kind: 'note', sql: 'SELECT session_id AS s FROM notes WHERE rowid = ?' },
};

/**
 * Runs `apply` (which applies journal records to `database`) and says which sessions and kinds of
 * record it changed, as the store's own writes report them: SQLite's update hook names each row
 * inserted or updated, and the row names its session. Rows deleted (retention) count by kind only.
 */
export function applyCollectingChanges<T>(database: LedgerDatabase, apply: () => T): { value: T; change: StoreChange | undefined } {
  const touched = new Map<string, Set<number>>();
  const kinds = new Set<StoreChangeKind>();
  database.db.updateHook((operation, _database, table, rowid) => {
    const known = SESSION_OF_ROW[table];
    if (!known) return;
    kinds.add(known.kind);
    if (operation === 'delete') return;
    let rows = touched.get(table);
    if (!rows) touched.set(table, (rows = new Set()));
    rows.add(rowid);
  });
  let value: T;
  try {
    value = apply();
  } finally {
    database.db.updateHook(null);
  }
  const sessionIds = new Set<string>();
  for (const [table, rows] of touched) {
    const known = SESSION_OF_ROW[table];
    if (!known) continue;
    for (const rowid of rows) {
      const id = database.get(known.sql, [rowid])?.s;
      if (typeof id === 'string') sessionIds.add(id);
    }
  }
  return { value, change: kinds.size > 0 ? { sessionIds: [...sessionIds], kinds: [...kinds] } : undefined };
}

/** What one {@link JournalFollower.follow} did. */
export interface FollowResult {
  /** Records applied. */
  readonly applied: number;
  readonly change: StoreChange | undefined;
  /**
   * The records after the database's last one are no longer in the journal (the segment holding
   * them was deleted after two snapshots covered it): reload from the newest snapshot instead.
   */
  readonly gap: boolean;
}

/** The segment being followed, read through a descriptor held open: a segment deleted meanwhile is still read to its end. */
interface FollowedSegment {
  readonly path: string;
  readonly firstRecord: number;
  readonly fd: number;
  /** Where the next unread record starts. */
  offset: number;
}

/**
 * Follows a store's journal as its writer (another process) appends to it: applies every complete
 * record after the database's last applied one, in order, moving on to the next segment when the
 * writer rotated (segments are named after their first record; the writer creates the next one
 * only after its last write to the current one, so a segment seen to have a successor is complete).
 * A record still being written (torn, or not yet checksummed) is left for the next call.
 */
export class JournalFollower {
  private segment: FollowedSegment | undefined;

  constructor(private readonly directory: string) {}

  /** Applies to `database` every complete record written since its last applied one. */
  follow(database: LedgerDatabase): FollowResult {
    let last = database.lastAppliedRecord();
    const pending: JournalRecord[] = [];
    let applied = 0;
    const changes: StoreChange[] = [];
    const applyPending = (): void => {
      if (pending.length === 0) return;
      const batch = pending.splice(0);
      const { change } = applyCollectingChanges(database, () => database.applyRecords(batch));
      applied += batch.length;
      if (change) changes.push(change);
    };
    let gap = false;
    try {
      for (let moves = 0; moves < 1000; moves++) {
        const segments = listSegments(this.directory); // listed BEFORE reading: a successor seen here means the read below is complete
        if (!this.segment) {
          const start = segments.filter((segment) => segment.firstRecord <= last + 1).pop();
          if (!start) {
            gap = segments.some((segment) => segment.firstRecord > last + 1);
            break;
          }
          const fd = openIfPresent(start.path);
          if (fd === undefined) continue; // deleted between the listing and the open: list again
          this.segment = { path: start.path, firstRecord: start.firstRecord, fd, offset: 0 };
        }
        const segment = this.segment;
        const outOfOrder = this.readRecords(segment, (record) => {
          if (record.recordNumber <= last) return true; // already in the database (the snapshot covers it)
          if (record.recordNumber !== last + 1) return false;
          pending.push(record);
          last = record.recordNumber;
          if (pending.length >= APPLY_BATCH_RECORDS) applyPending();
          return true;
        });
        if (outOfOrder) {
          gap = true;
          break;
        }
        const next = segments.find((candidate) => candidate.firstRecord > segment.firstRecord);
        if (!next) break; // the segment being written: the rest comes later
        if (next.firstRecord > last + 1) {
          gap = true; // the records between are not in the journal any more
          break;
        }
        this.closeSegment(); // complete: the next call locates the segment holding record last + 1
      }
      applyPending();
    } catch (error) {
      this.closeSegment(); // the next call starts from the database's last record again
      throw error;
    }
    return { applied, change: mergeChanges(changes), gap };
  }

  /** Forgets the position (after the database was replaced): the next {@link follow} locates its segment again. */
  reset(): void {
    this.closeSegment();
  }

  dispose(): void {
    this.closeSegment();
  }

  /**
   * Reads complete records from the segment's unread part, handing each to `take` (false: out of
   * order, stop). Returns true when a record was out of order. Stops at the preallocated zeros, or
   * at a record not yet completely written.
   */
  private readRecords(segment: FollowedSegment, take: (record: JournalRecord) => boolean): boolean {
    const size = fs.fstatSync(segment.fd).size;
    let want = READ_BYTES;
    while (segment.offset < size) {
      const length = Math.min(want, size - segment.offset);
      const bytes = Buffer.allocUnsafe(length);
      const read = readFully(segment.fd, bytes, segment.offset);
      const decoded = decodeSegment(bytes.subarray(0, read));
      for (const record of decoded.records) {
        if (!take(record)) return true;
      }
      segment.offset += decoded.validBytes;
      if (decoded.validBytes > 0) {
        want = READ_BYTES;
        continue;
      }
      // Nothing whole in `length` bytes: a record longer than that (read more), or the end for now.
      if (decoded.damage === undefined || length === size - segment.offset) break;
      want = Math.min(want * 4, size - segment.offset);
    }
    return false;
  }

  private closeSegment(): void {
    if (!this.segment) return;
    try {
      fs.closeSync(this.segment.fd);
    } catch {
      // Already closed: nothing to release.
    }
    this.segment = undefined;
  }
}

function openIfPresent(file: string): number | undefined {
  try {
    return fs.openSync(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function readFully(fd: number, target: Buffer, position: number): number {
  let done = 0;
  while (done < target.length) {
    const n = fs.readSync(fd, target, done, target.length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

export function mergeChanges(changes: readonly StoreChange[]): StoreChange | undefined {
  if (changes.length === 0) return undefined;
  if (changes.length === 1) return changes[0];
  const sessionIds = new Set<string>();
  const kinds = new Set<StoreChangeKind>();
  for (const change of changes) {
    change.sessionIds.forEach((id) => sessionIds.add(id));
    change.kinds.forEach((kind) => kinds.add(kind));
  }
  return { sessionIds: [...sessionIds], kinds: [...kinds] };
}
