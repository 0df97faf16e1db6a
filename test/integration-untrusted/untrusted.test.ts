import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { activateExtension } from '../integration/helpers';

describe('in an untrusted workspace', function () {
  this.timeout(60_000);

  it('runs in restricted mode: history is readable and writable', async () => {
    assert.equal(vscode.workspace.isTrusted, false, 'this suite must run in an untrusted workspace');
    const { store } = await activateExtension();
    const session = await store.sessions.create({ type: 'quick', title: 'Readable while untrusted', intention: 'look only' });
    assert.equal(store.sessions.get(session.id)?.title, 'Readable while untrusted');
  });

  it('refuses to run an agentic session', async () => {
    const { engine, background, store } = await activateExtension();
    const session = await engine.start({
      type: 'quick',
      title: 'Agentic while untrusted',
      intention: 'must not run',
      executionMode: 'agentic',
    });
    const outcome = await background.start(session.id);
    assert.equal(outcome, undefined, 'the background runner refused');
    assert.equal(background.isRunning(session.id), false);
    await vscode.commands.executeCommand('sessionLedger.nextStep', session.id);
    assert.equal(store.interactions.list(session.id).length, 0, 'no command was issued');
  });

  it('refuses to connect Claude Code hooks', async () => {
    await activateExtension();
    await vscode.commands.executeCommand('sessionLedger.connectClaudeHooks');
    const settings = join(vscode.workspace.workspaceFolders![0].uri.fsPath, '.claude', 'settings.local.json');
    assert.equal(existsSync(settings), false, `${settings} must not be written in an untrusted workspace`);
  });
});
