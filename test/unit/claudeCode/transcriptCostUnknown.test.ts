/**
 * `costUnknown` follows what is counted: a response first seen with a model without a price, then
 * revised by a later line (more output tokens) naming a priced model, moves to that model's run;
 * the run it left has nothing unpriced any more, and neither has the session. Found in review: the
 * flag stayed set on the emptied run and on the session, so the session's cost read "≥" forever.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadPricing } from '../../../src/core/agent/pricing';
import { importedSessionId } from '../../../src/core/claudeCode/claudeSessions';
import { claudeProjectDir } from '../../../src/core/claudeCode/transcriptFiles';
import { importClaudeTranscripts } from '../../../src/core/claudeCode/transcriptImport';
import { recomputeCosts } from '../../../src/core/ledger/recomputeCosts';
import { ManualClock } from '../store/storeTestSupport';
import { openTestStore, tempDir } from './testStore';

const SESSION = '11111111-2222-4333-8444-555555555556';
const WORKSPACE = '/work/fallback';
const UNPRICED = 'claude-not-in-the-table-9';
const PRICED = 'claude-opus-4-6';
const base = { sessionId: SESSION, isSidechain: false, userType: 'external', cwd: WORKSPACE, version: '2.1.42' };
/** Two lines of one API response (same message id and request id): a streaming snapshot, then its final figure. */
const assistant = (uuid: string, parent: string, model: string, outputTokens: number) =>
  JSON.stringify({
    ...base,
    parentUuid: parent,
    type: 'assistant',
    uuid,
    timestamp: '2026-02-16T18:47:53.000Z',
    requestId: 'req_1',
    message: {
      model,
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      content: [{ type: 'text', text: 'Done.' }],
      usage: { input_tokens: 3, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: outputTokens },
    },
  });
const lines = [
  JSON.stringify({
    ...base,
    parentUuid: null,
    type: 'user',
    uuid: 'u1',
    timestamp: '2026-02-16T18:47:50.000Z',
    message: { role: 'user', content: 'hello' },
  }),
  assistant('a1', 'u1', UNPRICED, 1),
  assistant('a2', 'a1', PRICED, 20),
];

describe('cost unknown after a revision to a priced model', function () {
  this.timeout(60_000);

  for (const split of [false, true]) {
    it(`clears the flag on the emptied run and on the session (${split ? 'lines across two imports' : 'one import'})`, async () => {
      const store = await openTestStore(new ManualClock(Date.UTC(2026, 11, 1)));
      try {
        const configDir = tempDir('cfg');
        const dir = claudeProjectDir(WORKSPACE, configDir);
        fs.mkdirSync(dir, { recursive: true });
        const file = path.join(dir, `${SESSION}.jsonl`);
        const options = { workspacePath: WORKSPACE, configDir, statePath: path.join(tempDir('st'), 's.json'), pricing: loadPricing() };
        if (split) {
          fs.writeFileSync(file, lines.slice(0, 2).join('\n') + '\n');
          await importClaudeTranscripts(store, options);
          assert.equal(store.sessions.require(importedSessionId(SESSION)).costUnknown, true, 'first seen unpriced: a lower bound');
          fs.appendFileSync(file, lines.slice(2).join('\n') + '\n');
        } else {
          fs.writeFileSync(file, lines.join('\n') + '\n');
        }
        await importClaudeTranscripts(store, options);

        const session = store.sessions.require(importedSessionId(SESSION));
        const runs = store.runs
          .listBySession(session.id)
          .map((r) => ({ model: r.model, outputTokens: r.outputTokens, costUnknown: r.costUnknown }));
        assert.deepEqual(
          runs.filter((r) => r.outputTokens > 0),
          [{ model: PRICED, outputTokens: 20, costUnknown: false }],
          'the response is counted once, in the priced run',
        );
        assert.ok(
          runs.every((r) => !r.costUnknown),
          `no run keeps the flag: ${JSON.stringify(runs)}`,
        );
        assert.equal(session.costUnknown, false, 'the session cost is known');
        assert.ok(session.totalCostUsd > 0);
      } finally {
        await store.close();
      }
    });
  }

  it('Recompute Costs clears a flag an older version left on a run without tokens, and on its session', async () => {
    const store = await openTestStore(new ManualClock(Date.UTC(2026, 11, 1)));
    try {
      const session = await store.sessions.create({ type: 'claude-code', title: 'Imported', intention: 'x' });
      const emptied = await store.runs.start({ sessionId: session.id, provider: 'claude-code-cli', model: UNPRICED });
      const priced = await store.runs.start({ sessionId: session.id, provider: 'claude-code-cli', model: PRICED });
      await store.runs.update(priced.id, { status: 'ok', inputTokens: 3, outputTokens: 20, costUsd: 0.000515 });
      // What an older version left: the emptied run still flagged, and the session with it.
      await store.transaction(() => {
        store.sql.run('UPDATE runs SET status = ?, cost_unknown = 1 WHERE id = ?', ['ok', emptied.id]);
        store.sql.run('UPDATE sessions SET cost_unknown = 1 WHERE id = ?', [session.id]);
      });
      assert.equal(store.sessions.require(session.id).costUnknown, true);

      const report = await recomputeCosts(store, store.sql, loadPricing());
      assert.equal(store.runs.get(emptied.id)?.costUnknown, false);
      assert.equal(store.sessions.require(session.id).costUnknown, false);
      assert.equal(report.changedRuns, 1);
      assert.equal(report.unpricedRuns, 0);
      const again = await recomputeCosts(store, store.sql, loadPricing());
      assert.equal(again.changedRuns + again.changedSessions, 0, 'running it twice changes nothing the second time');
    } finally {
      await store.close();
    }
  });
});
