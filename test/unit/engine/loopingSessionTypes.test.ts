import { strict as assert } from 'node:assert';
import { runToCompletion } from '../../../src/core/engine/runToCompletion';
import { createEngineFixture, type EngineFixture } from './support/engineFixture';
import { claudeFails, claudeSays, FakeExecutor, shellExits } from './support/FakeExecutor';

const VALID_PLAN = '{ "summary": "s", "steps": [{ "title": "t" }] }';

describe('built-in types: test-fix, quick, research, freeform', () => {
  let fixture: EngineFixture;

  afterEach(() => fixture.dispose());

  describe('test-fix', () => {
    beforeEach(async () => {
      fixture = await createEngineFixture({ testCommand: 'npm test', maxTestFixIterations: 3, outputTailChars: 50 });
    });

    it('runs the tests, has Claude fix them with the tail of the failing output, and completes on pass', async () => {
      const session = await fixture.engine.start({ type: 'test-fix', title: 'Flaky', intention: 'Make the suite pass' });
      const longLog = `${'noise '.repeat(100)}\nAssertionError: expected 3 to equal 4`;
      const executor = new FakeExecutor({ test: [shellExits(1, longLog), shellExits(0, 'ok')], fix: [claudeSays('patched')] });
      const outcome = await runToCompletion(fixture.engine, executor, session.id);
      assert.equal(outcome.session.status, 'complete');
      assert.deepEqual(executor.steps(), ['test', 'fix', 'test']);
      const fixPrompt = executor.executed[1].command.command;
      assert.match(fixPrompt, /AssertionError: expected 3 to equal 4/);
      assert.match(fixPrompt, /earlier characters omitted/);
      assert.ok(fixPrompt.length < 400, 'the failing output is tail-capped');
    });

    it('fails after the maximum number of test runs', async () => {
      const session = await fixture.engine.start({ type: 'test-fix', title: 'Broken', intention: 'Fix it' });
      const executor = new FakeExecutor({ test: [shellExits(1, 'FAIL')], fix: [claudeSays('tried')] });
      const outcome = await runToCompletion(fixture.engine, executor, session.id);
      assert.equal(outcome.session.status, 'failed');
      assert.deepEqual(executor.steps(), ['test', 'fix', 'test', 'fix', 'test']);
      assert.equal(fixture.store.notes.list(session.id).at(-1)?.content, 'The tests still fail after 3 runs (the limit is 3).');
    });

    it('refuses to start without a test command', async () => {
      await fixture.dispose();
      fixture = await createEngineFixture();
      await assert.rejects(fixture.engine.start({ type: 'test-fix', title: 't', intention: 'i' }), /needs a test command/);
      const session = await fixture.engine.start({ type: 'test-fix', title: 't', intention: 'i', options: { testCommand: 'make check' } });
      const next = await fixture.engine.next(session.id);
      assert.ok(next.kind === 'command');
      assert.equal(next.interaction.command.command, 'make check');
    });

    it('fails when the fix step errors', async () => {
      const session = await fixture.engine.start({ type: 'test-fix', title: 't', intention: 'i' });
      const executor = new FakeExecutor({ test: [shellExits(1, 'FAIL')], fix: [claudeFails('overloaded')] });
      const outcome = await runToCompletion(fixture.engine, executor, session.id);
      assert.equal(outcome.session.status, 'failed');
      assert.match(fixture.store.notes.list(session.id).at(-1)?.content ?? '', /The fix step failed: overloaded/);
    });
  });

  describe('quick and research', () => {
    beforeEach(async () => {
      fixture = await createEngineFixture();
    });

    it('quick: plan → build; without a test command the build is not tested and a note says so', async () => {
      const session = await fixture.engine.start({ type: 'quick', title: 'Rename', intention: 'Rename foo to bar' });
      const executor = new FakeExecutor({ plan: [claudeSays(VALID_PLAN)], build: [claudeSays('done')] });
      const outcome = await runToCompletion(fixture.engine, executor, session.id);
      assert.equal(outcome.session.status, 'complete');
      assert.deepEqual(executor.steps(), ['plan', 'build']);
      assert.deepEqual(
        fixture.store.notes.list(session.id).map((n) => n.content),
        ['No test command is configured, so the build was not tested.'],
      );
    });

    it('quick: a start option test command overrides the setting', async () => {
      const session = await fixture.engine.start({ type: 'quick', title: 'Rename', intention: 'i', options: { testCommand: 'pytest -q' } });
      const executor = new FakeExecutor({ plan: [claudeSays(VALID_PLAN)], build: [claudeSays('done')], test: [shellExits(0)] });
      await runToCompletion(fixture.engine, executor, session.id);
      assert.deepEqual(executor.executed.map((i) => i.command.command).slice(-1), ['pytest -q']);
    });

    it('research: notes only, then complete', async () => {
      const session = await fixture.engine.start({ type: 'research', title: 'Options', intention: 'Compare ORMs' });
      const executor = new FakeExecutor({ research: [claudeSays('Prisma vs Drizzle')] });
      const outcome = await runToCompletion(fixture.engine, executor, session.id);
      assert.equal(outcome.session.status, 'complete');
      assert.deepEqual(
        fixture.store.artifacts.list(session.id).map((a) => a.path),
        [`.sessions/${session.slug}/research/round-1.md`],
      );
    });
  });

  describe('freeform', () => {
    beforeEach(async () => {
      fixture = await createEngineFixture();
    });

    it('waits for the person, sends each prompt in one conversation, and ends when they complete it', async () => {
      const session = await fixture.engine.start({ type: 'freeform', title: 'Chat', intention: 'Explore the codebase' });
      const idle = await fixture.engine.next(session.id);
      assert.deepEqual([idle.kind, idle.kind === 'awaiting_input' && idle.message], ['awaiting_input', 'Type the next prompt for Claude.']);
      assert.equal((await runToCompletion(fixture.engine, new FakeExecutor({}), session.id)).reason, 'awaiting_input');

      for (const prompt of ['What does src/core do?', 'And the store?']) {
        const next = await fixture.engine.next(session.id, { input: prompt });
        assert.ok(next.kind === 'command');
        assert.equal(next.interaction.command.command, prompt);
        assert.equal(next.interaction.command.metadata.continueConversation, true);
        assert.match(String(next.interaction.command.metadata.system), /Goal: Explore the codebase/);
        await fixture.engine.recordResult(session.id, next.interaction.id, claudeSays('an answer'));
      }
      const failedTurn = await fixture.engine.next(session.id, { input: 'one more' });
      assert.ok(failedTurn.kind === 'command');
      const stillActive = await fixture.engine.recordResult(session.id, failedTurn.interaction.id, claudeFails('network down'));
      assert.equal(stillActive.status, 'active', 'a failed turn does not end the conversation');

      const done = await fixture.engine.complete(session.id);
      assert.equal(done.status, 'complete');
      assert.deepEqual(
        fixture.interactionsOf(session.id).map((i) => i.result.status),
        ['ok', 'ok', 'error'],
      );
    });
  });
});
