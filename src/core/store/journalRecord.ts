import * as zlib from 'node:zlib';
import { SpareBuffers } from './spareBuffers';
import type { RecordedStatement } from './statements';

/*
 * Journal record layout (little endian):
 *   u32 magic 'SLJ1' | u32 payload length | u64 record number | u32 crc32(length, number, payload) | payload (UTF-8 JSON)
 * The payload is the JSON array of the transaction's recorded statements. Record numbers increase
 * by one per committed transaction across all segments.
 */
export const RECORD_MAGIC = 0x314a4c53; // 'SLJ1'
export const RECORD_HEADER_BYTES = 20;
const MAX_PAYLOAD_BYTES = 512 * 1024 * 1024;

export interface JournalRecord {
  readonly recordNumber: number;
  readonly statements: readonly RecordedStatement[];
}

const crcTable = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32Portable(data: Uint8Array, initial = 0): number {
  let crc = (initial ^ 0xffffffff) >>> 0;
  for (let i = 0; i < data.length; i++) crc = crcTable[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8); // i < data.length; the table has 256 entries
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * CRC-32 of `data`, continuing from `initial` (the CRC of the bytes before it; 0 to start). Native
 * `zlib.crc32` when the runtime has it (Node ≥ 20.15), else a table implementation. The journal's
 * records and the snapshots' checksum files both use it.
 */
export const crc32: (data: Uint8Array, initial?: number) => number =
  typeof (zlib as { crc32?: unknown }).crc32 === 'function'
    ? (data, initial) => (zlib as unknown as { crc32(d: Uint8Array, v?: number): number }).crc32(data, initial ?? 0)
    : crc32Portable;

function checksum(header: Buffer, payload: Uint8Array): number {
  return crc32(payload, crc32(header.subarray(4, 16)));
}

/**
 * Buffers of records written, for the next records to reuse (a 200 MB import writes ~240 MB of
 * records): records of 64 KiB or more, up to four kept.
 */
const recordBuffers = new SpareBuffers(64 * 1024, 4);

function recordBuffer(bytes: number): Buffer {
  return recordBuffers.take(bytes);
}

/** Hands the buffer of a record that has been written (and is no longer read) to a later {@link encodeRecord}. */
export function recycleRecord(record: Buffer): void {
  recordBuffers.handBack(record);
}

export function encodeRecord(recordNumber: number, statements: readonly RecordedStatement[]): Buffer {
  // The payload is exactly JSON.stringify(statements), built a statement at a time: one statement
  // with a character outside Latin-1 (a title's "…") makes V8 build the whole array's JSON as a
  // two-byte string, which UTF-8-encodes about three times slower than one-byte ones; a statement
  // at a time, only that statement pays. Written straight into the record, without measuring the
  // UTF-8 length first (Buffer.byteLength reads a string once more): mostly ASCII text fits in its
  // length plus some room, and a string is measured only when it might not fit in what is left.
  const parts = statements.map((statement) => JSON.stringify(statement) ?? 'null');
  let chars = parts.length + 1;
  for (const part of parts) chars += part.length;
  let record = recordBuffer(RECORD_HEADER_BYTES + chars + (chars >>> 4) + 16);
  let end = RECORD_HEADER_BYTES;
  record[end++] = 0x5b; // [
  parts.forEach((part, i) => {
    if (i > 0) record[end++] = 0x2c; // ,
    // Buffer#write stops before a character that does not fit whole: measure when it might not.
    if (end + part.length * 3 + 1 > record.length) {
      const needed = end + Buffer.byteLength(part, 'utf8') + (parts.length - i) + 1;
      if (needed > record.length) {
        const grown = recordBuffer(needed + (needed >>> 3));
        record.copy(grown, 0, 0, end);
        recycleRecord(record);
        record = grown;
      }
    }
    end += record.write(part, end, 'utf8');
  });
  record[end++] = 0x5d; // ]
  record = record.subarray(0, end);
  record.writeUInt32LE(RECORD_MAGIC, 0);
  record.writeUInt32LE(end - RECORD_HEADER_BYTES, 4);
  record.writeBigUInt64LE(BigInt(recordNumber), 8);
  record.writeUInt32LE(checksum(record, record.subarray(RECORD_HEADER_BYTES)), 16);
  return record;
}

const ZERO_CHUNK = Buffer.alloc(64 * 1024);

function isAllZero(bytes: Buffer): boolean {
  for (let offset = 0; offset < bytes.length; offset += ZERO_CHUNK.length) {
    const part = bytes.subarray(offset, offset + ZERO_CHUNK.length);
    if (!part.equals(ZERO_CHUNK.subarray(0, part.length))) return false;
  }
  return true;
}

export interface DecodedSegment {
  readonly records: JournalRecord[];
  /** Byte offset where each record starts (parallel to `records`). */
  readonly offsets: number[];
  /** Bytes of the valid prefix (whole, checksummed records). */
  readonly validBytes: number;
  /** Why decoding stopped before the end of the buffer, if it did. */
  readonly damage?: string;
}

/**
 * Decodes records from the start of `bytes`, stopping at the first torn or garbled one. An
 * all-zero tail is the segment's preallocated, unwritten space: a clean end, not damage.
 */
export function decodeSegment(bytes: Buffer): DecodedSegment {
  const records: JournalRecord[] = [];
  const offsets: number[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (bytes.readUInt32LE(offset) === 0 && isAllZero(bytes.subarray(offset))) break; // preallocated, never written
    const remaining = bytes.length - offset;
    if (remaining < RECORD_HEADER_BYTES) {
      return { records, offsets, validBytes: offset, damage: `torn record header at byte ${offset} (${remaining} bytes)` };
    }
    if (bytes.readUInt32LE(offset) !== RECORD_MAGIC) {
      return { records, offsets, validBytes: offset, damage: `bad record marker at byte ${offset}` };
    }
    const length = bytes.readUInt32LE(offset + 4);
    if (length > MAX_PAYLOAD_BYTES || RECORD_HEADER_BYTES + length > remaining) {
      return {
        records,
        offsets,
        validBytes: offset,
        damage: `torn record at byte ${offset} (needs ${length} payload bytes, ${remaining - RECORD_HEADER_BYTES} present)`,
      };
    }
    const header = bytes.subarray(offset, offset + RECORD_HEADER_BYTES);
    const payload = bytes.subarray(offset + RECORD_HEADER_BYTES, offset + RECORD_HEADER_BYTES + length);
    if (checksum(header, payload) !== bytes.readUInt32LE(offset + 16)) {
      return { records, offsets, validBytes: offset, damage: `checksum mismatch in record at byte ${offset}` };
    }
    let statements: RecordedStatement[];
    try {
      statements = JSON.parse(payload.toString('utf8')) as RecordedStatement[];
    } catch {
      return { records, offsets, validBytes: offset, damage: `unreadable payload in record at byte ${offset}` };
    }
    records.push({ recordNumber: Number(bytes.readBigUInt64LE(offset + 8)), statements });
    offsets.push(offset);
    offset += RECORD_HEADER_BYTES + length;
  }
  return { records, offsets, validBytes: offset };
}
