/** Turns a stream of text chunks into whole lines (without the newline). Call `end()` for the last, unterminated line. */
export class LineSplitter {
  private partial = '';

  constructor(private readonly onLine: (line: string) => void) {}

  push(text: string): void {
    const pieces = (this.partial + text).split('\n');
    this.partial = pieces.pop() ?? '';
    for (const line of pieces) this.onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
  }

  end(): void {
    if (this.partial) this.onLine(this.partial);
    this.partial = '';
  }
}
