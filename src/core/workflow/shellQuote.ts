/** The shells whose quoting rules we know. `posix` covers sh, bash, zsh; `powershell` covers pwsh. */
export type ShellDialect = 'posix' | 'powershell';

/**
 * Quotes a value so the shell passes it to the command as one literal argument, whatever it
 * contains (quotes, `$()`, backticks, newlines, globs). POSIX: single quotes, where nothing is
 * special, and each embedded `'` becomes `'\''`. PowerShell: single quotes, embedded `'` doubled
 * (PowerShell also treats the typographic quotes U+2018..U+201B as single quotes).
 */
export function quoteForShell(value: string, dialect: ShellDialect = 'posix'): string {
  if (dialect === 'powershell') {
    return `'${value.replace(/['\u2018\u2019\u201A\u201B]/g, (quote) => quote + quote)}'`;
  }
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
