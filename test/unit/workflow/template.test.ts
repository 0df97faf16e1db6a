import { strict as assert } from 'node:assert';
import { analyseShellTemplate, findUnsafeShellPlaceholders } from '../../../src/core/workflow/shellTemplateAnalysis';
import { renderTemplate, TemplateError } from '../../../src/core/workflow/template';
import { findMalformedPlaceholder, findPlaceholders } from '../../../src/core/workflow/templatePlaceholders';

describe('templates', () => {
  it('finds placeholders with optional inner spaces', () => {
    assert.deepEqual(
      findPlaceholders('a {{session.intention}} b {{ steps.run-tests.exitCode }}').map((p) => p.path),
      ['session.intention', 'steps.run-tests.exitCode'],
    );
  });

  it('renders values verbatim when no shell quoting is asked for', () => {
    const rendered = renderTemplate('Fix:\n{{steps.test.output}}', () => `it's "broken"`);
    assert.equal(rendered, `Fix:\nit's "broken"`);
  });

  it('does not re-expand placeholders that appear inside values', () => {
    const rendered = renderTemplate('{{a}}', (path) => (path === 'a' ? '{{b}}' : 'SHOULD NOT APPEAR'));
    assert.equal(rendered, '{{b}}');
  });

  it('reports a malformed placeholder position', () => {
    assert.equal(findMalformedPlaceholder('ok {{session.intention}} then {{ bad path }}'), 30);
    assert.equal(findMalformedPlaceholder('ok {{session.intention}}'), undefined);
  });

  it('finds placeholders inside single quotes, double quotes and backticks, but not outside', () => {
    const inside = findUnsafeShellPlaceholders(`echo {{a}} "x {{b}}" 'y {{c}}' \`z {{d}}\` \\"{{e}} "esc \\" {{f}}"`).map(
      (problem) => problem.placeholder.path,
    );
    assert.deepEqual(inside, ['b', 'c', 'd', 'f']);
  });

  it('judges every placeholder after a backslash-escaped one (the scanner always moves on)', () => {
    const refused = findUnsafeShellPlaceholders(`echo \\{{a}} '{{b}}' {{c}} "{{d}}"`).map((problem) => problem.placeholder.path);
    assert.deepEqual(refused, ['a', 'b', 'd']);
  });

  it('tells here-document bodies apart: unquoted delimiter refused, quoted one filled verbatim', () => {
    const quoted = analyseShellTemplate("cat <<-'END' > notes.md\n\t{{a}}\nEND\necho {{b}}");
    assert.deepEqual(quoted.problems, []);
    assert.deepEqual(
      quoted.placeholders.map((p) => [p.path, p.context]),
      [
        ['a', 'heredoc'],
        ['b', 'argument'],
      ],
    );
    for (const template of ['cat <<EOF\n{{a}}\nEOF', 'cat <<"E"F\n{{a}}\nEF', 'cat << E\\OF\n{{a}}\nEOF']) {
      const unquoted = template.includes('<<EOF');
      assert.equal(findUnsafeShellPlaceholders(template).length, unquoted ? 1 : 0, template);
    }
    assert.equal(
      renderTemplate("cat <<'EOF'\n{{a}}\nEOF", () => "it's $(x)", { quoteFor: 'posix' }),
      "cat <<'EOF'\nit's $(x)\nEOF",
    );
    assert.throws(() => renderTemplate("cat <<-'EOF'\n{{a}}\nEOF", () => 'x\n\t\tEOF\nrm -rf ~', { quoteFor: 'posix' }), TemplateError);
  });

  it('does not take a word that merely contains # for a comment, nor an escaped space before #', () => {
    assert.deepEqual(findUnsafeShellPlaceholders('echo a#b {{a}}'), []);
    assert.equal(findUnsafeShellPlaceholders("echo \\ #'\n{{a}}\n'").length, 1);
  });
});
