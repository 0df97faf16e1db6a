import * as assert from 'node:assert/strict';
import { nodeJournalFiles, writeRecords, type JournalFiles } from '../../../src/core/store/journalFiles';
import {
  BINARY_RECORD_MAGIC,
  RECORD_HEADER_BYTES,
  RECORD_MAGIC,
  crc32,
  decodeSegment,
  encodeRecord,
  recycleRecord,
} from '../../../src/core/store/journalRecord';
import type { RecordedStatement } from '../../../src/core/store/statements';

const INSERT = 'INSERT INTO events (id, payload) VALUES (?, ?)';

/** Statements whose payloads hold `text` (JSON text inside JSON, as the events' payloads are). */
function statements(text: string, count = 3): RecordedStatement[] {
  return Array.from({ length: count }, (_, i) => [INSERT, [`e${i}`, JSON.stringify({ text, i, quote: 'say "hi"' })]] as const);
}

describe('journal records', () => {
  const texts: [string, string][] = [
    ['ASCII', 'grep -rn store src '.repeat(200)],
    ['a few multi-byte characters (within the room left for them)', 'déjà vu … '.repeat(5) + 'plain ascii text '.repeat(300)],
    ['mostly multi-byte characters (more than the room left)', 'журнал снимок événement 日本語のテキスト '.repeat(200)],
    ['surrogate pairs, a lone surrogate and control characters', '🙂 emoji 🚀\n\t\u0000 \ud800 end'.repeat(50)],
    ['nothing', ''],
  ];
  for (const [what, text] of texts) {
    it(`encodes a record of exactly its UTF-8 bytes and decodes it back: ${what}`, () => {
      const written = statements(text);
      const record = encodeRecord(42, written);
      assert.deepEqual(record.subarray(RECORD_HEADER_BYTES), Buffer.from(JSON.stringify(written), 'utf8'));
      const next = encodeRecord(43, [['DELETE FROM events WHERE id = ?', ['e1']]]);
      const decoded = decodeSegment(Buffer.concat([record, next, Buffer.alloc(64)]));
      assert.equal(decoded.damage, undefined);
      assert.deepEqual(
        decoded.records.map((r) => r.recordNumber),
        [42, 43],
      );
      assert.deepEqual(decoded.records[0]!.statements, JSON.parse(JSON.stringify(written)));
      assert.deepEqual(decoded.offsets, [0, record.length]);
    });
  }

  it('encodes many statements, some of them multi-byte, byte for byte as the JSON of the whole array', () => {
    // The payload is built a statement at a time: a multi-byte statement late in a long record
    // (past the room left for them) and runs of them, as an import's records with a title's "…".
    const mixed: RecordedStatement[] = [];
    for (let i = 0; i < 400; i++) {
      const text = i % 97 === 96 ? '日本語のテキスト … '.repeat(40 + i) : `plain ascii ${i} `.repeat(i % 13);
      mixed.push([INSERT, [`e${i}`, JSON.stringify({ text }), i, null, i / 7]]);
    }
    mixed.push(['UPDATE sessions SET title = ? WHERE id = ?', ['Fix the build…', 's1']]);
    for (const statements of [mixed, mixed.slice(-1), [], mixed.slice(0, 96).concat(mixed.slice(96, 97))]) {
      const record = encodeRecord(7, statements);
      assert.deepEqual(record.subarray(RECORD_HEADER_BYTES), Buffer.from(JSON.stringify(statements), 'utf8'));
      const decoded = decodeSegment(record);
      assert.equal(decoded.damage, undefined);
      assert.deepEqual(decoded.records[0]!.statements, statements);
    }
  });

  describe('in binary (SLJ2)', () => {
    for (const [what, text] of texts) {
      it(`writes each string as its UTF-8 bytes, not JSON-escaped, and reads it back exactly: ${what}`, () => {
        const written = statements(text); // JSON text: a lone surrogate in it is an escape (\\ud800), well-formed
        const record = encodeRecord(42, written, 'binary');
        assert.equal(record.readUInt32LE(0), BINARY_RECORD_MAGIC);
        for (const [, params] of written) {
          const payload = Buffer.from(String(params![1]), 'utf8'); // the event's JSON, byte for byte
          assert.ok(record.includes(payload), 'the payload JSON is in the record as it is, quotes unescaped');
        }
        const json = encodeRecord(43, written, 'json');
        const decoded = decodeSegment(Buffer.concat([record, json, Buffer.alloc(64)]));
        assert.equal(decoded.damage, undefined);
        assert.deepEqual(
          decoded.records.map((r) => r.recordNumber),
          [42, 43],
        );
        assert.deepEqual(decoded.records[0]!.statements, written);
        assert.deepEqual(decoded.offsets, [0, record.length]);
        if (text.length > 100) assert.ok(record.length < json.length, `smaller than JSON: ${record.length} < ${json.length}`);
      });
    }

    it('writes JSON for a record with a string UTF-8 cannot hold (a lone surrogate, as in a title cut inside an emoji), which keeps it exactly', () => {
      for (const odd of ['cut \ud83d', '\udc00 first', 'pair 🙂 then \ud800']) {
        const written: RecordedStatement[] = [
          [INSERT, ['e1', '{"plain":"json"}']],
          ['UPDATE sessions SET title = ? WHERE id = ?', [odd, 's1']],
        ];
        const record = encodeRecord(3, written, 'binary');
        assert.equal(record.readUInt32LE(0), RECORD_MAGIC, odd);
        assert.deepEqual(decodeSegment(record).records[0]!.statements, written, 'the lone surrogate itself, not U+FFFD');
      }
      assert.equal(encodeRecord(4, [['SELECT ?', ['a whole pair 🙂']]], 'binary').readUInt32LE(0), BINARY_RECORD_MAGIC);
    });

    it('writes JSON for a record holding a value it has no tag for (a boolean that a cast let through), as before', () => {
      const odd = [['UPDATE t SET a = ?', [true as unknown as number]]] as RecordedStatement[];
      const record = encodeRecord(3, odd, 'binary');
      assert.equal(record.readUInt32LE(0), RECORD_MAGIC);
      assert.deepEqual(decodeSegment(record).records[0]!.statements, odd);
    });

    it('keeps every kind of value and statement: numbers JSON cannot write, NULL, scripts, SQL repeated and new', () => {
      const written: RecordedStatement[] = [
        ['CREATE TABLE t (a, b); CREATE INDEX t_a ON t(a);'],
        [INSERT, ['e1', '{"a":"\\"}']],
        ['UPDATE t SET a = ?, b = ? WHERE rowid = ?', [0, -0, 1.5]],
        [INSERT, ['e2', '']],
        ['UPDATE t SET a = ?, b = ? WHERE rowid = ?', [Number.MAX_SAFE_INTEGER, -1e300, Infinity]],
        ['DELETE FROM t WHERE a = ? OR a IS ? OR a = ?', [-Infinity, null, 2 ** 40 + 0.25]],
        ['SELECT 1'],
        ['INSERT INTO t DEFAULT VALUES', []],
      ];
      const decoded = decodeSegment(encodeRecord(9, written, 'binary'));
      assert.equal(decoded.damage, undefined);
      assert.deepEqual(decoded.records[0]!.statements, written);
      assert.ok(Object.is((decoded.records[0]!.statements[2]![1] as number[])[1], -0), '-0 stays -0 (JSON writes 0)');
      const nan = decodeSegment(encodeRecord(10, [['SELECT ?', [NaN]]], 'binary')).records[0]!.statements;
      assert.ok(Number.isNaN((nan[0]![1] as number[])[0]), 'NaN stays NaN (JSON writes null)');
      assert.deepEqual(decodeSegment(encodeRecord(11, [], 'binary')).records[0]!.statements, []);
    });

    it('grows its buffer for long and multi-byte strings late in a long record', () => {
      const mixed: RecordedStatement[] = [];
      for (let i = 0; i < 400; i++) {
        const text = i % 97 === 96 ? '日本語のテキスト … '.repeat(40 + i) : `plain ascii ${i} `.repeat(i % 13);
        mixed.push([INSERT, [`e${i}`, JSON.stringify({ text }), i, null, i / 7]]);
      }
      mixed.push([INSERT, ['huge', '🙂'.repeat(300_000)]]);
      const decoded = decodeSegment(encodeRecord(7, mixed, 'binary'));
      assert.equal(decoded.damage, undefined);
      assert.deepEqual(decoded.records[0]!.statements, mixed);
    });

    it('reads a record whose checksum holds but whose statements do not as damage, where it starts', () => {
      const good = encodeRecord(1, statements('fine'), 'binary');
      /** `record` with payload byte `at` set to `value` and its checksum made right again (a writer's bug, not a torn write). */
      const garbled = (record: Buffer, at: number, value: number): Buffer => {
        const copy = Buffer.from(record);
        copy[RECORD_HEADER_BYTES + at] = value;
        copy.writeUInt32LE(crc32(copy.subarray(RECORD_HEADER_BYTES), crc32(copy.subarray(4, 16))), 16);
        return copy;
      };
      const second = encodeRecord(2, [[INSERT, ['e1', 'x']]], 'binary');
      // Payload: count (4), SQL reference (4), SQL text (4 + its bytes), parameter count (4), then the first tag.
      const firstTag = 4 + 4 + 4 + Buffer.byteLength(INSERT) + 4;
      for (const [what, bad] of [
        ['an unknown parameter tag', garbled(second, firstTag, 7)],
        ['a statement count beyond the payload', garbled(second, 3, 0x7f)],
        ['a reference to SQL text not yet written', garbled(second, 4, 3)],
        ['a string length past the payload', garbled(second, firstTag + 2, 0x40)],
      ] as const) {
        const decoded = decodeSegment(Buffer.concat([good, bad]));
        assert.deepEqual(
          decoded.records.map((r) => r.recordNumber),
          [1],
          what,
        );
        assert.equal(decoded.validBytes, good.length, what);
        assert.equal(decoded.damage, `unreadable payload in record at byte ${good.length}`, what);
      }
    });

    it('writes JSON when asked, as before (SLJ1)', () => {
      const record = encodeRecord(5, statements('json'), 'json');
      assert.equal(record.readUInt32LE(0), RECORD_MAGIC);
      assert.deepEqual(record.subarray(RECORD_HEADER_BYTES), Buffer.from(JSON.stringify(statements('json')), 'utf8'));
    });
  });

  it("reuses the buffer of a written record for a later one, never one buffer for two records, never a small record's", () => {
    const big = (tag: string) => statements(tag.repeat(100_000), 2);
    const first = encodeRecord(1, big('a'));
    recycleRecord(first);
    recycleRecord(first); // handed back twice by mistake: still given to one record only
    const second = encodeRecord(2, big('b'));
    const third = encodeRecord(3, big('c'));
    assert.equal(second.buffer, first.buffer, 'reused');
    assert.notEqual(third.buffer, second.buffer);
    for (const [record, tag] of [
      [second, 'b'],
      [third, 'c'],
    ] as const) {
      assert.deepEqual(decodeSegment(record).records[0]!.statements, JSON.parse(JSON.stringify(big(tag))));
    }
    // A small record lives in memory Node shares between buffers: it is never handed on.
    const small = encodeRecord(4, statements('s'));
    const neighbour = Buffer.allocUnsafe(16).fill(7);
    recycleRecord(small);
    const after = encodeRecord(5, big('d'));
    assert.notEqual(after.buffer, small.buffer);
    assert.deepEqual([...neighbour], new Array(16).fill(7));
  });

  it('writes a batch of small records with one write, large ones one by one, each at its position', () => {
    const writes: { length: number; position: number }[] = [];
    const files: JournalFiles = {
      ...nodeJournalFiles,
      writeSync: (_fd, _buffer, _offset, length, position) => {
        // Short writes too: the rest of a record is written after them.
        const n = Math.min(length, 100_000);
        writes.push({ length: n, position });
        return n;
      },
    };
    const small = [encodeRecord(1, statements('a')), encodeRecord(2, statements('b'))];
    const smallBytes = small[0]!.length + small[1]!.length;
    assert.equal(writeRecords(files, -1, 1000, small), smallBytes);
    assert.deepEqual(writes, [{ length: smallBytes, position: 1000 }]);

    writes.length = 0;
    const large = [encodeRecord(3, statements('x'.repeat(600_000))), encodeRecord(4, statements('y'.repeat(600_000)))];
    const total = writeRecords(files, -1, 0, large);
    assert.equal(total, large[0]!.length + large[1]!.length);
    assert.equal(
      writes.reduce((sum, w) => sum + w.length, 0),
      total,
    );
    // Contiguous: each write starts where the previous one ended.
    writes.forEach((w, i) => assert.equal(w.position, i === 0 ? 0 : writes[i - 1]!.position + writes[i - 1]!.length));
    assert.ok(writes.length > 2, 'written in parts');
  });
});
