import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { quoteForShell, shellDialectOf, ShellQuoteError, windowsNativeArgumentProblem } from '../../../src/core/workflow/shellQuote';
import { renderTemplate } from '../../../src/core/workflow/template';

const HOSTILE_VALUES = [
  `it's "quoted"`,
  '$(touch /tmp/session-ledger-pwned)',
  '`touch /tmp/session-ledger-pwned`',
  'line one\nline two\n; rm -rf ~',
  "'; echo injected; '",
  '$HOME ${PATH} * ? [a-z] ~ \\ | & ; < > ( ) #',
  '',
  '-n',
];

function runInSh(command: string): string {
  return execFileSync('sh', ['-c', command], { encoding: 'utf8' });
}

describe('quoteForShell', () => {
  for (const value of HOSTILE_VALUES) {
    it(`passes ${JSON.stringify(value)} to sh as one literal argument`, () => {
      const printed = runInSh(`printf '%s|' ${quoteForShell(value)}`);
      assert.equal(printed, `${value}|`);
    });
  }

  it('keeps a value as one argument when interpolated through a template', () => {
    const template = 'printf "%s|" {{session.intention}} {{steps.lint.output}}';
    const values: Record<string, string> = {
      'session.intention': 'fix "it" $(whoami)',
      'steps.lint.output': 'a\nb `id`',
    };
    const command = renderTemplate(template, (path) => values[path], { quoteFor: 'posix' });
    assert.equal(runInSh(command), 'fix "it" $(whoami)|a\nb `id`|');
  });

  it('quotes for PowerShell by doubling single quotes', () => {
    assert.equal(quoteForShell(`it's $(x)`, 'powershell'), `'it''s $(x)'`);
    assert.equal(quoteForShell('a\u2019b', 'powershell'), `'a\u2019\u2019b'`);
  });
});

describe('shellDialectOf', () => {
  it('knows POSIX shells, fish, PowerShell and cmd by path, name or detected type', () => {
    const cases: [string | undefined, string | undefined][] = [
      ['/bin/bash', 'posix'],
      ['/usr/bin/zsh', 'posix'],
      ['-zsh', 'posix'],
      ['/bin/sh', 'posix'],
      ['dash', 'posix'],
      ['/bin/ksh93', 'posix'],
      ['C:\\Program Files\\Git\\bin\\bash.exe', 'posix'],
      ['gitbash', 'posix'],
      ['/opt/homebrew/bin/fish', 'fish'],
      ['pwsh', 'powershell'],
      ['C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', 'powershell'],
      ['C:\\Windows\\System32\\cmd.exe', 'cmd'],
      ['/bin/tcsh', undefined],
      ['nu', undefined],
      ['python', undefined],
      ['', undefined],
      [undefined, undefined],
      ['constructor', undefined],
    ];
    for (const [shell, dialect] of cases) assert.equal(shellDialectOf(shell), dialect, String(shell));
  });

  it("quotes for fish with only \\\\ and \\' escaped inside single quotes", () => {
    assert.equal(quoteForShell(`a\\`, 'fish'), `'a\\\\'`);
    assert.equal(quoteForShell(`it's $(x) \\n`, 'fish'), `'it\\'s $(x) \\\\n'`);
  });

  it('refuses cmd, and a NUL character for every shell', () => {
    assert.throws(() => quoteForShell('x', 'cmd'), /cmd\.exe cannot be given a value safely.*POSIX shell/);
    for (const dialect of ['posix', 'fish', 'powershell'] as const) assert.throws(() => quoteForShell('a\0', dialect), ShellQuoteError);
  });
});

describe('windowsNativeArgumentProblem', () => {
  it('refuses what Windows PowerShell would not pass to a program intact: a " or a final backslash', () => {
    assert.match(windowsNativeArgumentProblem('x" --dangerously-skip-permissions "y') ?? '', /containing "/);
    assert.match(windowsNativeArgumentProblem('C:\\dir\\') ?? '', /ending in \\/);
    assert.equal(windowsNativeArgumentProblem("it's fine: $(x) & %PATH%"), undefined);
  });
});
