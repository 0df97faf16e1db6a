/** POSIX here-documents (`<<EOF` … `EOF`) as the shell template scanner reads them. */
import type { TemplatePlaceholder } from './templatePlaceholders';

export interface HeredocBody {
  readonly ordinal: number;
  readonly delimiter: string;
  readonly quoted: boolean;
  /** The body's text range (without the delimiter line). */
  readonly start: number;
  readonly end: number;
}

/** A `<<[-] word` read on a line; its body starts after the line. */
export interface HeredocOperator {
  readonly delimiter: string;
  /** Any part of the word quoted or escaped: the shell then expands nothing in the body. */
  readonly quoted: boolean;
  /** `<<-`: tabs before the delimiter line are ignored. */
  readonly stripTabs: boolean;
  /** Where the word ends. */
  readonly end: number;
  /** The placeholders written in the word. */
  readonly placeholders: readonly TemplatePlaceholder[];
}

/** The characters that end a word in POSIX shells (`undefined`: the end of the text). */
export const WORD_BREAK: ReadonlySet<string | undefined> = new Set([undefined, ' ', '\t', '\n', '\r', ';', '&', '|', '(', ')', '<', '>']);

/**
 * Reads the operator whose `<<` ends just before `from`. A placeholder in the word is taken whole
 * (its text becomes part of the delimiter), except after a backslash, which escapes its first brace.
 */
export function readHeredocOperator(
  text: string,
  from: number,
  placeholders: readonly TemplatePlaceholder[],
  placeholderAt: ReadonlyMap<number, TemplatePlaceholder>,
): HeredocOperator {
  let at = from;
  const stripTabs = text[at] === '-';
  if (stripTabs) at++;
  while (text[at] === ' ' || text[at] === '\t') at++;
  let delimiter = '';
  let quoted = false;
  const inWord: TemplatePlaceholder[] = [];
  while (at < text.length && !WORD_BREAK.has(text[at])) {
    const placeholder = placeholderAt.get(at);
    const char = text.charAt(at);
    if (placeholder !== undefined) {
      inWord.push(placeholder);
      delimiter += text.slice(at, placeholder.end);
      at = placeholder.end;
    } else if (char === '\\') {
      quoted = true;
      delimiter += text[at + 1] ?? '';
      at += 2;
    } else if (char === "'" || char === '"') {
      quoted = true;
      const close = text.indexOf(char, at + 1);
      const end = close === -1 ? text.length : close;
      inWord.push(...placeholders.filter((inner) => inner.start > at && inner.start < end));
      delimiter += text.slice(at + 1, end);
      at = end + 1;
    } else {
      delimiter += char;
      at++;
    }
  }
  return { delimiter, quoted, stripTabs, end: at, placeholders: inWord };
}

/**
 * Where the delimiter line of a body starting at `from` starts (`end`: the body's end) and where
 * the text after it starts (`next`); both the text's end when the body is never closed.
 */
export function findHeredocEnd(text: string, from: number, operator: HeredocOperator): { end: number; next: number } {
  for (let at = from; at < text.length;) {
    const newline = text.indexOf('\n', at);
    const after = newline === -1 ? text.length : newline + 1;
    const line = text.slice(at, newline === -1 ? text.length : newline);
    if ((operator.stripTabs ? line.replace(/^\t+/, '') : line) === operator.delimiter) return { end: at, next: after };
    at = after;
  }
  return { end: text.length, next: text.length };
}
