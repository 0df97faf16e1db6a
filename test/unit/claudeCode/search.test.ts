import { strict as assert } from 'node:assert';
import { searchLedger, toFtsQuery } from '../../../src/core/claudeCode/search';
import type { SessionStore } from '../../../src/core/store/SessionStore';
import { openTestStore, sqlReaderOf } from './testStore';

describe('full-text search (FTS4, kept in sync by triggers)', function () {
  this.timeout(20_000);
  let store: SessionStore;
  beforeEach(async () => {
    store = await openTestStore();
  });
  afterEach(() => store.close());

  it('turns typed text into a safe FTS4 query', () => {
    assert.equal(toFtsQuery('parse csv'), '"parse" "csv*"');
    assert.equal(toFtsQuery('  "NEAR" OR x:y (a*) '), '"NEAR" "OR" "xy" "a*"');
    assert.equal(toFtsQuery(' " * - '), undefined);
  });

  it('finds titles, intentions, commands, outputs, Claude text and payloads, written through the store', async () => {
    const session = await store.sessions.create({ type: 'test-fix', title: 'Fix the flaky zanzibar test', intention: 'make quokka stable' });
    const other = await store.sessions.create({ type: 'test-fix', title: 'Unrelated', intention: 'nothing' });
    await store.transaction((tx) => {
      const step = tx.interactions.append({ sessionId: session.id, step: 'run-tests', kind: 'shell', command: 'npm test -- --grep wombat' });
      tx.interactions.setResult(step.id, { status: 'error', exitCode: 1, output: 'AssertionError: expected platypus' });
      tx.events.append({ id: 'e1', sessionId: session.id, interactionId: step.id, type: 'claude.text', payload: { text: 'The échidna fixture is stale' } });
      tx.events.append({ id: 'e2', sessionId: other.id, type: 'hook.PreToolUse', toolName: 'Bash', payload: { tool_input: { command: 'rm -rf echidna' } } });
    });
    const reader = sqlReaderOf(store);
    const kinds = (q: string) => searchLedger(reader, q).map((h) => `${h.kind}:${h.sessionId === session.id ? 'mine' : 'other'}`);

    assert.deepEqual(kinds('zanzibar'), ['session:mine']);
    assert.deepEqual(kinds('quokka'), ['session:mine']);
    assert.deepEqual(kinds('wombat'), ['interaction:mine']);
    assert.deepEqual(kinds('platyp'), ['interaction:mine'], 'prefix search on the last word');
    assert.deepEqual(kinds('echidna').sort(), ['event:mine', 'event:other'], 'diacritics folded');
    assert.deepEqual(searchLedger(reader, 'echidna', { sessionId: session.id }).map((h) => h.eventId), ['e1']);

    const hit = searchLedger(reader, 'stale')[0];
    assert.equal(hit.interactionSeq, 1, 'an event hit says which interaction to open');
    assert.match(hit.snippet, /\[stale\]/);

    await store.interactions.setResult((await store.interactions.append({ sessionId: other.id, step: 's', kind: 'shell', command: 'ls' })).id, { status: 'ok', output: 'kangaroo' });
    assert.deepEqual(kinds('kangaroo'), ['interaction:other'], 'a result recorded later is indexed');
    await store.sessions.update(session.id, { title: 'Renamed to koala' });
    assert.deepEqual(kinds('zanzibar'), []);
    assert.deepEqual(kinds('koala'), ['session:mine']);
    await store.sessions.softDelete(session.id);
    assert.deepEqual(kinds('koala wombat'), [], 'soft-deleted sessions are hidden');
  });
});
