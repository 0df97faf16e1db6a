import { strict as assert } from 'node:assert';
import { exportLedger, serializeLedgerExport } from '../../../src/core/ledger/ledgerExport';
import { LedgerImportError, parseLedgerExport } from '../../../src/core/ledger/importValidation';
import { importLedger } from '../../../src/core/ledger/ledgerImport';
import { ledgerToMarkdown } from '../../../src/core/ledger/ledgerMarkdown';
import type { SessionStore } from '../../../src/core/store/SessionStore';
import { openTestStore } from '../claudeCode/testStore';
import { ManualClock } from '../store/storeTestSupport';

const EXPORTED_AT = Date.UTC(2026, 5, 1);

async function fillStore(store: SessionStore, clock: ManualClock): Promise<{ parent: string; child: string; trashed: string }> {
  const parent = await store.sessions.create({
    type: 'component-design',
    title: 'Design the `csv` module',
    intention: 'one parser',
    successCriteria: ['tests pass'],
    tags: ['pinned'],
    externalConversationId: 'conv-1',
  });
  clock.advanceDays(1);
  const child = await store.sessions.create({ type: 'test-fix', title: 'Child', intention: 'fix', parentSessionId: parent.id });
  const trashed = await store.sessions.create({ type: 'test-fix', title: 'Trashed', intention: 'x', status: 'complete' });
  await store.sessions.softDelete(trashed.id);
  await store.transaction((tx) => {
    const step = tx.interactions.append({
      sessionId: parent.id,
      step: 'spec',
      kind: 'claude',
      command: 'Write the spec',
      metadata: { options: { model: 'claude-sonnet-4-5' } },
    });
    const run = tx.runs.start({
      sessionId: parent.id,
      interactionId: step.id,
      provider: 'anthropic-api',
      model: 'claude-sonnet-4-5',
      conversationId: 'conv-1',
    });
    tx.runs.update(run.id, {
      status: 'ok',
      inputTokens: 100,
      outputTokens: 20,
      cacheCreationTokens: 5,
      cacheReadTokens: 7,
      costUsd: 0.0123,
    });
    tx.interactions.setResult(step.id, { status: 'ok', output: 'The spec: ```ts\ncode\n```', data: { words: 3 }, durationMs: 1234.5 });
    tx.interactions.append({ sessionId: parent.id, step: 'build', kind: 'shell', command: 'npm test' });
    tx.events.append({
      id: 'ev-1',
      sessionId: parent.id,
      interactionId: step.id,
      runId: run.id,
      type: 'agent.text',
      payload: { text: 'héllo', nested: [1, null, true] },
      correlationId: 'c1',
    });
    tx.events.append({ id: 'ev-2', sessionId: parent.id, type: 'phase.changed', payload: 'build' });
    const conversation = tx.conversations.create({
      id: 'conv-1',
      sessionId: parent.id,
      provider: 'anthropic-api',
      model: 'claude-sonnet-4-5',
      system: 'be brief',
    });
    tx.conversations.appendMessage({ conversationId: conversation.id, role: 'user', content: 'Write the spec' });
    tx.conversations.appendMessage({
      conversationId: conversation.id,
      role: 'assistant',
      content: [{ type: 'text', text: 'The spec' }],
      runId: run.id,
    });
    tx.artifacts.put({ sessionId: parent.id, key: 'spec', kind: 'spec', content: '# Spec' });
    const old = tx.artifacts.put({ sessionId: parent.id, key: 'draft', kind: 'plan', content: 'draft' });
    tx.artifacts.softDelete(old.id);
    tx.artifacts.put({
      sessionId: parent.id,
      key: 'src/csv.ts',
      kind: 'file',
      contentType: 'text/typescript',
      path: 'src/csv.ts',
      byteSize: 10,
      sha256: 'a'.repeat(64),
    });
    tx.notes.add({ sessionId: parent.id, kind: 'decision', content: 'RFC 4180', interactionSeq: 1 });
    tx.events.append({ id: 'ev-child', sessionId: child.id, type: 'hook.Stop' });
  });
  return { parent: parent.id, child: child.id, trashed: trashed.id };
}

describe('export / import', function () {
  this.timeout(20_000);
  let source: SessionStore;
  let target: SessionStore;
  let ids: Awaited<ReturnType<typeof fillStore>>;

  beforeEach(async () => {
    const clock = new ManualClock();
    source = await openTestStore(clock);
    target = await openTestStore(new ManualClock(Date.UTC(2027, 0, 1)));
    ids = await fillStore(source, clock);
  });
  afterEach(async () => {
    await source.close();
    await target.close();
  });

  it('round-trips the whole store losslessly: ids, seqs, timestamps, counters, deleted records', async () => {
    const exported = exportLedger(source, undefined, EXPORTED_AT);
    assert.equal(exported.sessions.length, 3);
    assert.equal(exported.sessions.findIndex((s) => s.id === ids.parent) < exported.sessions.findIndex((s) => s.id === ids.child), true);
    const text = serializeLedgerExport(exported);
    const report = await importLedger(target, parseLedgerExport(text));
    assert.equal(report.sessionsAdded, 3);
    assert.deepEqual(report.conflicts, []);
    assert.deepEqual(exportLedger(target, undefined, EXPORTED_AT), exported);
    const restored = target.sessions.require(ids.parent);
    assert.equal(restored.interactionCount, 2);
    assert.equal(restored.inputTokens, 100);
    assert.notEqual(target.sessions.get(ids.trashed)?.deletedAt, null);
  });

  it('re-import is idempotent: same ids, nothing duplicated', async () => {
    const exported = exportLedger(source, undefined, EXPORTED_AT);
    await importLedger(target, exported);
    const again = await importLedger(target, exported);
    assert.equal(again.sessionsAdded + again.sessionsMerged + again.recordsAdded, 0);
    assert.deepEqual(exportLedger(target, undefined, EXPORTED_AT), exported);
  });

  it('completes a session imported earlier with the records it lacks, and refreshes its counters', async () => {
    const early = exportLedger(source, [ids.parent], EXPORTED_AT);
    await importLedger(target, early);
    await source.events.append({ id: 'ev-late', sessionId: ids.parent, type: 'agent.text', payload: { text: 'later' } });
    const late = exportLedger(source, [ids.parent], EXPORTED_AT);
    const report = await importLedger(target, late);
    assert.equal(report.sessionsMerged, 1);
    assert.equal(report.recordsAdded, 1);
    assert.equal(target.sessions.require(ids.parent).eventCount, 3);
    assert.deepEqual(
      target.events.list(ids.parent).map((e) => [e.id, e.seq]),
      [
        ['ev-1', 1],
        ['ev-2', 2],
        ['ev-late', 3],
      ],
    );
  });

  it('a session imported with gaps in its event seqs (pruned at the source) takes new events above the highest seq', async () => {
    await source.events.append({ id: 'ev-3', sessionId: ids.parent, type: 'agent.text' });
    const exported = exportLedger(source, [ids.parent], EXPORTED_AT);
    const pruned = exported.sessions[0];
    // What a store whose retention pruned ev-2 exports: seqs 1 and 3, a count of 2.
    pruned.events = pruned.events.filter((e) => e.id !== 'ev-2');
    pruned.eventCount = pruned.events.length;
    await importLedger(target, exported);
    const appended = await target.events.append({ id: 'ev-local', sessionId: ids.parent, type: 'agent.text' });
    assert.equal(appended.seq, 4);
    assert.equal(target.sessions.require(ids.parent).eventCount, 3);
  });

  it('a merged session with a gap in its event seqs takes new events above the highest seq', async () => {
    await importLedger(target, exportLedger(source, [ids.parent], EXPORTED_AT)); // ev-1, ev-2
    await source.events.append({ id: 'ev-3', sessionId: ids.parent, type: 'agent.text' });
    await source.events.append({ id: 'ev-4', sessionId: ids.parent, type: 'agent.text' });
    const late = exportLedger(source, [ids.parent], EXPORTED_AT);
    late.sessions[0].events = late.sessions[0].events.filter((e) => e.id !== 'ev-3'); // pruned at the source
    const report = await importLedger(target, late);
    assert.equal(report.sessionsMerged, 1);
    assert.deepEqual(
      target.events.list(ids.parent).map((e) => e.seq),
      [1, 2, 4],
    );
    const appended = await target.events.append({ id: 'ev-local', sessionId: ids.parent, type: 'agent.text' });
    assert.equal(appended.seq, 5);
    assert.equal(target.sessions.require(ids.parent).eventCount, 4);
  });

  it('an export (redacted, workspace-relative) imported back into the store it came from is "already here", not a conflict', async () => {
    const folder = '/home/dev/app';
    const options = { workspaceFolder: folder, homeDir: '/home/dev' };
    await source.transaction((tx) => {
      tx.events.append({
        id: 'ev-secret',
        sessionId: ids.parent,
        type: 'hook.PreToolUse',
        payload: {
          cwd: folder,
          tool_input: { command: 'ANTHROPIC_API_KEY=sk-ant-api03-abcdefghijklmnop claude', file_path: `${folder}/src/csv.ts` },
          apiKey: 'k-123456',
        },
      });
    });
    const exported = exportLedger(source, [ids.parent], EXPORTED_AT, options);
    assert.deepEqual(exported.sessions[0].events.at(-1)?.payload, {
      cwd: '.',
      tool_input: { command: 'ANTHROPIC_API_KEY=[REDACTED:anthropic-api-key] claude', file_path: 'src/csv.ts' },
      apiKey: '[REDACTED:secret]',
    });
    const report = await importLedger(source, exported, options);
    assert.deepEqual(report.conflicts, []);
    assert.equal(report.recordsAdded, 0);
    assert.equal(report.recordsUnchanged, exported.sessions[0].events.length + 2 + 1 + 3 + 1 + 1 + 2);
  });

  it('imports a child without its parent as a top-level session', async () => {
    const report = await importLedger(target, exportLedger(source, [ids.child], EXPORTED_AT));
    assert.deepEqual(report.detachedFromParent, [ids.child]);
    assert.equal(target.sessions.require(ids.child).parentSessionId, null);
  });

  it('rejects a bad file with an error naming the field', () => {
    const exported = exportLedger(source, undefined, EXPORTED_AT);
    const broken = JSON.parse(serializeLedgerExport(exported));
    const index = exported.sessions.findIndex((s) => s.id === ids.parent);
    broken.sessions[index].events[1].ts = 'yesterday';
    assert.throws(
      () => parseLedgerExport(JSON.stringify(broken)),
      (err: unknown) => err instanceof LedgerImportError && err.field === `sessions.${index}.events.1.ts`,
    );
    assert.throws(() => parseLedgerExport('{"format": "other", "version": 1}'), /format/);
    assert.throws(() => parseLedgerExport('nope'), /not JSON/);
  });

  it('renders readable Markdown', () => {
    const markdown = ledgerToMarkdown(exportLedger(source, [ids.parent], EXPORTED_AT));
    assert.match(markdown, /^# Design the `csv` module$/m);
    assert.match(markdown, /### 1\. spec — ok/);
    assert.match(markdown, /````\nThe spec: ```ts\ncode\n```\n````/, 'fences survive backticks in output');
    assert.match(markdown, /- agent\.text: 1/);
    assert.match(markdown, /\*\*decision\*\*/);
    assert.doesNotMatch(markdown, /unknown/, 'a fully priced session has a plain cost');
    const exported = exportLedger(source, [ids.parent], EXPORTED_AT);
    const unpriced = { ...exported, sessions: exported.sessions.map((s) => ({ ...s, costUnknown: true })) };
    assert.match(ledgerToMarkdown(unpriced), /\| Cost \| \$\d+\.\d{4} \+ unknown \(a model without a price\) \|/);
  });
});
