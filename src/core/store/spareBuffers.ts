/**
 * Large buffers handed from one use to the next instead of left for the garbage collector: a bulk
 * import fills hundreds of megabytes of them (journal records, transcript reads), which its peak
 * memory paid for until a collection. Weakly held, so a collection frees them when nothing is
 * written or read. Only a buffer of its own memory is kept (never a slice of Node's shared pool),
 * and once: whoever takes it is its only user until it is handed back.
 */
export class SpareBuffers {
  private readonly spares: WeakRef<Buffer>[] = [];

  constructor(
    /** Smaller requests get a buffer of their own, never kept. */
    private readonly minBytes: number,
    /** Buffers kept at most. */
    private readonly max: number,
  ) {}

  /** A buffer of at least `bytes`, its contents undefined; a new one has `allocateBytes` when that is more (room to be reused). */
  take(bytes: number, allocateBytes = bytes): Buffer {
    if (bytes < this.minBytes) return Buffer.allocUnsafe(bytes);
    for (let i = this.spares.length - 1; i >= 0; i--) {
      const buffer = this.spares[i]!.deref(); // i < length
      if (!buffer || buffer.length >= bytes) this.spares.splice(i, 1);
      if (buffer && buffer.length >= bytes) return buffer;
    }
    return Buffer.allocUnsafeSlow(Math.max(bytes, allocateBytes)); // its own memory, never a slice of the shared pool
  }

  /** Hands back a buffer (or a view from its start) no longer used, for a later {@link take}. */
  handBack(buffer: Buffer): void {
    const whole = buffer.buffer as ArrayBuffer;
    if (buffer.byteOffset !== 0 || whole.byteLength < this.minBytes || this.spares.length >= this.max) return;
    if (this.spares.some((ref) => ref.deref()?.buffer === whole)) return; // handed back twice: still one user at a time
    this.spares.push(new WeakRef(Buffer.from(whole, 0, whole.byteLength)));
  }
}
