import { strict as assert } from 'node:assert';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportLedger, serializeLedgerExport } from '../../../src/core/ledger/ledgerExport';
import { parseLedgerExport } from '../../../src/core/ledger/importValidation';
import { importLedger } from '../../../src/core/ledger/ledgerImport';
import { ledgerToMarkdown } from '../../../src/core/ledger/ledgerMarkdown';
import { searchLedger } from '../../../src/core/ledger/search';
import { PROGRESS_CHECK_STEP } from '../../../src/core/engine/progressCheck';
import { runToCompletion } from '../../../src/core/engine/runToCompletion';
import { WorkflowLoader } from '../../../src/core/workflow/WorkflowLoader';
import { NodeWorkflowFileSystem, WORKFLOWS_DIRECTORY } from '../../../src/core/workflow/workflowFileSystem';
import { sqlReaderOf } from '../claudeCode/testStore';
import { createEngineFixture, type EngineFixture } from './support/engineFixture';
import { claudeSays, FakeExecutor, shellExits } from './support/FakeExecutor';

const VALID_PLAN = '```json\n{ "summary": "Add a login page", "steps": [{ "title": "Form", "files": ["src/login.ts"] }] }\n```';

describe('Check Progress, review gates and phases of runs (#15 items 2, 10, 8)', () => {
  let fixture: EngineFixture;
  beforeEach(async () => {
    fixture = await createEngineFixture({ testCommand: 'npm test' });
  });
  afterEach(() => fixture.dispose());

  const startFreeform = () =>
    fixture.engine.start({
      type: 'freeform',
      title: 'CSV',
      intention: 'A CSV parser',
      successCriteria: ['tests pass', 'no new dependencies'],
      completionCriteria: ['parser merged'],
    });

  describe('Check Progress', () => {
    it('a person ticks criteria: recorded as the current progress and an event; unticked ones are unknown; a foreign criterion is refused', async () => {
      const session = await startFreeform();
      await assert.rejects(
        fixture.engine.recordProgress(session.id, [{ kind: 'success', criterion: 'made up', status: 'met', evidence: '' }]),
        /progress check.*"made up" is not a success criterion/,
      );
      const checked = await fixture.engine.recordProgress(session.id, [
        { kind: 'success', criterion: 'tests pass', status: 'met', evidence: 'npm test: 42 passing' },
        { kind: 'completion', criterion: 'parser merged', status: 'not_met', evidence: 'PR open' },
      ]);
      assert.equal(checked.progress?.checkedBy, 'person');
      assert.deepEqual(
        checked.progress?.criteria.map((c) => [c.kind, c.criterion, c.status, c.evidence]),
        [
          ['success', 'tests pass', 'met', 'npm test: 42 passing'],
          ['success', 'no new dependencies', 'unknown', ''],
          ['completion', 'parser merged', 'not_met', 'PR open'],
        ],
      );
      assert.deepEqual(fixture.store.sessions.require(session.id).progress, checked.progress, 'stored as the current state');
      const events = fixture.eventsOf(session.id).filter((e) => e.type === 'session.progress_checked');
      assert.equal(events.length, 1);
      assert.equal((events[0].payload as { previous: unknown }).previous, null);
      assert.equal(checked.status, 'active', 'a freeform session does not complete on criteria');
    });

    it('Claude checks progress: a step that sees the artifacts and recent results, answers in validated JSON, and the session stays in its phase', async () => {
      const session = await startFreeform();
      await fixture.store.artifacts.put({ sessionId: session.id, key: 'notes', kind: 'file', content: 'Parser handles quoted commas.' });
      const first = await fixture.engine.next(session.id, { input: 'write the parser' });
      assert.ok(first.kind === 'command');
      await fixture.engine.recordResult(session.id, first.interaction.id, claudeSays('Parser written; npm test passes (42).'));
      const phase = fixture.store.sessions.require(session.id).phase;

      await fixture.engine.requestProgressCheck(session.id);
      const check = await fixture.engine.next(session.id);
      assert.ok(check.kind === 'command');
      assert.equal(check.interaction.command.step, PROGRESS_CHECK_STEP);
      assert.equal(check.interaction.command.kind, 'claude');
      const prompt = check.interaction.command.command;
      assert.match(prompt, /1\. \(success\) tests pass\n2\. \(success\) no new dependencies\n3\. \(completion\) parser merged/);
      assert.match(prompt, /### notes \(file\)\nParser handles quoted commas\./, 'the artifacts');
      assert.match(prompt, /Parser written; npm test passes \(42\)\./, 'the recent results');

      const answer =
        '```json\n{ "criteria": [{ "number": 1, "status": "met", "evidence": "42 passing" }, { "number": 3, "status": "not_met", "evidence": "not merged yet" }] }\n```';
      const after = await fixture.engine.recordResult(session.id, check.interaction.id, claudeSays(answer));
      assert.equal(after.phase, phase);
      assert.equal(after.status, 'active');
      assert.equal(after.progress?.checkedBy, 'claude');
      assert.deepEqual(
        after.progress?.criteria.map((c) => c.status),
        ['met', 'unknown', 'not_met'],
      );
      assert.equal(after.state.progressCheck, undefined, 'the request is done');
      const next = await fixture.engine.next(session.id);
      assert.equal(next.kind, 'awaiting_input', 'the session goes on as before');

      // An answer that is not the JSON asked for records nothing and says why in a note.
      await fixture.engine.requestProgressCheck(session.id);
      const again = await fixture.engine.next(session.id);
      assert.ok(again.kind === 'command');
      const bad = await fixture.engine.recordResult(
        session.id,
        again.interaction.id,
        claudeSays('```json\n{ "criteria": [{ "number": 9, "status": "met", "evidence": "" }] }\n```'),
      );
      assert.deepEqual(bad.progress, after.progress);
      assert.match(fixture.store.notes.list(session.id).at(-1)?.content ?? '', /names criterion 9, but there are 3/);
    });

    it('refuses a Claude check without criteria', async () => {
      const session = await fixture.engine.start({ type: 'freeform', title: 'No goal', intention: 'x' });
      await assert.rejects(fixture.engine.requestProgressCheck(session.id), /no success or completion criteria/);
    });
  });

  describe('a workflow that completes on criteria', () => {
    async function loadWorkflow(definition: unknown): Promise<void> {
      const directory = join(fixture.workspace, WORKFLOWS_DIRECTORY);
      await mkdir(directory, { recursive: true });
      await writeFile(join(directory, 'wf.json'), JSON.stringify(definition));
      const result = await new WorkflowLoader(new NodeWorkflowFileSystem(), directory, fixture.types.builtinIds).load();
      assert.deepEqual(result.errors, []);
      fixture.types.setUserWorkflows(result.workflows);
    }

    it('checks progress after each step and completes as soon as every completion criterion is met', async () => {
      await loadWorkflow({
        id: 'until-done',
        label: 'Until done',
        completeWhen: 'criteria',
        steps: [{ id: 'work', kind: 'claude', prompt: 'Work on {{session.intention}}', next: 'work' }],
      });
      const session = await fixture.engine.start({
        type: 'until-done',
        title: 'Docs',
        intention: 'Document the API',
        completionCriteria: ['every endpoint documented', 'examples run'],
      });
      const notYet =
        '```json\n{ "criteria": [{ "number": 1, "status": "met", "evidence": "all 5" }, { "number": 2, "status": "not_met", "evidence": "one fails" }] }\n```';
      const done =
        '```json\n{ "criteria": [{ "number": 1, "status": "met", "evidence": "all 5" }, { "number": 2, "status": "met", "evidence": "all run" }] }\n```';
      const executor = new FakeExecutor({ work: [claudeSays('did some')], [PROGRESS_CHECK_STEP]: [claudeSays(notYet), claudeSays(done)] });

      const outcome = await runToCompletion(fixture.engine, executor, session.id);

      assert.equal(outcome.session.status, 'complete');
      assert.deepEqual(executor.steps(), ['work', PROGRESS_CHECK_STEP, 'work', PROGRESS_CHECK_STEP]);
      const reason = fixture
        .eventsOf(session.id)
        .filter((e) => e.type === 'status.changed')
        .map((e) => (e.payload as { reason: string | null }).reason);
      assert.ok(reason.includes('every completion criterion is met'), JSON.stringify(reason));
      assert.equal(fixture.eventsOf(session.id).filter((e) => e.type === 'session.progress_checked').length, 2);
    });

    it('a person ticking the last completion criterion completes it too; a workflow without completeWhen does not', async () => {
      await loadWorkflow({
        id: 'until-done',
        label: 'Until done',
        completeWhen: 'criteria',
        steps: [{ id: 'check', kind: 'shell', command: 'true' }],
      });
      const session = await fixture.engine.start({ type: 'until-done', title: 'A', intention: 'a', completionCriteria: ['shipped'] });
      const done = await fixture.engine.recordProgress(session.id, [
        { kind: 'completion', criterion: 'shipped', status: 'met', evidence: 'v1.2 tagged' },
      ]);
      assert.equal(done.status, 'complete');

      await loadWorkflow({ id: 'plain', label: 'Plain', steps: [{ id: 'check', kind: 'shell', command: 'true' }] });
      const other = await fixture.engine.start({ type: 'plain', title: 'B', intention: 'b', completionCriteria: ['shipped'] });
      const still = await fixture.engine.recordProgress(other.id, [
        { kind: 'completion', criterion: 'shipped', status: 'met', evidence: '' },
      ]);
      assert.equal(still.status, 'active');
      const executor = new FakeExecutor({ check: [shellExits(0)] });
      await runToCompletion(fixture.engine, executor, other.id);
      assert.deepEqual(executor.steps(), ['check'], 'no progress check after its steps');
    });
  });

  describe('review gates', () => {
    const startFull = (executionMode: 'manual' | 'agentic', options = {}) =>
      fixture.engine.start({ type: 'full', title: 'Login page', intention: 'Add a login page', executionMode, options });

    it('a full agentic session waits at its spec approval, gets "request changes", re-asks with the comment, is approved and goes on', async () => {
      const session = await startFull('agentic');
      const executor = new FakeExecutor({
        spec: [claudeSays('# Spec\nA login form.'), claudeSays('# Spec\nA login form with a password reset link.')],
        plan: [claudeSays(VALID_PLAN)],
        build: [claudeSays('built')],
        test: [shellExits(0, 'all passed')],
        docs: [claudeSays('# Docs')],
      });

      const waiting = await runToCompletion(fixture.engine, executor, session.id);
      assert.equal(waiting.reason, 'awaiting_review');
      assert.deepEqual(executor.steps(), ['spec']);
      assert.equal(waiting.session.status, 'active');
      assert.equal(waiting.session.phase, 'spec', 'the phase does not move on before approval');
      const next = await fixture.engine.next(session.id);
      assert.ok(next.kind === 'awaiting_review');
      assert.deepEqual([next.gate.step, next.gate.artifactKeys, next.gate.then], ['spec', ['spec'], { phase: 'plan' }]);
      assert.deepEqual(fixture.store.artifacts.getByKey(session.id, 'spec')?.review, {
        state: 'provisional',
        by: null,
        at: null,
        comment: null,
      });
      await assert.rejects(fixture.engine.requestChanges(session.id, '  ', 'ana'), /review comment/);

      await fixture.engine.requestChanges(session.id, 'Add a password reset link.', 'ana');
      const first = fixture.store.artifacts.list(session.id).find((a) => a.key === 'spec');
      assert.equal(first?.review?.state, 'changes_requested');
      assert.equal(first?.review?.by, 'ana');
      assert.equal(first?.review?.comment, 'Add a password reset link.');
      assert.ok(typeof first?.review?.at === 'number');

      const second = await runToCompletion(fixture.engine, executor, session.id);
      assert.equal(second.reason, 'awaiting_review');
      const asks = executor.executed.filter((i) => i.command.step === 'spec');
      assert.equal(asks.length, 2, 're-asked');
      assert.match(asks[1].command.command, /asked for changes:\nAdd a password reset link\./, 'the comment is in the prompt');
      assert.doesNotMatch(asks[0].command.command, /asked for changes/);
      assert.equal(fixture.store.sessions.require(session.id).state.reviewComment, undefined, 'the comment was used');
      assert.equal(fixture.store.artifacts.getByKey(session.id, 'spec')?.review?.state, 'provisional');

      await fixture.engine.approveReview(session.id, 'ana');
      const approved = fixture.store.artifacts.getByKey(session.id, 'spec');
      assert.equal(approved?.review?.state, 'approved');
      assert.equal(approved?.review?.by, 'ana');
      assert.match(await readFile(join(fixture.workspace, approved?.path ?? ''), 'utf8'), /password reset/);
      assert.equal(fixture.store.sessions.require(session.id).phase, 'plan');

      // The plan has its gate too; approved, the session runs to the end.
      const third = await runToCompletion(fixture.engine, executor, session.id);
      assert.equal(third.reason, 'awaiting_review');
      assert.equal((await fixture.engine.next(session.id)).kind, 'awaiting_review');
      await fixture.engine.approveReview(session.id, 'bo');
      const end = await runToCompletion(fixture.engine, executor, session.id);
      assert.equal(end.session.status, 'complete');
      assert.deepEqual(executor.steps(), ['spec', 'spec', 'plan', 'build', 'test', 'docs']);
      assert.deepEqual(
        fixture
          .eventsOf(session.id)
          .filter((e) => e.type.startsWith('review.'))
          .map((e) => [e.type, (e.payload as { step: string }).step]),
        [
          ['review.requested', 'spec'],
          ['review.changes_requested', 'spec'],
          ['review.requested', 'spec'],
          ['review.approved', 'spec'],
          ['review.requested', 'plan'],
          ['review.approved', 'plan'],
        ],
      );
      // Each decision names the step, the answer under review, its artifacts and the reviewer; only Request Changes has a comment.
      assert.deepEqual(
        fixture
          .eventsOf(session.id)
          .filter((e) => e.type === 'review.approved' || e.type === 'review.changes_requested')
          .map((e) => [e.type, e.payload]),
        [
          ['review.changes_requested', { step: 'spec', seq: 1, artifactKeys: ['spec'], by: 'ana', comment: 'Add a password reset link.' }],
          ['review.approved', { step: 'spec', seq: 2, artifactKeys: ['spec'], by: 'ana' }],
          ['review.approved', { step: 'plan', seq: 3, artifactKeys: ['plan'], by: 'bo' }],
        ],
      );
      assert.equal(approved?.review?.comment, null, 'an approval has no comment');
      assert.equal(fixture.store.artifacts.getByKey(session.id, 'docs')?.review, null, 'docs have no gate');
    });

    it('is off in manual mode and with approve: false, on in manual mode with approve: true', async () => {
      const script = {
        spec: [claudeSays('# Spec')],
        plan: [claudeSays(VALID_PLAN)],
        build: [claudeSays('built')],
        test: [shellExits(0)],
        docs: [claudeSays('# Docs')],
      };
      for (const [mode, options, reason] of [
        ['manual', {}, 'finished'],
        ['agentic', { approve: false }, 'finished'],
        ['agentic', { approve: 'false' }, 'finished'], // the command line's --option approve=false
        ['agentic', {}, 'awaiting_review'],
        ['manual', { approve: true }, 'awaiting_review'],
      ] as const) {
        const session = await startFull(mode, options);
        const outcome = await runToCompletion(fixture.engine, new FakeExecutor(script), session.id);
        assert.equal(outcome.reason, reason, `${mode} ${JSON.stringify(options)}`);
      }
    });

    it('a workflow step with approve: true waits; approval of the last step completes the session; a session at a gate is not an orphan', async () => {
      const directory = join(fixture.workspace, WORKFLOWS_DIRECTORY);
      await mkdir(directory, { recursive: true });
      await writeFile(
        join(directory, 'wf.json'),
        JSON.stringify({
          id: 'reviewed',
          label: 'Reviewed',
          steps: [{ id: 'draft', kind: 'claude', prompt: 'Draft it', saveAs: 'draft.md', approve: true }],
        }),
      );
      fixture.types.setUserWorkflows(
        (await new WorkflowLoader(new NodeWorkflowFileSystem(), directory, fixture.types.builtinIds).load()).workflows,
      );
      const session = await fixture.engine.start({ type: 'reviewed', title: 'R', intention: 'r', executionMode: 'agentic' });
      const outcome = await runToCompletion(fixture.engine, new FakeExecutor({ draft: [claudeSays('draft one')] }), session.id);
      assert.equal(outcome.reason, 'awaiting_review');
      assert.equal(fixture.store.artifacts.getByKey(session.id, 'draft.md')?.review?.state, 'provisional');
      assert.deepEqual(await fixture.engine.interruptOrphans(), []);
      const done = await fixture.engine.approveReview(session.id, 'ana');
      assert.equal(done.status, 'complete');
      await assert.rejects(fixture.engine.approveReview(session.id, 'ana'), /no answer waiting for review/);
    });
  });

  it('commands carry the phase they serve; runs record phase and model alias; export, import and Markdown keep every new field', async () => {
    const session = await fixture.engine.start({
      type: 'full',
      title: 'Login page',
      intention: 'Add a login page',
      successCriteria: ['users can sign in'],
      executionMode: 'agentic',
    });
    await runToCompletion(fixture.engine, new FakeExecutor({ spec: [claudeSays('# Spec')] }), session.id);
    await fixture.engine.requestChanges(session.id, 'Mention rate limits.', 'ana');
    await fixture.engine.recordProgress(session.id, [
      { kind: 'success', criterion: 'users can sign in', status: 'unknown', evidence: 'nothing built yet' },
    ]);
    const spec = fixture.interactionsOf(session.id)[0];
    assert.equal(spec.command.metadata.phase, 'spec');
    await fixture.store.runs.start({
      sessionId: session.id,
      interactionId: spec.id,
      provider: 'anthropic-api',
      model: 'claude-sonnet-4-5',
      modelAlias: 'sonnet',
      phase: 'spec',
    });

    const exported = exportLedger(fixture.store, [session.id]);
    const json = serializeLedgerExport(exported);
    const markdown = ledgerToMarkdown(parseLedgerExport(json));
    assert.match(markdown, /## Progress \(0\/1 met, checked by a person/);
    assert.match(markdown, /- \[\?\] users can sign in — nothing built yet/);
    assert.match(markdown, /- spec \(spec, \d+ bytes, .*\) — changes requested by ana .*: Mention rate limits\./);
    assert.match(markdown, /## Runs by phase/);
    assert.match(markdown, /\| spec \| 1 \| sonnet \|/);

    const target = await createEngineFixture();
    try {
      await importLedger(target.store, parseLedgerExport(json));
      const again = exportLedger(target.store, [session.id], exported.exportedAt);
      assert.deepEqual(JSON.parse(serializeLedgerExport(again)).sessions, JSON.parse(json).sessions, 'lossless');
      const imported = target.store.sessions.require(session.id);
      assert.equal(imported.progress?.criteria[0]?.evidence, 'nothing built yet');
      assert.equal(target.store.artifacts.getByKey(session.id, 'spec')?.review?.comment, 'Mention rate limits.');
      assert.deepEqual(
        target.store.runs.listBySession(session.id).map((r) => [r.phase, r.modelAlias]),
        [['spec', 'sonnet']],
      );
    } finally {
      await target.dispose();
    }

    // An export from before migration 0011 reads as never checked, runs without phase or alias, artifacts without review.
    const old = JSON.parse(json);
    for (const s of old.sessions) {
      delete s.progress;
      for (const r of s.runs) {
        delete r.phase;
        delete r.modelAlias;
      }
      for (const a of s.artifacts) delete a.review;
    }
    const parsed = parseLedgerExport(JSON.stringify(old)).sessions[0];
    assert.deepEqual(
      [parsed.progress, parsed.runs[0].phase, parsed.runs[0].modelAlias, parsed.artifacts[0].review],
      [null, null, null, null],
    );

    // The evidence and the review comment are found by search (they are in the events).
    const hits = searchLedger(sqlReaderOf(fixture.store), 'rate limits');
    assert.ok(
      hits.some((h) => h.sessionId === session.id),
      JSON.stringify(hits),
    );
  });
});
