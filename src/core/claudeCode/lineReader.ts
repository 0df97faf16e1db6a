import * as fs from 'node:fs';

export interface LineChunk {
  /** Complete lines (without their `\n`; a trailing `\r` is removed). */
  lines: string[];
  startOffset: number;
  /** Byte offset just after the last complete line: where the next read resumes. */
  endOffset: number;
}

const NEWLINE = 0x0a;

/**
 * Reads a growing line-oriented file (JSONL) from `fromOffset`, yielding only COMPLETE lines in
 * chunks of about `chunkBytes`; a partial last line (a writer still writing) is left for the next
 * read. When the file is now shorter than `fromOffset` (it was replaced or truncated) reading
 * starts over at 0.
 */
export function* readCompleteLines(file: string, fromOffset: number, chunkBytes = 8 * 1024 * 1024): Generator<LineChunk> {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    let position = fromOffset > size ? 0 : fromOffset;
    let want = chunkBytes;
    // One buffer for the whole file (its lines are copied out as strings): a new one per chunk was
    // megabytes of garbage per read, which a large import's peak memory paid for.
    let buffer = Buffer.allocUnsafe(Math.min(want, size - position));
    while (position < size) {
      const length = Math.min(want, size - position);
      if (buffer.length < length) buffer = Buffer.allocUnsafe(length);
      const read = fs.readSync(fd, buffer, 0, length, position);
      if (read <= 0) return; // cut short since it was measured: what is left is read next time
      const lastNewline = buffer.subarray(0, read).lastIndexOf(NEWLINE);
      if (lastNewline < 0) {
        if (position + read >= size) return; // only a partial line is left
        want *= 2; // a line longer than the chunk: read more at once
        continue;
      }
      const lines = buffer
        .toString('utf8', 0, lastNewline)
        .split('\n')
        .map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
      const startOffset = position;
      position += lastNewline + 1;
      want = chunkBytes;
      yield { lines, startOffset, endOffset: position };
    }
  } finally {
    fs.closeSync(fd);
  }
}
