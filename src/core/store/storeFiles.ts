import * as fs from 'node:fs';
import * as path from 'node:path';

/** File names inside the store directory. */
export const SNAPSHOT_FILE = 'ledger.sqlite';
export const LOCK_FILE = 'ledger.lock';
const SEGMENT_PATTERN = /^journal-(\d{16})\.log$/;

/** A journal segment holds records numbered from `firstRecord` on, in order. */
export interface JournalSegment {
  readonly path: string;
  readonly firstRecord: number;
}

export function segmentPath(directory: string, firstRecord: number): string {
  return path.join(directory, `journal-${String(firstRecord).padStart(16, '0')}.log`);
}

export function listSegments(directory: string): JournalSegment[] {
  return fs
    .readdirSync(directory)
    .map((name) => ({ name, match: SEGMENT_PATTERN.exec(name) }))
    .filter((entry): entry is { name: string; match: RegExpExecArray } => entry.match !== null)
    .map((entry) => ({ path: path.join(directory, entry.name), firstRecord: Number(entry.match[1]) }))
    .sort((a, b) => a.firstRecord - b.firstRecord);
}

/** `<file>.corrupt-<timestamp>`: where damaged bytes are kept aside (never deleted). */
export function keptAsidePath(file: string, nowMillis: number): string {
  const stamp = new Date(nowMillis).toISOString().replace(/[:.]/g, '-');
  let candidate = `${file}.corrupt-${stamp}`;
  for (let n = 2; fs.existsSync(candidate); n++) candidate = `${file}.corrupt-${stamp}-${n}`;
  return candidate;
}

export function fsyncDirectory(directory: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(directory, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some platforms (Windows) cannot open or fsync a directory; the rename is still atomic there.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Writes `bytes` to `<file>.tmp`, fsyncs, renames over `file` and fsyncs the directory. */
export function writeFileAtomically(file: string, bytes: Uint8Array): void {
  writeFileAtomicallyWith(file, (fd) => writeFully(fd, bytes, 0));
}

/** Writes all of `bytes` at `position` of `fd`. */
export function writeFully(fd: number, bytes: Uint8Array, position: number): void {
  let written = 0;
  while (written < bytes.length) written += fs.writeSync(fd, bytes, written, bytes.length - written, position + written);
}

/** Like {@link writeFileAtomically}, with `write` filling the temporary file through its descriptor. */
export function writeFileAtomicallyWith(file: string, write: (fd: number) => void): void {
  const temporary = `${file}.tmp`;
  const fd = fs.openSync(temporary, 'w');
  try {
    write(fd);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temporary, file);
  fsyncDirectory(path.dirname(file));
}

/**
 * Cheap structural check of a SQLite file before trusting it: the header magic, a legal page size,
 * and (when the header's page count is valid) a length that matches it. Returns why it is bad, or undefined.
 */
export function describeSnapshotDamage(headerBytes: Uint8Array, size: number): string | undefined {
  const header = Buffer.from(headerBytes.buffer, headerBytes.byteOffset, Math.min(headerBytes.length, 100));
  if (size < 100 || header.length < 100 || header.toString('latin1', 0, 16) !== 'SQLite format 3\u0000') {
    return 'it is not a SQLite database (bad header)';
  }
  const rawPageSize = header.readUInt16BE(16);
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
  if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) return `its page size ${rawPageSize} is invalid`;
  if (size % pageSize !== 0) return `its length ${size} is not a whole number of ${pageSize}-byte pages`;
  const pageCount = header.readUInt32BE(28);
  const changeCounter = header.readUInt32BE(24);
  const versionValidFor = header.readUInt32BE(92);
  if (pageCount > 0 && changeCounter === versionValidFor && pageCount * pageSize !== size) {
    return `it holds ${size / pageSize} pages but its header says ${pageCount} (truncated or padded)`;
  }
  return undefined;
}
