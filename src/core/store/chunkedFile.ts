import * as fs from 'node:fs';
import { fileBase, readRange, SharedBuffer, type BaseBytes, type BaseSource } from './baseBytes';
import { BlockChecksummer, writeFileAtomicallyWith, writeFully, writeSnapshotFile, type SnapshotChecksum } from './storeFiles';

export { bytesBase, fileBase, SnapshotChecksumError, wholeFileBase, type BaseBytes, type BaseSource } from './baseBytes';

/** Bytes per chunk: four SQLite pages (4 KiB each by default), read from the base and kept once written. */
export const CHUNK_BYTES = 16 * 1024;
/** Reads that span chunks are assembled here (reused: the file system copies them out at once). */
const SCRATCH_BYTES = 256 * 1024;
/**
 * Spare chunk buffers kept for reuse while the store is idle, up to this many (8 MiB): fresh memory
 * is slow to fault in. A chunk not kept is read again from the snapshot file, in the OS's page cache.
 */
const POOL_CHUNKS = 512;
/**
 * While writes go on, released chunks are kept for reuse up to this many (128 MiB), and
 * {@link ChunkedFileContents.trimPool} gives back what is beyond {@link POOL_CHUNKS} once the store
 * is idle. A snapshot of a growing store releases every chunk written since the last one (64 MiB
 * in a bulk import, as the next writes need as many): dropping them and allocating afresh was ~370
 * MB of shared memory for a 200 MB import, resident until both threads had collected it (peak RSS
 * of bench/import.mjs's import in three paired runs: 379–393 MB kept, 385–400 MB held weakly until
 * a collection; more when dropped).
 */
const BUSY_POOL_CHUNKS = 8192;
/** Chunks of the base kept after a read (least recently used dropped first): 16 MiB. SQLite's own page cache is in front of it. */
const DEFAULT_READ_CACHE_CHUNKS = 1024;

/**
 * The database file as a snapshot would hold it, at a moment between transactions: its size, the
 * base, and the chunks written since the base (shared memory, left untouched until the image is
 * written: later writes go to copies). Written by {@link writeImage}, on the snapshot worker.
 */
export interface FileImage {
  readonly size: number;
  readonly base: BaseSource;
  readonly chunks: readonly (readonly [index: number, bytes: Uint8Array])[];
  /**
   * One element, shared memory: set to 1 (Atomics) once the chunks are in the file being written and
   * will not be read again. From then on the store writes to them in place rather than to copies.
   */
  readonly chunksWritten: Int32Array;
}

/** Writes `image` as the file `file`, atomically (temp file, fsync, rename, directory fsync). */
export function writeImageAtomically(file: string, image: FileImage): void {
  writeFileAtomicallyWith(file, (fd) => {
    writeImage(fd, image);
  });
}

/** Writes `image` as the store's snapshot `snapshotPath`, checksummed, verified and installed (see writeSnapshotFile). */
export function writeSnapshotImage(snapshotPath: string, image: FileImage): SnapshotChecksum {
  return writeSnapshotFile(snapshotPath, (fd) => writeImage(fd, image));
}

/**
 * Writes `image` into `fd` from position 0: first its chunks, each at its place (then it sets
 * `image.chunksWritten`), then the rest from the base (zeros past it). Returns the checksum of the whole,
 * computed from what was written, a chunk-sized block at a time.
 */
function writeImage(fd: number, image: FileImage): SnapshotChecksum {
  const summer = new BlockChecksummer(image.size, CHUNK_BYTES);
  const fromChunks = new Uint8Array(Math.ceil(image.size / CHUNK_BYTES));
  // Runs of consecutive chunks (a growing file's new pages are) go in one writev each.
  let run: Uint8Array[] = [];
  let runStart = 0;
  const writeRun = (): void => {
    if (run.length > 0) writeAllOf(fd, run, runStart * CHUNK_BYTES);
    run = [];
  };
  for (const [index, chunk] of image.chunks) {
    const n = Math.min(CHUNK_BYTES, image.size - index * CHUNK_BYTES);
    if (n <= 0) continue;
    summer.add(index, chunk.subarray(0, n));
    fromChunks[index] = 1;
    if (run.length === RUN_CHUNKS || (run.length > 0 && index !== runStart + run.length)) writeRun();
    if (run.length === 0) runStart = index;
    run.push(chunk.subarray(0, n));
  }
  writeRun();
  Atomics.store(image.chunksWritten, 0, 1); // written by the kernel's copy: the store may change them now
  const buffer = Buffer.allocUnsafe(1024 * 1024);
  for (let index = 0; index < fromChunks.length;) {
    if (fromChunks[index] === 1) {
      index++;
      continue;
    }
    // A run of chunks nobody wrote, up to a buffer at a time: from the base, zeros past it.
    let end = index + 1;
    while (end < fromChunks.length && fromChunks[end] === 0 && (end - index) * CHUNK_BYTES < buffer.length) end++;
    const at = index * CHUNK_BYTES;
    const n = Math.min(image.size, end * CHUNK_BYTES) - at;
    const fromBase = Math.max(0, Math.min(at + n, image.base.size) - at);
    if (fromBase > 0) readRange(image.base, buffer, 0, fromBase, at);
    buffer.fill(0, fromBase, n);
    for (let block = index; block < end; block++)
      summer.add(block, buffer.subarray((block - index) * CHUNK_BYTES, Math.min(n, (block - index + 1) * CHUNK_BYTES)));
    writeFully(fd, buffer.subarray(0, n), at);
    index = end;
  }
  return summer.finish();
}

/** Chunks written by one writev at most (1 MiB; Linux takes up to 1,024 buffers per call). */
const RUN_CHUNKS = 64;

/** Writes `parts` one after another from `position`, with one writev when the file system takes it all. */
function writeAllOf(fd: number, parts: readonly Uint8Array[], position: number): void {
  let skip = fs.writevSync(fd, parts as Uint8Array[], position);
  let at = position;
  for (const part of parts) {
    if (skip < part.length) writeFully(fd, part.subarray(skip), at + skip); // what a short writev left
    skip = Math.max(0, skip - part.length);
    at += part.length;
  }
}

/**
 * The contents of sql.js's in-memory database file, without holding the whole file in memory, without
 * ever copying it whole, and able to hand a consistent image of itself to another thread.
 *
 * sql.js keeps the database in an Emscripten MEMFS file whose `contents` is one Uint8Array: opening
 * a 100 MB store means reading all of it into fresh memory (here ~3 ms per MB of page faults), and
 * every time the file outgrows its buffer MEMFS allocates a bigger one and copies everything. This
 * object takes that buffer's place. MEMFS only ever calls `slice` (once, to adopt the initial
 * bytes), `subarray` (to read), `length` (to see whether a write needs a bigger buffer) and `set`
 * (to write), so the file becomes:
 *   - chunks of {@link CHUNK_BYTES} written since the base, in shared memory;
 *   - everything else read from the base (the snapshot file) when SQLite asks for it, a chunk at a
 *     time, the most recently read ones kept (up to 16 MiB by default);
 *   - zeros past the base that nothing wrote.
 * `length` reports a capacity no write reaches, so MEMFS never reallocates.
 *
 * Snapshots: {@link freeze} (between transactions) returns the file's image — the base and the
 * chunks as they are — and until {@link thaw} a write to a frozen chunk goes to a copy, so the
 * snapshot worker can write the image while the database goes on. Once the image is the snapshot on
 * disk, `thaw` with its path makes that file the base and drops the chunks it holds.
 *
 * A truncation (SQLite shrinking the file: VACUUM; the store's connection never spills pages before
 * COMMIT, so a rollback does not) makes MEMFS copy the file into a plain buffer and stop using this
 * object: {@link detached} then says so, and snapshots go back to exporting the database.
 */
export class ChunkedFileContents {
  /** The `buffer` MEMFS compares with the WASM heap's (never equal). */
  readonly buffer = undefined;
  private readonly chunks: (Uint8Array | undefined)[] = [];
  /** Chunks holding base bytes (nothing written to them), least recently used first. */
  private readonly cached = new Map<number, Uint8Array>();
  private readonly pool: Uint8Array[] = [];
  private adoptedByFs = false;
  private lostByFs = false;
  private scratch: Uint8Array | undefined;
  private reads = 0;
  private size: number;
  /** Chunk indices the current image shares unchanged; undefined when no image is out. */
  private frozen: Set<number> | undefined;
  private frozenSize = 0;
  /** The current image's {@link FileImage.chunksWritten}: once set, a write to one of its chunks goes in place. */
  private imageWritten: Int32Array | undefined;

  /**
   * `holdSnapshotFile`: whether {@link thaw} may make the snapshot file the base (a descriptor held
   * open; not on Windows). `readCacheChunks`: how many chunks of the base to keep after reading them.
   */
  constructor(
    private base: BaseBytes,
    private readonly options: { readonly holdSnapshotFile: boolean; readonly readCacheChunks?: number } = { holdSnapshotFile: true },
  ) {
    this.size = base.size;
  }

  /** Whether MEMFS took this object as the file's contents and reads through it (checked after opening). */
  get inUse(): boolean {
    return this.adoptedByFs && this.reads > 0;
  }

  /** Whether MEMFS replaced this object by a plain buffer (the file was truncated): it no longer sees writes. */
  get detached(): boolean {
    return this.lostByFs;
  }

  /** The file's size as this object has seen it written. */
  get fileSize(): number {
    return this.size;
  }

  /** Bytes of written chunks held in memory (not the read cache, the pool or a base in memory), for tests and diagnostics. */
  get residentBytes(): number {
    return this.chunks.reduce((sum, chunk) => sum + (chunk ? chunk.length : 0), 0);
  }

  /**
   * Bytes of written chunks a snapshot taken now would release at its {@link thaw}, beyond those the
   * image already out will release: all of them when it may move onto the snapshot file; else those
   * that fit in the base held in memory (what the file grew by stays); none once detached. Counting
   * the image's chunks too made every snapshot asked for by size ask for another one while it was
   * written, which then ran at once for the little written meanwhile (a 200 MB import wrote 9
   * snapshots of its growing file instead of 6: bench/import.mjs).
   */
  get releasableBytes(): number {
    if (this.lostByFs) return 0;
    const source = this.base.source;
    const room = this.options.holdSnapshotFile ? Infinity : 'bytes' in source ? source.size : 0;
    return this.chunks.reduce(
      (sum, chunk, index) => sum + (chunk && !this.frozen?.has(index) && (index + 1) * CHUNK_BYTES <= room ? chunk.length : 0),
      0,
    );
  }

  /** Bytes of base chunks kept after reading them. */
  get cachedBytes(): number {
    return this.cached.size * CHUNK_BYTES;
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
    const offset = start - index * CHUNK_BYTES;
    if (offset + length <= CHUNK_BYTES) {
      const written = this.chunks[index];
      if (written) return written.subarray(offset, offset + length);
      if (this.base.view && end <= this.base.size) return this.base.view(start, end);
      const chunk = this.cachedChunk(index);
      if (chunk) return chunk.subarray(offset, offset + length);
    }
    let target: Uint8Array;
    if (length <= SCRATCH_BYTES) {
      this.scratch ??= new Uint8Array(SCRATCH_BYTES);
      target = this.scratch.subarray(0, length);
    } else {
      // SQLite reads a page at a time; a read of this size from the start is MEMFS copying the file
      // into a plain buffer because it is being truncated.
      if (start === 0) this.lostByFs = true;
      target = new Uint8Array(length);
    }
    return this.copy(start, end, target);
  }

  /** A write of `source` at `position`: the chunks it touches are loaded (from the base) if needed and updated. */
  set(source: ArrayLike<number>, position = 0): void {
    // SQLite's writes come as views of the WASM heap, an Int8Array: view the same bytes as a Uint8Array (copying element by element is ~50× slower).
    const bytes = ArrayBuffer.isView(source)
      ? new Uint8Array(source.buffer, source.byteOffset, source.byteLength)
      : Uint8Array.from(source);
    let done = 0;
    while (done < bytes.length) {
      const at = position + done;
      const index = Math.floor(at / CHUNK_BYTES);
      const offset = at - index * CHUNK_BYTES;
      const n = Math.min(CHUNK_BYTES - offset, bytes.length - done);
      this.writableChunk(index).set(bytes.subarray(done, done + n), offset);
      done += n;
    }
    this.size = Math.max(this.size, position + bytes.length);
  }

  /**
   * The file as it is now, for a snapshot. Call between transactions; until {@link thaw}, writes to
   * the chunks it holds go to copies.
   */
  freeze(): FileImage {
    if (this.frozen) throw new Error('a snapshot image is already out: thaw it first');
    const chunks: [number, Uint8Array][] = [];
    this.chunks.forEach((chunk, index) => chunk && chunks.push([index, chunk]));
    this.frozen = new Set(chunks.map(([index]) => index));
    this.frozenSize = this.size;
    this.imageWritten = new Int32Array(new SharedBuffer(4));
    return { size: this.size, base: this.base.source, chunks, chunksWritten: this.imageWritten };
  }

  /**
   * Ends the image. With `snapshotPath` — the image is now that file — the file becomes the base
   * and the chunks it holds unchanged are released (the old base is closed). Without, or when the
   * snapshot file may not be held, everything stays as it was. Returns whether the chunks the image
   * held unchanged were released (false: none was, as it was not the image or there was none).
   */
  thaw(snapshotPath?: string): boolean {
    const frozen = this.frozen;
    this.frozen = undefined;
    this.imageWritten = undefined;
    if (!frozen || snapshotPath === undefined) return false;
    if (!this.options.holdSnapshotFile) return this.mergeIntoBase(frozen);
    const next = fileBase(snapshotPath);
    if (next.size !== this.frozenSize) {
      // Not the image (another size): keep the old base.
      next.close();
      return false;
    }
    // The chunks the image holds unchanged now equal the new base: they become read cache.
    for (const index of frozen) {
      const chunk = this.chunks[index];
      this.chunks[index] = undefined;
      if (chunk) this.cache(index, chunk);
    }
    this.base.close();
    this.base = next;
    return true;
  }

  /**
   * Without a snapshot file to move onto (its bytes are in memory), the chunks an image held
   * unchanged are copied into the base where it has room (the worker is done reading it), so memory
   * stays about the base plus what the file grew by.
   */
  private mergeIntoBase(frozen: ReadonlySet<number>): boolean {
    const source = this.base.source;
    if (!('bytes' in source)) return false;
    for (const index of frozen) {
      const chunk = this.chunks[index];
      if (!chunk || (index + 1) * CHUNK_BYTES > source.size) continue;
      source.bytes.set(chunk, index * CHUNK_BYTES);
      this.chunks[index] = undefined;
      this.release(chunk);
    }
    return true;
  }

  /** Releases the base (its file descriptor). The chunks go with this object. */
  dispose(): void {
    this.base.close();
  }

  /** Gives back the spare chunks beyond what an idle store keeps (see {@link BUSY_POOL_CHUNKS}). */
  trimPool(): void {
    if (this.pool.length > POOL_CHUNKS) this.pool.length = POOL_CHUNKS;
  }

  /** Spare chunks kept for reuse, in bytes (for tests and diagnostics). */
  get pooledBytes(): number {
    return this.pool.length * CHUNK_BYTES;
  }

  private allocate(): Uint8Array {
    return this.pool.pop() ?? new Uint8Array(new SharedBuffer(CHUNK_BYTES));
  }

  /** A chunk no longer used: kept for reuse (see {@link BUSY_POOL_CHUNKS}). */
  private release(chunk: Uint8Array): void {
    if (this.pool.length < BUSY_POOL_CHUNKS) this.pool.push(chunk);
  }

  /** The base's chunk `index` from the read cache, reading it if needed; undefined when it lies past the base. */
  private cachedChunk(index: number): Uint8Array | undefined {
    const hit = this.cached.get(index);
    if (hit) {
      this.cached.delete(index); // most recently used last
      this.cached.set(index, hit);
      return hit;
    }
    if (index * CHUNK_BYTES >= this.base.size) return undefined;
    const chunk = this.loadFromBase(index);
    this.cache(index, chunk);
    return chunk;
  }

  /** A chunk buffer holding the base's bytes of chunk `index` (zeros past the base). */
  private loadFromBase(index: number): Uint8Array {
    const chunk = this.allocate();
    const start = index * CHUNK_BYTES;
    const fromBase = Math.max(0, Math.min(CHUNK_BYTES, this.base.size - start));
    if (fromBase > 0) this.base.read(chunk, 0, fromBase, start);
    chunk.fill(0, fromBase);
    return chunk;
  }

  private cache(index: number, chunk: Uint8Array): void {
    this.cached.set(index, chunk);
    const limit = this.options.readCacheChunks ?? DEFAULT_READ_CACHE_CHUNKS;
    while (this.cached.size > limit) {
      const [oldest, bytes] = this.cached.entries().next().value as [number, Uint8Array];
      this.cached.delete(oldest);
      this.release(bytes);
    }
  }

  private writableChunk(index: number): Uint8Array {
    const chunk = this.chunks[index];
    if (chunk) {
      if (!this.frozen?.has(index)) return chunk;
      if (this.imageWritten && Atomics.load(this.imageWritten, 0) === 1) {
        // The snapshot has this chunk already and will not read it again. Copying chunks until the
        // image was written whole cost a 200 MB import ~7,300 new chunks (bench/import.mjs).
        this.frozen.delete(index); // changed: no longer the snapshot's bytes
        return chunk;
      }
      // The snapshot image holds this one and may still be reading it: write to a copy.
      const copy = this.allocate();
      copy.set(chunk);
      this.chunks[index] = copy;
      this.frozen.delete(index);
      return copy;
    }
    // A chunk read before and never written already holds the base's bytes.
    const loaded = this.cached.get(index) ?? this.loadFromBase(index);
    this.cached.delete(index);
    this.chunks[index] = loaded;
    return loaded;
  }

  /** Fills `target` with bytes `start…end`: written chunks, else the base, else zeros. */
  private copy(start: number, end: number, target: Uint8Array): Uint8Array {
    let at = start;
    while (at < end) {
      const index = Math.floor(at / CHUNK_BYTES);
      const offset = at - index * CHUNK_BYTES;
      const n = Math.min(CHUNK_BYTES - offset, end - at);
      const chunk = this.chunks[index];
      if (chunk) {
        target.set(chunk.subarray(offset, offset + n), at - start);
        at += n;
        continue;
      }
      // Not written since the base: read the run of consecutive unwritten chunks from the base in one go.
      let runEnd = at + n;
      while (runEnd < end && !this.chunks[Math.floor(runEnd / CHUNK_BYTES)])
        runEnd = Math.min(end, (Math.floor(runEnd / CHUNK_BYTES) + 1) * CHUNK_BYTES);
      const fromBase = Math.max(0, Math.min(runEnd, this.base.size) - at);
      if (fromBase > 0) this.base.read(target, at - start, fromBase, at);
      target.fill(0, at - start + fromBase, runEnd - start);
      at = runEnd;
    }
    return target;
  }
}
