import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runToCompletion } from '../../../src/core/engine/runToCompletion';
import type { WorkflowDefinition } from '../../../src/core/model/workflow';
import { WorkflowLoader } from '../../../src/core/workflow/WorkflowLoader';
import { NodeWorkflowFileSystem, WORKFLOWS_DIRECTORY } from '../../../src/core/workflow/workflowFileSystem';
import { createEngineFixture, type EngineFixture } from './support/engineFixture';
import { claudeSays, FakeExecutor, shellExits } from './support/FakeExecutor';

const LINT_FIX: WorkflowDefinition = {
  id: 'lint-fix',
  label: 'Lint and fix',
  description: 'Lint, let Claude fix, lint again',
  maxIterations: 3,
  steps: [
    { id: 'lint', kind: 'shell', command: 'eslint {{options.path}} --max-warnings 0', onSuccess: 'report', onFailure: 'fix' },
    {
      id: 'fix',
      kind: 'claude',
      prompt: 'Fix these lint errors (run {{iteration}}):\n{{steps.lint.output}}\nexit {{steps.lint.exitCode}}',
      next: 'lint',
    },
    { id: 'report', kind: 'claude', prompt: 'Summarise what changed for {{session.intention}}', saveAs: 'report.md', next: '$complete' },
  ],
};

describe('user-defined workflows in the engine', () => {
  let fixture: EngineFixture;
  let directory: string;

  beforeEach(async () => {
    fixture = await createEngineFixture();
    directory = join(fixture.workspace, WORKFLOWS_DIRECTORY);
    await mkdir(directory, { recursive: true });
    await writeWorkflow('lint-fix.json', LINT_FIX);
    await reload();
  });
  afterEach(() => fixture.dispose());

  async function writeWorkflow(name: string, definition: unknown): Promise<void> {
    await writeFile(join(directory, name), JSON.stringify(definition, null, 2));
  }

  async function reload() {
    const result = await new WorkflowLoader(new NodeWorkflowFileSystem(), directory, fixture.types.builtinIds).load();
    fixture.types.setUserWorkflows(result.workflows);
    return result;
  }

  function startLintFix(options = { path: 'src' }) {
    return fixture.engine.start({ type: 'lint-fix', title: 'Lint', intention: 'clean lint', options });
  }

  it('lists the workflow next to the built-in types, and a broken file does not hide it', async () => {
    await writeWorkflow('broken.json', { id: 'broken', label: 'Broken', steps: [{ id: 'a', kind: 'shell' }] });
    const result = await reload();
    assert.deepEqual(
      result.errors.map((e) => e.toString()),
      [`${join(directory, 'broken.json')}: steps[0].command: Invalid input: expected string, received undefined`],
    );
    const listed = fixture.engine.listTypes().filter((t) => t.source === 'workflow');
    assert.deepEqual(listed, [
      { id: 'lint-fix', label: 'Lint and fix', description: 'Lint, let Claude fix, lint again', source: 'workflow' },
    ]);
  });

  it('runs to completion through its transitions, with templates filled in and saveAs kept as an artifact', async () => {
    const session = await startLintFix();
    const executor = new FakeExecutor({
      lint: [shellExits(1, 'src/a.ts: no-unused-vars'), shellExits(0, '')],
      fix: [claudeSays('removed the variable')],
      report: [claudeSays('# Report\nRemoved an unused variable.')],
    });
    const outcome = await runToCompletion(fixture.engine, executor, session.id);
    assert.equal(outcome.session.status, 'complete');
    assert.deepEqual(executor.steps(), ['lint', 'fix', 'lint', 'report']);
    assert.equal(executor.executed[0].command.command, `eslint 'src' --max-warnings 0`);
    assert.equal(executor.executed[1].command.command, 'Fix these lint errors (run 1):\nsrc/a.ts: no-unused-vars\nexit 1');
    assert.equal(executor.executed[3].command.command, 'Summarise what changed for clean lint');
    assert.match(String(executor.executed[3].command.metadata.system), /Goal: clean lint/);
    assert.equal(
      await readFile(join(fixture.workspace, '.sessions', session.slug, 'report.md'), 'utf8'),
      '# Report\nRemoved an unused variable.',
    );
    assert.deepEqual(
      fixture.store.artifacts.list(session.id).map((a) => [a.key, a.path]),
      [['report.md', `.sessions/${session.slug}/report.md`]],
    );
  });

  it('passes hostile values to the shell as literal arguments', async () => {
    const hostile = `x'; touch pwned; echo '$(touch pwned2) \`touch pwned3\`\nrm -rf ~`;
    const session = await startLintFix({ path: hostile });
    const next = await fixture.engine.next(session.id);
    assert.ok(next.kind === 'command');
    const command = next.interaction.command.command.replace(/^eslint /, `printf '%s|' `).replace(' --max-warnings 0', '');
    const printed = execFileSync('sh', ['-c', command], { cwd: fixture.workspace, encoding: 'utf8' });
    assert.equal(printed, `${hostile}|`);
    await assert.rejects(readFile(join(fixture.workspace, 'pwned')), /ENOENT/);
  });

  it('fails when a step fails and has no onFailure transition', async () => {
    await writeWorkflow('deploy.json', {
      id: 'deploy',
      label: 'Deploy',
      steps: [
        { id: 'build', kind: 'shell', command: 'make' },
        { id: 'ship', kind: 'shell', command: 'make ship' },
      ],
    });
    await reload();
    const session = await fixture.engine.start({ type: 'deploy', title: 'Ship it', intention: 'release' });
    const executor = new FakeExecutor({ build: [shellExits(2, 'cc: error')] });
    const outcome = await runToCompletion(fixture.engine, executor, session.id);
    assert.equal(outcome.session.status, 'failed');
    assert.equal(fixture.store.notes.list(session.id).at(-1)?.content, 'Step "build" failed (exit code 2).');
  });

  it('fails when a step would run more than maxIterations times', async () => {
    const session = await startLintFix();
    const executor = new FakeExecutor({ lint: [shellExits(1, 'still bad')], fix: [claudeSays('tried')] });
    const outcome = await runToCompletion(fixture.engine, executor, session.id);
    assert.equal(outcome.session.status, 'failed');
    assert.deepEqual(executor.steps(), ['lint', 'fix', 'lint', 'fix', 'lint', 'fix']);
    assert.equal(
      fixture.store.notes.list(session.id).at(-1)?.content,
      'Step "lint" has already run 3 times, its maxIterations; the workflow stops.',
    );
  });

  it('is cancelled mid-run, and an interrupted one resumes where it was', async () => {
    const cancelled = await startLintFix();
    await fixture.engine.next(cancelled.id);
    assert.equal((await fixture.engine.cancel(cancelled.id)).status, 'cancelled');

    const session = await startLintFix();
    const executor = new FakeExecutor({
      lint: [shellExits(1, 'bad'), shellExits(0)],
      fix: [claudeSays('fixed')],
      report: [claudeSays('r')],
    });
    await runToCompletion(fixture.engine, executor, session.id, { maxSteps: 1 });
    const lost = await fixture.engine.next(session.id);
    assert.ok(lost.kind === 'command' && lost.interaction.command.step === 'fix');
    await fixture.engine.markInterrupted(session.id);
    await fixture.engine.resume(session.id);
    const outcome = await runToCompletion(fixture.engine, executor, session.id);
    assert.equal(outcome.session.status, 'complete');
    assert.deepEqual(
      fixture.interactionsOf(session.id).map((i) => `${i.command.step}:${i.result.status}`),
      ['lint:ok', 'fix:interrupted', 'fix:ok', 'lint:ok', 'report:ok'],
    );
  });

  it('keeps running from its snapshot when the workflow file is deleted', async () => {
    const session = await startLintFix();
    await rm(join(directory, 'lint-fix.json'));
    await reload();
    assert.equal(
      fixture.engine.listTypes().some((t) => t.id === 'lint-fix'),
      false,
    );
    const executor = new FakeExecutor({ lint: [shellExits(0)], report: [claudeSays('r')] });
    assert.equal((await runToCompletion(fixture.engine, executor, session.id)).session.status, 'complete');
  });

  it('spawns child sessions and fails when a child fails, unless continueOnChildFailure', async () => {
    for (const continueOnChildFailure of [false, true]) {
      await writeWorkflow('fan.json', {
        id: 'fan-out',
        label: 'Fan out',
        steps: [
          {
            id: 'split',
            kind: 'spawn_sessions',
            continueOnChildFailure,
            sessions: [
              { type: 'test-fix', title: '{{session.title}} unit', intention: 'unit tests', options: { testCommand: 'npm run unit' } },
              {
                type: 'test-fix',
                title: '{{session.title}} e2e',
                intention: 'e2e tests',
                options: { testCommand: 'npm run e2e', maxIterations: 1 },
              },
            ],
          },
        ],
      });
      await reload();
      const parent = await fixture.engine.start({ type: 'fan-out', title: 'Suite', intention: 'green suite' });
      const executor = new FakeExecutor({
        test: [(i) => (i.command.command === 'npm run unit' ? shellExits(0) : shellExits(1, 'e2e broken'))],
      });
      const outcome = await runToCompletion(fixture.engine, executor, parent.id);
      const children = fixture.store.sessions
        .children(parent.id)
        .map((c) => `${c.title}:${c.status}`)
        .sort();
      assert.deepEqual(children, ['Suite e2e:failed', 'Suite unit:complete']);
      assert.equal(outcome.session.status, continueOnChildFailure ? 'complete' : 'failed');
    }
  });
});
