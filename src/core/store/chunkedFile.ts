import * as fs from 'node:fs';

/**
 * The bytes a database file starts from: the snapshot file on disk (read on demand) or bytes in
 * memory (a new, empty database).
 */
export interface BaseBytes {
  readonly size: number;
  /** Copies `length` bytes at `position` (all inside `size`) into `target` at `targetOffset`. */
  read(target: Uint8Array, targetOffset: number, length: number, position: number): void;
  /** Releases the file descriptor, if any. Idempotent. */
  close(): void;
}

/**
 * A snapshot file read on demand through a descriptor held open until the database closes. The
 * store replaces the snapshot only by rename, so the descriptor keeps reading the bytes this
 * database was opened from (its inode), whatever is written to the path meanwhile.
 */
export function fileBase(filePath: string): BaseBytes {
  let fd: number | undefined = fs.openSync(filePath, 'r');
  const size = fs.fstatSync(fd).size;
  return {
    size,
    read(target, targetOffset, length, position) {
      if (fd === undefined) throw new Error(`${filePath} was already closed`);
      let done = 0;
      while (done < length) {
        const n = fs.readSync(fd, target, targetOffset + done, length - done, position + done);
        if (n === 0) throw new Error(`${filePath} is shorter than when it was opened (${size} bytes; read ended at ${position + done})`);
        done += n;
      }
    },
    close() {
      if (fd === undefined) return;
      fs.closeSync(fd);
      fd = undefined;
    },
  };
}

export function bytesBase(bytes: Uint8Array): BaseBytes {
  return {
    size: bytes.length,
    read: (target, targetOffset, length, position) => target.set(bytes.subarray(position, position + length), targetOffset),
    close: () => undefined,
  };
}

/** Bytes per chunk: a few SQLite pages (4 KiB each by default), read from the base and kept once written. */
export const CHUNK_BYTES = 16 * 1024;
/** Reads that span chunks are assembled here (reused: the file system copies them out at once). */
const SCRATCH_BYTES = 256 * 1024;

/**
 * The contents of sql.js's in-memory database file, without holding the whole file in memory and
 * without ever copying it whole.
 *
 * sql.js keeps the database in an Emscripten MEMFS file whose `contents` is one Uint8Array: opening
 * a 100 MB store means reading all of it into fresh memory (here ~3 ms per MB of page faults), and
 * every time the file outgrows its buffer MEMFS allocates a bigger one and copies everything. This
 * object takes that buffer's place. MEMFS only ever calls `slice` (once, to adopt the initial
 * bytes), `subarray` (to read), `length` (to see whether a write needs a bigger buffer) and `set`
 * (to write), so the file becomes:
 *   - chunks of {@link CHUNK_BYTES} that were written since opening, kept in memory;
 *   - everything else read from the base (the snapshot file) when SQLite asks for it — SQLite keeps
 *     the pages it uses in its own page cache;
 *   - zeros past the base that nothing wrote.
 * `length` reports a capacity no write reaches, so MEMFS never reallocates. A truncation (SQLite
 * shrinking the file, e.g. VACUUM) makes MEMFS copy the file into a plain buffer: correct, just
 * eager from then on.
 */
export class ChunkedFileContents {
  /** The `buffer` MEMFS compares with the WASM heap's (never equal). */
  readonly buffer = undefined;
  private readonly chunks: (Uint8Array | undefined)[] = [];
  private adoptedByFs = false;
  private scratch: Uint8Array | undefined;
  private reads = 0;

  constructor(private readonly base: BaseBytes) {}

  /** Whether MEMFS took this object as the file's contents and reads through it (checked after opening). */
  get inUse(): boolean {
    return this.adoptedByFs && this.reads > 0;
  }

  /** Bytes held in memory (written chunks), for tests and diagnostics. */
  get residentBytes(): number {
    return this.chunks.reduce((sum, chunk) => sum + (chunk ? chunk.length : 0), 0);
  }

  /** Before MEMFS adopts the object: the number of bytes it should write (the base). After: a capacity no file reaches. */
  get length(): number {
    return this.adoptedByFs ? Number.MAX_SAFE_INTEGER : this.base.size;
  }

  /** MEMFS's first write to an empty file keeps `data.slice(0, length)` as the contents: that is this object. */
  slice(start = 0, end = this.base.size): ChunkedFileContents | Uint8Array {
    if (!this.adoptedByFs && start === 0 && end === this.base.size) {
      this.adoptedByFs = true;
      return this;
    }
    return this.copy(start, end, new Uint8Array(end - start));
  }

  /** A read: bytes `start…end` (MEMFS has clamped them to the file's size). Used at once, so it may be a view or scratch space. */
  subarray(start: number, end: number): Uint8Array {
    this.reads++;
    const length = end - start;
    if (length <= 0) return new Uint8Array(0);
    const index = Math.floor(start / CHUNK_BYTES);
    const chunk = this.chunks[index];
    const offset = start - index * CHUNK_BYTES;
    if (chunk && offset + length <= CHUNK_BYTES) return chunk.subarray(offset, offset + length);
    let target: Uint8Array;
    if (length <= SCRATCH_BYTES) {
      this.scratch ??= new Uint8Array(SCRATCH_BYTES);
      target = this.scratch.subarray(0, length);
    } else {
      target = new Uint8Array(length);
    }
    return this.copy(start, end, target);
  }

  /** A write of `source` at `position`: the chunks it touches are loaded (from the base) if needed and updated. */
  set(source: ArrayLike<number>, position = 0): void {
    const bytes = source instanceof Uint8Array ? source : Uint8Array.from(source);
    let done = 0;
    while (done < bytes.length) {
      const at = position + done;
      const index = Math.floor(at / CHUNK_BYTES);
      const offset = at - index * CHUNK_BYTES;
      const n = Math.min(CHUNK_BYTES - offset, bytes.length - done);
      this.loadChunk(index).set(bytes.subarray(done, done + n), offset);
      done += n;
    }
  }

  /** Releases the base (its file descriptor). The chunks go with this object. */
  dispose(): void {
    this.base.close();
  }

  private loadChunk(index: number): Uint8Array {
    let chunk = this.chunks[index];
    if (chunk) return chunk;
    chunk = new Uint8Array(CHUNK_BYTES);
    const start = index * CHUNK_BYTES;
    if (start < this.base.size) this.base.read(chunk, 0, Math.min(CHUNK_BYTES, this.base.size - start), start);
    this.chunks[index] = chunk;
    return chunk;
  }

  /** Fills `target` with bytes `start…end`: written chunks, else the base, else zeros. */
  private copy(start: number, end: number, target: Uint8Array): Uint8Array {
    let at = start;
    while (at < end) {
      const index = Math.floor(at / CHUNK_BYTES);
      const chunkStart = index * CHUNK_BYTES;
      const offset = at - chunkStart;
      const n = Math.min(CHUNK_BYTES - offset, end - at);
      const chunk = this.chunks[index];
      if (chunk) {
        target.set(chunk.subarray(offset, offset + n), at - start);
      } else {
        // Not written since opening: read the run of consecutive unloaded chunks from the base in one go.
        let runEnd = at + n;
        while (runEnd < end && !this.chunks[Math.floor(runEnd / CHUNK_BYTES)]) runEnd = Math.min(end, (Math.floor(runEnd / CHUNK_BYTES) + 1) * CHUNK_BYTES);
        const fromBase = Math.max(0, Math.min(runEnd, this.base.size) - at);
        if (fromBase > 0) this.base.read(target, at - start, fromBase, at);
        target.fill(0, at - start + fromBase, runEnd - start);
        at = runEnd;
        continue;
      }
      at += n;
    }
    return target;
  }
}
