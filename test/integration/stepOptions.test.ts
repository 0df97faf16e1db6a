import { strict as assert } from 'node:assert';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { activateExtension, waitFor } from './helpers';

describe("a workflow step's timeoutSeconds and model in the manual (terminal) runner", function () {
  this.timeout(90_000);
  const settings = () => vscode.workspace.getConfiguration('sessionLedger');
  const folder = () => join(vscode.workspace.workspaceFolders![0].uri.fsPath, '.vscode', 'session-ledger', 'workflows');

  after(async () => {
    await settings().update('claudePath', undefined, vscode.ConfigurationTarget.Global);
    rmSync(join(folder(), 'integration-step-options.json'), { force: true });
  });

  it('stops a shell step at its timeoutSeconds, and runs the Claude step with its --model', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'claude-model-'));
    const claude = join(dir, 'claude');
    writeFileSync(claude, '#!/bin/sh\nfor a in "$@"; do printf "arg:%s\\n" "$a"; done\n');
    chmodSync(claude, 0o755);
    await settings().update('claudePath', claude, vscode.ConfigurationTarget.Global);
    const { engine, store } = await activateExtension();
    mkdirSync(folder(), { recursive: true });
    writeFileSync(
      join(folder(), 'integration-step-options.json'),
      JSON.stringify({
        id: 'integration-step-options',
        label: 'Step options',
        steps: [
          { id: 'slow', kind: 'shell', command: 'sleep 30', timeoutSeconds: 2, onFailure: 'fix', onSuccess: '$complete' },
          { id: 'fix', kind: 'claude', prompt: 'Make it faster', model: 'haiku', maxTurns: 2, next: '$complete' },
        ],
      }),
    );
    await waitFor('the workflow to be listed', () => engine.listTypes().find((t) => t.id === 'integration-step-options'), 20_000);
    const session = await engine.start({
      type: 'integration-step-options',
      title: 'Step options in the terminal',
      intention: 'honour step options',
    });

    const started = Date.now();
    await vscode.commands.executeCommand('sessionLedger.nextStep', session.id);
    assert.ok(Date.now() - started < 20_000, `the step ended after ${Date.now() - started} ms, not after sleep's 30 s`);
    const slow = store.interactions.list(session.id)[0];
    assert.equal(slow.result.status, 'error');
    assert.match(slow.result.errorMessage ?? '', /Stopped after 2 s, the timeoutSeconds of workflow step "slow"/);

    await vscode.commands.executeCommand('sessionLedger.nextStep', session.id);
    const fix = store.interactions.list(session.id)[1];
    assert.equal(fix.command.kind, 'claude');
    assert.match(fix.result.output ?? '', /arg:--model\narg:haiku\n/);
    vscode.window.terminals.find((t) => t.name === 'Session: Step options in the terminal')?.dispose();
  });
});
