import { strict as assert } from 'node:assert';
import { searchLedger, toFtsQuery } from '../../../src/core/ledger/search';
import type { SessionStore } from '../../../src/core/store/SessionStore';
import { openTestStore, sqlReaderOf } from '../claudeCode/testStore';

describe('full-text search (FTS4, kept in sync by triggers and, for events, once per transaction)', function () {
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
    const session = await store.sessions.create({
      type: 'test-fix',
      title: 'Fix the flaky zanzibar test',
      intention: 'make quokka stable',
    });
    const other = await store.sessions.create({ type: 'test-fix', title: 'Unrelated', intention: 'nothing' });
    await store.transaction((tx) => {
      const step = tx.interactions.append({
        sessionId: session.id,
        step: 'run-tests',
        kind: 'shell',
        command: 'npm test -- --grep wombat',
      });
      tx.interactions.setResult(step.id, { status: 'error', exitCode: 1, output: 'AssertionError: expected platypus' });
      tx.events.append({
        id: 'e1',
        sessionId: session.id,
        interactionId: step.id,
        type: 'claude.text',
        payload: { text: 'The échidna fixture is stale' },
      });
      tx.events.append({
        id: 'e2',
        sessionId: other.id,
        type: 'hook.PreToolUse',
        toolName: 'Bash',
        payload: { tool_input: { command: 'rm -rf echidna' } },
      });
    });
    const reader = sqlReaderOf(store);
    const kinds = (q: string) => searchLedger(reader, q).map((h) => `${h.kind}:${h.sessionId === session.id ? 'mine' : 'other'}`);

    assert.deepEqual(kinds('zanzibar'), ['session:mine']);
    assert.deepEqual(kinds('quokka'), ['session:mine']);
    assert.deepEqual(kinds('wombat'), ['interaction:mine']);
    assert.deepEqual(kinds('platyp'), ['interaction:mine'], 'prefix search on the last word');
    assert.deepEqual(kinds('echidna').sort(), ['event:mine', 'event:other'], 'diacritics folded');
    assert.deepEqual(
      searchLedger(reader, 'echidna', { sessionId: session.id }).map((h) => h.eventId),
      ['e1'],
    );

    const hit = searchLedger(reader, 'stale')[0];
    assert.equal(hit.interactionSeq, 1, 'an event hit says which interaction to open');
    assert.match(hit.snippet, /\[stale\]/);

    await store.interactions.setResult(
      (await store.interactions.append({ sessionId: other.id, step: 's', kind: 'shell', command: 'ls' })).id,
      { status: 'ok', output: 'kangaroo' },
    );
    assert.deepEqual(kinds('kangaroo'), ['interaction:other'], 'a result recorded later is indexed');
    await store.sessions.update(session.id, { title: 'Renamed to koala' });
    assert.deepEqual(kinds('zanzibar'), []);
    assert.deepEqual(kinds('koala'), ['session:mine']);
    await store.sessions.softDelete(session.id);
    assert.deepEqual(kinds('koala wombat'), [], 'soft-deleted sessions are hidden');
  });

  it('keeps the index exact when rows change or go, without a second copy of their text (external content)', async () => {
    const session = await store.sessions.create({ type: 'test-fix', title: 'Index upkeep', intention: 'x' });
    const step = await store.interactions.append({ sessionId: session.id, step: 's', kind: 'shell', command: 'make wallaby' });
    await store.events.append({ id: 'gone', sessionId: session.id, type: 'hook.Notification', payload: { message: 'numbat spotted' } });
    await store.events.append({ id: 'kept', sessionId: session.id, type: 'hook.Notification', payload: { message: 'dingo spotted' } });
    const reader = sqlReaderOf(store);
    const hits = (q: string) => searchLedger(reader, q).map((h) => h.eventId ?? h.kind);
    assert.deepEqual(hits('numbat'), ['gone']);

    // Deleting an event (as retention does) takes its terms out of the index; the other stays.
    await store.transaction(() => store.sql.run("DELETE FROM events WHERE id = 'gone'"));
    assert.deepEqual(hits('numbat'), []);
    assert.deepEqual(hits('dingo'), ['kept']);
    // A result recorded later replaces nothing it should not: the command stays findable, the output joins it.
    await store.interactions.setResult(step.id, { status: 'ok', output: 'bilby built' });
    assert.deepEqual(hits('wallaby'), ['interaction']);
    assert.deepEqual(hits('bilby'), ['interaction']);
    // A term that never was in any row finds nothing (no stale terms from the deleted event either).
    assert.deepEqual(hits('spotted'), ['kept']);

    // The indexes keep only terms: no content tables duplicating payloads, commands and outputs.
    const tables = reader.all("SELECT name FROM sqlite_master WHERE name LIKE 'search_%_content'").map((r) => r.name);
    assert.deepEqual(tables, ['search_sessions_content']);
    // FTS4's own check that the index matches the rows it reads them from (it throws if not).
    await store.transaction(() => {
      store.sql.run("INSERT INTO search_events (search_events) VALUES ('integrity-check')");
      store.sql.run("INSERT INTO search_interactions (search_interactions) VALUES ('integrity-check')");
    });
  });

  it('indexes the events of a transaction in one statement: one index segment per transaction (or fewer), searchable at once, and deletes and edits of indexed events kept in step', async () => {
    const session = await store.sessions.create({ type: 'test-fix', title: 'Index per transaction', intention: 'one segment' });
    const reader = sqlReaderOf(store);
    const eventIds = (q: string) =>
      searchLedger(reader, q)
        .map((h) => h.eventId)
        .sort();
    const segments = () => Number(store.sql.all('SELECT count(*) AS n FROM search_events_segdir')[0].n);
    const before = segments();
    await store.transaction((tx) => {
      for (let i = 0; i < 100; i++)
        tx.events.append({
          id: `b${i}`,
          sessionId: session.id,
          type: 'tool',
          payload: { text: i === 7 ? 'kookaburra seven' : `plain ${i}` },
        });
    });
    assert.equal(segments() - before, 1, 'one new segment for 100 events (a trigger per row wrote one per event)');
    assert.deepEqual(eventIds('kookaburra'), ['b7']);
    await store.events.append({ id: 'single', sessionId: session.id, type: 'tool', payload: { text: 'lone kookaburra' } });
    assert.deepEqual(eventIds('kookaburra'), ['b7', 'single']);
    // Raw edits of indexed events (retention deletes; nothing in Session Ledger edits events, but the index must follow).
    await store.transaction(() => {
      store.sql.run('UPDATE events SET payload = \'{"text":"wallaby now"}\' WHERE id = \'b7\'');
      store.sql.run("DELETE FROM events WHERE id = 'single'");
    });
    assert.deepEqual(eventIds('kookaburra'), []);
    assert.deepEqual(eventIds('wallaby'), ['b7']);
    // An event added and changed, or added and removed, in one transaction is indexed as it ends up.
    await store.transaction((tx) => {
      tx.events.append({ id: 'changed', sessionId: session.id, type: 'tool', payload: { text: 'dingo' } });
      tx.events.append({ id: 'gone', sessionId: session.id, type: 'tool', payload: { text: 'dingo too' } });
      store.sql.run('UPDATE events SET payload = \'{"text":"numbat"}\' WHERE id = \'changed\'');
      store.sql.run("DELETE FROM events WHERE id = 'gone'");
    });
    assert.deepEqual(eventIds('dingo'), []);
    assert.deepEqual(eventIds('numbat'), ['changed']);
    await store.transaction(() => store.sql.run("INSERT INTO search_events (search_events) VALUES ('integrity-check')"));
  });
});
