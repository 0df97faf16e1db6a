/**
 * Issue 12 item 4: Import Sessions cannot corrupt the store. Hostile or mismatched export files —
 * records filed under one session but naming another, references to records that are nowhere,
 * same ids with different content, counters that disagree with the records — are refused or
 * reported by file, record and field; a refused file writes nothing; imported events are
 * searchable at once (no reopen); and the sessions involved keep accepting appends.
 */
import { strict as assert } from 'node:assert';
import { type LedgerExport } from '../../src/core/ledger/exportFormat';
import { exportLedger, serializeLedgerExport } from '../../src/core/ledger/ledgerExport';
import { LedgerImportError, parseLedgerExport } from '../../src/core/ledger/importValidation';
import { importLedger } from '../../src/core/ledger/ledgerImport';
import { searchLedger } from '../../src/core/ledger/search';
import type { TransactionalStore } from '../../src/core/store/ports';
import type { SessionStore } from '../../src/core/store/SessionStore';
import { openTestStore } from '../unit/claudeCode/testStore';

const FILE = 'exports/team.json';
const EXPORTED_AT = Date.UTC(2026, 5, 1);

/** A deep copy, so a test can damage an export without touching the original. */
const copy = (data: LedgerExport): LedgerExport => JSON.parse(serializeLedgerExport(data)) as LedgerExport;

async function sourceWithSession(store: SessionStore): Promise<string> {
  const session = await store.sessions.create({ type: 'test-fix', title: 'Imported', intention: 'fix the parser' });
  await store.transaction((tx) => {
    const step = tx.interactions.append({ sessionId: session.id, step: 'build', kind: 'shell', command: 'npm test' });
    tx.interactions.setResult(step.id, { status: 'ok', output: 'all green' });
    tx.events.append({
      id: 'imp-ev-1',
      sessionId: session.id,
      interactionId: step.id,
      type: 'agent.text',
      payload: { text: 'quuxplorator parsed the header' },
    });
    tx.events.append({ id: 'imp-ev-2', sessionId: session.id, type: 'phase.changed', payload: 'build' });
    const conversation = tx.conversations.create({ id: 'imp-conv', sessionId: session.id, provider: 'anthropic-api' });
    tx.conversations.appendMessage({ conversationId: conversation.id, role: 'user', content: 'hello' });
  });
  return session.id;
}

/** Everything the target store holds, to prove a refused import changed nothing. */
function contents(store: SessionStore): unknown {
  return exportLedger(store, undefined, EXPORTED_AT, { absolutePaths: true });
}

describe('ledger import: validated, written through the repositories, all or nothing (issue 12.4)', function () {
  this.timeout(60_000);
  let source: SessionStore;
  let target: SessionStore;
  let importedId: string;
  let localId: string;

  beforeEach(async () => {
    source = await openTestStore();
    target = await openTestStore();
    importedId = await sourceWithSession(source);
    const local = await target.sessions.create({ type: 'test-fix', title: 'Local B', intention: 'mine' });
    localId = local.id;
    await target.events.append({ id: 'b-ev-1', sessionId: localId, type: 'agent.text', payload: { text: 'local' } });
  });
  afterEach(async () => {
    await source.close();
    await target.close();
  });

  it('refuses a record filed under one session that names another (existing) session, naming file, record and field; nothing is written', async () => {
    const data = copy(exportLedger(source, [importedId], EXPORTED_AT));
    data.sessions[0].events[1].sessionId = localId; // filed under the imported session, names local session B
    const before = contents(target);
    const error = await importLedger(target, data, { file: FILE }).then(
      () => assert.fail('the import was accepted'),
      (err: unknown) => err,
    );
    assert.ok(error instanceof LedgerImportError, String(error));
    assert.equal(error.problems.length, 1);
    assert.deepEqual(
      { ...error.problems[0], message: undefined },
      { file: FILE, kind: 'event', id: 'imp-ev-2', record: 'sessions.0.events.1', field: 'sessionId', message: undefined },
    );
    assert.match(error.message, /exports\/team\.json: event "imp-ev-2" \(sessions\.0\.events\.1\), field "sessionId"/);
    assert.match(error.message, /nothing was imported/);
    assert.deepEqual(contents(target), before, 'nothing of the file was written');
    assert.equal(target.sessions.get(importedId), undefined);
    // B is intact and keeps taking appends (the old import put seq 2 into B without moving its counters).
    const appended = await target.events.append({ id: 'b-ev-2', sessionId: localId, type: 'agent.text' });
    assert.equal(appended.seq, 2);
    assert.equal(target.sessions.require(localId).eventCount, 2);
  });

  it('refuses an event that points at an interaction of another session', async () => {
    const foreign = await target.transaction((tx) =>
      tx.interactions.append({ sessionId: localId, step: 'b', kind: 'shell', command: 'ls' }),
    );
    const data = copy(exportLedger(source, [importedId], EXPORTED_AT));
    data.sessions[0].events[0].interactionId = foreign.id;
    await assert.rejects(importLedger(target, data, { file: FILE }), (err: unknown) => {
      assert.ok(err instanceof LedgerImportError);
      assert.deepEqual(
        err.problems.map((p) => [p.kind, p.id, p.record, p.field]),
        [['event', 'imp-ev-1', 'sessions.0.events.0', 'interactionId']],
      );
      return true;
    });
    assert.equal(target.sessions.get(importedId), undefined);
  });

  it('a bad record in the second session of a file leaves the first session unwritten too', async () => {
    const second = await source.sessions.create({ type: 'test-fix', title: 'Second', intention: 'x' });
    await source.events.append({ id: 'second-ev', sessionId: second.id, type: 'agent.text' });
    const data = copy(exportLedger(source, [importedId, second.id], EXPORTED_AT));
    const bad = data.sessions.findIndex((s) => s.id === second.id);
    data.sessions[bad].events[0].sessionId = importedId;
    await assert.rejects(
      importLedger(target, data, { file: FILE }),
      (err: unknown) => err instanceof LedgerImportError && err.problems[0].record === `sessions.${bad}.events.0`,
    );
    assert.equal(target.sessions.get(importedId), undefined);
    assert.equal(target.sessions.get(second.id), undefined);
  });

  it('a reference to a record that is nowhere (the old bare "FOREIGN KEY constraint failed") names the record', async () => {
    const data = copy(exportLedger(source, [importedId], EXPORTED_AT));
    data.sessions[0].conversations[0].messages[0].conversationId = 'no-such-conversation';
    data.sessions[0].notes.push({
      id: '6f1d3c9e-8a4b-4c2d-9e7f-0a1b2c3d4e5f',
      sessionId: '00000000-0000-4000-8000-0000000000ff',
      kind: 'note',
      content: 'x',
      interactionSeq: null,
      important: false,
      followUp: false,
      createdAt: 1,
    });
    const error = await importLedger(target, data, { file: FILE }).then(
      () => assert.fail('accepted'),
      (err: unknown) => err,
    );
    assert.ok(error instanceof LedgerImportError, String(error));
    assert.deepEqual(
      error.problems.map((p) => [p.kind, p.record, p.field]),
      [
        ['note', 'sessions.0.notes.0', 'sessionId'],
        ['message', 'sessions.0.conversations.0.messages.0', 'conversationId'],
      ],
    );
    assert.doesNotMatch(error.message, /^FOREIGN KEY/);
    assert.equal(target.sessions.get(importedId), undefined);
  });

  it('a write the store refuses all the same is reported with its record, and rolls the whole file back', async () => {
    const data = exportLedger(source, [importedId], EXPORTED_AT);
    // A store whose event insert fails the way a constraint does.
    const refusing: TransactionalStore = {
      sessions: target.sessions,
      transaction: (work) =>
        target.transaction((tx) =>
          work({
            ...tx,
            events: Object.assign(Object.create(tx.events) as typeof tx.events, {
              insertImported: () => {
                throw new Error('FOREIGN KEY constraint failed');
              },
            }),
          }),
        ),
    };
    const error = await importLedger(refusing, data, { file: FILE }).then(
      () => assert.fail('accepted'),
      (err: unknown) => err,
    );
    assert.ok(error instanceof LedgerImportError, String(error));
    assert.match(
      error.message,
      /exports\/team\.json: event "imp-ev-1" \(sessions\.0\.events\.0\), field "\(record\)": the store refused it \(FOREIGN KEY constraint failed\)/,
    );
    assert.equal(target.sessions.get(importedId), undefined, 'the session inserted before the failing event was rolled back');
  });

  it('imported events are found by search right after the import, without a reopen', async () => {
    await importLedger(target, exportLedger(source, [importedId], EXPORTED_AT), { file: FILE });
    const hits = searchLedger(target.sql, 'quuxplorator', { kinds: ['event'] });
    assert.deepEqual(
      hits.map((h) => [h.sessionId, h.eventId, h.eventSeq]),
      [[importedId, 'imp-ev-1', 1]],
    );
  });

  it('a same-id record with different content is a conflict, reported by record and field; the stored one is kept', async () => {
    const data = exportLedger(source, [importedId], EXPORTED_AT);
    await importLedger(target, data, { file: FILE });
    const changed = copy(data);
    changed.sessions[0].events[0].payload = { text: 'someone rewrote history' };
    changed.sessions[0].interactions[0].command.command = 'rm -rf build';
    const report = await importLedger(target, changed, { file: FILE });
    assert.deepEqual(
      report.conflicts.map((c) => [c.kind, c.id, c.record, c.field]),
      [
        ['interaction', data.sessions[0].interactions[0].id, 'sessions.0.interactions.0', 'command.command'],
        ['event', 'imp-ev-1', 'sessions.0.events.0', 'payload.text'],
      ],
    );
    assert.equal(report.recordsAdded, 0);
    assert.ok(report.recordsUnchanged >= 3, `${report.recordsUnchanged} unchanged`);
    assert.deepEqual(target.events.get('imp-ev-1')?.payload, { text: 'quuxplorator parsed the header' }, 'the stored record is kept');
  });

  it('a new record whose seq is taken by a different local record is a conflict, not a broken session', async () => {
    const data = exportLedger(source, [importedId], EXPORTED_AT);
    await importLedger(target, data, { file: FILE });
    await target.events.append({ id: 'local-3', sessionId: importedId, type: 'agent.text' }); // seq 3 here
    await source.events.append({ id: 'remote-3', sessionId: importedId, type: 'agent.text' }); // seq 3 there
    const report = await importLedger(target, exportLedger(source, [importedId], EXPORTED_AT), { file: FILE });
    assert.deepEqual(
      report.conflicts.map((c) => [c.kind, c.id, c.field]),
      [['event', 'remote-3', 'seq']],
    );
    assert.equal((await target.events.append({ id: 'local-4', sessionId: importedId, type: 'agent.text' })).seq, 4);
  });

  it('counters come from the records, not from the file: appends after the import take free seqs', async () => {
    const data = copy(exportLedger(source, [importedId], EXPORTED_AT));
    const session = data.sessions[0];
    // A file whose counters understate its records.
    session.interactionCount = 0;
    session.eventCount = 0;
    session.conversations[0].messageCount = 0;
    await importLedger(target, data, { file: FILE });
    const restored = target.sessions.require(importedId);
    assert.equal(restored.interactionCount, 1);
    assert.equal(restored.eventCount, 2);
    await target.transaction((tx) => {
      assert.equal(tx.interactions.append({ sessionId: importedId, step: 'next', kind: 'shell', command: 'ls' }).seq, 2);
      assert.equal(tx.events.append({ id: 'after-import', sessionId: importedId, type: 'agent.text' }).seq, 3);
      assert.equal(tx.conversations.appendMessage({ conversationId: 'imp-conv', role: 'assistant', content: 'hi' }).seq, 2);
    });
  });

  it('duplicate ids or seqs within the file are refused by record', async () => {
    const data = copy(exportLedger(source, [importedId], EXPORTED_AT));
    data.sessions[0].events[1].seq = 1;
    const error = await importLedger(target, data, { file: FILE }).then(
      () => assert.fail('accepted'),
      (err: unknown) => err,
    );
    assert.ok(error instanceof LedgerImportError);
    assert.deepEqual(
      error.problems.map((p) => [p.kind, p.id, p.record, p.field]),
      [['event', 'imp-ev-2', 'sessions.0.events.1', 'seq']],
    );
  });

  it('a file that fails the schema names the file, record and field', () => {
    const data = copy(exportLedger(source, [importedId], EXPORTED_AT));
    (data.sessions[0].events[1] as { ts: unknown }).ts = 'yesterday';
    assert.throws(
      () => parseLedgerExport(JSON.stringify(data), FILE),
      (err: unknown) =>
        err instanceof LedgerImportError &&
        /^Not a valid Session Ledger export, nothing was imported: exports\/team\.json: event "imp-ev-2" \(sessions\.0\.events\.1\), field "ts": /.test(
          err.message,
        ),
    );
  });
});
