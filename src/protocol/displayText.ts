/*
 * Text normalisation for what crosses into the timeline: terminal output arrives with colour
 * codes, cursor moves and progress-bar carriage returns, and may be huge.
 *
 * The one home of text tails (the end of an output matters most), one name per purpose:
 * - {@link tailCap}: the last characters, cut at a line boundary, with the count of what was cut (to show it apart);
 * - {@link tailOf}: the last characters after a marker saying how many came before (text passed on as is: prompts, exports);
 * - {@link tailLines}: the last lines, with the count of the lines before (the command line's `show`).
 * (Byte streams of running processes keep their tail in core/exec/outputTail.ts.)
 */

// CSI (ESC [ or 8-bit 0x9B) … final byte; OSC (ESC ]) … BEL or ST; DCS/SOS/PM/APC (ESC P X ^ _) … ST;
// and the remaining two-or-three byte escapes (charset selection `ESC ( B`, `ESC =`, `ESC 7`…).
const ANSI_PATTERN = new RegExp(
  [
    '(?:\\u001b\\[|\\u009b)[0-?]*[ -/]*[@-~]',
    '(?:\\u001b\\]|\\u009d)[^\\u0007\\u001b]*(?:\\u0007|\\u001b\\\\)?',
    '\\u001b[PX^_][^\\u001b]*(?:\\u001b\\\\)?',
    '\\u001b[ -/]*[0-~]',
  ].join('|'),
  'g',
);
// C0 controls except tab and newline, DEL and the remaining C1 controls.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_PATTERN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * Removes ANSI escape sequences and control characters. A carriage return inside a line is
 * resolved the way a terminal shows it at the end: only what follows the last one is kept
 * (progress bars collapse to their final state).
 */
export function stripAnsi(text: string): string {
  const withoutEscapes = text.replace(ANSI_PATTERN, '');
  const lines = withoutEscapes.replace(/\r+\n/g, '\n').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const cr = line.lastIndexOf('\r');
    if (cr >= 0) {
      lines[i] = line.slice(cr + 1);
    }
  }
  return lines.join('\n').replace(CONTROL_PATTERN, '');
}

/**
 * Keeps at most `maxChars` from the end of `text` (the end of a log matters most), starting at a
 * line boundary when one is near, never inside a surrogate pair. `omittedChars` is what was cut.
 */
export function tailCap(text: string, maxChars: number): { text: string; omittedChars: number } {
  if (text.length <= maxChars) {
    return { text, omittedChars: 0 };
  }
  let start = text.length - maxChars;
  const newline = text.indexOf('\n', start);
  if (newline >= 0 && newline - start < 1_000 && newline + 1 < text.length) {
    start = newline + 1;
  } else if (isLowSurrogate(text.charCodeAt(start))) {
    start += 1;
  }
  return { text: text.slice(start), omittedChars: start };
}

/**
 * The last `maxChars` characters of `text` (the end of a log matters most), after a marker saying
 * how many came before when something was cut: `mark` writes it from that count (by default
 * `[… N earlier characters omitted]` and a newline). For what is shown as is, {@link tailCap}
 * reports the cut instead of marking it.
 */
export function tailOf(text: string, maxChars: number, mark: (omittedChars: number) => string = omittedMark): string {
  if (text.length <= maxChars) {
    return text;
  }
  const omitted = text.length - maxChars;
  return `${mark(omitted)}${text.slice(omitted)}`;
}

const omittedMark = (omittedChars: number): string => `[… ${omittedChars} earlier characters omitted]\n`;

/** The last `maxLines` lines of `text` (trailing blank space ignored), and how many lines came before them. */
export function tailLines(text: string, maxLines: number): { lines: string[]; omittedLines: number } {
  const all = text.replace(/\s+$/, '').split(/\r?\n/);
  const omittedLines = Math.max(0, all.length - maxLines);
  return { lines: all.slice(omittedLines), omittedLines };
}

/** Cuts `text` to `maxChars` from the start, never inside a surrogate pair. */
export function headCap(text: string, maxChars: number): { text: string; truncated: boolean } {
  if (text.length <= maxChars) {
    return { text, truncated: false };
  }
  const end = isLowSurrogate(text.charCodeAt(maxChars)) ? maxChars - 1 : maxChars;
  return { text: text.slice(0, end), truncated: true };
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
