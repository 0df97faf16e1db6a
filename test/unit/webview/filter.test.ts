import { strict as assert } from 'node:assert';
import { NO_FILTER, applyFilter, filterFromState, matchesFilter, toggled } from '../../../src/webview/filter';
import { row } from '../protocol/fixtures';

describe('timeline filters', () => {
  const rows = [
    row(1, { kind: 'shell', status: 'ok' }),
    row(2, { kind: 'claude', status: 'ok' }),
    row(3, { kind: 'shell', status: 'error' }),
    row(4, { kind: 'spawn_sessions', status: 'pending' }),
  ];
  const seqs = (rs: { seq: number }[]) => rs.map((r) => r.seq);

  it('an empty filter shows everything', () => {
    assert.deepEqual(seqs(applyFilter(rows, NO_FILTER)), [1, 2, 3, 4]);
  });

  it('filters by kind, by status, and by both (and within, or across values)', () => {
    assert.deepEqual(seqs(applyFilter(rows, { kinds: new Set(['shell']), statuses: new Set() })), [1, 3]);
    assert.deepEqual(seqs(applyFilter(rows, { kinds: new Set(), statuses: new Set(['ok', 'pending']) })), [1, 2, 4]);
    assert.deepEqual(seqs(applyFilter(rows, { kinds: new Set(['shell']), statuses: new Set(['error']) })), [3]);
    assert.equal(matchesFilter(rows[1]!, { kinds: new Set(['shell']), statuses: new Set() }), false);
  });

  it('filters by the text typed in the filter box: command or step name, any case, with the other filters', () => {
    const named = [
      row(1, { kind: 'shell', status: 'error', command: './check.sh', step: 'test' }),
      row(2, { kind: 'shell', status: 'ok', command: 'npm run build', step: 'Build' }),
      row(3, { kind: 'shell', status: 'ok', command: 'make CHECK', step: 'lint' }),
    ];
    assert.deepEqual(seqs(applyFilter(named, { ...NO_FILTER, text: 'check' })), [1, 3]);
    assert.deepEqual(seqs(applyFilter(named, { ...NO_FILTER, text: '  build ' })), [2]);
    assert.deepEqual(seqs(applyFilter(named, { kinds: new Set(), statuses: new Set(['ok']), text: 'check' })), [3]);
    assert.deepEqual(seqs(applyFilter(named, { ...NO_FILTER, text: '   ' })), [1, 2, 3]);
  });

  it('toggles values without mutating the set', () => {
    const a = new Set(['ok']);
    const b = toggled(a, 'error');
    assert.deepEqual([...b], ['ok', 'error']);
    assert.deepEqual([...toggled(b, 'ok')], ['error']);
    assert.deepEqual([...a], ['ok']);
  });

  it('restores from saved state, dropping unknown values', () => {
    const f = filterFromState(['claude', 'nonsense'], ['error', '__proto__']);
    assert.deepEqual([...f.kinds], ['claude']);
    assert.deepEqual([...f.statuses], ['error']);
  });
});
