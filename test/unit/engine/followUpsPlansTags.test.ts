import { strict as assert } from 'node:assert';
import { exportLedger, serializeLedgerExport } from '../../../src/core/ledger/ledgerExport';
import { parseLedgerExport } from '../../../src/core/ledger/importValidation';
import { importLedger } from '../../../src/core/ledger/ledgerImport';
import { ledgerToMarkdown } from '../../../src/core/ledger/ledgerMarkdown';
import { searchLedger } from '../../../src/core/ledger/search';
import { normalizeTags } from '../../../src/core/engine/sessionInputs';
import { actualMinutes } from '../../../src/protocol/sessionDurations';
import { openTestStore } from '../claudeCode/testStore';
import { ManualClock } from '../store/storeTestSupport';
import { createEngineFixture, type EngineFixture } from './support/engineFixture';
import { roundTripStoresPerTest, SAMPLE_OUTCOME } from './support/ledgerRoundTrip';

describe('planned sessions, follow-ups and tags in the engine and the store', () => {
  let fixture: EngineFixture;
  beforeEach(async () => {
    fixture = await createEngineFixture();
  });
  afterEach(() => fixture.dispose());

  it('Plan Session records a planned session that runs nothing until Start; its actual duration counts from Start', async () => {
    const scheduledAt = Date.UTC(2026, 11, 5, 14, 30);
    const planned = await fixture.engine.plan({
      type: 'freeform',
      title: 'Release notes',
      intention: 'Write the release notes',
      scheduledAt,
      expectedMinutes: 45,
      tags: ['release', ' docs ', 'release', ''],
    });
    assert.deepEqual(
      [planned.status, planned.scheduledAt, planned.expectedMinutes, planned.startedAt, planned.tags],
      ['planned', scheduledAt, 45, null, ['release', 'docs']],
    );
    const plannedEvent = fixture.eventsOf(planned.id).find((e) => e.type === 'session.planned');
    assert.deepEqual(plannedEvent?.payload, { type: 'freeform', scheduledAt, expectedMinutes: 45, followsSessionId: null });
    const next = await fixture.engine.next(planned.id, { input: 'go' });
    assert.equal(next.kind, 'stopped', 'a planned session issues no command');
    assert.equal(fixture.interactionsOf(planned.id).length, 0);
    assert.equal(actualMinutes(planned), undefined);

    const started = await fixture.engine.startPlanned(planned.id);
    assert.equal(started.status, 'active');
    assert.ok(started.startedAt !== null && started.startedAt >= planned.createdAt);
    const change = fixture.eventsOf(planned.id).find((e) => e.type === 'status.changed');
    assert.deepEqual(change?.payload, { from: 'planned', to: 'active', reason: 'started (it was planned)' });
    await assert.rejects(fixture.engine.startPlanned(planned.id), /is active; only a planned session can be started/);
    assert.equal((await fixture.engine.next(planned.id, { input: 'write them' })).kind, 'command');

    const done = await fixture.engine.completeWithOutcome(planned.id, SAMPLE_OUTCOME);
    assert.equal(done.status, 'complete');
    const actual = actualMinutes(done);
    assert.ok(actual !== undefined && actual >= 0, 'the actual duration is known once it ended');
    assert.equal(actual, (done.endedAt! - done.startedAt!) / 60_000);
    assert.equal(done.expectedMinutes, 45, 'the expected duration stays beside it');
  });

  it('a planned session can be cancelled (no start, no actual duration) but not completed or paused', async () => {
    const planned = await fixture.engine.plan({ type: 'freeform', title: 'Maybe', intention: 'later' });
    await assert.rejects(fixture.engine.pause(planned.id), /from "planned" to "paused"/);
    const cancelled = await fixture.engine.cancel(planned.id);
    assert.deepEqual([cancelled.status, cancelled.startedAt, actualMinutes(cancelled)], ['cancelled', null, undefined]);
    assert.ok(cancelled.endedAt !== null);
  });

  it('a session started now has started when created; the store lists planned sessions by status', async () => {
    const session = await fixture.engine.start({ type: 'freeform', title: 'Now', intention: 'now' });
    assert.equal(session.startedAt, session.createdAt);
    await fixture.engine.plan({ type: 'freeform', title: 'Later', intention: 'later' });
    assert.deepEqual(
      fixture.store.sessions.list({ status: 'planned' }).map((s) => s.title),
      ['Later'],
    );
  });

  it('a follow-up links previous and next, separate from parent and child; the previous must exist', async () => {
    const previous = await fixture.engine.start({ type: 'freeform', title: 'CSV', intention: 'A CSV parser', tags: ['csv'] });
    await fixture.engine.completeWithOutcome(previous.id, SAMPLE_OUTCOME);
    const next = await fixture.engine.start({
      type: 'freeform',
      title: SAMPLE_OUTCOME.nextSessionSuggestion,
      intention: SAMPLE_OUTCOME.nextSessionSuggestion,
      followsSessionId: previous.id,
    });
    assert.deepEqual([next.followsSessionId, next.parentSessionId], [previous.id, null]);
    assert.deepEqual(
      fixture.store.sessions.followUps(previous.id).map((s) => s.id),
      [next.id],
    );
    assert.deepEqual(fixture.store.sessions.children(previous.id), [], 'a follow-up is not a child');
    assert.equal(fixture.store.sessions.followUps(next.id).length, 0);
    const started = fixture.eventsOf(next.id).find((e) => e.type === 'session.started');
    assert.equal((started?.payload as { followsSessionId: string }).followsSessionId, previous.id);
    // A planned follow-up links the same way.
    const planned = await fixture.engine.plan({ type: 'freeform', title: 'Then', intention: 'then', followsSessionId: next.id });
    assert.equal(planned.followsSessionId, next.id);
    await assert.rejects(
      fixture.engine.start({ type: 'freeform', title: 'X', intention: 'x', followsSessionId: '00000000-0000-4000-8000-000000000009' }),
      /session.*00000000-0000-4000-8000-000000000009/,
    );
  });

  it('tags: set as one event with what was added and removed, filtered exactly, counted, and found by search', async () => {
    assert.deepEqual(normalizeTags([' a', 'b ', 'a', '', '  ']), ['a', 'b']);
    const one = await fixture.engine.start({ type: 'freeform', title: 'One', intention: 'one', tags: ['release'] });
    const two = await fixture.engine.start({ type: 'freeform', title: 'Two', intention: 'two', executionMode: 'agentic' });
    const tagged = await fixture.engine.setTags(one.id, ['release', 'ui-work', 'release']);
    assert.deepEqual(tagged.tags, ['release', 'ui-work']);
    const changes = fixture.eventsOf(one.id).filter((e) => e.type === 'session.tags_changed');
    assert.deepEqual(
      changes.map((e) => e.payload),
      [{ before: ['release'], after: ['release', 'ui-work'], added: ['ui-work'], removed: [] }],
    );
    await fixture.engine.setTags(one.id, ['ui-work', 'release']);
    await fixture.engine.setTags(one.id, ['release', 'ui-work']);
    assert.equal(fixture.eventsOf(one.id).filter((e) => e.type === 'session.tags_changed').length, 3, 'the same tags again: no event');

    const titles = (filter: Parameters<typeof fixture.store.sessions.list>[0]) => fixture.store.sessions.list(filter).map((s) => s.title);
    assert.deepEqual(titles({ tag: 'ui-work' }), ['One']);
    assert.deepEqual(titles({ tag: 'ui' }), [], 'a tag filter matches whole tags');
    assert.deepEqual(titles({ text: 'ui-wo' }), ['One'], 'the text filter looks in tags too');
    assert.deepEqual(titles({ executionMode: 'agentic' }), ['Two']);
    assert.deepEqual(titles({ createdFrom: two.createdAt + 1 }), []);
    assert.deepEqual(titles({ createdBefore: one.createdAt }), []);
    assert.deepEqual(titles({ owner: 'me' }).sort(), ['One', 'Two']);
    assert.deepEqual(titles({ owner: 'alice' }), []);
    assert.deepEqual(fixture.store.sessions.tagCounts(), [
      { tag: 'release', count: 1 },
      { tag: 'ui-work', count: 1 },
    ]);

    const hits = searchLedger(fixture.store.sql, 'ui-work', { kinds: ['session'] });
    assert.deepEqual(
      hits.map((h) => [h.sessionId, h.snippet]),
      [[one.id, 'tags: ["release","[ui]-[work]"]']],
    );
    await fixture.engine.setTags(one.id, ['release']);
    assert.deepEqual(searchLedger(fixture.store.sql, 'ui-work', { kinds: ['session'] }), [], 'a removed tag is no longer found');
    assert.equal(searchLedger(fixture.store.sql, 'One', { kinds: ['session'] }).length, 1, 'one hit per session');
  });
});

describe('export / import of follow-ups, plans and tags', function () {
  this.timeout(20_000);
  const stores = roundTripStoresPerTest();

  it('round-trips every new field through JSON, shows them in Markdown, and reads older exports without them', async () => {
    const previous = await stores.source.sessions.create({ type: 'freeform', title: 'CSV', intention: 'parse', tags: ['csv', 'parser'] });
    await stores.source.sessions.update(previous.id, { status: 'complete' });
    const next = await stores.source.sessions.create({
      type: 'freeform',
      title: 'Quotes',
      intention: 'quoted newlines',
      followsSessionId: previous.id,
      status: 'planned',
      scheduledAt: Date.UTC(2026, 11, 5, 9),
      expectedMinutes: 90,
    });
    assert.equal(next.startedAt, null);
    const exported = exportLedger(stores.source, undefined, Date.UTC(2026, 5, 1));
    await importLedger(stores.target, parseLedgerExport(serializeLedgerExport(exported)));
    for (const id of [previous.id, next.id]) assert.deepEqual(stores.target.sessions.require(id), stores.source.sessions.require(id));
    assert.deepEqual(
      stores.target.sessions.followUps(previous.id).map((s) => s.id),
      [next.id],
    );

    const markdown = ledgerToMarkdown(exported);
    assert.match(markdown, /\| Tags \| csv, parser \|/);
    assert.match(markdown, new RegExp(`\\| Follows \\| session \`${previous.id}\` \\|`));
    assert.match(markdown, /\| Scheduled \| 2026-12-05 09:00:00 UTC \|/);
    assert.match(markdown, /\| Expected duration \| 1 h 30 min \|/);
    assert.match(markdown, /\| Actual duration \| 0 min \|/, 'the completed one ran (ManualClock: no time passed)');

    // An export from before migration 0012: no follow-up, not planned, started when created.
    const old = JSON.parse(serializeLedgerExport(exported));
    for (const s of old.sessions) {
      delete s.followsSessionId;
      delete s.scheduledAt;
      delete s.expectedMinutes;
      delete s.startedAt;
      s.status = 'complete';
    }
    const parsed = parseLedgerExport(JSON.stringify(old));
    assert.deepEqual(
      [
        parsed.sessions[0].followsSessionId,
        parsed.sessions[0].scheduledAt,
        parsed.sessions[0].expectedMinutes,
        parsed.sessions[0].startedAt,
      ],
      [null, null, null, undefined],
    );
    const third = await openTestStore(new ManualClock());
    try {
      await importLedger(third, parsed);
      const imported = third.sessions.require(previous.id);
      assert.equal(imported.startedAt, imported.createdAt);
    } finally {
      await third.close();
    }
  });

  it('a follow-up exported without the session it follows is imported without the link', async () => {
    const previous = await stores.source.sessions.create({ type: 'freeform', title: 'CSV', intention: 'parse' });
    const next = await stores.source.sessions.create({ type: 'freeform', title: 'Quotes', intention: 'q', followsSessionId: previous.id });
    const exported = exportLedger(stores.source, undefined, Date.UTC(2026, 5, 1));
    const onlyNext = { ...exported, sessions: exported.sessions.filter((s) => s.id === next.id) };
    await importLedger(stores.target, parseLedgerExport(serializeLedgerExport(onlyNext)));
    assert.equal(stores.target.sessions.require(next.id).followsSessionId, null);
  });
});
