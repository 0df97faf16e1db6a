/*
 * Issue 12, item 7: shell templates that cannot execute a value. Hostile values go through the
 * real shells (sh, bash, fish; pwsh when installed) and must arrive as one literal argument, with
 * no command of theirs run. fish is not on every machine: `apt-get install -y fish` (CI installs
 * it); without it the fish cases are skipped with a message saying so.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Session } from '../../src/core/model/session';
import type { WorkflowDefinition } from '../../src/core/model/workflow';
import { quoteForShell, ShellQuoteError, type ShellDialect } from '../../src/core/workflow/shellQuote';
import { DEFAULT_WORKFLOW_SETTINGS, type CommandSpec, type StepContext } from '../../src/core/workflow/StepBehaviour';
import { renderTemplate, shellCommandFor, TemplateError } from '../../src/core/workflow/template';
import { UserWorkflowSessionType } from '../../src/core/workflow/UserWorkflowSessionType';
import { validateWorkflow, formatFieldPath } from '../../src/core/workflow/validateWorkflow';
import { claudeCommandLine } from '../../src/vscode/claudeCliOptions';

/** Values an attacker would put into a step's output or a session's options. */
const HOSTILE = [
  'a\\',
  "'; touch PWNED; #",
  '$(touch PWNED)',
  '`touch PWNED`',
  'line one\nline two\n; touch PWNED',
  "x\\'; touch PWNED; #",
  "\\\\'\\",
  '"; touch PWNED; echo "',
  '\u2019; touch PWNED; #\u2018',
  '%PATH% ^& touch PWNED',
  '$HOME ${PATH} * ? [a-z] ~ | & ; < > ( ) # {a,b}',
  '',
  '-n',
];

function has(shell: string): boolean {
  return spawnSync(shell, ['-c', 'exit 0'], { stdio: 'ignore' }).status === 0;
}

const SHELLS: { shell: string; dialect: ShellDialect }[] = [
  { shell: 'sh', dialect: 'posix' },
  { shell: 'bash', dialect: 'posix' },
  { shell: 'fish', dialect: 'fish' },
  { shell: 'pwsh', dialect: 'powershell' },
];

/** Runs `command` with `shell -c` in an empty directory; returns stdout and the files the command left. */
function runIn(shell: string, command: string): { stdout: string; files: string[] } {
  // The shell's own files (fish writes ~/.local/share/fish) go to a home beside the working directory.
  const home = mkdtempSync(join(tmpdir(), 'shell-template-'));
  const cwd = join(home, 'work');
  mkdirSync(cwd);
  try {
    const args = shell === 'pwsh' ? ['-NoProfile', '-NonInteractive', '-Command', command] : ['-c', command];
    const result = spawnSync(shell, args, {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, HOME: home, XDG_CONFIG_HOME: home, XDG_DATA_HOME: home },
    });
    return { stdout: result.stdout, files: readdirSync(cwd) };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** `printf '%s|' <v1> <v2>…` in the shell's own syntax. */
function printArgs(dialect: ShellDialect, quoted: string[]): string {
  return dialect === 'powershell'
    ? `foreach ($a in @(${quoted.join(', ')})) { [Console]::Out.Write($a + '|') }`
    : `printf '%s|' ${quoted.join(' ')}`;
}

describe('shell templates: hostile values through real shells', function () {
  for (const { shell, dialect } of SHELLS) {
    describe(`${shell} (${dialect})`, function () {
      before(function () {
        if (!has(shell)) {
          // CI installs fish (scripts/test.sh): there, a missing fish is a failure, not a skip.
          if (shell === 'fish' && process.env.CI)
            throw new Error('fish is not installed: scripts/test.sh installs it with apt-get install -y fish');
          console.warn(`      SKIPPED: ${shell} is not installed${shell === 'fish' ? ' (apt-get install -y fish)' : ''}`);
          this.skip();
        }
      });

      it('passes each hostile value as one literal argument, and runs nothing of it', function () {
        // All values in one command: a value that leaves a quote open would swallow or run its neighbour.
        const quoted = HOSTILE.map((value) => quoteForShell(value, dialect));
        const { stdout, files } = runIn(shell, printArgs(dialect, quoted));
        assert.deepEqual(files, [], `${shell} created files: a value ran`);
        assert.equal(stdout, HOSTILE.map((value) => `${value}|`).join(''));
      });

      it('keeps a value ending in a backslash from opening the next value (the fish attack)', function () {
        const { stdout, files } = runIn(
          shell,
          printArgs(dialect, [quoteForShell('a\\', dialect), quoteForShell('; touch PWNED; #', dialect)]),
        );
        assert.deepEqual(files, []);
        assert.equal(stdout, 'a\\|; touch PWNED; #|');
      });

      it('passes the Claude prompt and system prompt of a terminal step literally', function () {
        // The program is a stand-in for claude that prints its arguments.
        const printArgsScript = join(mkdtempSync(join(tmpdir(), 'fake-claude-')), 'claude');
        writeFileSync(printArgsScript, '#!/bin/sh\nprintf \'%s|\' "$@"\n', { mode: 0o755 });
        try {
          const line = claudeCommandLine(printArgsScript, 'id', false, '$(touch PWNED) a\\', "'; touch PWNED; #", dialect);
          const { stdout, files } = runIn(shell, line);
          assert.deepEqual(files, []);
          assert.equal(stdout, "--session-id|id|--append-system-prompt|'; touch PWNED; #|$(touch PWNED) a\\|");
        } finally {
          rmSync(dirname(printArgsScript), { recursive: true, force: true });
        }
      });

      it('quotes a workflow step for this shell from the template kept with the command', function () {
        const definition: WorkflowDefinition = {
          id: 'hostile',
          label: 'Hostile',
          steps: [
            {
              id: 'print',
              kind: 'shell',
              command: dialect === 'powershell' ? 'Write-Output {{options.a}} {{options.b}}' : "printf '%s|' {{options.a}} {{options.b}}",
            },
          ],
        };
        const type = new UserWorkflowSessionType(definition, 'hostile.json');
        const session = {
          id: 's',
          phase: 'print',
          state: { ...type.start({ a: 'a\\', b: '; touch PWNED; #' }).state },
        } as unknown as Session;
        const context = { settings: DEFAULT_WORKFLOW_SETTINGS, files: undefined } as unknown as StepContext;
        const spec = type.behaviourFor(session).getCommand(session, [], context) as CommandSpec;
        const line = shellCommandFor(spec.command, spec.metadata ?? {}, dialect);
        const { stdout, files } = runIn(shell, line);
        assert.deepEqual(files, []);
        assert.equal(stdout, dialect === 'powershell' ? 'a\\\n; touch PWNED; #\n' : 'a\\|; touch PWNED; #|');
      });
    });
  }

  it('shows why per-shell quoting matters: POSIX quoting run by fish executes the next value', function () {
    if (!has('fish')) {
      console.warn('      SKIPPED: fish is not installed (apt-get install -y fish)');
      this.skip();
    }
    const posix = [quoteForShell('a\\', 'posix'), quoteForShell('; touch PWNED; #', 'posix')];
    assert.deepEqual(runIn('fish', printArgs('posix', posix)).files, ['PWNED']);
  });
});

describe('shell templates: every template the checker accepts is harmless in the real shell', function () {
  // Each fragment alone, then followed by a plain placeholder (a fragment that leaves the checker
  // out of step with the shell would show there). With the old checker and POSIX-only quoting,
  // values ran from the here-document, backslash, $, comment, nested-quote and fish cases.
  const FRAGMENTS = [
    'echo {{v}}',
    'echo "{{v}}"',
    "echo '{{v}}'",
    'cat <<EOF\n{{v}}\nEOF',
    "cat <<'EOF'\n{{v}}\nEOF",
    "cat <<-'EOF'\n\t{{v}}\n\tEOF",
    'echo \\{{v}}',
    'echo ${{v}}',
    'true # {{v}}',
    'echo $(echo {{v}})',
    'echo "$(echo {{v}})"',
    'echo "$(echo "{{v}}")"',
    '[[ -n {{v}} ]]',
    'echo `echo {{v}}`',
    'printf %s {{v}}{{v}}',
    'echo a#{{v}}',
    'echo \\ #{{v}}',
    "echo 'a\\' {{v}} '",
    'echo $(( {{v}} ))',
    'x={{v}}',
    'echo ${x:-{{v}}}',
    "echo $'a\\' {{v}} '",
  ];
  const VALUES = [
    '$(touch P1)',
    '`touch P2`',
    "'; touch P3; '",
    '"; touch P4; "',
    'a\\',
    '\nEOF\ntouch P5\n',
    "\\'; touch P6; #",
    '\nEOF\n\ttouch P7\n',
    '\ntouch P8\n',
  ];

  for (const { shell, dialect } of SHELLS.filter((candidate) => candidate.dialect !== 'powershell')) {
    it(`${shell}: no accepted template runs any of the hostile values`, function () {
      if (!has(shell)) {
        console.warn(`      SKIPPED: ${shell} is not installed${shell === 'fish' ? ' (apt-get install -y fish)' : ''}`);
        this.skip();
      }
      const ran: string[] = [];
      let accepted = 0;
      for (const fragment of FRAGMENTS) {
        for (const template of [fragment, `${fragment}\necho {{v}}`]) {
          for (let first = 0; first < VALUES.length; first += 2) {
            let next = first;
            let line: string;
            try {
              line = renderTemplate(template, () => VALUES[next++ % VALUES.length], { quoteFor: dialect });
            } catch (error) {
              assert.ok(error instanceof TemplateError, String(error));
              continue;
            }
            accepted++;
            if (runIn(shell, line).files.length > 0) ran.push(`${JSON.stringify(template)} with value ${first}`);
          }
        }
      }
      assert.ok(accepted > 20, `only ${accepted} templates accepted: the checker refuses too much to be tested`);
      assert.deepEqual(ran, []);
    });
  }
});

describe('shell templates: here-documents and backslashes', () => {
  function issues(command: string): string[] {
    const result = validateWorkflow({ id: 'w', label: 'W', steps: [{ id: 'a', kind: 'shell', command }] });
    return result.ok ? [] : result.issues.map((issue) => `${formatFieldPath(issue.path)}: ${issue.message}`);
  }

  it('refuses a placeholder in the body of a here-document whose delimiter is not quoted', () => {
    const found = issues('cat <<EOF\n{{session.intention}}\nEOF');
    assert.equal(found.length, 1);
    assert.match(
      found[0],
      /^steps\[0\]\.command: \{\{session\.intention\}\} is in a here-document whose delimiter is not quoted.*<<'EOF'.*argument/,
    );
  });

  it('fills a quoted here-document verbatim, and refuses a value holding the delimiter line', () => {
    const template = "cat <<'EOF'\n{{session.intention}}\nEOF\nprintf '%s|' {{session.title}}";
    assert.deepEqual(issues(template), []);
    const value = 'x $(touch PWNED) `touch PWNED` \\';
    const line = renderTemplate(template, (path) => (path === 'session.title' ? 'a\\' : value), { quoteFor: 'posix' });
    const { stdout, files } = runIn('sh', line);
    assert.deepEqual(files, []);
    assert.equal(stdout, `${value}\na\\|`);
    assert.throws(
      () => renderTemplate(template, () => 'x\nEOF\ntouch PWNED', { quoteFor: 'posix' }),
      (error: unknown) =>
        error instanceof TemplateError && /contains the line "EOF", which would end its here-document/.test(error.message),
    );
  });

  it('refuses a placeholder after a backslash, and still checks every placeholder after it', () => {
    assert.deepEqual(issues('echo \\{{session.title}} "{{session.intention}}" `{{session.id}}`'), [
      'steps[0].command: {{session.title}} follows a backslash, which would escape the quote its value is put in; remove the backslash',
      'steps[0].command: {{session.intention}} is inside quotes; values are shell-quoted automatically, so remove the quotes around it',
      'steps[0].command: {{session.id}} is inside backticks, where a quoted value is read a second time; use $(…) instead of backticks',
    ]);
  });

  it('refuses placeholders in comments, after $, and where the shell evaluates text', () => {
    for (const command of [
      'true # {{session.title}}',
      'echo ${{session.title}}',
      '[[ $x -eq {{session.title}} ]]',
      'echo $(( {{session.title}} + 1 ))',
      'echo ${x:-{{session.title}}}',
      'echo "$(echo "{{session.title}}")"',
    ]) {
      assert.equal(issues(command).length, 1, command);
    }
    assert.deepEqual(issues('echo {{session.title}} $(printf %s {{session.id}}) > out.txt'), []);
  });

  it('refuses cmd and shells whose quoting is unknown, and a NUL in any value', () => {
    assert.throws(() => quoteForShell('x', 'cmd'), ShellQuoteError);
    const metadata = { shellTemplate: { template: 'echo {{session.title}}', values: { 'session.title': 'x' } } };
    assert.throws(
      () => shellCommandFor("echo 'x'", metadata, 'cmd'),
      (error: unknown) => error instanceof TemplateError && /POSIX shell/.test(error.message),
    );
    assert.throws(() => shellCommandFor("echo 'x'", metadata, undefined), TemplateError);
    assert.equal(shellCommandFor('npm test', {}, 'cmd'), 'npm test');
    assert.throws(() => quoteForShell('a\0b', 'posix'), ShellQuoteError);
  });

  it('checks fish and PowerShell templates with their own quoting rules', () => {
    const refused = (template: string, dialect: ShellDialect): boolean => {
      try {
        renderTemplate(template, () => 'v', { quoteFor: dialect });
        return false;
      } catch (error) {
        assert.ok(error instanceof TemplateError);
        return true;
      }
    };
    // In fish `\'` does not end a single-quoted string: the placeholder is inside it.
    assert.equal(refused("echo 'a\\' {{x}} '", 'fish'), true);
    assert.equal(refused("echo 'a\\' {{x}} '", 'posix'), false);
    // PowerShell: the backtick escapes, and typographic quotes are quotes.
    assert.equal(refused('echo `{{x}}', 'powershell'), true);
    assert.equal(refused('echo \u2018a {{x}} \u2019', 'powershell'), true);
    assert.equal(refused('echo {{x}} --% {{y}}', 'powershell'), true);
    assert.equal(refused("cat <<'EOF'\n{{x}}\nEOF", 'fish'), true);
    assert.equal(existsSync('PWNED'), false);
  });
});
