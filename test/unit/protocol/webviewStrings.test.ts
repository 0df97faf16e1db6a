import { strict as assert } from 'node:assert';
import { ValidationError } from '../../../src/core/model/validation';
import { formatMessage } from '../../../src/protocol/formatMessage';
import { parseHostMessage } from '../../../src/protocol/timelineMessages';
import { parseUsageHostMessage } from '../../../src/protocol/usageMessages';
import { TIMELINE_STRINGS, USAGE_STRINGS } from '../../../src/protocol/webviewStrings';

/** A table as the extension sends it in English: each key translated to itself. */
const english = (keys: readonly string[]) => Object.fromEntries(keys.map((k) => [k, k]));

function rejects(parse: () => unknown, field: RegExp): void {
  assert.throws(parse, (error: unknown) => {
    assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${String(error)}`);
    assert.match(error.message, field);
    return true;
  });
}

describe("the webviews' strings (the init message)", () => {
  it('has no key twice, and every key is a non-empty message', () => {
    for (const keys of [TIMELINE_STRINGS, USAGE_STRINGS] as readonly (readonly string[])[]) {
      assert.equal(new Set(keys).size, keys.length, `duplicates: ${keys.filter((k, i) => keys.indexOf(k) !== i).join(', ')}`);
      assert.ok(keys.every((k) => k.trim().length > 0));
    }
  });

  it('accepts the timeline table with every key, translated', () => {
    const strings = { ...english(TIMELINE_STRINGS), 'Load more events': 'Weitere Ereignisse laden' };
    const parsed = parseHostMessage({ type: 'init', strings });
    assert.ok(parsed.type === 'init');
    assert.equal(parsed.strings['Load more events'], 'Weitere Ereignisse laden');
    assert.equal(parsed.strings['No steps match the filters.'], 'No steps match the filters.');
  });

  it('refuses a timeline table with a key missing, an unknown key or a value that is not text', () => {
    const { Artifacts: _missing, ...withoutOne } = english(TIMELINE_STRINGS);
    rejects(() => parseHostMessage({ type: 'init', strings: withoutOne }), /Artifacts/);
    rejects(() => parseHostMessage({ type: 'init', strings: { ...english(TIMELINE_STRINGS), Bogus: 'x' } }), /Bogus|unrecognized/i);
    rejects(() => parseHostMessage({ type: 'init', strings: { ...english(TIMELINE_STRINGS), Steps: 7 } }), /Steps/);
    rejects(() => parseHostMessage({ type: 'init' }), /strings/);
  });

  it('accepts the usage table with every key and refuses one with a key missing', () => {
    const parsed = parseUsageHostMessage({ type: 'init', strings: english(USAGE_STRINGS) });
    assert.ok(parsed.type === 'init');
    assert.equal(parsed.strings['Export CSV…'], 'Export CSV…');
    const { Refresh: _missing, ...withoutOne } = english(USAGE_STRINGS);
    rejects(() => parseUsageHostMessage({ type: 'init', strings: withoutOne }), /Refresh/);
  });

  it('fills {0}, {1}… as vscode.l10n.t does, and leaves a placeholder without its argument', () => {
    assert.equal(formatMessage('{0} of {1} steps', [3, 12]), '3 of 12 steps');
    assert.equal(formatMessage('Step {0}, {1}: {0}', [2, 'build']), 'Step 2, build: 2');
    assert.equal(formatMessage('{0} (inline)', []), '{0} (inline)');
    assert.equal(formatMessage('Copied {0} of {1}', ['a']), 'Copied a of {1}');
  });
});
