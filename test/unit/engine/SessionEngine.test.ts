import { strict as assert } from 'node:assert';
import { InteractionNotPendingError } from '../../../src/core/engine/sessionInputs';
import { runToCompletion } from '../../../src/core/engine/runToCompletion';
import { ValidationError } from '../../../src/core/model/validation';
import { IllegalSessionTransitionError } from '../../../src/core/model/sessionStatus';
import { createEngineFixture, type EngineFixture } from './support/engineFixture';
import { FakeExecutor, shellExits } from './support/FakeExecutor';

describe('SessionEngine', () => {
  let fixture: EngineFixture;

  beforeEach(async () => {
    fixture = await createEngineFixture({ testCommand: 'npm test' });
  });
  afterEach(() => fixture.dispose());

  async function startTestFix(options = {}) {
    return fixture.engine.start({ type: 'test-fix', title: 'Fix the build', intention: 'Make npm test pass', options });
  }

  it('starts a session of a type in its first phase, with a unique slug and a start event', async () => {
    const session = await startTestFix();
    assert.equal(session.type, 'test-fix');
    assert.equal(session.phase, 'test');
    assert.equal(session.status, 'active');
    assert.match(session.slug, /^fix-the-build-[0-9a-f]{8}$/);
    assert.deepEqual(
      fixture.eventsOf(session.id).map((e) => e.type),
      ['session.started'],
    );
  });

  it('refuses an unknown type and bad start options, naming the field', async () => {
    await assert.rejects(
      fixture.engine.start({ type: 'nope', title: 't', intention: 'i' }),
      /Unknown session type "nope"; known types: full, quick/,
    );
    await assert.rejects(
      startTestFix({ maxIterations: 'three' }),
      (error: Error) => error instanceof ValidationError && /maxIterations: Invalid input: expected number/.test(error.message),
    );
  });

  it('gives one pending command at a time, even to concurrent next calls', async () => {
    const session = await startTestFix();
    const [first, second, third] = await Promise.all([
      fixture.engine.next(session.id),
      fixture.engine.next(session.id),
      fixture.engine.next(session.id),
    ]);
    assert.equal(first.kind, 'command');
    assert.ok(first.kind === 'command' && second.kind === 'command' && third.kind === 'command');
    assert.equal(second.interaction.id, first.interaction.id);
    assert.equal(third.interaction.id, first.interaction.id);
    assert.equal(fixture.interactionsOf(session.id).length, 1);
    assert.equal(first.interaction.command.step, 'test');
    assert.equal(first.interaction.command.command, 'npm test');
    assert.equal(fixture.store.interactions.listPending(session.id).length, 1);
  });

  it('validates a result and refuses one for an interaction that is not pending', async () => {
    const session = await startTestFix();
    const next = await fixture.engine.next(session.id);
    assert.ok(next.kind === 'command');
    await assert.rejects(
      fixture.engine.recordResult(session.id, next.interaction.id, { status: 'done', exitCode: 0 }),
      (error: Error) => error instanceof ValidationError && /status: Invalid option/.test(error.message),
    );
    await fixture.engine.recordResult(session.id, next.interaction.id, shellExits(0, 'all green'));
    await assert.rejects(fixture.engine.recordResult(session.id, next.interaction.id, shellExits(0)), InteractionNotPendingError);
  });

  it('applies a result in one transaction: result, state, phase, status and their events together', async () => {
    const session = await startTestFix();
    const next = await fixture.engine.next(session.id);
    assert.ok(next.kind === 'command');
    const before = fixture.transactionCount();
    const after = await fixture.engine.recordResult(session.id, next.interaction.id, shellExits(1, 'FAIL: login'));
    assert.equal(fixture.transactionCount(), before + 1);
    assert.equal(after.phase, 'fix');
    assert.deepEqual(
      fixture.eventsOf(session.id).map((e) => e.type),
      ['session.started', 'command.issued', 'result.recorded', 'phase.changed'],
    );
    assert.deepEqual(fixture.eventsOf(session.id)[3].payload, { from: 'test', to: 'fix' });
  });

  it('pauses and resumes: a paused session issues nothing, and a result still lands', async () => {
    const session = await startTestFix();
    const next = await fixture.engine.next(session.id);
    assert.ok(next.kind === 'command');
    await fixture.engine.pause(session.id);
    const paused = await fixture.engine.recordResult(session.id, next.interaction.id, shellExits(1, 'FAIL'));
    assert.equal(paused.status, 'paused');
    assert.equal(paused.phase, 'fix');
    assert.equal((await fixture.engine.next(session.id)).kind, 'stopped');
    const resumed = await fixture.engine.resume(session.id);
    assert.equal(resumed.status, 'active');
    const fix = await fixture.engine.next(session.id);
    assert.ok(fix.kind === 'command');
    assert.equal(fix.interaction.command.step, 'fix');
    const statusEvents = fixture
      .eventsOf(session.id)
      .filter((e) => e.type === 'status.changed')
      .map((e) => e.payload);
    assert.deepEqual(statusEvents, [
      { from: 'active', to: 'paused', reason: 'paused by request' },
      { from: 'paused', to: 'active', reason: 'resumed from paused' },
    ]);
  });

  it('cancels: the pending command is closed as cancelled and nothing more is issued', async () => {
    const session = await startTestFix();
    const next = await fixture.engine.next(session.id);
    assert.ok(next.kind === 'command');
    const cancelled = await fixture.engine.cancel(session.id);
    assert.equal(cancelled.status, 'cancelled');
    assert.ok(cancelled.endedAt !== null);
    assert.equal(fixture.store.interactions.get(next.interaction.id)?.result.status, 'cancelled');
    assert.equal((await fixture.engine.next(session.id)).kind, 'stopped');
    await assert.rejects(fixture.engine.recordResult(session.id, next.interaction.id, shellExits(0)), InteractionNotPendingError);
    await assert.rejects(fixture.engine.resume(session.id), IllegalSessionTransitionError);
  });

  it('fails by request with the reason as a note and in the status event', async () => {
    const session = await startTestFix();
    const failed = await fixture.engine.fail(session.id, 'the person gave up');
    assert.equal(failed.status, 'failed');
    assert.deepEqual(
      fixture.store.notes.list(session.id).map((n) => [n.kind, n.content]),
      [['failure', 'the person gave up']],
    );
    assert.deepEqual(fixture.eventsOf(session.id).at(-1)?.payload, { from: 'active', to: 'failed', reason: 'the person gave up' });
  });

  it('marks a session whose runner died as interrupted, and resumes it by issuing the step again', async () => {
    const session = await startTestFix();
    const lost = await fixture.engine.next(session.id);
    assert.ok(lost.kind === 'command');
    const interrupted = await fixture.engine.interruptOrphans();
    assert.deepEqual(
      interrupted.map((s) => s.status),
      ['interrupted'],
    );
    assert.equal(fixture.store.interactions.get(lost.interaction.id)?.result.status, 'interrupted');
    assert.equal((await fixture.engine.next(session.id)).kind, 'stopped');
    await assert.rejects(fixture.engine.recordResult(session.id, lost.interaction.id, shellExits(0)), InteractionNotPendingError);

    await fixture.engine.resume(session.id);
    const executor = new FakeExecutor({ test: [shellExits(0, 'ok')] });
    const outcome = await runToCompletion(fixture.engine, executor, session.id);
    assert.equal(outcome.reason, 'finished');
    assert.equal(outcome.session.status, 'complete');
    assert.deepEqual(
      fixture.interactionsOf(session.id).map((i) => [i.seq, i.command.step, i.result.status]),
      [
        [1, 'test', 'interrupted'],
        [2, 'test', 'ok'],
      ],
    );
  });

  it('at startup marks every active agentic session interrupted, even between steps; a manual one between steps stays active', async () => {
    const betweenSteps = async (executionMode: 'manual' | 'agentic', title: string) => {
      const session = await fixture.engine.start({ type: 'test-fix', title, intention: 'Make npm test pass', executionMode });
      const first = await fixture.engine.next(session.id);
      assert.ok(first.kind === 'command');
      await fixture.engine.recordResult(session.id, first.interaction.id, shellExits(1, 'FAIL'));
      assert.equal(
        fixture.store.interactions.listPending(session.id).length,
        0,
        'the last result is recorded, the next command not issued yet',
      );
      return session;
    };
    const agentic = await betweenSteps('agentic', 'Agentic between steps');
    const manual = await betweenSteps('manual', 'Manual between steps');
    const pausedAgentic = await betweenSteps('agentic', 'Paused agentic');
    await fixture.engine.pause(pausedAgentic.id);

    const interrupted = await fixture.engine.interruptOrphans();

    assert.deepEqual(
      interrupted.map((s) => [s.id, s.status]),
      [[agentic.id, 'interrupted']],
    );
    assert.equal(fixture.engine.getSession(manual.id).status, 'active', 'the person advances a manual session');
    assert.equal(fixture.engine.getSession(pausedAgentic.id).status, 'paused');
    assert.deepEqual(fixture.eventsOf(agentic.id).at(-1)?.payload, {
      from: 'active',
      to: 'interrupted',
      reason: 'the extension stopped between steps of the agentic run',
    });
    assert.deepEqual(await fixture.engine.interruptOrphans(), [], 'a second call finds nothing left');

    await fixture.engine.resume(agentic.id);
    const next = await fixture.engine.next(agentic.id);
    assert.ok(next.kind === 'command');
    assert.equal(next.interaction.command.step, 'fix', 'resume goes on from the last recorded step');
  });

  it('takes an interrupted result from a runner and a cancelled command is offered again', async () => {
    const session = await startTestFix();
    const first = await fixture.engine.next(session.id);
    assert.ok(first.kind === 'command');
    const afterCancel = await fixture.engine.recordResult(session.id, first.interaction.id, {
      status: 'cancelled',
      errorMessage: 'stopped by the person',
    });
    assert.equal(afterCancel.status, 'active');
    const again = await fixture.engine.next(session.id);
    assert.ok(again.kind === 'command');
    assert.notEqual(again.interaction.id, first.interaction.id);
    assert.equal(again.interaction.command.step, 'test');
    const afterInterrupt = await fixture.engine.recordResult(session.id, again.interaction.id, { status: 'interrupted' });
    assert.equal(afterInterrupt.status, 'interrupted');
  });

  it('stops a run at maxSteps and when its signal is aborted, leaving the session resumable', async () => {
    const session = await startTestFix({ maxIterations: 50 });
    const executor = new FakeExecutor({ test: [shellExits(1, 'FAIL')], fix: [{ status: 'ok', output: 'patched' }] });
    const capped = await runToCompletion(fixture.engine, executor, session.id, { maxSteps: 3 });
    assert.equal(capped.reason, 'max_steps');
    assert.equal(capped.steps, 3);
    assert.equal(capped.session.status, 'active');

    const controller = new AbortController();
    controller.abort();
    const aborted = await runToCompletion(fixture.engine, executor, session.id, { signal: controller.signal });
    assert.equal(aborted.reason, 'aborted');
    assert.equal(executor.executed.length, 3);
  });

  it('records an executor that throws as an error result', async () => {
    const session = await startTestFix({ maxIterations: 1 });
    const executor = new FakeExecutor({});
    const outcome = await runToCompletion(fixture.engine, executor, session.id);
    assert.equal(outcome.session.status, 'failed');
    const [interaction] = fixture.interactionsOf(session.id);
    assert.equal(interaction.result.status, 'error');
    assert.match(interaction.result.errorMessage ?? '', /FakeExecutor has no answer for step "test"/);
  });

  it('lists built-in types with labels and descriptions', () => {
    const types = fixture.engine.listTypes();
    assert.deepEqual(
      types.map((t) => t.id),
      ['full', 'quick', 'test-fix', 'research', 'component-design', 'freeform'],
    );
    for (const type of types) {
      assert.ok(type.label.length > 0 && type.description.length > 0 && type.source === 'builtin');
    }
  });
});
