/*
 * What the shell template checker says about each placeholder, construct by construct: the
 * contexts it follows (quotes, substitutions, evaluated text, comments, here-documents, PowerShell's
 * here-strings and --%), the places where it loses the thread and refuses everything after, and the
 * exact message a user reads for each refusal.
 */
import { strict as assert } from 'node:assert';
import type { ShellDialect } from '../../../src/core/workflow/shellQuote';
import { analyseShellTemplate } from '../../../src/core/workflow/shellTemplateAnalysis';
import { renderTemplate, TemplateError } from '../../../src/core/workflow/template';

/** One line per placeholder, in order: `a: argument`, `x: heredoc 0 EOF`, or the refusal message. */
function verdicts(template: string, dialect: ShellDialect = 'posix'): string[] {
  const analysis = analyseShellTemplate(template, dialect);
  return [
    ...analysis.placeholders.map((p) => ({
      start: p.start,
      text: `${p.path}: ${p.context}${p.heredoc ? ` ${p.heredoc.ordinal} ${p.heredoc.delimiter}` : ''}`,
    })),
    ...analysis.problems.map((problem) => ({ start: problem.placeholder.start, text: problem.message })),
  ]
    .sort((a, b) => a.start - b.start)
    .map((verdict) => verdict.text);
}

const QUOTES = 'is inside quotes; values are shell-quoted automatically, so remove the quotes around it';
const COMMENT =
  'is inside a comment, where a value with a line break would end the comment and run its next line; move it out of the comment';
const evaluated = (what: string): string =>
  `is inside ${what}, where the shell evaluates text instead of reading a quoted value as one word; pass it in an argument or a variable instead`;
const lost = (what: string, index: number): string =>
  `comes after ${what} (character ${index}), which shells read differently, so its quoting cannot be proven; move the value before it or into an argument`;

describe('shell template analysis', () => {
  it("loses the thread at $'…' and at case inside $(…), refusing every placeholder after", () => {
    assert.deepEqual(verdicts("echo {{a}} $'x' {{b}}"), ['a: argument', `{{b}} ${lost("$'…'", 11)}`]);
    assert.deepEqual(verdicts('echo $(case $x in a) echo;; esac) {{a}}'), [`{{a}} ${lost('case inside $(…)', 7)}`]);
    assert.deepEqual(verdicts('case $x in a) echo {{a}};; esac'), ['a: argument']);
  });

  it('judges a placeholder right after an escape itself (the escape does not swallow it), in every context', () => {
    const escaped = (name: string): string => `follows a ${name}, which would escape the quote its value is put in; remove the ${name}`;
    assert.deepEqual(verdicts('echo \\{{a}} "\\{{b}}" `\\{{c}}` {{d}}'), [
      `{{a}} ${escaped('backslash')}`,
      `{{b}} ${escaped('backslash')}`,
      `{{c}} ${escaped('backslash')}`,
      'd: argument',
    ]);
    assert.deepEqual(verdicts('echo `{{a}} "`{{b}}" ${`{{c}}} {{d}}', 'powershell'), [
      `{{a}} ${escaped('backtick')}`,
      `{{b}} ${escaped('backtick')}`,
      `{{c}} ${escaped('backtick')}`,
      'd: argument',
    ]);
  });

  it('follows $(…) through nested parentheses and quotes, judging by the outermost quoting', () => {
    assert.deepEqual(verdicts('echo "$(echo {{a}})" {{b}}'), [`{{a}} ${QUOTES}`, 'b: argument']);
    assert.deepEqual(verdicts('echo $( (cd x; ls) ) {{a}} "{{b}}"'), ['a: argument', `{{b}} ${QUOTES}`]);
    assert.deepEqual(verdicts('echo $({{a}}) $(({{b}})) $(echo ")" {{c}})'), [
      'a: argument',
      `{{b}} ${evaluated('$((…))')}`,
      'c: argument',
    ]);
    assert.deepEqual(verdicts('echo "`{{a}}`" "\\`{{b}}" {{c}}'), [`{{a}} ${QUOTES}`, `{{b}} ${QUOTES}`, 'c: argument']);
  });

  it('finds the end of arithmetic, [[…]] and ${…}, nested brackets included', () => {
    assert.deepEqual(verdicts('echo $(( (1 + 2) )) {{a}}'), ['a: argument']);
    assert.deepEqual(verdicts('(( x > 1 )) && echo {{a}}; (( {{b}} ))'), ['a: argument', `{{b}} ${evaluated('((…))')}`]);
    // `]]y` is not the end of [[…]]: the shell needs a word break after it.
    assert.deepEqual(verdicts('[[ a == b ]] && echo {{a}}; [[ x ]]y {{b}} ]]'), ['a: argument', `{{b}} ${evaluated('[[…]]')}`]);
    assert.deepEqual(verdicts('echo ${x:-{a}} {{b}} ${ {{c}} }'), ['b: argument', `{{c}} ${evaluated('${…}')}`]);
  });

  it('refuses placeholders in a here-document delimiter, across its end, or split over lines', () => {
    assert.deepEqual(verdicts('cat <<{{a}}\nx\n{{a}}\necho {{b}}'), [
      '{{a}} is in a here-document delimiter; write the delimiter literally',
      '{{a}} crosses the end of a here-document; keep it on its own lines inside the body',
      'b: argument',
    ]);
    assert.deepEqual(verdicts("cat <<'}}'\n{{ a\n}}\necho {{b}}"), [
      '{{a}} crosses the end of a here-document; keep it on its own lines inside the body',
      'b: argument',
    ]);
    assert.deepEqual(verdicts('cat <<\\{{a}}\nx'), ['{{a}} could not be read by the template checker; move it elsewhere in the command']);
    assert.deepEqual(verdicts('echo {{\na}} {{b}}'), ['{{a}} spans a line break; write it on one line', 'b: argument']);
  });

  it('reads several here-documents of one line in order, an unterminated one to the end, and <<< as no here-document', () => {
    const template = 'cat <<\'A\' <<"B"\n{{x}}\nA\n{{y}}\nB\necho {{z}}';
    assert.deepEqual(verdicts(template), ['x: heredoc 0 A', 'y: heredoc 1 B', 'z: argument']);
    assert.deepEqual(
      analyseShellTemplate(template).heredocs.map(({ ordinal, delimiter, quoted, start, end }) => [ordinal, delimiter, quoted, start, end]),
      [
        [0, 'A', true, 16, 22],
        [1, 'B', true, 24, 30],
      ],
    );
    assert.deepEqual(verdicts("cat <<'EOF'\n{{a}}"), ['a: heredoc 0 EOF']);
    assert.deepEqual(verdicts("cat <<'EOF' # note\n{{a}}\nEOF"), ['a: heredoc 0 EOF']);
    assert.deepEqual(verdicts('cat <<< {{a}}'), ['a: argument']);
  });

  it('refuses a value that would end its own here-document, and only its own', () => {
    const template = 'cat <<\'A\' <<"B"\n{{x}}\nA\n{{y}}\nB';
    const fill = (x: string, y: string): string => renderTemplate(template, (path) => (path === 'x' ? x : y), { quoteFor: 'posix' });
    assert.equal(fill('B', 'A'), 'cat <<\'A\' <<"B"\nB\nA\nA\nB');
    assert.throws(() => fill('A', 'y'), /the value of \{\{x\}\} contains the line "A"/);
    assert.throws(() => fill('x', 'B'), TemplateError);
  });

  it('follows PowerShell: @, here-strings, block comments, ${name}, typographic quotes and --%', () => {
    assert.deepEqual(verdicts('echo @{{x}} {{y}}', 'powershell'), [
      "{{x}} follows @, which would change how the shell reads its quoted value ($'…' makes backslashes escapes); separate them",
      'y: argument',
    ]);
    assert.deepEqual(verdicts("$s = @'\n{{x}}\n'@\necho {{y}}", 'powershell'), [
      '{{x}} is inside a PowerShell here-string, which a value could end; pass the value as an argument instead',
      'y: argument',
    ]);
    assert.deepEqual(verdicts('echo <# {{x}} #> {{y}}', 'powershell'), [`{{x}} ${COMMENT}`, 'y: argument']);
    assert.deepEqual(verdicts('echo ${a b} {{x}} ${ {{y}} }', 'powershell'), ['x: argument', `{{y}} ${evaluated('${…}')}`]);
    assert.deepEqual(verdicts('echo \u201c{{x}}\u201d {{y}} "a`" {{z}}"', 'powershell'), [
      `{{x}} ${QUOTES}`,
      'y: argument',
      `{{z}} ${QUOTES}`,
    ]);
    assert.deepEqual(verdicts('echo --% x\necho {{y}}', 'powershell'), ['y: argument']);
  });

  it('in fish and PowerShell, loses the thread at a comment with quotes in it and at a here-document', () => {
    assert.deepEqual(verdicts("echo {{a}} # it's\necho {{b}}", 'fish'), [
      'a: argument',
      `{{b}} ${lost('a comment with quotes or brackets in it', 11)}`,
    ]);
    assert.deepEqual(verdicts('echo {{a}} # plain\necho {{b}}', 'fish'), ['a: argument', 'b: argument']);
    assert.deepEqual(verdicts("echo {{a}} # it's\necho {{b}}", 'posix'), ['a: argument', 'b: argument']);
    assert.deepEqual(verdicts("cat <<'EOF'\n{{x}}\nEOF", 'fish'), [
      `{{x}} ${lost('a here-document (<<), which only POSIX shells have', 4)}`,
    ]);
    // fish has no backtick substitution, and `\'` stays inside its single quotes.
    assert.deepEqual(verdicts('echo `{{a}}` {{b}}', 'fish'), ['a: argument', 'b: argument']);
    assert.deepEqual(verdicts("echo 'it\\'s {{a}}' {{b}}", 'fish'), [`{{a}} ${QUOTES}`, 'b: argument']);
  });
});
