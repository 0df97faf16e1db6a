import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { importedSessionId } from '../../src/core/claudeCode/claudeSessions';
import { USAGE_UNAVAILABLE_EVENT } from '../../src/vscode/ClaudeCodeHistory';
import { runTotalsByInteraction } from '../../src/vscode/timeline/timelineViewModel';
import { startFakeAnthropic, type FakeAnthropic } from '../fakes/fakeAnthropic';
import {
  FINAL_ANSWER_USAGE,
  makeRealClaudeHome,
  realClaudeEnv,
  realClaudeToolScript,
  requireRealClaude,
  TOOL_CALL_USAGE,
  writeRealClaudeWrapper,
  type RealClaudeHome,
} from '../harness/realClaude';
import { activateExtension } from './helpers';

/** Published per-million rates of claude-opus-5-5 (pricing.json, effective date there): the independent recount. */
const OPUS_5_5 = { input: 4, output: 20, cacheWrite5m: 5, cacheWrite1h: 8, cacheRead: 0.2 };
function costByHand(...usages: (typeof TOOL_CALL_USAGE)[]): number {
  let usd = 0;
  for (const u of usages) {
    const oneHour = u.cache_creation?.ephemeral_1h_input_tokens ?? 0;
    usd +=
      (u.input_tokens * OPUS_5_5.input +
        u.output_tokens * OPUS_5_5.output +
        ((u.cache_creation_input_tokens ?? 0) - oneHour) * OPUS_5_5.cacheWrite5m +
        oneHour * OPUS_5_5.cacheWrite1h +
        (u.cache_read_input_tokens ?? 0) * OPUS_5_5.cacheRead) /
      1e6;
  }
  return usd;
}

describe('manual Claude step run by the real Claude Code CLI: tokens and cost without an import', function () {
  this.timeout(180_000);
  const settings = () => vscode.workspace.getConfiguration('sessionLedger');
  let fake: FakeAnthropic | undefined;
  let home: RealClaudeHome | undefined;
  let dir: string | undefined;

  after(async () => {
    await settings().update('claudePath', undefined, vscode.ConfigurationTarget.Global);
    const api = await activateExtension();
    if (api.claudeHistory.connected) await vscode.commands.executeCommand('sessionLedger.disconnectClaudeHooks');
    await fake?.close();
    home?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('hooks connected: the step shows the transcript\u2019s tokens and cost when it ends; not connected: the step says so', async function () {
    const bin = requireRealClaude(this);
    fake = await startFakeAnthropic({
      idPrefix: 'manual',
      script: realClaudeToolScript({ command: 'echo manual-step-ran', finalText: 'The fix is in place.' }),
    });
    home = makeRealClaudeHome('manual-claude-');
    dir = mkdtempSync(join(tmpdir(), 'manual-claude-bin-'));
    await settings().update(
      'claudePath',
      writeRealClaudeWrapper(dir, bin, realClaudeEnv(fake.url, home)),
      vscode.ConfigurationTarget.Global,
    );

    const api = await activateExtension();
    const { engine, store } = api;
    await vscode.commands.executeCommand('sessionLedger.connectClaudeHooks');
    assert.equal(api.claudeHistory.connection, 'current');

    const session = await engine.start({
      type: 'test-fix',
      title: 'Real Claude manual step',
      intention: 'fix the tests',
      options: { testCommand: 'false' },
    });
    await vscode.commands.executeCommand('sessionLedger.nextStep', session.id); // the failing test run
    await vscode.commands.executeCommand('sessionLedger.nextStep', session.id); // the Claude fix step, in the terminal

    const step = store.interactions.list(session.id)[1];
    assert.equal(step.command.kind, 'claude');
    assert.equal(step.result.status, 'ok', `${step.result.errorMessage} / ${step.result.output}`);
    assert.match(step.result.output ?? '', /The fix is in place\./, 'the real CLI answered in the terminal');
    assert.equal(fake.requests.filter((r) => r.body.tools?.length).length, 2, 'the prompt, then the tool result of the echo it really ran');
    const conversationId = store.sessions.require(session.id).externalConversationId!;

    // The real hooks arrived, tied to the step.
    const hooks = store.events
      .list(session.id, { interactionId: step.id, limit: 100 })
      .map((e) => e.type)
      .filter((t) => t.startsWith('hook.'));
    for (const event of [
      'hook.SessionStart',
      'hook.UserPromptSubmit',
      'hook.PreToolUse',
      'hook.PostToolUse',
      'hook.Stop',
      'hook.SessionEnd',
    ]) {
      assert.ok(hooks.includes(event), `${event} among ${hooks.join(', ')}`);
    }

    // The step's tokens and cost: what the timeline shows for its row (runs of the interaction).
    const totals = runTotalsByInteraction(store.runs.listByInteraction(step.id)).get(step.id);
    assert.ok(totals, 'the step has a run with its usage');
    const { inputTokens, outputTokens, cacheCreationTokens, cacheReadTokens } = totals.tokens;
    assert.deepEqual(
      { inputTokens, outputTokens, cacheCreationTokens, cacheReadTokens },
      {
        inputTokens: TOOL_CALL_USAGE.input_tokens + FINAL_ANSWER_USAGE.input_tokens,
        outputTokens: TOOL_CALL_USAGE.output_tokens + FINAL_ANSWER_USAGE.output_tokens,
        cacheCreationTokens: TOOL_CALL_USAGE.cache_creation_input_tokens! + FINAL_ANSWER_USAGE.cache_creation_input_tokens!,
        cacheReadTokens: TOOL_CALL_USAGE.cache_read_input_tokens! + FINAL_ANSWER_USAGE.cache_read_input_tokens!,
      },
    );
    const [run] = store.runs.listByInteraction(step.id);
    assert.equal(run.cacheCreation1hTokens, 500, 'the 1-hour cache writes are kept apart');
    const expectedUsd = costByHand(TOOL_CALL_USAGE, FINAL_ANSWER_USAGE);
    assert.ok(Math.abs(totals.costUsd - expectedUsd) < 1e-9, `cost ${totals.costUsd} vs ${expectedUsd} by hand`);
    assert.equal(run.conversationId, conversationId);
    assert.deepEqual((step.result.data as { claudeUsage?: { recorded: boolean } }).claudeUsage?.recorded, true);
    const after = store.sessions.require(session.id);
    assert.ok(Math.abs(after.totalCostUsd - expectedUsd) < 1e-9, `session total ${after.totalCostUsd}: counted once`);

    // No import ran: no imported session, no imported turns.
    assert.equal(store.sessions.get(importedSessionId(conversationId)), undefined);
    assert.ok(!store.interactions.list(session.id).some((i) => i.command.step === 'claude-code.turn'));

    // Recording again (another ingest, the same transcript) changes nothing.
    await api.claudeHistory.ingest();
    await api.claudeHistory.recordClaudeStepUsage(session.id, step.id);
    assert.ok(Math.abs(store.sessions.require(session.id).totalCostUsd - expectedUsd) < 1e-9);

    // Hooks not connected: the next Claude step says its cost is not recorded, and how to fix it.
    await vscode.commands.executeCommand('sessionLedger.disconnectClaudeHooks');
    await vscode.commands.executeCommand('sessionLedger.nextStep', session.id); // the test run again
    await vscode.commands.executeCommand('sessionLedger.nextStep', session.id); // the second Claude step (--resume)
    const second = store.interactions.list(session.id)[3];
    assert.equal(second.command.kind, 'claude');
    assert.equal(second.result.status, 'ok', `${second.result.errorMessage} / ${second.result.output}`);
    assert.equal(store.runs.listByInteraction(second.id).length, 0, 'no run: no made-up $0');
    const note = store.events.list(session.id, { interactionId: second.id, type: [USAGE_UNAVAILABLE_EVENT], limit: 10 });
    assert.equal(note.length, 1, 'the step\u2019s timeline says why');
    assert.match((note[0].payload as { text: string }).text, /hooks are not connected.*Connect Claude Code Hooks/);
    assert.equal((second.result.data as { claudeUsage?: { recorded: boolean } }).claudeUsage?.recorded, false);
    vscode.window.terminals.find((t) => t.name === 'Session: Real Claude manual step')?.dispose();
  });
});
