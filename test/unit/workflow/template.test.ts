import { strict as assert } from 'node:assert';
import {
  findMalformedPlaceholder,
  findPlaceholders,
  findPlaceholdersInsideShellQuotes,
  renderTemplate,
} from '../../../src/core/workflow/template';

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
    const inside = findPlaceholdersInsideShellQuotes(
      `echo {{a}} "x {{b}}" 'y {{c}}' \`z {{d}}\` \\"{{e}} "esc \\" {{f}}"`,
    ).map((p) => p.path);
    assert.deepEqual(inside, ['b', 'c', 'd', 'f']);
  });
});
