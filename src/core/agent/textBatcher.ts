/**
 * Collects streamed text deltas and hands them on in batches: when `maxChars` have gathered or
 * `intervalMs` after the first unsent delta, whichever comes first. `flush()` sends the rest.
 */
export class TextBatcher {
  private pending = '';
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly send: (text: string) => void,
    private readonly intervalMs = 100,
    private readonly maxChars = 400,
  ) {}

  append(text: string): void {
    if (!text) return;
    this.pending += text;
    if (this.pending.length >= this.maxChars) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.pending) return;
    const text = this.pending;
    this.pending = '';
    this.send(text);
  }
}
