import * as zlib from 'node:zlib';
import { SpareBuffers } from './spareBuffers';
import type { RecordedStatement, SqlValue } from './statements';

/*
 * Journal record layout (little endian):
 *   u32 magic | u32 payload length | u64 record number | u32 crc32(length, number, payload) | payload
 * The payload is the transaction's recorded statements, in one of two formats told by the magic:
 *   'SLJ1' ({@link RECORD_MAGIC}): their JSON array, UTF-8;
 *   'SLJ2' ({@link BINARY_RECORD_MAGIC}): the same statements in binary (see encodeBinaryRecord).
 *     Its strings are their UTF-8 bytes, not JSON-escaped again: an event's payload is JSON text, and
 *     escaping every quote of it was ~8% of a bulk import's time. The store writes it only once the
 *     ledger holds the migration named in BINARY_RECORDS_MIGRATION (migrations.ts), which no
 *     shipped migration is yet: this release reads both and writes JSON.
 * Record numbers increase by one per committed transaction across all segments.
 */
export const RECORD_MAGIC = 0x314a4c53; // 'SLJ1'
export const BINARY_RECORD_MAGIC = 0x324a4c53; // 'SLJ2'
export const RECORD_HEADER_BYTES = 20;
const MAX_PAYLOAD_BYTES = 512 * 1024 * 1024;

/** How a record's statements are written: JSON ('SLJ1') or binary ('SLJ2'). Both are read. */
export type RecordFormat = 'json' | 'binary';

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

/** The record of transaction `recordNumber`, its statements written in `format`. */
export function encodeRecord(recordNumber: number, statements: readonly RecordedStatement[], format: RecordFormat = 'json'): Buffer {
  return format === 'binary' ? encodeBinaryRecord(recordNumber, statements) : encodeJsonRecord(recordNumber, statements);
}

/** Writes the header of a record whose payload is in place after it. */
function sealRecord(record: Buffer, magic: number, recordNumber: number): Buffer {
  record.writeUInt32LE(magic, 0);
  record.writeUInt32LE(record.length - RECORD_HEADER_BYTES, 4);
  record.writeBigUInt64LE(BigInt(recordNumber), 8);
  record.writeUInt32LE(checksum(record, record.subarray(RECORD_HEADER_BYTES)), 16);
  return record;
}

function encodeJsonRecord(recordNumber: number, statements: readonly RecordedStatement[]): Buffer {
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
  return sealRecord(record.subarray(0, end), RECORD_MAGIC, recordNumber);
}

/*
 * The binary payload ('SLJ2'), little endian:
 *   u32 statement count, then per statement:
 *     u32 its SQL: the index of an earlier statement's SQL in this record, or NEW_TEXT and the text
 *         (an import's record repeats a few statements thousands of times);
 *     u32 its parameter count, or SCRIPT for a script run without parameters (`[script]`);
 *     per parameter a tag byte and its value: NULL_TAG; NUMBER_TAG and an f64; TEXT_TAG and a text.
 *   A text is a u32 byte length and its UTF-8 bytes.
 * Unlike JSON, a number keeps what JSON cannot write (-0, Infinity and NaN, which JSON writes as 0,
 * null and null); SQLite stores NaN as NULL either way.
 */
const NEW_TEXT = 0xffffffff;
const SCRIPT = 0xffffffff;
const NULL_TAG = 0;
const NUMBER_TAG = 1;
const TEXT_TAG = 2;

class BinaryPayloadWriter {
  end = RECORD_HEADER_BYTES;

  constructor(public record: Buffer) {}

  u32(value: number): void {
    this.room(4);
    this.record.writeUInt32LE(value, this.end);
    this.end += 4;
  }

  tag(value: number): void {
    this.room(1);
    this.record[this.end++] = value;
  }

  f64(value: number): void {
    this.room(8);
    this.record.writeDoubleLE(value, this.end);
    this.end += 8;
  }

  text(value: string): void {
    // Buffer#write stops before a character that does not fit whole: measured only when it might not fit.
    if (this.end + 4 + value.length * 3 > this.record.length) this.room(4 + Buffer.byteLength(value, 'utf8'));
    const bytes = this.record.write(value, this.end + 4, 'utf8');
    this.record.writeUInt32LE(bytes, this.end);
    this.end += 4 + bytes;
  }

  private room(bytes: number): void {
    const needed = this.end + bytes;
    if (needed <= this.record.length) return;
    const grown = recordBuffer(needed + (needed >>> 1));
    this.record.copy(grown, 0, 0, this.end);
    recycleRecord(this.record);
    this.record = grown;
  }
}

/** Whether `text` is valid UTF-16 (no lone surrogate), so that its UTF-8 bytes read back as the same string. */
const wellFormed: (text: string) => boolean =
  typeof (String.prototype as { isWellFormed?: unknown }).isWellFormed === 'function'
    ? (text) => (text as string & { isWellFormed(): boolean }).isWellFormed()
    : (text) => !/[\ud800-\udfff]/.test(text); // without it, any surrogate (pairs too) takes the JSON path

function encodeBinaryRecord(recordNumber: number, statements: readonly RecordedStatement[]): Buffer {
  // Sized for mostly ASCII text, as the JSON record is; a text that might not fit is measured first.
  // A string with a lone surrogate would come back from UTF-8 as U+FFFD, not as the string the
  // database was given (which sql.js may store as other bytes): such a record is written as JSON,
  // which keeps the string exactly. So is one holding a value the binary form has no tag for.
  let estimate = RECORD_HEADER_BYTES + 4;
  for (const statement of statements) {
    if (!wellFormed(statement[0])) return encodeJsonRecord(recordNumber, statements);
    estimate += 8 + statement[0].length;
    for (const value of statement[1] ?? []) {
      if (typeof value === 'string') {
        if (!wellFormed(value)) return encodeJsonRecord(recordNumber, statements);
        estimate += 5 + value.length;
      } else if (value === null || typeof value === 'number') estimate += 9;
      else return encodeJsonRecord(recordNumber, statements); // outside SqlValue (a cast let it through): JSON, as before
    }
  }
  const writer = new BinaryPayloadWriter(recordBuffer(estimate + (estimate >>> 4) + 16));
  const sqlIndex = new Map<string, number>();
  writer.u32(statements.length);
  for (const statement of statements) {
    const sql = statement[0];
    const known = sqlIndex.get(sql);
    if (known === undefined) {
      sqlIndex.set(sql, sqlIndex.size);
      writer.u32(NEW_TEXT);
      writer.text(sql);
    } else {
      writer.u32(known);
    }
    const params = statement[1];
    if (params === undefined) {
      writer.u32(SCRIPT);
      continue;
    }
    writer.u32(params.length);
    for (const value of params) {
      if (value === null) writer.tag(NULL_TAG);
      else if (typeof value === 'number') {
        writer.tag(NUMBER_TAG);
        writer.f64(value);
      } else {
        writer.tag(TEXT_TAG);
        writer.text(value);
      }
    }
  }
  return sealRecord(writer.record.subarray(0, writer.end), BINARY_RECORD_MAGIC, recordNumber);
}

/** Reads a binary payload back; throws on any byte out of place (the record is then damage). */
function decodeBinaryPayload(payload: Buffer): RecordedStatement[] {
  let at = 0;
  const need = (bytes: number): void => {
    if (at + bytes > payload.length) throw new Error(`the payload ends at byte ${payload.length}, before ${at + bytes}`);
  };
  const u32 = (): number => {
    need(4);
    const value = payload.readUInt32LE(at);
    at += 4;
    return value;
  };
  const text = (): string => {
    const bytes = u32();
    need(bytes);
    const value = payload.toString('utf8', at, at + bytes);
    at += bytes;
    return value;
  };
  const count = u32();
  if (count > payload.length / 8) throw new Error(`${count} statements cannot fit in ${payload.length} bytes`);
  const texts: string[] = [];
  const statements: RecordedStatement[] = [];
  for (let i = 0; i < count; i++) {
    const reference = u32();
    let sql: string | undefined;
    if (reference === NEW_TEXT) {
      sql = text();
      texts.push(sql);
    } else {
      sql = texts[reference];
      if (sql === undefined) throw new Error(`statement ${i} names SQL text ${reference} of ${texts.length}`);
    }
    const paramCount = u32();
    if (paramCount === SCRIPT) {
      statements.push([sql]);
      continue;
    }
    if (paramCount > payload.length - at)
      throw new Error(`${paramCount} parameters cannot fit in the payload's ${payload.length - at} bytes left`);
    const params: SqlValue[] = [];
    for (let p = 0; p < paramCount; p++) {
      need(1);
      const tag = payload[at++];
      if (tag === NULL_TAG) params.push(null);
      else if (tag === TEXT_TAG) params.push(text());
      else if (tag === NUMBER_TAG) {
        need(8);
        params.push(payload.readDoubleLE(at));
        at += 8;
      } else throw new Error(`unknown parameter tag ${String(tag)} at byte ${at - 1}`);
    }
    statements.push([sql, params]);
  }
  if (at !== payload.length) throw new Error(`${payload.length - at} bytes follow the last statement`);
  return statements;
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
    const magic = bytes.readUInt32LE(offset);
    if (magic !== RECORD_MAGIC && magic !== BINARY_RECORD_MAGIC) {
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
      statements =
        magic === BINARY_RECORD_MAGIC ? decodeBinaryPayload(payload) : (JSON.parse(payload.toString('utf8')) as RecordedStatement[]);
    } catch {
      return { records, offsets, validBytes: offset, damage: `unreadable payload in record at byte ${offset}` };
    }
    records.push({ recordNumber: Number(bytes.readBigUInt64LE(offset + 8)), statements });
    offsets.push(offset);
    offset += RECORD_HEADER_BYTES + length;
  }
  return { records, offsets, validBytes: offset };
}
