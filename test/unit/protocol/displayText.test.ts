import { strict as assert } from 'node:assert';
import { headCap, stripAnsi, tailCap, tailLines } from '../../../src/protocol/displayText';

describe('displayText', () => {
  describe('stripAnsi', () => {
    it('removes colours and styles', () => {
      assert.equal(stripAnsi('\u001b[32m✓\u001b[0m passed \u001b[1;31mfailed\u001b[22;39m'), '✓ passed failed');
      assert.equal(stripAnsi('\u001b[38;5;208morange\u001b[38;2;1;2;3m rgb\u001b[m'), 'orange rgb');
    });

    it('removes cursor moves, erases and private modes', () => {
      assert.equal(stripAnsi('a\u001b[2K\u001b[1Gb\u001b[?25l\u001b[?25hc\u001b[3Ad'), 'abcd');
    });

    it('removes OSC sequences (titles, hyperlinks, shell integration) ended by BEL or ST', () => {
      assert.equal(stripAnsi('\u001b]0;title\u0007text'), 'text');
      assert.equal(stripAnsi('\u001b]8;;https://x.test\u001b\\link\u001b]8;;\u001b\\'), 'link');
      assert.equal(stripAnsi('\u001b]633;C\u0007out\u001b]633;D;0\u0007'), 'out');
    });

    it('removes charset selection and other short escapes, and the 8-bit CSI', () => {
      assert.equal(stripAnsi('\u001b(Bplain\u001b=\u001b>\u001b7x\u001b8'), 'plainx');
      assert.equal(stripAnsi('\u009b31mred\u009b0m'), 'red');
    });

    it('resolves carriage returns the way a terminal ends up showing them', () => {
      assert.equal(stripAnsi('progress 10%\rprogress 50%\rprogress 100%\ndone'), 'progress 100%\ndone');
      assert.equal(stripAnsi('line one\r\nline two\r\n'), 'line one\nline two\n');
    });

    it('drops other control characters but keeps tabs, newlines and unicode', () => {
      assert.equal(stripAnsi('a\u0000b\u0007c\u0008d\te\nf 😀 é'), 'abcd\te\nf 😀 é');
    });

    it('leaves plain text alone', () => {
      const text = 'const a = [1, 2];\n  // [brackets] and ;semicolons;';
      assert.equal(stripAnsi(text), text);
    });
  });

  describe('tailLines', () => {
    it('keeps the last lines and counts the ones before, ignoring trailing blank space', () => {
      assert.deepEqual(tailLines('a\nb\r\nc\nd\n\n', 2), { lines: ['c', 'd'], omittedLines: 2 });
      assert.deepEqual(tailLines('only\n', 5), { lines: ['only'], omittedLines: 0 });
    });
  });

  describe('tailCap / headCap', () => {
    it('keeps short text whole', () => {
      assert.deepEqual(tailCap('abc', 10), { text: 'abc', omittedChars: 0 });
      assert.deepEqual(headCap('abc', 10), { text: 'abc', truncated: false });
    });

    it('keeps the tail, starting at a nearby line boundary', () => {
      const text = 'first line\nsecond line\nthird line';
      const capped = tailCap(text, 15);
      assert.equal(capped.text, 'third line');
      assert.equal(capped.omittedChars + capped.text.length, text.length);
    });

    it('never splits a surrogate pair', () => {
      const text = 'x😀😀😀';
      for (let max = 1; max < text.length; max++) {
        const tail = tailCap(text, max).text;
        assert.ok(!/^[\udc00-\udfff]/.test(tail), `tail of ${max} starts inside a pair`);
        const head = headCap(text, max).text;
        assert.ok(!/[\ud800-\udbff]$/.test(head), `head of ${max} ends inside a pair`);
      }
    });
  });
});
