import * as assert from 'node:assert/strict';
import { EventAppendInputSchema } from '../../../src/core/model/event';
import { SessionCreateInputSchema, SessionUpdateSchema } from '../../../src/core/model/session';
import {
  IllegalSessionTransitionError,
  SESSION_STATUSES,
  SESSION_STATUS_TRANSITIONS,
  assertSessionTransition,
  canTransitionSession,
} from '../../../src/core/model/sessionStatus';
import { ValidationError, parseWith } from '../../../src/core/model/validation';

describe('model: session status transitions', () => {
  it('allows active ⇄ paused, endings from active, and resuming an interrupted session', () => {
    for (const [from, to] of [
      ['active', 'paused'],
      ['paused', 'active'],
      ['active', 'complete'],
      ['active', 'failed'],
      ['active', 'cancelled'],
      ['interrupted', 'active'],
      ['active', 'interrupted'],
    ] as const) {
      assert.equal(canTransitionSession(from, to), true, `${from} → ${to}`);
      assertSessionTransition(from, to);
    }
  });

  it('makes complete, failed and cancelled terminal', () => {
    for (const from of ['complete', 'failed', 'cancelled'] as const) {
      assert.deepEqual(SESSION_STATUS_TRANSITIONS[from], []);
      for (const to of SESSION_STATUSES.filter((status) => status !== from)) assert.equal(canTransitionSession(from, to), false);
    }
  });

  it('names both states when a transition is illegal', () => {
    assert.throws(
      () => assertSessionTransition('complete', 'active', 'session-1'),
      (error: unknown) =>
        error instanceof IllegalSessionTransitionError &&
        error.from === 'complete' &&
        error.to === 'active' &&
        /"complete".*"active"/.test(error.message) &&
        error.message.includes('session-1'),
    );
  });
});

describe('model: zod validation errors', () => {
  it('name the bad field', () => {
    assert.throws(
      () => parseWith(SessionUpdateSchema, { status: 'sleeping' }, 'session update'),
      (error: unknown) => error instanceof ValidationError && /^Invalid session update: status: /.test(error.message),
    );
  });

  it('name unknown fields', () => {
    assert.throws(() => parseWith(SessionUpdateSchema, { colour: 'red' }, 'session update'), /unknown field\(s\) "colour"/);
  });

  it('name nested paths', () => {
    assert.throws(
      () => parseWith(SessionCreateInputSchema, { type: 't', title: 'x', intention: 'y', tags: ['a', 3] }, 'session'),
      /tags\.1: /,
    );
  });

  it('apply defaults to event input', () => {
    const parsed = parseWith(
      EventAppendInputSchema,
      { id: 'e1', sessionId: '6f1c2a5e-6c1b-4d59-9a55-1f2f4c8e9d10', type: 'agent.text' },
      'event',
    );
    assert.equal(parsed.payload, null);
    assert.equal(parsed.interactionId, null);
  });
});
