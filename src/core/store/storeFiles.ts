import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32 } from './journalRecord';

/** File names inside the store directory. */
export const SNAPSHOT_FILE = 'ledger.sqlite';
/** The snapshot before the latest, kept (with the journal since it) until a newer snapshot was written and verified. */
export const PREVIOUS_SNAPSHOT_FILE = 'ledger.previous.sqlite';
export const LOCK_FILE = 'ledger.lock';
/** A snapshot's checksum file is `<snapshot>.sum`; files being written are `<file>.tmp`. */
export const CHECKSUM_SUFFIX = '.sum';
export const TEMPORARY_SUFFIX = '.tmp';
/** A snapshot is checksummed per range of this many bytes (CRC-32 each), so damage is located to a MiB. */
export const CHECKSUM_RANGE_BYTES = 1024 * 1024;
const CHECKSUM_FORMAT = 'session-ledger snapshot checksum';
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

export interface AtomicWriteOptions {
  /**
   * Survive a power cut too: the temporary file (`<file>.tmp`) is fsynced before the rename and the
   * folder after it, and the folder must exist. For the ledger's own files and what a person asked
   * to be written; not worth it for caches, offsets and settings, whose writes create the folder
   * and use a temporary name of their own process (`<file>.<pid>.tmp`, so concurrent writers of one
   * file never share it).
   */
  readonly durable?: boolean;
}

/** Writes `data` through a temporary file and a rename over `file`, so a reader sees the old content or the new, never half of it. */
export function writeFileAtomic(file: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  if (options.durable) {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    writeFileAtomicallyWith(file, (fd) => writeFully(fd, bytes, 0));
    return;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}${TEMPORARY_SUFFIX}`;
  fs.writeFileSync(temporary, data);
  fs.renameSync(temporary, file);
}

/** Removes a file if it is there (cleanup after a failure: never throws). */
function removeQuietly(file: string): void {
  try {
    fs.rmSync(file, { force: true });
  } catch {
    // Best effort: the original failure is what the caller reports.
  }
}

/** Writes all of `bytes` at `position` of `fd`. */
export function writeFully(fd: number, bytes: Uint8Array, position: number): void {
  let written = 0;
  while (written < bytes.length) written += fs.writeSync(fd, bytes, written, bytes.length - written, position + written);
}

/** Like a durable {@link writeFileAtomic}, with `write` filling the temporary file through its descriptor. */
export function writeFileAtomicallyWith(file: string, write: (fd: number) => void): void {
  const temporary = `${file}${TEMPORARY_SUFFIX}`;
  writeTemporary(temporary, write);
  try {
    fs.renameSync(temporary, file);
  } catch (error) {
    removeQuietly(temporary);
    throw error;
  }
  fsyncDirectory(path.dirname(file));
}

/** Creates `temporary`, fills it with `write`, fsyncs and closes it; on any failure it is removed (no half-written file is left). */
function writeTemporary(temporary: string, write: (fd: number) => void): void {
  const fd = fs.openSync(temporary, 'w');
  try {
    write(fd);
    fs.fsyncSync(fd);
  } catch (error) {
    try {
      fs.closeSync(fd);
    } catch {
      // The write's failure is the one to report.
    }
    removeQuietly(temporary);
    throw error;
  }
  fs.closeSync(fd);
}

// --- Snapshot checksums -----------------------------------------------------------------------

/** What `<snapshot>.sum` holds: the snapshot's size and the CRC-32 of each {@link CHECKSUM_RANGE_BYTES} range. */
export interface SnapshotChecksum {
  readonly size: number;
  readonly rangeBytes: number;
  readonly ranges: readonly number[];
}

/** Checksums bytes fed in file order, range by range (a snapshot is written front to back). */
export class RangeChecksummer {
  private readonly ranges: number[] = [];
  private current = 0;
  private inRange = 0;
  private size = 0;

  constructor(private readonly rangeBytes = CHECKSUM_RANGE_BYTES) {}

  update(bytes: Uint8Array): void {
    let done = 0;
    while (done < bytes.length) {
      const n = Math.min(this.rangeBytes - this.inRange, bytes.length - done);
      this.current = crc32(bytes.subarray(done, done + n), this.current);
      this.inRange += n;
      done += n;
      if (this.inRange === this.rangeBytes) {
        this.ranges.push(this.current);
        this.current = 0;
        this.inRange = 0;
      }
    }
    this.size += bytes.length;
  }

  finish(): SnapshotChecksum {
    const ranges = this.inRange > 0 ? [...this.ranges, this.current] : [...this.ranges];
    return { size: this.size, rangeBytes: this.rangeBytes, ranges };
  }
}

/*
 * CRC-32 of two pieces joined, from each one's CRC and the second's length: crc(A·B) = shift(crc(A),
 * |B|) ⊕ crc(B), where shifting by n bytes is multiplying by a 32×32 matrix over GF(2) (zlib's
 * crc32_combine). The matrix for a block of BLOCK_CHECKSUM_BYTES is made once.
 */
type Gf2Matrix = Uint32Array;

function gf2Times(matrix: Gf2Matrix, vector: number): number {
  let sum = 0;
  for (let i = 0; vector !== 0; i++, vector >>>= 1) if (vector & 1) sum ^= matrix[i]!; // i < 32: vector has 32 bits
  return sum >>> 0;
}

function gf2Square(matrix: Gf2Matrix): Gf2Matrix {
  const square = new Uint32Array(32);
  for (let n = 0; n < 32; n++) square[n] = gf2Times(matrix, matrix[n]!);
  return square;
}

/** The matrix that shifts a CRC-32 by `bytes` zero bytes. */
function crc32ShiftMatrix(bytes: number): Gf2Matrix {
  // One zero bit: the reflected polynomial's step; squared three times it is one zero byte.
  let power: Gf2Matrix = new Uint32Array(32);
  power[0] = 0xedb88320;
  for (let n = 1; n < 32; n++) power[n] = 1 << (n - 1);
  for (let i = 0; i < 3; i++) power = gf2Square(power);
  let result: Gf2Matrix | undefined;
  for (let n = bytes; n > 0; n = Math.floor(n / 2), power = gf2Square(power)) {
    if (n % 2 === 1) result = result ? multiply(power, result) : power;
  }
  return result ?? Uint32Array.from({ length: 32 }, (_, n) => 2 ** n);
}

/** `a` after `b`: the matrix of applying `b`, then `a`. */
function multiply(a: Gf2Matrix, b: Gf2Matrix): Gf2Matrix {
  const product = new Uint32Array(32);
  for (let n = 0; n < 32; n++) product[n] = gf2Times(a, b[n]!);
  return product;
}

/** Shift matrices by block size (a snapshot's blocks are chunks of the database file: chunkedFile.ts). */
const blockShifts = new Map<number, Gf2Matrix>();

/**
 * Checksums a file of `size` bytes written a block of `blockBytes` at a time, in any order (the
 * last block may be shorter): each block's CRC as it is written, joined per range at the end into
 * the same {@link SnapshotChecksum} a {@link RangeChecksummer} gives for the bytes in file order.
 */
export class BlockChecksummer {
  private readonly crcs: Uint32Array;
  private readonly seen: Uint8Array;

  constructor(
    private readonly size: number,
    private readonly blockBytes: number,
    private readonly rangeBytes = CHECKSUM_RANGE_BYTES,
  ) {
    if (blockBytes <= 0 || rangeBytes % blockBytes !== 0)
      throw new Error(`blocks of ${blockBytes} bytes do not divide ranges of ${rangeBytes}`);
    const blocks = Math.ceil(size / blockBytes);
    this.crcs = new Uint32Array(blocks);
    this.seen = new Uint8Array(blocks);
  }

  /** Block `index`'s bytes: whole, or up to the end of the file for the last one. */
  add(index: number, bytes: Uint8Array): void {
    const expected = Math.min(this.blockBytes, this.size - index * this.blockBytes);
    if (bytes.length !== expected || this.seen[index] !== 0)
      throw new Error(`block ${index} of the snapshot was checksummed twice, or with ${bytes.length} bytes instead of ${expected}`);
    this.crcs[index] = crc32(bytes);
    this.seen[index] = 1;
  }

  finish(): SnapshotChecksum {
    const missing = this.seen.indexOf(0);
    if (missing >= 0) throw new Error(`block ${missing} of the snapshot was never checksummed`);
    let shift = blockShifts.get(this.blockBytes);
    if (!shift) blockShifts.set(this.blockBytes, (shift = crc32ShiftMatrix(this.blockBytes)));
    const perRange = this.rangeBytes / this.blockBytes;
    const ranges: number[] = [];
    for (let first = 0; first < this.crcs.length; first += perRange) {
      let crc = this.crcs[first]!; // first < crcs.length
      for (let index = first + 1; index < Math.min(first + perRange, this.crcs.length); index++) {
        const length = Math.min(this.blockBytes, this.size - index * this.blockBytes);
        crc = (gf2Times(length === this.blockBytes ? shift : crc32ShiftMatrix(length), crc) ^ this.crcs[index]!) >>> 0;
      }
      ranges.push(crc);
    }
    return { size: this.size, rangeBytes: this.rangeBytes, ranges };
  }
}

export function checksumPath(snapshotPath: string): string {
  return `${snapshotPath}${CHECKSUM_SUFFIX}`;
}

/** `ledger.sqlite` → `ledger.previous.sqlite` (beside it). */
export function previousSnapshotPath(snapshotPath: string): string {
  const extension = path.extname(snapshotPath);
  return path.join(path.dirname(snapshotPath), `${path.basename(snapshotPath, extension)}.previous${extension}`);
}

/** Checksums a whole file as written (1 MiB reads: from the page cache right after a write, ~60 ms per 100 MB). */
export function checksumFile(file: string): SnapshotChecksum {
  const fd = fs.openSync(file, 'r');
  try {
    const summer = new RangeChecksummer();
    const buffer = Buffer.allocUnsafe(CHECKSUM_RANGE_BYTES);
    for (let position = 0; ;) {
      const n = fs.readSync(fd, buffer, 0, buffer.length, position);
      if (n === 0) break;
      summer.update(buffer.subarray(0, n));
      position += n;
    }
    return summer.finish();
  } finally {
    fs.closeSync(fd);
  }
}

function encodeChecksum(checksum: SnapshotChecksum): string {
  return JSON.stringify({ format: CHECKSUM_FORMAT, version: 1, algorithm: 'crc32', ...checksum }) + '\n';
}

/** Reads `<snapshot>.sum`: undefined when there is none (a snapshot written by an older version); throws when it is unreadable. */
export function readChecksum(snapshotPath: string): SnapshotChecksum | undefined {
  let text: string;
  try {
    text = fs.readFileSync(checksumPath(snapshotPath), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let parsed: Partial<SnapshotChecksum> & { format?: unknown; version?: unknown; algorithm?: unknown };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    throw new Error(`its checksum file ${checksumPath(snapshotPath)} is unreadable (not JSON)`);
  }
  const valid =
    parsed.format === CHECKSUM_FORMAT &&
    parsed.version === 1 &&
    parsed.algorithm === 'crc32' &&
    Number.isSafeInteger(parsed.size) &&
    parsed.rangeBytes === CHECKSUM_RANGE_BYTES &&
    Array.isArray(parsed.ranges) &&
    parsed.ranges.length === Math.ceil((parsed.size ?? 0) / CHECKSUM_RANGE_BYTES) &&
    parsed.ranges.every((crc) => Number.isInteger(crc) && crc >= 0 && crc <= 0xffffffff);
  if (!valid) throw new Error(`its checksum file ${checksumPath(snapshotPath)} is unreadable (fields missing or out of range)`);
  return { size: parsed.size!, rangeBytes: parsed.rangeBytes!, ranges: parsed.ranges! };
}

/** Why `actual` (the file as read now) does not match `expected` (as written), or undefined when it does. */
export function describeChecksumMismatch(expected: SnapshotChecksum, actual: SnapshotChecksum): string | undefined {
  if (expected.size !== actual.size) return `its length ${actual.size} differs from the ${expected.size} bytes written`;
  const bad = expected.ranges.findIndex((crc, index) => actual.ranges[index] !== crc);
  if (bad < 0) return undefined;
  const start = bad * expected.rangeBytes;
  return `bytes ${start}…${Math.min(expected.size, start + expected.rangeBytes) - 1} do not match the checksum written with it`;
}

/**
 * Writes a snapshot and installs it:
 *   1. `<snapshot>.tmp` filled by `write` (which feeds every byte, in file order, to the checksummer,
 *      or returns the checksum of what it wrote in another order), fsynced;
 *   2. read back and checked against that checksum (the snapshot is verified before anything relies on it);
 *   3. the checksum written to `<snapshot>.sum.tmp`, fsynced;
 *   4. the current snapshot (if any) becomes the previous one with its checksum file, the new one takes its place, the directory is fsynced.
 * The steps of 4 are ordered so that a crash between them leaves every snapshot either with its own
 * checksum file or with none (then checked with `PRAGMA quick_check` at open). On failure the
 * temporary files are removed and the installed files are as they were.
 */
export function writeSnapshotFile(
  snapshotPath: string,
  write: (fd: number, summer: RangeChecksummer) => SnapshotChecksum | void,
): SnapshotChecksum {
  const temporary = `${snapshotPath}${TEMPORARY_SUFFIX}`;
  const temporarySum = `${checksumPath(snapshotPath)}${TEMPORARY_SUFFIX}`;
  let checksum: SnapshotChecksum | undefined;
  try {
    writeTemporary(temporary, (fd) => {
      const summer = new RangeChecksummer();
      checksum = write(fd, summer) ?? summer.finish(); // a writer that wrote out of file order checksummed it itself
    });
    const mismatch = describeChecksumMismatch(checksum!, checksumFile(temporary));
    if (mismatch) throw new Error(`the snapshot written to ${temporary} does not read back as written (${mismatch})`);
    const encoded = encodeChecksum(checksum!);
    writeTemporary(temporarySum, (fd) => writeFully(fd, Buffer.from(encoded, 'utf8'), 0));
    installSnapshot(snapshotPath, temporary, temporarySum);
  } catch (error) {
    removeQuietly(temporary);
    removeQuietly(temporarySum);
    throw error;
  }
  return checksum!;
}

function exists(file: string): boolean {
  return fs.existsSync(file);
}

/** Step 4 of {@link writeSnapshotFile}. */
function installSnapshot(snapshotPath: string, temporary: string, temporarySum: string): void {
  const sum = checksumPath(snapshotPath);
  const previous = previousSnapshotPath(snapshotPath);
  if (exists(snapshotPath)) {
    removeQuietly(checksumPath(previous)); // the previous snapshot goes unchecksummed (quick_check) for a moment, never mismatched
    fs.renameSync(snapshotPath, previous);
    if (exists(sum)) fs.renameSync(sum, checksumPath(previous));
  } else {
    removeQuietly(sum); // a checksum file without its snapshot (a crash during an earlier install) must not pair with the new one
  }
  fs.renameSync(temporary, snapshotPath);
  fs.renameSync(temporarySum, sum);
  fsyncDirectory(path.dirname(snapshotPath));
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
