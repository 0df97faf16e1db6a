/**
 * Keeps at most `maxBytes` of output, dropping the oldest bytes first: the end of a command's
 * output (the error, the summary) is what matters. Counts what it dropped.
 */
export class OutputTail {
  private chunks: Buffer[] = [];
  private keptBytes = 0;
  private dropped = 0;

  constructor(private readonly maxBytes: number) {}

  append(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.keptBytes += chunk.length;
    while (this.keptBytes > this.maxBytes) {
      const excess = this.keptBytes - this.maxBytes;
      const first = this.chunks[0]!;
      if (first.length <= excess) {
        this.chunks.shift();
        this.keptBytes -= first.length;
        this.dropped += first.length;
      } else {
        this.chunks[0] = first.subarray(excess);
        this.keptBytes -= excess;
        this.dropped += excess;
      }
    }
  }

  get droppedBytes(): number {
    return this.dropped;
  }

  /** The kept tail as text. A multi-byte character cut in half at the start is dropped too. */
  text(): string {
    const all = Buffer.concat(this.chunks);
    let start = 0;
    if (this.dropped > 0) {
      while (start < all.length && start < 4 && isUtf8Continuation(all[start]!)) start++;
    }
    return all.subarray(start).toString('utf8');
  }
}

function isUtf8Continuation(byte: number): boolean {
  return (byte & 0b1100_0000) === 0b1000_0000;
}
