import { strict as assert } from 'node:assert';
import type { Session } from '../../../src/core/model/session';
import { countActivity, presentBadge, sessionActivity } from '../../../src/vscode/sessionActivity';

type Status = Session['status'];
const s = (id: string, status: Status): Pick<Session, 'id' | 'status'> => ({ id, status });

describe('session activity (status bar and Sessions view badge)', () => {
  it('says running while a step or an agentic loop runs, whatever the stored status', () => {
    const running = new Set(['a', 'b']);
    const isRunning = (id: string) => running.has(id);
    assert.equal(sessionActivity(s('a', 'active'), isRunning), 'running');
    assert.equal(sessionActivity(s('b', 'paused'), isRunning), 'running', 'a step still finishing after Pause');
  });

  it('maps the status of a session nothing runs: active waits for the person, the rest are set aside or ended', () => {
    const idle = () => false;
    assert.equal(sessionActivity(s('a', 'active'), idle), 'waiting');
    // Found in review: a planned session (not started yet) was shown as ended.
    assert.equal(sessionActivity(s('a', 'planned'), idle), 'planned');
    assert.equal(sessionActivity(s('a', 'paused'), idle), 'paused');
    assert.equal(sessionActivity(s('a', 'interrupted'), idle), 'interrupted');
    for (const status of ['complete', 'failed', 'cancelled'] as const) assert.equal(sessionActivity(s('a', status), idle), 'ended');
  });

  it('counts running and waiting sessions once each, and nothing else', () => {
    const running = new Set(['r1', 'r2']);
    const counts = countActivity(
      [
        s('r1', 'active'),
        s('r2', 'active'),
        s('w1', 'active'),
        s('p', 'paused'),
        s('i', 'interrupted'),
        s('c', 'complete'),
        s('n', 'planned'),
        s('w1', 'active'),
      ],
      (id) => running.has(id),
    );
    assert.deepEqual(counts, { running: 2, waiting: 1 });
  });

  it('shows no badge when nothing runs or waits, else the total with what it is made of', () => {
    assert.equal(presentBadge({ running: 0, waiting: 0 }), undefined);
    assert.deepEqual(presentBadge({ running: 1, waiting: 0 }), { value: 1, tooltip: '1 session: 1 running' });
    assert.deepEqual(presentBadge({ running: 2, waiting: 1 }), { value: 3, tooltip: '3 sessions: 2 running, 1 waiting for you' });
    assert.deepEqual(presentBadge({ running: 0, waiting: 2 }), { value: 2, tooltip: '2 sessions: 2 waiting for you' });
  });
});
