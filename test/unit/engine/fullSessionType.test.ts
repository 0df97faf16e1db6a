import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runToCompletion } from '../../../src/core/engine/runToCompletion';
import { createEngineFixture, type EngineFixture } from './support/engineFixture';
import { claudeFails, claudeSays, FakeExecutor, shellExits } from './support/FakeExecutor';

const VALID_PLAN = '```json\n{ "summary": "Add a login page", "steps": [{ "title": "Form", "files": ["src/login.ts"] }] }\n```';

describe('built-in type: full', () => {
  let fixture: EngineFixture;

  beforeEach(async () => {
    fixture = await createEngineFixture({ testCommand: 'npm test', maxBuildAttempts: 3 });
  });
  afterEach(() => fixture.dispose());

  function startFull(options = {}) {
    return fixture.engine.start({
      type: 'full',
      title: 'Login page',
      intention: 'Add a login page',
      successCriteria: ['users can sign in'],
      constraints: ['no new dependencies'],
      options,
    });
  }

  it('runs spec → plan → build (tests fail once, then pass) → docs, writing and registering the files', async () => {
    const session = await startFull();
    const executor = new FakeExecutor({
      spec: [claudeSays('# Spec\nA login form.')],
      plan: [claudeSays(VALID_PLAN)],
      build: [claudeSays('built'), claudeSays('fixed')],
      test: [shellExits(1, 'FAIL login.test.ts: expected 200'), shellExits(0, 'all passed')],
      docs: [claudeSays('# Docs\nHow to sign in.')],
    });

    const outcome = await runToCompletion(fixture.engine, executor, session.id);

    assert.equal(outcome.reason, 'finished');
    assert.equal(outcome.session.status, 'complete');
    assert.deepEqual(executor.steps(), ['spec', 'plan', 'build', 'test', 'build', 'test', 'docs']);
    const folder = join(fixture.workspace, '.sessions', session.slug);
    assert.equal(await readFile(join(folder, 'spec.md'), 'utf8'), '# Spec\nA login form.\n');
    assert.deepEqual(JSON.parse(await readFile(join(folder, 'plan.json'), 'utf8')), {
      summary: 'Add a login page',
      steps: [{ title: 'Form', files: ['src/login.ts'] }],
    });
    const mirror = JSON.parse(await readFile(join(folder, 'state.json'), 'utf8'));
    assert.deepEqual([mirror.phase, mirror.status], ['docs', 'complete']);

    const artifacts = fixture.store.artifacts.list(session.id);
    assert.deepEqual(artifacts.map((a) => [a.key, a.kind, a.path]).sort(), [
      ['docs', 'docs', `.sessions/${session.slug}/docs.md`],
      ['plan', 'plan', `.sessions/${session.slug}/plan.json`],
      ['spec', 'spec', `.sessions/${session.slug}/spec.md`],
    ]);
    for (const artifact of artifacts) {
      const bytes = await readFile(join(fixture.workspace, artifact.path ?? ''));
      assert.equal(artifact.byteSize, bytes.byteLength);
      assert.equal(artifact.sha256, createHash('sha256').update(bytes).digest('hex'));
    }

    const [specCommand, planCommand, , , retryCommand] = executor.executed;
    for (const claude of executor.executed.filter((i) => i.command.kind === 'claude')) {
      const system = String(claude.command.metadata.system);
      assert.match(system, /Goal: Add a login page/);
      assert.match(system, /Success criteria:\n- users can sign in/);
      assert.match(system, /Constraints:\n- no new dependencies/);
    }
    assert.match(specCommand.command.command, /specification/);
    assert.match(planCommand.command.command, /# Spec\nA login form\./, 'the plan prompt includes the spec');
    assert.match(retryCommand.command.command, /FAIL login\.test\.ts: expected 200/, 'the retry prompt includes the failing output');
    const phases = fixture
      .eventsOf(session.id)
      .filter((e) => e.type === 'phase.changed')
      .map((e) => e.payload);
    assert.deepEqual(phases, [
      { from: 'spec', to: 'plan' },
      { from: 'plan', to: 'build' },
      { from: 'build', to: 'docs' },
    ]);
  });

  it("uses the person's edit of spec.md when it builds the plan prompt", async () => {
    const session = await startFull();
    const executor = new FakeExecutor({ spec: [claudeSays('original spec')], plan: [claudeSays(VALID_PLAN)] });
    await runToCompletion(fixture.engine, executor, session.id, { maxSteps: 1 });
    await writeFile(join(fixture.workspace, '.sessions', session.slug, 'spec.md'), 'EDITED BY A PERSON');
    const next = await fixture.engine.next(session.id);
    assert.ok(next.kind === 'command');
    assert.match(next.interaction.command.command, /EDITED BY A PERSON/);
    assert.doesNotMatch(next.interaction.command.command, /original spec/);
  });

  it('re-asks once for an invalid plan with the validation error, then accepts a valid one', async () => {
    const session = await startFull();
    const executor = new FakeExecutor({
      spec: [claudeSays('spec')],
      plan: [claudeSays('```json\n{ "summary": "x", "steps": [] }\n```'), claudeSays(VALID_PLAN)],
      build: [claudeSays('built')],
      test: [shellExits(0)],
      docs: [claudeSays('docs')],
    });
    const outcome = await runToCompletion(fixture.engine, executor, session.id);
    assert.equal(outcome.session.status, 'complete');
    const plans = executor.executed.filter((i) => i.command.step === 'plan');
    assert.equal(plans.length, 2);
    assert.match(plans[1].command.command, /Your previous answer was rejected: steps: Too small: expected array to have >=1 items/);
  });

  it('fails the step clearly when the plan is invalid twice', async () => {
    const session = await startFull();
    const executor = new FakeExecutor({ spec: [claudeSays('spec')], plan: [claudeSays('I think we should just start coding.')] });
    const outcome = await runToCompletion(fixture.engine, executor, session.id);
    assert.equal(outcome.session.status, 'failed');
    assert.deepEqual(executor.steps(), ['spec', 'plan', 'plan']);
    assert.deepEqual(
      fixture.store.notes.list(session.id).map((n) => n.content),
      ['plan.json is still invalid after 2 answers: the answer contains no JSON object'],
    );
  });

  it('fails after the maximum number of build attempts', async () => {
    const session = await startFull();
    const executor = new FakeExecutor({
      spec: [claudeSays('spec')],
      plan: [claudeSays(VALID_PLAN)],
      build: [claudeSays('try')],
      test: [shellExits(2, 'still failing')],
    });
    const outcome = await runToCompletion(fixture.engine, executor, session.id);
    assert.equal(outcome.session.status, 'failed');
    assert.deepEqual(executor.steps(), ['spec', 'plan', 'build', 'test', 'build', 'test', 'build', 'test']);
    const statusEvent = fixture
      .eventsOf(session.id)
      .filter((e) => e.type === 'status.changed')
      .at(-1);
    assert.deepEqual(statusEvent?.payload, {
      from: 'active',
      to: 'failed',
      reason: 'The tests still fail after 3 build attempts (the limit is 3).',
    });
  });

  it('fails when a Claude step errors', async () => {
    const session = await startFull();
    const executor = new FakeExecutor({ spec: [claudeFails('rate limited')] });
    const outcome = await runToCompletion(fixture.engine, executor, session.id);
    assert.equal(outcome.session.status, 'failed');
    assert.match(fixture.store.notes.list(session.id)[0].content, /The spec step failed: rate limited/);
  });

  it('starts with research rounds when asked, keeping research/ notes for the spec prompt', async () => {
    const session = await startFull({ research: true, researchRounds: 2 });
    const executor = new FakeExecutor({ research: [claudeSays('finding one'), claudeSays('finding two')], spec: [claudeSays('spec')] });
    await runToCompletion(fixture.engine, executor, session.id, { maxSteps: 3 });
    assert.deepEqual(executor.steps(), ['research', 'research', 'spec']);
    const folder = join(fixture.workspace, '.sessions', session.slug, 'research');
    assert.equal(await readFile(join(folder, 'round-2.md'), 'utf8'), 'finding two\n');
    assert.match(executor.executed[2].command.command, /finding one[\s\S]*finding two/);
    assert.deepEqual(
      fixture.store.artifacts.list(session.id).map((a) => a.kind),
      ['research', 'research', 'spec'],
    );
  });

  it('stores a summary from the optional summary step', async () => {
    await fixture.dispose();
    fixture = await createEngineFixture({ summarizeOnComplete: true });
    const session = await fixture.engine.start({ type: 'research', title: 'Why slow', intention: 'Find why the build is slow' });
    const executor = new FakeExecutor({
      research: [claudeSays('webpack')],
      summary: [claudeSays('The build is slow because of webpack.')],
    });
    const outcome = await runToCompletion(fixture.engine, executor, session.id);
    assert.equal(outcome.session.status, 'complete');
    assert.equal(outcome.session.summary, 'The build is slow because of webpack.');
    assert.deepEqual(executor.steps(), ['research', 'summary']);
    assert.match(executor.executed[1].command.command, /#1 research \(claude, ok\)/);
  });
});
