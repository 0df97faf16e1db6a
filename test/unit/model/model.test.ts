import * as assert from 'node:assert/strict';
import { EventAppendInputSchema, acceptEventAppendInput } from '../../../src/core/model/event';
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

describe('model: the event append fast path', () => {
  it('accepts only what EventAppendInputSchema accepts, and returns what it returns, for random inputs', () => {
    // mulberry32, seeded: the same 5,000 inputs every run.
    let seed = 19;
    const random = (): number => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
    const ABSENT = Symbol('absent');
    const uuid = '00000000-0000-4000-8000-00000000000a';
    const ids = [uuid, uuid.toUpperCase(), '00000000-0000-0000-0000-000000000000', 'not-a-uuid', '', 5, null, undefined, ABSENT];
    const fields: Record<string, readonly unknown[]> = {
      id: ['cc:tool_use:toolu_1', 'x'.repeat(200), 'x'.repeat(201), '', 7, undefined, ABSENT],
      sessionId: [uuid, uuid, ...ids],
      type: ['claude.text', 'y'.repeat(200), 'y'.repeat(201), '', null, ABSENT],
      interactionId: ids,
      runId: ids,
      toolName: ['Bash', '', null, undefined, 3, ABSENT],
      payload: [
        { text: 'a "quoted" line', n: 1.5, nested: [1, 'a', null, { ok: true }] },
        null,
        undefined,
        'text',
        [1, 2],
        { bad: undefined },
        { bad: Number.NaN },
        { date: new Date(0) },
        new Map(),
        Number.POSITIVE_INFINITY,
        ABSENT,
      ],
      correlationId: ['c-1', null, undefined, {}, ABSENT],
      ts: [0, 1_700_000_000_000, -0, -1, 1.5, 2 ** 60, Number.NaN, '5', undefined, ABSENT],
      unknownKey: [ABSENT, ABSENT, ABSENT, ABSENT, 'x'],
    };
    let fast = 0;
    let schemaOnly = 0;
    for (let i = 0; i < 5000; i++) {
      // Mostly each field's first (valid) value, so that whole inputs are often valid.
      const values = Object.entries(fields)
        .map(([key, options]) => [key, random() < 0.85 ? options[0] : pick(options)] as const)
        .filter(([, value]) => value !== ABSENT);
      // Now and then an object that is not a plain one: the fast path leaves it to the schema.
      const input: Record<string, unknown> = i % 97 === 0 ? Object.create(null) : i % 89 === 0 ? new (class Input {})() : {};
      for (const [key, value] of values) input[key] = value;
      const accepted = acceptEventAppendInput(input);
      const schema = EventAppendInputSchema.safeParse(input);
      if (accepted !== undefined) {
        fast++;
        assert.ok(schema.success, `the schema refuses what the fast path accepted: ${JSON.stringify(input)}`);
        assert.deepStrictEqual(accepted, schema.data);
      } else if (schema.success) schemaOnly++;
    }
    // Both paths were exercised: the common inputs take the fast one, the odd ones the schema.
    assert.ok(fast > 100, `fast path taken ${fast} times`);
    assert.ok(schemaOnly > 0, `schema alone accepted ${schemaOnly} inputs`);
  });
});
