import { strict as assert } from 'node:assert';
import {
  applyRetentionPlan,
  countPrunableEvents,
  describeRetentionPlan,
  isPinned,
  planRetention,
  withPinned,
  type RetentionPolicy,
} from '../../../src/core/ledger/retention';
import type { SessionStore } from '../../../src/core/store/SessionStore';
import { openTestStore, sqlReaderOf } from '../claudeCode/testStore';
import { ManualClock } from '../store/storeTestSupport';

const policy: RetentionPolicy = {
  maxAgeDays: 90,
  hardDeleteAfterDays: 30,
  pruneEventTypes: ['hook.PreToolUse', 'claude.thinking*'],
  pruneEventsAfterDays: 7,
};

describe('retention pins', () => {
  it('adds and removes the tag retention checks, keeping the other tags and never doubling it', () => {
    assert.deepEqual(withPinned(['imported', 'claude-code'], true), ['imported', 'claude-code', 'pinned']);
    assert.deepEqual(withPinned(['pinned', 'imported', 'pinned'], true), ['imported', 'pinned']);
    assert.deepEqual(withPinned(['imported', 'pinned', 'x'], false), ['imported', 'x']);
    assert.deepEqual(withPinned([], false), []);
    assert.equal(isPinned({ tags: withPinned(['a'], true) }), true);
    assert.equal(isPinned({ tags: ['Pinned', 'pin'] }), false);
  });
});

describe('retention', function () {
  this.timeout(20_000);
  let clock: ManualClock;
  let store: SessionStore;
  const ids: Record<string, string> = {};

  beforeEach(async () => {
    clock = new ManualClock();
    store = await openTestStore(clock);
    const make = async (name: string, status: 'complete' | 'failed' | 'active' | 'paused' | 'interrupted', tags: string[] = []) => {
      ids[name] = (await store.sessions.create({ type: 'test-fix', title: name, intention: '', status, tags })).id;
    };
    await make('old-complete', 'complete');
    await make('old-failed-noisy', 'failed');
    await make('old-pinned', 'complete', ['pinned']);
    await make('old-active', 'active');
    await make('old-paused', 'paused');
    await make('old-interrupted', 'interrupted');
    await make('trashed', 'complete');
    await make('parent', 'complete');
    ids.child = (
      await store.sessions.create({ type: 't', title: 'child', intention: '', status: 'active', parentSessionId: ids.parent })
    ).id;
    await store.transaction((tx) => {
      for (let i = 0; i < 5; i++)
        tx.events.append({ id: `pre-${i}`, sessionId: ids['old-failed-noisy'], type: 'hook.PreToolUse', toolName: 'Bash' });
      tx.events.append({ id: 'think', sessionId: ids['old-failed-noisy'], type: 'claude.thinking' });
      tx.events.append({ id: 'keep', sessionId: ids['old-failed-noisy'], type: 'claude.text', payload: { text: 'kept' } });
    });
    clock.advanceDays(60);
    await store.sessions.softDelete(ids.trashed);
    await make('recent-complete', 'complete');
    clock.advanceDays(40); // old ones ended 100 days ago; "trashed" in the trash for 40 days
  });
  afterEach(() => store.close());

  const plan = () =>
    planRetention(
      policy,
      store.sessions.list({ deleted: 'include', limit: 1000 }),
      countPrunableEvents(sqlReaderOf(store), policy.pruneEventTypes!),
      clock.now(),
    );

  it('plans a dry run: soft delete old completed, hard delete after the grace period, prune noisy types; exempts the rest', () => {
    const p = plan();
    assert.deepEqual(p.softDelete.map((s) => s.title).sort(), ['old-complete', 'old-failed-noisy']);
    assert.deepEqual(
      p.hardDelete.map((s) => s.title),
      ['trashed'],
    );
    assert.deepEqual(
      p.pruneEvents.map((e) => [e.title, e.types, e.count]),
      [['old-failed-noisy', { 'hook.PreToolUse': 5, 'claude.thinking': 1 }, 6]],
    );
    assert.deepEqual(Object.fromEntries(p.exempt.map((e) => [e.title, e.reason])), {
      'old-pinned': 'pinned',
      'old-active': 'status active',
      'old-paused': 'status paused',
      'old-interrupted': 'status interrupted',
      parent: '1 child session(s) are kept',
      child: 'status active',
    });
    const report = describeRetentionPlan(p);
    assert.match(report, /Move to trash \(soft delete\): 2/);
    assert.match(report, /old-failed-noisy: 1 claude\.thinking, 5 hook\.PreToolUse/);
    assert.equal(store.sessions.count({ deleted: 'include' }), 10, 'a dry run changes nothing');
  });

  it('never prunes per-response usage or the tool calls sub-agents are linked to, whatever the pattern', async () => {
    await store.transaction((tx) => {
      tx.events.append({ id: 'cc:usage:m1:r1', sessionId: ids['old-failed-noisy'], type: 'claude.usage', payload: { outputTokens: 5 } });
      tx.events.append({ id: 'cc:tool_use:t1', sessionId: ids['old-failed-noisy'], type: 'claude.tool_use', toolName: 'Agent' });
      tx.events.append({ id: 'u1', sessionId: ids['old-failed-noisy'], type: 'usage' });
    });
    const wide = { ...policy, pruneEventTypes: ['claude.*', 'usage', 'hook.*'] };
    const p = planRetention(
      wide,
      store.sessions.list({ deleted: 'include', limit: 1000 }),
      countPrunableEvents(sqlReaderOf(store), wide.pruneEventTypes),
      clock.now(),
    );
    const noisy = p.pruneEvents.find((e) => e.title === 'old-failed-noisy')!;
    assert.deepEqual(noisy.types, { 'hook.PreToolUse': 5, 'claude.thinking': 1, 'claude.text': 1 });
    assert.match(
      describeRetentionPlan(p),
      /Never pruned \(they hold usage figures and sub-agent links\): claude\.usage, usage, claude\.tool_use/,
    );
  });

  it('applies exactly the plan', async () => {
    const p = plan();
    await store.sessions.update(ids['old-complete'], { tags: ['pinned'] }); // pinned after planning: skipped
    const result = await applyRetentionPlan(store, sqlReaderOf(store), p);
    assert.deepEqual(result, { softDeleted: 1, hardDeleted: 1, eventsPruned: 6 });
    assert.equal(store.sessions.get(ids.trashed), undefined);
    assert.ok(store.sessions.get(ids['old-failed-noisy'])!.deletedAt !== null);
    assert.equal(store.sessions.get(ids['old-complete'])!.deletedAt, null);
    assert.deepEqual(
      store.events.list(ids['old-failed-noisy']).map((e) => e.id),
      ['keep'],
    );
    assert.equal(store.sessions.get(ids['old-failed-noisy'])!.eventCount, 1);
    for (const name of ['old-pinned', 'old-active', 'old-paused', 'old-interrupted', 'parent', 'child', 'recent-complete']) {
      assert.equal(store.sessions.get(ids[name])!.deletedAt, null, name);
    }
  });

  it('after pruning, a new event takes the seq above the highest one and the count stays the number of events', async () => {
    const noisy = ids['old-failed-noisy'];
    await applyRetentionPlan(store, sqlReaderOf(store), plan());
    assert.deepEqual(
      store.events.list(noisy).map((e) => [e.id, e.seq]),
      [['keep', 7]],
    );
    // Before the fix the seq was claimed as event_count + 1 = 2, 3, … and collided with "keep" (seq 7) on the 6th append.
    for (let i = 0; i < 7; i++) await store.events.append({ id: `late-${i}`, sessionId: noisy, type: 'claude.text' });
    assert.deepEqual(
      store.events.list(noisy).map((e) => e.seq),
      [7, 8, 9, 10, 11, 12, 13, 14],
    );
    assert.equal(store.sessions.require(noisy).eventCount, 8);
  });

  it('never reuses the seq of a pruned event, so a reader paging with "after" misses nothing', async () => {
    const s = (await store.sessions.create({ type: 't', title: 'top pruned', intention: '', status: 'complete' })).id;
    await store.transaction((tx) => {
      tx.events.append({ id: 'top-text', sessionId: s, type: 'claude.text' });
      tx.events.append({ id: 'top-pre', sessionId: s, type: 'hook.PreToolUse' });
    });
    const seenUpTo = store.events.lastSeq(s); // a timeline that has shown seq 2
    clock.advanceDays(8);
    await applyRetentionPlan(store, sqlReaderOf(store), plan());
    assert.deepEqual(
      store.events.list(s).map((e) => e.id),
      ['top-text'],
    );
    const next = await store.events.append({ id: 'top-late', sessionId: s, type: 'claude.text' });
    assert.equal(next.seq, 3);
    assert.deepEqual(
      store.events.list(s, { after: seenUpTo }).map((e) => e.id),
      ['top-late'],
    );
    assert.equal(store.sessions.require(s).eventCount, 2);
  });

  it('hard-deletes a trashed family children first, so no row points at a removed parent', async () => {
    const root = await store.sessions.create({ type: 't', title: 'family root', intention: '', status: 'complete' });
    const mid = await store.sessions.create({
      type: 't',
      title: 'family child',
      intention: '',
      status: 'complete',
      parentSessionId: root.id,
    });
    const leaf = await store.sessions.create({
      type: 't',
      title: 'family grandchild',
      intention: '',
      status: 'complete',
      parentSessionId: mid.id,
    });
    // Trashed parent first, so the listing (newest first) puts the children before or after it either way.
    for (const s of [leaf, root, mid]) await store.sessions.softDelete(s.id);
    clock.advanceDays(31);
    const p = plan();
    const order = p.hardDelete.map((s) => s.title).filter((t) => t.startsWith('family'));
    assert.deepEqual(order, ['family grandchild', 'family child', 'family root']);
    await applyRetentionPlan(store, sqlReaderOf(store), p);
    for (const s of [root, mid, leaf]) assert.equal(store.sessions.get(s.id), undefined);
  });
});
