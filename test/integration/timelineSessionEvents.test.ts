import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { importedSessionId } from '../../src/core/claudeCode/claudeSessions';
import { isOurHookCommand } from '../../src/core/claudeCode/hookProtocol';
import { useExtensionTimeline, waitFor, within } from './helpers';

type HookEntry = { hooks: { command: string }[] };

describe('timeline: events recorded outside any step', () => {
  const ext = useExtensionTimeline();
  after(async () => {
    if (ext.api.claudeHistory.connected) await vscode.commands.executeCommand('sessionLedger.disconnectClaudeHooks');
  });

  it('a Claude Code session recorded only by hooks shows its events in the timeline, live', async () => {
    await vscode.commands.executeCommand('sessionLedger.connectClaudeHooks');
    const workspace = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const settings = JSON.parse(readFileSync(join(workspace, '.claude', 'settings.local.json'), 'utf8')) as {
      hooks: Record<string, HookEntry[]>;
    };
    const hook = (event: string) => settings.hooks[event]!.flatMap((g) => g.hooks).find((h) => isOurHookCommand(h.command))!.command;
    const claudeSessionId = randomUUID();
    const fire = (event: string, extra: object = {}) => {
      const payload = { session_id: claudeSessionId, cwd: workspace, hook_event_name: event, ...extra };
      // The command exactly as Claude Code runs it: through a shell, the payload on stdin.
      const run = spawnSync('/bin/sh', ['-c', hook(event)], { input: JSON.stringify(payload), encoding: 'utf8', timeout: 10_000 });
      assert.equal(run.status, 0, `${event} hook exit code (stderr: ${run.stderr})`);
    };

    fire('SessionStart', { source: 'startup' });
    fire('UserPromptSubmit', { prompt: 'Explain the parser' });
    fire('PreToolUse', { tool_name: 'Read', tool_input: { file_path: 'src/parser.ts' } });
    const sessionId = importedSessionId(claudeSessionId);
    await waitFor(
      'the hooks ingested into an imported session',
      () => (ext.api.store.events.list(sessionId).length >= 3 ? true : undefined),
      15_000,
    );
    assert.equal(ext.api.store.interactions.list(sessionId).length, 0, 'hooks alone record no steps');

    const panel = ext.panels.show(sessionId);
    // No steps: the section of the session's own events opens by itself and the webview renders each one.
    const first = await within(
      'the session events rendered',
      panel.test.whenRendered((r) => r.sessionEvents === 3),
    );
    assert.equal(first.totalRows, 0);

    // A hook that fires while the timeline is open appears without reopening it.
    fire('PostToolUse', { tool_name: 'Read', tool_input: { file_path: 'src/parser.ts' }, tool_response: { ok: true } });
    await within(
      'the live event rendered',
      panel.test.whenRendered((r) => r.sessionEvents === 4),
    );

    // What the webview asked for is exactly the session's events outside any step, oldest first.
    const page = await panel.test.request('loadSessionEvents', { after: 0 });
    assert.deepEqual(
      page.events.map((e) => e.type),
      ['hook.SessionStart', 'hook.UserPromptSubmit', 'hook.PreToolUse', 'hook.PostToolUse'],
    );
    assert.deepEqual(
      page.events.map((e) => e.toolName),
      [null, null, 'Read', 'Read'],
    );
    assert.equal(page.hasMore, false);
    assert.deepEqual(ext.warnings, [], 'no ext.warnings from the panel or the webview');
    panel.dispose();
  });

  it('a session with steps keeps the section collapsed, and loads only events outside its steps', async () => {
    const session = await ext.api.store.sessions.create({ type: 'test-fix', title: 'Steps and loose events', intention: 'x' });
    const step = await ext.api.store.interactions.append({ sessionId: session.id, step: 'run', kind: 'shell', command: 'npm test' });
    await ext.api.store.events.append({
      id: randomUUID(),
      sessionId: session.id,
      interactionId: step.id,
      type: 'tool.call',
      payload: { n: 1 },
    });
    await ext.api.store.events.append({ id: randomUUID(), sessionId: session.id, type: 'phase.changed', payload: { phase: 'build' } });
    const panel = ext.panels.show(session.id);
    const report = await within(
      'the first render',
      panel.test.whenRendered((r) => r.totalRows === 1 && r.loadedRows === 1),
    );
    assert.equal(report.sessionEvents, null, 'collapsed while the session has steps');
    const page = await panel.test.request('loadSessionEvents', { after: 0 });
    assert.deepEqual(
      page.events.map((e) => e.type),
      ['phase.changed'],
    );
    panel.dispose();
  });
});
