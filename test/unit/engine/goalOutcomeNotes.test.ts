import { strict as assert } from 'node:assert';
import { exportLedger, serializeLedgerExport } from '../../../src/core/ledger/ledgerExport';
import { parseLedgerExport } from '../../../src/core/ledger/importValidation';
import { importLedger } from '../../../src/core/ledger/ledgerImport';
import { ledgerToMarkdown } from '../../../src/core/ledger/ledgerMarkdown';
import { runToCompletion } from '../../../src/core/engine/runToCompletion';
import { WorkflowDefinitionSchema } from '../../../src/core/model/workflow';
import { createEngineFixture, type EngineFixture } from './support/engineFixture';
import { roundTripStoresPerTest, SAMPLE_OUTCOME } from './support/ledgerRoundTrip';
import { claudeSays, FakeExecutor, shellExits } from './support/FakeExecutor';

describe('goal, outcome and notes in the engine and the store', () => {
  let fixture: EngineFixture;
  beforeEach(async () => {
    fixture = await createEngineFixture();
  });
  afterEach(() => fixture.dispose());

  const start = () =>
    fixture.engine.start({
      type: 'freeform',
      title: 'CSV',
      intention: 'A CSV parser',
      successCriteria: ['tests pass'],
      completionCriteria: ['parser merged'],
      procedureNotes: 'TDD; small commits',
    });

  it('keeps completion criteria and procedure notes, and Edit Goal records before and after as one event', async () => {
    const session = await start();
    assert.deepEqual([session.completionCriteria, session.procedureNotes], [['parser merged'], 'TDD; small commits']);
    const edited = await fixture.engine.editGoal(session.id, {
      completionCriteria: ['parser merged', 'docs written'],
      constraints: ['no deps'],
    });
    assert.deepEqual(edited.completionCriteria, ['parser merged', 'docs written']);
    assert.deepEqual(fixture.store.sessions.require(session.id).constraints, ['no deps']);
    const edits = fixture.eventsOf(session.id).filter((e) => e.type === 'session.goal_edited');
    assert.equal(edits.length, 1);
    const payload = edits[0].payload as {
      before: { completionCriteria: string[]; constraints: string[] };
      after: { completionCriteria: string[]; intention: string };
      fields: string[];
    };
    assert.deepEqual(payload.fields, ['completionCriteria', 'constraints']);
    assert.deepEqual(payload.before.completionCriteria, ['parser merged']);
    assert.deepEqual(payload.before.constraints, []);
    assert.deepEqual(payload.after.completionCriteria, ['parser merged', 'docs written']);
    assert.equal(payload.after.intention, 'A CSV parser');

    await fixture.engine.editGoal(session.id, { intention: 'A CSV parser' });
    assert.equal(
      fixture.eventsOf(session.id).filter((e) => e.type === 'session.goal_edited').length,
      1,
      'an edit that changes nothing is no event',
    );
    await assert.rejects(fixture.engine.editGoal(session.id, { successCriteria: 'not a list' } as never), /goal edit.*successCriteria/);
  });

  it('Complete Session records the outcome, closes the pending command and completes; later it only corrects the outcome', async () => {
    const session = await start();
    const next = await fixture.engine.next(session.id, { input: 'write the parser' });
    assert.ok(next.kind === 'command');
    await assert.rejects(fixture.engine.completeWithOutcome(session.id, { ...SAMPLE_OUTCOME, rating: 6 }), /session outcome.*rating/);
    assert.equal(fixture.store.sessions.require(session.id).status, 'active', 'an invalid outcome changes nothing');

    const completed = await fixture.engine.completeWithOutcome(session.id, SAMPLE_OUTCOME);
    assert.equal(completed.status, 'complete');
    assert.equal(completed.summary, SAMPLE_OUTCOME.summary);
    assert.deepEqual(
      { ...completed.outcome, recordedAt: 0 },
      {
        rating: 4,
        completionPercent: 80,
        needsFollowUp: true,
        followUpNotes: 'Quoted newlines.',
        nextSessionSuggestion: SAMPLE_OUTCOME.nextSessionSuggestion,
        recordedBy: 'person',
        recordedAt: 0,
      },
    );
    assert.equal(fixture.interactionsOf(session.id)[0].result.status, 'cancelled');
    assert.deepEqual(fixture.store.sessions.require(session.id).outcome, completed.outcome);

    const corrected = await fixture.engine.completeWithOutcome(session.id, {
      ...SAMPLE_OUTCOME,
      rating: 5,
      completionPercent: 100,
      needsFollowUp: false,
    });
    assert.equal(corrected.status, 'complete');
    assert.equal(corrected.outcome?.rating, 5);
    const recorded = fixture.eventsOf(session.id).filter((e) => e.type === 'session.outcome_recorded');
    assert.equal(recorded.length, 2);
    assert.equal((recorded[1].payload as { previous: { rating: number } }).previous.rating, 4);
  });

  it('with summaries on, Claude proposes the outcome at the end in validated JSON; a plain answer stays a summary only', async () => {
    await fixture.dispose();
    fixture = await createEngineFixture({ summarizeOnComplete: true });
    fixture.types.setUserWorkflows([
      {
        definition: WorkflowDefinitionSchema.parse({
          id: 'one',
          label: 'One',
          steps: [{ id: 'build', kind: 'shell', command: 'make', next: '$complete' }],
        }),
        file: '/w/one.json',
      },
    ]);
    const proposing = await fixture.engine.start({ type: 'one', title: 'One', intention: 'build' });
    const json = '```json\n' + JSON.stringify({ ...SAMPLE_OUTCOME, rating: 3 }) + '\n```';
    const executor = new FakeExecutor({ build: [shellExits(0)], summary: [claudeSays(json)] });
    const outcome = await runToCompletion(fixture.engine, executor, proposing.id);
    assert.equal(outcome.session.status, 'complete');
    assert.match(executor.executed[1].command.command, /"completionPercent": 0-100/);
    const stored = fixture.store.sessions.require(proposing.id);
    assert.equal(stored.summary, SAMPLE_OUTCOME.summary);
    assert.equal(stored.outcome?.rating, 3);
    assert.equal(stored.outcome?.recordedBy, 'claude');
    assert.equal(stored.state.proposedOutcome, undefined, 'the proposal is not left in the state');

    const plain = await fixture.engine.start({ type: 'one', title: 'Plain', intention: 'build' });
    const plainOutcome = await runToCompletion(
      fixture.engine,
      new FakeExecutor({ build: [shellExits(0)], summary: [claudeSays('Built it.')] }),
      plain.id,
    );
    assert.equal(plainOutcome.session.status, 'complete');
    assert.equal(plainOutcome.session.summary, 'Built it.');
    assert.equal(plainOutcome.session.outcome, null);
    assert.match(fixture.store.notes.list(plain.id).at(-1)?.content ?? '', /Claude proposed no valid outcome/);
  });

  it('notes keep their kind, important and follow-up flags and their step', async () => {
    const session = await start();
    const note = await fixture.store.notes.add({
      sessionId: session.id,
      kind: 'concern',
      content: 'Quoting is subtle',
      interactionSeq: null,
      important: true,
      followUp: true,
    });
    await fixture.store.notes.add({ sessionId: session.id, kind: 'insight', content: 'Plain', interactionSeq: null });
    const listed = fixture.store.notes.list(session.id);
    assert.deepEqual(
      listed.map((n) => [n.kind, n.important, n.followUp]),
      [
        ['concern', true, true],
        ['insight', false, false],
      ],
    );
    assert.equal(listed[0].id, note.id);
  });
});

describe('export / import of goals, outcomes and note flags', function () {
  this.timeout(20_000);
  const stores = roundTripStoresPerTest();

  it('round-trips the new fields through JSON, shows them in Markdown, and reads an older export without them', async () => {
    const session = await stores.source.sessions.create({
      type: 'freeform',
      title: 'CSV',
      intention: 'parse',
      completionCriteria: ['merged'],
      procedureNotes: 'TDD',
      status: 'active',
    });
    await stores.source.sessions.update(session.id, {
      status: 'complete',
      summary: SAMPLE_OUTCOME.summary,
      outcome: {
        rating: 4,
        completionPercent: 80,
        needsFollowUp: true,
        followUpNotes: 'Quoted newlines.',
        nextSessionSuggestion: 'Next',
        recordedBy: 'person',
        recordedAt: Date.UTC(2026, 0, 2),
      },
    });
    await stores.source.notes.add({ sessionId: session.id, kind: 'concern', content: 'Quoting', important: true, followUp: true });
    const exported = exportLedger(stores.source, undefined, Date.UTC(2026, 5, 1));
    await importLedger(stores.target, parseLedgerExport(serializeLedgerExport(exported)));
    assert.deepEqual(stores.target.sessions.require(session.id), stores.source.sessions.require(session.id));
    assert.deepEqual(stores.target.notes.list(session.id), stores.source.notes.list(session.id));

    const markdown = ledgerToMarkdown(exported);
    assert.match(markdown, /## Completion criteria\n\n- merged/);
    assert.match(markdown, /## Procedure notes\n\nTDD/);
    assert.match(markdown, /\| Rating \| 4\/5 \|/);
    assert.match(markdown, /\| Completion \| 80 % \|/);
    assert.match(markdown, /\| Needs follow-up \| yes: Quoted newlines\. \|/);
    assert.match(markdown, /- \*\*concern\*\* ⚑ important, follow-up/);

    const old = JSON.parse(serializeLedgerExport(exported));
    for (const s of old.sessions) {
      delete s.completionCriteria;
      delete s.procedureNotes;
      delete s.outcome;
      for (const n of s.notes) {
        delete n.important;
        delete n.followUp;
      }
    }
    const parsed = parseLedgerExport(JSON.stringify(old));
    assert.deepEqual(
      [parsed.sessions[0].completionCriteria, parsed.sessions[0].procedureNotes, parsed.sessions[0].outcome],
      [[], '', null],
    );
    assert.equal(parsed.sessions[0].notes[0].important, false);
  });
});
