import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { activateExtension, waitFor } from './helpers';

describe("the Sessions view's badge", function () {
  this.timeout(60_000);

  it('counts a manual session waiting for Next Step and an agentic one while it runs, like the status bar; ended and paused ones drop out', async () => {
    const { engine, store, running, background, active, statusBar, sessionsBadge } = await activateExtension();
    // Other tests of this run may have left active sessions: count from what is there now.
    const before = sessionsBadge.counts;
    const total = before.running + before.waiting;
    const badgeValue = () => sessionsBadge.shown?.value ?? 0;
    const workspace = vscode.workspace.workspaceFolders![0].uri.fsPath;

    const manual = await engine.start({
      type: 'test-fix',
      title: 'Badge waits',
      intention: 'wait for me',
      options: { testCommand: 'true' },
    });
    await active.set(manual.id);
    await waitFor('the badge to count the waiting session', () => (badgeValue() === total + 1 ? true : undefined));
    assert.deepEqual(sessionsBadge.counts, { running: before.running, waiting: before.waiting + 1 });
    assert.match(String(sessionsBadge.shown?.tooltip), new RegExp(`${before.waiting + 1} waiting for you$`));
    assert.match(statusBar.view.text, /^\$\(debug-continue\) Badge waits/, 'the status bar says it waits too');

    // An agentic test-fix whose test command runs until the test lets it finish (a shell step: no Claude needed).
    const dir = mkdtempSync(join(tmpdir(), 'badge-'));
    const release = join(dir, 'release');
    try {
      const agentic = await engine.start({
        type: 'test-fix',
        title: 'Badge runs',
        intention: 'run',
        executionMode: 'agentic',
        workingDir: workspace,
        workspaceFolder: workspace,
        options: { testCommand: `while [ ! -e '${release}' ]; do sleep 0.05; done` },
      });
      await active.set(agentic.id);
      const run = background.start(agentic.id);
      await waitFor('the badge to count the running session', () =>
        sessionsBadge.counts.running === before.running + 1 ? true : undefined,
      );
      assert.ok(running.isRunning(agentic.id));
      assert.deepEqual(sessionsBadge.counts, { running: before.running + 1, waiting: before.waiting + 1 });
      assert.equal(badgeValue(), total + 2);
      assert.equal(
        sessionsBadge.shown?.tooltip,
        `${total + 2} sessions: ${before.running + 1} running, ${before.waiting + 1} waiting for you`,
      );
      assert.match(statusBar.view.text, /^\$\(sync~spin\) Badge runs/, 'the status bar says it runs too');

      writeFileSync(release, '');
      const outcome = await run;
      assert.equal(outcome?.session.status, 'complete', 'the test command passed, so the session completed');
      await waitFor('the badge to drop the completed session', () => (badgeValue() === total + 1 ? true : undefined));
      assert.deepEqual(sessionsBadge.counts, { running: before.running, waiting: before.waiting + 1 });
      assert.match(statusBar.view.text, /^\$\(check\) Badge runs/);
      await store.sessions.softDelete(agentic.id);
    } finally {
      if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    }

    await vscode.commands.executeCommand('sessionLedger.pauseSession', manual.id);
    await waitFor('the badge to drop the paused session', () => (badgeValue() === total ? true : undefined));
    assert.deepEqual(sessionsBadge.counts, before);
    await active.set(undefined);
    await store.sessions.softDelete(manual.id);
  });

  it('shows a planned session as planned in the status bar (not ended), and does not count it', async () => {
    const { engine, store, active, statusBar, sessionsBadge } = await activateExtension();
    const before = sessionsBadge.counts;
    const planned = await engine.plan({ type: 'test-fix', title: 'Badge planned', intention: 'later', options: { testCommand: 'true' } });
    await active.set(planned.id);
    await waitFor('the status bar to show the planned session', () => (statusBar.view.text.includes('Badge planned') ? true : undefined));
    assert.match(statusBar.view.text, /^\$\(calendar\) Badge planned/);
    assert.match(statusBar.view.tooltip, /planned: start it to begin/);
    assert.doesNotMatch(statusBar.view.tooltip, /ended/);
    assert.deepEqual(sessionsBadge.counts, before, 'a planned session asks nothing of the person yet');
    await active.set(undefined);
    await store.sessions.softDelete(planned.id);
  });
});
