import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { importedSessionId } from '../../src/core/claudeCode/claudeSessions';
import { CLAUDE_HOOK_EVENTS } from '../../src/core/claudeCode/hookProtocol';
import type { Logger } from '../../src/vscode/logger';
import { TimelinePanels } from '../../src/vscode/timeline/registration';
import type { SessionLedgerApi } from '../../src/extension';
import { activateExtension, extensionId, waitFor, within } from './helpers';
import { startFakeAnthropic } from '../fakes/fakeAnthropic';
import { makeRealClaudeHome, realClaudeToolScript, requireRealClaude, runRealClaude } from '../harness/realClaude';

/*
 * Claude Code hooks in the extension host: connecting them in the workspace's
 * .claude/settings.local.json, the real CLI firing them, and refreshing the ones an older version
 * left. Importing transcripts, search, usage, export and retention: claudeHistory.test.ts. Each
 * test writes the settings file it starts from.
 */

const quietLog: Logger = {
  info: () => undefined,
  warn: () => undefined,
  debug: () => undefined,
  error: () => undefined,
  child: () => quietLog,
};

type HookEntry = { matcher?: string; hooks: { type: string; command: string }[] };
type ClaudeSettings = { permissions?: unknown; hooks: Record<string, HookEntry[]> };

describe('Claude Code hooks in the extension host', () => {
  let api: SessionLedgerApi;
  let workspace: string;
  let extensionPath: string;
  let extensionUri: vscode.Uri;
  let panels: TimelinePanels | undefined;
  const settingsPath = () => join(workspace, '.claude', 'settings.local.json');
  const readSettings = () => JSON.parse(readFileSync(settingsPath(), 'utf8')) as ClaudeSettings;
  /** The workspace's Claude Code settings file as a test starts from it. */
  const writeSettings = (settings: object) => {
    mkdirSync(join(workspace, '.claude'), { recursive: true });
    writeFileSync(settingsPath(), JSON.stringify(settings, null, 2));
  };

  before(async () => {
    api = await activateExtension();
    workspace = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const extension = vscode.extensions.getExtension(extensionId)!;
    extensionPath = extension.extensionPath;
    extensionUri = extension.extensionUri;
  });

  after(async () => {
    panels?.dispose();
    if (api.claudeHistory.connected) await vscode.commands.executeCommand('sessionLedger.disconnectClaudeHooks');
  });

  it('connects hooks (foreign ones kept); the REAL Claude Code CLI fires them and the events show in the session and its timeline', async function () {
    this.timeout(180_000);
    const bin = requireRealClaude(this);
    const foreign = { matcher: 'Bash', hooks: [{ type: 'command', command: 'echo foreign-hook' }] };
    writeSettings({ permissions: { allow: ['Bash(ls)'] }, hooks: { PreToolUse: [foreign] } });

    await vscode.commands.executeCommand('sessionLedger.connectClaudeHooks');
    const settings = readSettings();
    assert.deepEqual(settings.permissions, { allow: ['Bash(ls)'] }, 'other settings are kept');
    assert.deepEqual(settings.hooks.PreToolUse[0], foreign, 'the foreign hook is kept');
    // The hooks run a copy of the script in the extension's storage: the versioned install folder goes away on update.
    const script = api.claudeHistory.scriptPath;
    assert.ok(!script.startsWith(join(extensionPath, 'dist')), `the script copy ${script} is outside the bundled dist folder`);
    assert.deepEqual(readFileSync(script), readFileSync(join(extensionPath, 'dist', 'hookSpool.js')), 'the copy is the bundled script');
    const ours = (event: string) => settings.hooks[event]?.flatMap((g) => g.hooks).find((h) => h.command.includes(script));
    for (const event of CLAUDE_HOOK_EVENTS) assert.ok(ours(event), `our ${event} hook is in settings.local.json`);
    assert.ok(!JSON.stringify(settings).includes(join(extensionPath, 'dist')), 'no hook names the install folder');
    assert.equal(api.claudeHistory.connection, 'current');
    assert.ok(ours('PreToolUse')!.command.includes(api.claudeHistory.spoolPath), 'the hook writes to the spool in the extension storage');
    assert.equal(api.claudeHistory.connected, true);
    assert.ok(existsSync(`${settingsPath()}.session-ledger.bak`), 'the previous file is backed up');

    // The session Claude Code runs in: its conversation id is the hooks' session_id, a step is pending.
    const claudeSessionId = randomUUID();
    const session = await api.store.sessions.create({
      type: 'test-fix',
      title: 'Hooked Claude session',
      intention: 'Parse CSV',
      externalConversationId: claudeSessionId,
    });
    const step = await api.store.interactions.append({
      sessionId: session.id,
      step: 'fix',
      kind: 'claude',
      command: 'Write the CSV parser',
    });

    // The real CLI runs a turn with a Bash tool call in the workspace, where the hooks are connected.
    const fake = await startFakeAnthropic({
      idPrefix: 'hooks',
      script: realClaudeToolScript({ command: 'echo hooked-tool-output', finalText: 'The parser is written.' }),
    });
    const home = makeRealClaudeHome('claude-hooks-it-');
    let transcriptPath: string;
    try {
      const run = await runRealClaude({
        bin,
        baseUrl: fake.url,
        prompt: 'Write the CSV parser',
        cwd: workspace,
        home,
        sessionId: claudeSessionId,
        allowedTools: ['Bash(echo:*)'],
      });
      assert.equal(run.exitCode, 0, run.stderr);
      transcriptPath = run.transcriptPath;
    } finally {
      await fake.close();
    }

    // The watcher (or its poll) ingests on its own.
    const events = await waitFor(
      'the hook events in the session',
      () => {
        const list = api.store.events.list(session.id, { limit: 100 }).filter((e) => e.type.startsWith('hook.'));
        return list.some((e) => e.type === 'hook.SessionEnd') ? list : undefined;
      },
      30_000,
    );
    assert.deepEqual(
      events.map((e) => e.type),
      ['hook.SessionStart', 'hook.UserPromptSubmit', 'hook.PreToolUse', 'hook.PostToolUse', 'hook.Stop', 'hook.SessionEnd'],
    );
    assert.deepEqual(
      events.map((e) => e.toolName),
      [null, null, 'Bash', 'Bash', null, null],
    );
    assert.ok(
      events.every((e) => e.interactionId === step.id),
      'tied to the pending step',
    );
    const payloadOf = (i: number) =>
      events[i].payload as {
        prompt?: string;
        transcript_path?: string;
        tool_input?: { command?: string };
        tool_response?: { stdout?: string };
      };
    assert.equal(payloadOf(1).prompt, 'Write the CSV parser');
    assert.equal(payloadOf(2).tool_input?.command, 'echo hooked-tool-output');
    assert.equal(payloadOf(3).tool_response?.stdout, 'hooked-tool-output');
    assert.equal(payloadOf(4).transcript_path, transcriptPath);

    // The Stop hook brought the step its tokens and cost from the transcript, without any import.
    const stepRun = await waitFor('the usage of the step', () => api.store.runs.listByInteraction(step.id)[0], 15_000);
    assert.deepEqual(
      [stepRun.inputTokens, stepRun.outputTokens, stepRun.cacheCreationTokens, stepRun.cacheCreation1hTokens, stepRun.cacheReadTokens],
      [42, 65, 1700, 500, 1500],
    );
    assert.ok(stepRun.costUsd > 0);
    home.cleanup();

    // Re-ingesting adds nothing.
    const again = await api.claudeHistory.ingest();
    assert.equal(again.ingested, 0);

    // The timeline of the session renders the step; its events are what the timeline loads for it.
    panels = new TimelinePanels(extensionUri, { store: api.store, log: quietLog });
    const panel = panels.show(session.id, { focusInteractionSeq: step.seq });
    await within(
      'the timeline render',
      panel.test.whenRendered((r) => r.loadedRows === 1 && r.totalRows === 1),
    );
    assert.equal(panel.test.ready, true);
    const timelineEvents = api.store.events.list(session.id, { interactionId: step.id, after: 0, limit: 100 });
    assert.deepEqual(
      timelineEvents.map((e) => e.type).filter((t) => t.startsWith('hook.')),
      events.map((e) => e.type),
    );

    // A hook for an unknown Claude session lands in an imported session.
    const stranger = randomUUID();
    const run = spawnSync('/bin/sh', ['-c', ours('Stop')!.command], {
      input: JSON.stringify({ session_id: stranger, hook_event_name: 'Stop' }),
      encoding: 'utf8',
    });
    assert.equal(run.status, 0);
    const report = await api.claudeHistory.ingest();
    assert.equal(report.ingested, 1);
    assert.equal(api.store.sessions.get(importedSessionId(stranger))?.externalConversationId, stranger);

    await vscode.commands.executeCommand('sessionLedger.disconnectClaudeHooks');
    const after = readSettings();
    assert.deepEqual(after.hooks, { PreToolUse: [foreign] }, 'exactly our entries are removed');
    assert.equal(api.claudeHistory.connected, false);
  });

  it('at activation, rewrites hooks left by an older version (gone install folder) to the stable script copy, others untouched', async () => {
    const foreign = { matcher: 'Bash', hooks: [{ type: 'command', command: 'echo foreign-hook' }] };
    const oldScript = join(tmpdir(), 'gone', 'session-ledger-0.0.1', 'dist', 'hookSpool.js');
    const oldEntry = (event: string) => ({
      hooks: [
        { type: 'command', command: `node '${oldScript}' '${api.claudeHistory.spoolPath}' ${event} --session-ledger-hook`, timeout: 10 },
      ],
    });
    const hooks: Record<string, unknown[]> = Object.fromEntries(CLAUDE_HOOK_EVENTS.map((event) => [event, [oldEntry(event)]]));
    hooks.PreToolUse = [foreign, ...hooks.PreToolUse];
    writeSettings({ permissions: { allow: ['Bash(ls)'] }, hooks });
    rmSync(api.claudeHistory.scriptPath, { force: true }); // as if the storage copy were never made
    assert.equal(api.claudeHistory.connection, 'stale');

    api.claudeHistory.start(); // what activation runs
    assert.equal(api.claudeHistory.connection, 'current');
    assert.ok(existsSync(api.claudeHistory.scriptPath), 'the script copy is installed');
    const settings = readSettings();
    assert.deepEqual(settings.permissions, { allow: ['Bash(ls)'] });
    assert.deepEqual(settings.hooks.PreToolUse[0], foreign, 'the foreign hook is untouched');
    assert.ok(!JSON.stringify(settings).includes(oldScript), 'no hook names the old install folder');
    const stop = settings.hooks.Stop.flatMap((g) => g.hooks).find((h) => h.command.includes(api.claudeHistory.scriptPath))!;

    const claudeSessionId = randomUUID();
    const run = spawnSync('/bin/sh', ['-c', stop.command], {
      input: JSON.stringify({ session_id: claudeSessionId, hook_event_name: 'Stop' }),
      encoding: 'utf8',
    });
    assert.equal(run.status, 0);
    await waitFor(
      'the Stop event of the refreshed hook',
      () => (api.store.sessions.get(importedSessionId(claudeSessionId)) ? true : undefined),
      15_000,
    );
    assert.equal(api.store.events.list(importedSessionId(claudeSessionId), { limit: 10 })[0]?.type, 'hook.Stop');

    await vscode.commands.executeCommand('sessionLedger.disconnectClaudeHooks');
    assert.deepEqual(readSettings().hooks, { PreToolUse: [foreign] });
  });
});
