/**
 * The shells whose quoting rules we know. `posix` covers sh, bash, zsh, dash, ksh; `fish` is fish;
 * `powershell` covers pwsh and Windows PowerShell; `cmd` is cmd.exe, which has no quoting that
 * keeps every value literal (`%VAR%` and `^` act inside its double quotes), so nothing is quoted for it.
 */
export type ShellDialect = 'posix' | 'fish' | 'powershell' | 'cmd';

/** A value that cannot be written safely for a shell. The message says what to do instead. */
export class ShellQuoteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShellQuoteError';
  }
}

/** PowerShell reads the typographic quotes U+2018..U+201B as single quotes, exactly like `'`. */
const POWERSHELL_SINGLE_QUOTES = /['\u2018\u2019\u201A\u201B]/g;

/**
 * Quotes a value so the shell passes it to the command as one literal argument, whatever it
 * contains (quotes, `$()`, backticks, newlines, globs, a trailing backslash).
 *
 * - POSIX: single quotes, where nothing is special; each embedded `'` becomes `'\''`.
 * - fish: single quotes, where `\\` and `\'` are the only escapes; so `\` and `'` are escaped
 *   (a POSIX-quoted value ending in `\` would leave a fish quote open, and the next value run).
 * - PowerShell: single quotes, each embedded single quote (`'` or a typographic one) doubled.
 * - cmd: refused with a {@link ShellQuoteError}.
 *
 * A NUL character cannot be part of an argument in any shell and is refused too.
 */
export function quoteForShell(value: string, dialect: ShellDialect = 'posix'): string {
  if (value.includes('\0')) {
    throw new ShellQuoteError('The value contains a NUL character, which no shell can pass as part of an argument.');
  }
  switch (dialect) {
    case 'posix':
      return `'${value.replace(/'/g, `'\\''`)}'`;
    case 'fish':
      return `'${value.replace(/[\\']/g, (char) => `\\${char}`)}'`;
    case 'powershell':
      return `'${value.replace(POWERSHELL_SINGLE_QUOTES, (quote) => quote + quote)}'`;
    case 'cmd':
      throw new ShellQuoteError(CMD_CANNOT_QUOTE);
  }
}

/** Why cmd.exe is refused, and what to do. */
export const CMD_CANNOT_QUOTE =
  'cmd.exe cannot be given a value safely (%VARIABLES% and ^ act even inside its quotes). ' +
  'Run the step in a POSIX shell (bash, Git Bash, WSL) or PowerShell: choose one as the terminal profile ' +
  '("terminal.integrated.defaultProfile.windows").';

const DIALECT_BY_SHELL: Readonly<Record<string, ShellDialect>> = {
  sh: 'posix',
  bash: 'posix',
  zsh: 'posix',
  dash: 'posix',
  ash: 'posix',
  ksh: 'posix',
  ksh93: 'posix',
  mksh: 'posix',
  pdksh: 'posix',
  yash: 'posix',
  gitbash: 'posix',
  'git-bash': 'posix',
  fish: 'fish',
  pwsh: 'powershell',
  'pwsh-preview': 'powershell',
  powershell: 'powershell',
  'windows powershell': 'powershell',
  cmd: 'cmd',
  'command prompt': 'cmd',
};

/**
 * The dialect of a shell, from its path (`/usr/bin/fish`, `C:\Windows\System32\cmd.exe`), its
 * name (`pwsh`, `-zsh` as a login shell) or VS Code's detected shell type (`bash`, `gitbash`).
 * `undefined` for a shell whose quoting is not known (csh, tcsh, nu, xonsh, elvish…): callers
 * then refuse to put values into its command lines.
 */
export function shellDialectOf(shell: string | undefined): ShellDialect | undefined {
  if (shell === undefined) {
    return undefined;
  }
  const name = shellName(shell);
  return Object.hasOwn(DIALECT_BY_SHELL, name) ? DIALECT_BY_SHELL[name] : undefined;
}

/**
 * The shell a command line is written for in a terminal: the one it was started with (`launched`:
 * its shell path, else the default profile's shell) when its quoting is known; VS Code's detected
 * shell type (`detected`) only when it is not. The detected type follows the terminal's foreground
 * program, read from its title every 200 ms: `node` just after the terminal was spawned, `sh` for
 * a while after a `#!/bin/sh` script ran, `python` in a REPL. Taken as the shell at the prompt, it
 * left the Claude command line unquotable (`node`: the step waited on an offer to switch shells
 * that nobody asked for) or quoted with literal newlines (`sh`: VS Code never reported the end,
 * microsoft/vscode#250764). A shell started by hand inside the terminal is not followed.
 */
export function shellToQuoteFor(launched: string | undefined, detected: string | undefined): string | undefined {
  if (launched !== undefined && launched.trim() !== '' && shellDialectOf(launched) !== undefined) return launched;
  if (shellDialectOf(detected) !== undefined) return detected;
  return launched !== undefined && launched.trim() !== '' ? launched : detected;
}

function shellName(shell: string): string {
  return (shell.trim().split(/[\\/]/).pop() ?? '')
    .toLowerCase()
    .replace(/^-/, '')
    .replace(/\.exe$/, '');
}

/** POSIX shells that read ANSI-C quoting (`$'a\nb'`); dash and plain sh do not. */
const ANSI_C_QUOTING = new Set(['bash', 'zsh', 'ksh', 'ksh93', 'mksh', 'gitbash', 'git-bash']);
const LINE_BREAK = /[\r\n]/;

/**
 * {@link quoteForShell} on one line: a value with line breaks is written with escapes instead of
 * literal newlines where the shell can read them (bash, zsh and ksh: `$'…'`; fish: `\n` between
 * quoted parts; PowerShell: a concatenation with "`n"). VS Code's shell integration may never report
 * the end of a command it was given with a newline in it (microsoft/vscode#250764, #324392), and a
 * step run in the terminal waits for that end. Other POSIX shells (dash, sh) get the plain quoting.
 * `shell` is the shell's path or name, as for {@link shellDialectOf}.
 */
export function quoteOnOneLine(value: string, dialect: ShellDialect, shell: string | undefined): string {
  if (!LINE_BREAK.test(value)) return quoteForShell(value, dialect);
  quoteForShell(value, dialect); // what it refuses (NUL, cmd), refused here too
  switch (dialect) {
    case 'posix':
      if (shell === undefined || !ANSI_C_QUOTING.has(shellName(shell))) return quoteForShell(value, dialect);
      // eslint-disable-next-line no-control-regex -- the control characters are what is escaped
      return `$'${value.replace(/[\\'\x00-\x1f\x7f]/g, ansiCEscape)}'`;
    case 'fish':
      return value
        .split(/(\r\n|\r|\n)/)
        .map((part) => (part === '\n' ? '\\n' : part === '\r' ? '\\r' : part === '\r\n' ? '\\r\\n' : quoteForShell(part, dialect)))
        .join('');
    case 'powershell':
      return `(${value
        .split(/(\r\n|\r|\n)/)
        .map((part) => (part === '\n' ? '"`n"' : part === '\r' ? '"`r"' : part === '\r\n' ? '"`r`n"' : quoteForShell(part, dialect)))
        .join(' + ')})`;
    case 'cmd':
      return quoteForShell(value, dialect);
  }
}

function ansiCEscape(char: string): string {
  switch (char) {
    case '\\':
      return '\\\\';
    case "'":
      return "\\'";
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
    default:
      return `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`;
  }
}

/**
 * Windows only: PowerShell gives a native program (claude, git, npm…) one command line rebuilt from
 * its arguments, and Windows PowerShell 5.1 (pwsh too, for `.cmd`/`.bat` programs such as npm's
 * `claude.cmd`) does not escape a `"` or a final `\` in it. Such a value then splits into several
 * arguments, or, through cmd.exe, runs a command. Returns why `value` is refused there, or undefined.
 */
export function windowsNativeArgumentProblem(value: string): string | undefined {
  if (value.includes('"')) {
    return 'On Windows, PowerShell does not pass a value containing " to a program intact (it can become several arguments, or a command through cmd.exe).';
  }
  if (value.endsWith('\\')) {
    return 'On Windows, PowerShell does not pass a value ending in \\ to a program intact (it escapes the closing quote).';
  }
  return undefined;
}
