import { strict as assert } from 'node:assert';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { activateExtension } from './helpers';

describe('manual Claude steps in the terminal', function () {
  this.timeout(90_000);
  const settings = () => vscode.workspace.getConfiguration('sessionLedger');

  after(async () => {
    await settings().update('claudePath', undefined, vscode.ConfigurationTarget.Global);
  });

  it('runs claude with --session-id the first time and --resume with the same id after', async () => {
    // A stand-in `claude` that prints the arguments it was given.
    const dir = mkdtempSync(join(tmpdir(), 'claude-terminal-'));
    const claude = join(dir, 'claude');
    writeFileSync(claude, '#!/bin/sh\nfor a in "$@"; do printf "arg:%s\\n" "$a"; done\n');
    chmodSync(claude, 0o755);
    await settings().update('claudePath', claude, vscode.ConfigurationTarget.Global);

    const { engine, store } = await activateExtension();
    const session = await engine.start({
      type: 'test-fix',
      title: 'Claude in the terminal',
      intention: 'fix the tests',
      options: { testCommand: 'false' },
    });
    for (let step = 0; step < 4; step++) await vscode.commands.executeCommand('sessionLedger.nextStep', session.id);

    const steps = store.interactions.list(session.id);
    assert.deepEqual(
      steps.map((i) => i.command.kind),
      ['shell', 'claude', 'shell', 'claude'],
    );
    const conversationId = store.sessions.get(session.id)!.externalConversationId;
    assert.ok(conversationId, 'the session got a conversation id');
    const [first, second] = [steps[1], steps[3]];
    assert.equal(first.result.status, 'ok');
    assert.match(first.result.output ?? '', new RegExp(`arg:--session-id\\narg:${conversationId}`));
    assert.match(second.result.output ?? '', new RegExp(`arg:--resume\\narg:${conversationId}`));
    // The prompt and the session's goal reach claude as single arguments.
    assert.match(
      first.result.output ?? '',
      /arg:--append-system-prompt\narg:You are working in the session "Claude in the terminal"\.\n\nGoal: fix the tests\n/,
    );
    vscode.window.terminals.find((t) => t.name === 'Session: Claude in the terminal')?.dispose();
  });

  it('records a clear error when the claude executable is missing', async () => {
    await settings().update('claudePath', '/nonexistent/claude', vscode.ConfigurationTarget.Global);
    const { engine, store } = await activateExtension();
    const session = await engine.start({ type: 'test-fix', title: 'No claude here', intention: 'x', options: { testCommand: 'false' } });
    await vscode.commands.executeCommand('sessionLedger.nextStep', session.id); // the failing test run
    await vscode.commands.executeCommand('sessionLedger.nextStep', session.id); // the Claude fix step
    const claudeStep = store.interactions.list(session.id)[1];
    assert.equal(claudeStep.command.kind, 'claude');
    assert.equal(claudeStep.result.status, 'error');
    assert.match(claudeStep.result.errorMessage ?? '', /Claude Code CLI .* was not found.*sessionLedger\.claudePath/);
    vscode.window.terminals.find((t) => t.name === 'Session: No claude here')?.dispose();
  });
});
