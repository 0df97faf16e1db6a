import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { importedSessionId } from '../../../src/core/claudeCode/claudeSessions';
import { getSession, listSessions, resolveOwnSession } from '../../../src/core/ledger/mcpTools';
import { SessionStore } from '../../../src/core/store/SessionStore';

describe('MCP tool answers (core)', function () {
  this.timeout(30_000);
  let store: SessionStore;
  beforeEach(async () => {
    store = await SessionStore.open({ directory: fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-mcptools-')), snapshotIdleMs: 0 });
  });
  afterEach(() => store.close());

  it('finds the own session by ledger id, by Claude Code session id, or as an imported Claude Code session; never a deleted one', async () => {
    const claudeId = '3f2b9c1e-0d4a-4b7e-9a51-2c8d6e4f1a07';
    const ledgerSession = await store.sessions.create({
      type: 'quick',
      title: 'Run from the ledger',
      intention: 'x',
      externalConversationId: claudeId,
    });
    const importedClaudeId = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
    const imported = await store.sessions.create({
      id: importedSessionId(importedClaudeId),
      type: 'claude-code',
      title: 'Imported',
      intention: 'y',
    });
    assert.equal(resolveOwnSession(store, ledgerSession.id)?.id, ledgerSession.id);
    assert.equal(resolveOwnSession(store, claudeId)?.id, ledgerSession.id);
    assert.equal(resolveOwnSession(store, importedClaudeId)?.id, imported.id);
    assert.equal(resolveOwnSession(store, undefined), undefined);
    assert.equal(resolveOwnSession(store, 'someone-else'), undefined);
    await store.sessions.softDelete(ledgerSession.id);
    assert.equal(resolveOwnSession(store, ledgerSession.id), undefined);
  });

  it("keeps each step's output tail and command head within its per-step limit, and pages list_sessions", async () => {
    const session = await store.sessions.create({ type: 'quick', title: 'Long output', intention: 'x' });
    await store.transaction((tx) => {
      const step = tx.interactions.append({ sessionId: session.id, step: 'build', kind: 'shell', command: 'START ' + 'c'.repeat(5_000) });
      tx.interactions.setResult(step.id, { status: 'error', exitCode: 2, output: 'o'.repeat(10_000) + ' FINAL ERROR LINE' });
    });
    const text = getSession(store, { sessionId: session.slug });
    assert.match(text, /Command: START c+… \[3506 more characters\]/);
    assert.match(text, /Output \(end\): \[8517 earlier characters\] …o+ FINAL ERROR LINE/);
    assert.match(text, /error, exit 2/);
    assert.ok(text.length < 5_000);

    for (let i = 0; i < 4; i++) await store.sessions.create({ type: 'quick', title: `Other ${i}`, intention: 'x' });
    const page = listSessions(store, { limit: 2 });
    assert.match(page, /^Sessions 1–2 of 5/);
    assert.match(page, /3 more: call list_sessions with offset 2\.$/);
  });
});
