import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { quoteForShell } from '../../../src/core/workflow/shellQuote';
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
