import { strict as assert } from 'node:assert';
import { describeError } from '../../../src/protocol/describeError';
import { tailOf } from '../../../src/protocol/displayText';
import {
  formatCount,
  formatDuration,
  formatTokenBreakdown,
  formatUsd,
  formatUsdPrecise,
  sessionStatusIcon,
  totalTokens,
} from '../../../src/protocol/presentation';
import { SessionStatusSchema } from '../../../src/protocol/sharedModel';
import { formatUsd as formatCliUsd } from '../../../src/cli/format';

describe('helpers shared by the core, the CLI, the extension and the webviews', () => {
  describe('tailOf', () => {
    it('keeps text within the limit whole, unmarked', () => {
      assert.equal(tailOf('abc', 3), 'abc');
      assert.equal(tailOf('', 0), '');
    });

    it('keeps the last characters after a marker counting the ones cut', () => {
      assert.equal(tailOf('0123456789', 4), '[… 6 earlier characters omitted]\n6789');
    });

    it("writes the caller's marker", () => {
      assert.equal(
        tailOf('0123456789', 3, (n) => `<${n} cut>`),
        '<7 cut>789',
      );
    });
  });

  describe('describeError', () => {
    it("gives an Error's message, or its stack for a log", () => {
      const error = new Error('disk full');
      assert.equal(describeError(error), 'disk full');
      assert.equal(describeError(error, true), error.stack);
    });

    it('gives anything else thrown as text', () => {
      assert.equal(describeError('plain string'), 'plain string');
      assert.equal(describeError(42), '42');
      assert.equal(describeError(undefined), 'undefined');
    });
  });

  describe('formatting of costs, counts and durations', () => {
    it('shows a cost at a glance, and precisely where a fraction of a cent matters', () => {
      assert.deepEqual([0, 0.004, 0.01, 1.234, 12].map(formatUsd), ['$0', '<$0.01', '$0.01', '$1.23', '$12.00']);
      assert.deepEqual([0, 0.00042, 1.23456].map(formatUsdPrecise), ['$0.0000', '$0.0004', '$1.2346']);
      // What adding a figure and taking it back leaves in floating point (5.6e-17 here) is zero, either sign.
      const leftOver = 0.1 + 0.2 - 0.3;
      assert.notEqual(leftOver, 0);
      assert.deepEqual([leftOver, -leftOver].map(formatUsd), ['$0', '$0']);
      assert.deepEqual([leftOver, -leftOver].map(formatUsdPrecise), ['$0.0000', '$0.0000']);
      assert.deepEqual(
        [leftOver, -leftOver, 0.0042].map((usd) => formatCliUsd(usd)),
        ['$0', '$0', '$0.0042'],
      );
    });

    it('shows counts with k and M', () => {
      assert.deepEqual([950, 1_000, 12_345, 4_500_000].map(formatCount), ['950', '1.0k', '12.3k', '4.5M']);
    });

    it('shows durations from milliseconds to hours', () => {
      assert.deepEqual([850, 12_300, 245_000, 3_720_000].map(formatDuration), ['850 ms', '12.3 s', '4 m 05 s', '1 h 02 m']);
    });

    it('counts every token once and splits cache writes by TTL', () => {
      const t = {
        inputTokens: 1_200,
        outputTokens: 300,
        cacheCreationTokens: 5_000,
        cacheCreation1hTokens: 2_000,
        cacheReadTokens: 40_000,
      };
      assert.equal(totalTokens(t), 46_500);
      assert.equal(formatTokenBreakdown(t), '1.2k in · 300 out · 5.0k cache write (5m 3.0k, 1h 2.0k) · 40.0k cache read');
    });
  });

  it('gives every session status one codicon and one theme colour', () => {
    for (const status of SessionStatusSchema.options) {
      assert.match(sessionStatusIcon[status].icon, /^[a-z-]+$/, status);
      assert.match(sessionStatusIcon[status].color, /^[A-Za-z.]+$/, status);
    }
    assert.equal(new Set(SessionStatusSchema.options.map((s) => sessionStatusIcon[s].icon)).size, SessionStatusSchema.options.length);
  });
});
