// The base of a database file (see chunkedFile.ts): the bytes it started from — a snapshot file read
// on demand (each part checked against its checksum when first read), or bytes in shared memory.
import * as fs from 'node:fs';
import { crc32 } from './journalRecord';
import type { SnapshotChecksum } from './storeFiles';

/**
 * Where the bytes a database file started from can be read, by this thread or the snapshot worker
 * (a descriptor is valid in every thread of the process; the bytes are in shared memory).
 */
export type BaseSource = { readonly fd: number; readonly size: number } | { readonly bytes: Uint8Array; readonly size: number };

/** The bytes a database file starts from: the snapshot file read on demand, or bytes in shared memory. */
export interface BaseBytes {
  readonly size: number;
  readonly source: BaseSource;
  /** Copies `length` bytes at `position` (all inside `size`) into `target` at `targetOffset`. */
  read(target: Uint8Array, targetOffset: number, length: number, position: number): void;
  /** For bytes in memory: a view of bytes `start…end` (inside `size`), so nothing needs copying or caching. */
  readonly view?: (start: number, end: number) => Uint8Array;
  /** Releases the file descriptor, if any. Idempotent. */
  close(): void;
}

function readFully(fd: number, target: Uint8Array, targetOffset: number, length: number, position: number, what: string): void {
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, target, targetOffset + done, length - done, position + done);
    if (n === 0) throw new Error(`${what} ended at byte ${position + done}, before the ${length} bytes at ${position} that were read`);
    done += n;
  }
}

export function readRange(source: BaseSource, target: Uint8Array, targetOffset: number, length: number, position: number): void {
  if ('fd' in source) readFully(source.fd, target, targetOffset, length, position, 'the snapshot file');
  else target.set(source.bytes.subarray(position, position + length), targetOffset);
}

/** A snapshot's bytes found not to match its checksum file when read (see {@link fileBase}'s `verify`). */
export class SnapshotChecksumError extends Error {
  constructor(
    readonly file: string,
    /** What does not match, as describeChecksumMismatch says it ("bytes 0…1048575 do not match …"). */
    readonly mismatch: string,
  ) {
    super(`${file}: ${mismatch}`);
    this.name = 'SnapshotChecksumError';
  }
}

/**
 * A snapshot file read on demand through a descriptor held open until the database closes (or
 * moves to a newer snapshot). The store replaces the snapshot only by rename, so the descriptor
 * keeps reading the bytes this database was opened from, whatever is written to the path meanwhile.
 *
 * With `verify` (its checksum file), each checksummed range is checked the first time anything in it
 * is read, before SQLite sees a byte of it: a reader that touches a few MiB of a large ledger checks
 * those, not the whole file. A range that does not match throws {@link SnapshotChecksumError}.
 */
export function fileBase(filePath: string, verify?: SnapshotChecksum): BaseBytes {
  let fd: number | undefined = fs.openSync(filePath, 'r');
  const source = { fd, size: fs.fstatSync(fd).size };
  const verified = verify && new Uint8Array(verify.ranges.length);
  let scratch: Buffer | undefined;
  const check = (start: number, end: number): void => {
    if (!verify || !verified) return;
    for (let index = Math.floor(start / verify.rangeBytes); index * verify.rangeBytes < end; index++) {
      if (verified[index]) continue;
      const from = index * verify.rangeBytes;
      scratch ??= Buffer.allocUnsafeSlow(verify.rangeBytes);
      const bytes = scratch.subarray(0, Math.min(verify.rangeBytes, source.size - from));
      readFully(source.fd, bytes, 0, bytes.length, from, 'the snapshot file');
      if (index >= verify.ranges.length || crc32(bytes) !== verify.ranges[index])
        throw new SnapshotChecksumError(filePath, `bytes ${from}…${from + bytes.length - 1} do not match the checksum written with it`);
      verified[index] = 1;
    }
  };
  if (verify && verify.size !== source.size) {
    fs.closeSync(fd);
    throw new SnapshotChecksumError(filePath, `its length ${source.size} differs from the ${verify.size} bytes written`);
  }
  return {
    size: source.size,
    source,
    read: (target, targetOffset, length, position) => {
      if (fd === undefined) throw new Error(`${filePath} was already closed`);
      check(position, position + length);
      readRange(source, target, targetOffset, length, position);
    },
    close() {
      if (fd === undefined) return;
      fs.closeSync(fd);
      fd = undefined;
    },
  };
}

/**
 * Shared memory when the runtime has it (Node always does); else plain buffers, which the snapshot
 * worker then receives as copies taken when the image is handed over — still the image, just slower.
 */
export const SharedBuffer: new (length: number) => ArrayBufferLike =
  typeof SharedArrayBuffer === 'function' ? SharedArrayBuffer : ArrayBuffer;

function sharedCopy(bytes: Uint8Array): Uint8Array {
  if (typeof SharedArrayBuffer === 'function' && bytes.buffer instanceof SharedArrayBuffer) return bytes;
  const shared = new Uint8Array(new SharedBuffer(bytes.length));
  shared.set(bytes);
  return shared;
}

/** Bytes in memory (copied to shared memory unless they are there already). */
export function bytesBase(bytes: Uint8Array): BaseBytes {
  const source = { bytes: sharedCopy(bytes), size: bytes.length };
  return {
    size: source.size,
    source,
    read: (target, targetOffset, length, position) => readRange(source, target, targetOffset, length, position),
    view: (start, end) => source.bytes.subarray(start, end),
    close: () => undefined,
  };
}

/** A whole file read into shared memory now; no descriptor is kept (Windows, where an open file may block the rename over it). */
export function wholeFileBase(filePath: string): BaseBytes {
  const fd = fs.openSync(filePath, 'r');
  try {
    const bytes = new Uint8Array(new SharedBuffer(fs.fstatSync(fd).size));
    readFully(fd, bytes, 0, bytes.length, 0, filePath);
    return bytesBase(bytes);
  } finally {
    fs.closeSync(fd);
  }
}
