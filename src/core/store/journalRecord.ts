import * as zlib from 'node:zlib';
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

export function encodeRecord(recordNumber: number, statements: readonly RecordedStatement[]): Buffer {
  const json = JSON.stringify(statements);
  // Straight into the record, no intermediate buffer, and without measuring the UTF-8 length first
  // (Buffer.byteLength reads the whole string once more: half of encoding an import's records):
  // mostly ASCII text fits in its length plus some room. Buffer#write writes whole characters only,
  // so fewer than 4 bytes of room left over means it may have stopped short: then measure. (Node's
  // Buffer#write, not TextEncoder#encodeInto: a fifth of the time on an import's records.)
  const room = json.length + (json.length >>> 4) + 16;
  let record = Buffer.allocUnsafe(RECORD_HEADER_BYTES + room);
  let length = record.write(json, RECORD_HEADER_BYTES, room, 'utf8');
  if (room - length < 4) {
    length = Buffer.byteLength(json, 'utf8');
    record = Buffer.allocUnsafe(RECORD_HEADER_BYTES + length);
    record.write(json, RECORD_HEADER_BYTES, 'utf8');
  } else record = record.subarray(0, RECORD_HEADER_BYTES + length);
  record.writeUInt32LE(RECORD_MAGIC, 0);
  record.writeUInt32LE(length, 4);
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
