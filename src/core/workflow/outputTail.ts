/** The last `maxChars` characters of `text`, marked when something was cut (the end of a log matters most). */
export function tailOf(text: string, maxChars: number): string {
  if (text.length <= maxChars) {
    return text;
  }
  const dropped = text.length - maxChars;
  return `[… ${dropped} earlier characters omitted]\n${text.slice(dropped)}`;
}
