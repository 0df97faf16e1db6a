import { strict as assert } from 'node:assert';
import { buildOffsets, rowAt, scrollToReveal, visibleWindow } from '../../../src/webview/virtualList';

describe('virtual list window math', () => {
  const uniform = buildOffsets(10_000, () => 28);

  it('offsets are prefix sums of the heights', () => {
    const offsets = buildOffsets(4, (i) => [10, 20, 30, 40][i]!);
    assert.deepEqual([...offsets], [0, 10, 30, 60, 100]);
  });

  it('finds the row at a position', () => {
    const offsets = buildOffsets(4, (i) => [10, 20, 30, 40][i]!);
    assert.equal(rowAt(offsets, 0), 0);
    assert.equal(rowAt(offsets, 9.9), 0);
    assert.equal(rowAt(offsets, 10), 1);
    assert.equal(rowAt(offsets, 59), 2);
    assert.equal(rowAt(offsets, 1_000), 3);
    assert.equal(rowAt(offsets, -5), 0);
    assert.equal(
      rowAt(
        buildOffsets(0, () => 1),
        10,
      ),
      0,
    );
  });

  it('renders only the visible rows plus overscan', () => {
    assert.deepEqual(visibleWindow(uniform, 0, 280, 5), { start: 0, end: 15, visible: 10 });
    assert.deepEqual(visibleWindow(uniform, 28 * 5_000, 280, 5), { start: 4_995, end: 5_015, visible: 10 });
    assert.deepEqual(visibleWindow(uniform, 28 * 5_000 + 14, 280, 0), { start: 5_000, end: 5_011, visible: 11 });
  });

  it('clamps at the end and past it', () => {
    const end = visibleWindow(uniform, 28 * 10_000 - 280, 280, 5);
    assert.deepEqual(end, { start: 9_985, end: 10_000, visible: 10 });
    assert.equal(visibleWindow(uniform, 1e9, 280, 5).end, 10_000);
  });

  it('handles empty lists and a zero viewport', () => {
    assert.deepEqual(
      visibleWindow(
        buildOffsets(0, () => 28),
        0,
        500,
        5,
      ),
      { start: 0, end: 0, visible: 0 },
    );
    assert.deepEqual(visibleWindow(uniform, 0, 0, 5), { start: 0, end: 0, visible: 0 });
  });

  it('accounts for tall (expanded) rows', () => {
    const offsets = buildOffsets(100, (i) => (i === 3 ? 500 : 28));
    const win = visibleWindow(offsets, 28 * 3 + 100, 200, 0);
    assert.deepEqual(win, { start: 3, end: 4, visible: 1 });
  });

  it('scrolls just enough to reveal a row', () => {
    assert.equal(scrollToReveal(uniform, 5, 0, 280), 0, 'already visible');
    assert.equal(scrollToReveal(uniform, 10, 0, 280), 28, 'just below: align its bottom');
    assert.equal(scrollToReveal(uniform, 2, 280, 280), 56, 'above: align its top');
  });

  it('computes a 10,000-row window in well under a millisecond', () => {
    const started = performance.now();
    for (let i = 0; i < 1_000; i++) visibleWindow(uniform, i * 280, 900, 8);
    assert.ok(performance.now() - started < 50);
  });
});
