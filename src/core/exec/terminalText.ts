/**
 * Terminal output as a person reads it: without ANSI colour codes, cursor movement, OSC
 * sequences (titles, hyperlinks, VS Code's shell-integration marks) or carriage-return
 * overdraws, and with \r\n as \n.
 */
export function terminalTextToPlain(raw: string): string {
  /* eslint-disable no-control-regex -- these patterns exist to match terminal control characters */
  const withoutEscapes = raw
    // OSC: ESC ] … terminated by BEL or ESC \
    .replace(/\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g, '')
    // CSI: ESC [ params intermediates final
    .replace(/\u001b\[[0-?]*[ -/]*[@-~]/g, '')
    // Other two-character escapes (ESC =, ESC >, charset selection…)
    .replace(/\u001b[()][0-9A-Za-z]|\u001b[@-Z\\-_=>]/g, '');
  /* eslint-enable no-control-regex */
  return withoutEscapes
    .replace(/\r+\n/g, '\n')
    .split('\n')
    .map((line) => {
      // A lone \r returns the cursor: the text after the last one is what stays visible.
      const i = line.lastIndexOf('\r');
      return i >= 0 ? line.slice(i + 1) : line;
    })
    .join('\n');
}
