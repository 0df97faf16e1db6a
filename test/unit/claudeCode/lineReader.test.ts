import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readCompleteLines } from '../../../src/core/claudeCode/lineReader';

/* How the transcript import reads a growing JSONL file: complete lines only, in chunks, resumable at a byte offset. */
describe('readCompleteLines', () => {
  let directory: string;
  beforeEach(() => (directory = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-lines-'))));
  afterEach(() => fs.rmSync(directory, { recursive: true, force: true }));

  function write(text: string): string {
    const file = path.join(directory, 't.jsonl');
    fs.writeFileSync(file, text);
    return file;
  }
  const all = (file: string, from: number, chunk: number) => [...readCompleteLines(file, from, chunk)];

  it('gives every complete line once, in chunks of about the size asked, and leaves a partial last line', () => {
    const lines = Array.from({ length: 50 }, (_, i) => `{"n":${i},"text":"${'é'.repeat(i % 7)}"}`);
    const file = write(lines.join('\n') + '\n{"partial":');
    const chunks = all(file, 0, 64);
    assert.ok(chunks.length > 5, `${chunks.length} chunks`);
    assert.deepEqual(
      chunks.flatMap((c) => c.lines),
      lines,
    );
    for (let i = 1; i < chunks.length; i++) assert.equal(chunks[i]!.startOffset, chunks[i - 1]!.endOffset);
    assert.equal(chunks.at(-1)!.endOffset, Buffer.byteLength(lines.join('\n') + '\n'), 'resumes before the partial line');
  });

  it('gives the same lines as splitting the text at newlines (a \\r before one removed), whatever the characters and chunk size', () => {
    // Lines are decoded one at a time: empty lines, CRLF and lone \r, multi-byte characters (2, 3 and 4 bytes) at
    // line ends and chunk edges must come out as the text split at '\n'.
    const pieces = ['', 'a', '{"t":"é"}', '…', '日本語', '😀', '\r', 'x\ry', '"\\"', ' '];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let round = 0; round < 20; round++) {
      const lines = Array.from({ length: 40 }, () => Array.from({ length: next() % 6 }, () => pieces[next() % pieces.length]).join(''));
      const text = lines.map((line, i) => (i % 3 === 0 ? `${line}\r` : line)).join('\n') + '\n';
      const file = write(text);
      const expected = text
        .slice(0, -1)
        .split('\n')
        .map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
      for (const chunk of [1, 7, 64, 4096])
        assert.deepEqual(
          all(file, 0, chunk).flatMap((c) => c.lines),
          expected,
          `round ${round}, chunk ${chunk}`,
        );
    }
    // Empty lines where a read ends (its last line is empty): each counts, line numbers depend on it.
    const file = write('a\n\n\r\n\nb\n\n');
    for (let chunk = 1; chunk <= 10; chunk++)
      assert.deepEqual(
        all(file, 0, chunk).flatMap((c) => c.lines),
        ['a', '', '', '', 'b', ''],
        `chunk ${chunk}`,
      );
  });

  it('reads a line longer than the chunk whole, and the short chunks after it hold no bytes of it', () => {
    const long = `{"long":"${'x'.repeat(5000)}"}`;
    const file = write(`${long}\n{"a":1}\n{"b":2}\r\n`);
    const chunks = all(file, 0, 100);
    assert.deepEqual(
      chunks.flatMap((c) => c.lines),
      [long, '{"a":1}', '{"b":2}'],
    );
  });

  it('resumes at an offset, and starts over when the file is now shorter than it', () => {
    const file = write('{"a":1}\n{"b":2}\n');
    assert.deepEqual(
      all(file, 8, 1024).flatMap((c) => c.lines),
      ['{"b":2}'],
    );
    assert.deepEqual(
      all(file, 1000, 1024).flatMap((c) => c.lines),
      ['{"a":1}', '{"b":2}'],
    );
    assert.deepEqual(all(file, 16, 1024), []);
  });
  it('hands its buffer to the next read: a shorter file after a longer one sees only its own bytes; reads taking turns each see their own lines', () => {
    const big = Array.from({ length: 4000 }, (_, i) => `{"big":${i},"pad":"${'b'.repeat(60)}"}`);
    const small = Array.from({ length: 900 }, (_, i) => `{"small":${i},"pad":"${'s'.repeat(70)}"}`);
    const bigFile = path.join(directory, 'big.jsonl');
    const smallFile = path.join(directory, 'small.jsonl');
    fs.writeFileSync(bigFile, big.join('\n') + '\n');
    fs.writeFileSync(smallFile, small.join('\n') + '\n{"partial":"no newline yet, and shorter than the big file\'s bytes here"');
    const chunk = 128 * 1024; // above the size reads share a buffer from
    for (let round = 0; round < 3; round++) {
      assert.deepEqual(
        all(bigFile, 0, chunk).flatMap((c) => c.lines),
        big,
      );
      assert.deepEqual(
        all(smallFile, 0, chunk).flatMap((c) => c.lines),
        small,
      );
    }
    // Taking turns: each chunk is decoded before the other read's next one, so this holds whether or not they share
    // a buffer (the second read takes a new one; SpareBuffers hands a buffer to one user at a time, see journalRecord.test).
    const a = readCompleteLines(bigFile, 0, chunk);
    const b = readCompleteLines(smallFile, 0, chunk);
    const lines: { a: string[]; b: string[] } = { a: [], b: [] };
    for (let done = { a: false, b: false }; !done.a || !done.b;) {
      for (const [name, reader] of [
        ['a', a],
        ['b', b],
      ] as const) {
        if (done[name]) continue;
        const next = reader.next();
        if (next.done) done[name] = true;
        else lines[name].push(...next.value.lines);
      }
    }
    assert.deepEqual(lines, { a: big, b: small });
  });
});
