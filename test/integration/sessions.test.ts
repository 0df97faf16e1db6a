import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import { PINNED_TAG, planRetention } from '../../src/core/ledger/retention';
import type { SessionTreeNode } from '../../src/vscode/SessionTreeProvider';
import { activateExtension, waitFor } from './helpers';

/** The terminal named `name`, once a command starts in it (call before the step that runs it). */
function executionStartsIn(name: string): Promise<vscode.Terminal> {
  return new Promise((resolve) => {
    const listener = vscode.window.onDidStartTerminalShellExecution((e) => {
      if (e.terminal.name === name) {
        listener.dispose();
        resolve(e.terminal);
      }
    });
  });
}

/**
 * Starts a manual test-fix session whose first step runs `testCommand` in its terminal, and returns
 * once that command has run for 300 ms; `step` is Next Step, still running.
 */
async function longStepRunning(title: string, testCommand: string) {
  const { engine } = await activateExtension();
  const session = await engine.start({ type: 'test-fix', title, intention: 'a long command', options: { testCommand } });
  const executing = executionStartsIn(`Session: ${title}`);
  const step = vscode.commands.executeCommand('sessionLedger.nextStep', session.id);
  const terminal = await executing;
  await new Promise((r) => setTimeout(r, 300));
  return { session, step, terminal };
}

describe('sessions in the workbench: tree, commands, status bar, manual steps', function () {
  this.timeout(60_000);

  it('groups sessions by status (empty groups hidden) and nests children under their parent', async () => {
    const { store, tree, engine } = await activateExtension();
    const parent = await engine.start({
      type: 'component-design',
      title: 'Tree parent',
      intention: 'design',
      options: { components: [{ name: 'a', description: 'A' }] },
    });
    const child = await store.sessions.create({ type: 'quick', title: 'Tree child', intention: 'child', parentSessionId: parent.id });
    const paused = await store.sessions.create({ type: 'quick', title: 'Tree paused', intention: 'p' });
    await store.sessions.update(paused.id, { status: 'paused' });
    const done = await store.sessions.create({ type: 'quick', title: 'Tree done', intention: 'd' });
    await store.sessions.update(done.id, { status: 'complete' });

    const groups = tree.getChildren() as Extract<SessionTreeNode, { kind: 'group' }>[];
    const order = ['active', 'paused', 'interrupted', 'complete', 'failed', 'cancelled'] as const;
    // One group per status that has top-level sessions, in the fixed order; empty ones hidden.
    const expected = order.filter((status) => store.sessions.count({ status, parentSessionId: null }) > 0);
    assert.deepEqual(
      groups.map((g) => g.status),
      expected,
    );
    for (const status of ['active', 'paused', 'complete'] as const) assert.ok(expected.includes(status));
    const active = tree.getChildren({ kind: 'group', status: 'active' });
    const parentNode = active.find((n) => n.kind === 'session' && n.session.id === parent.id);
    assert.ok(parentNode, 'the parent is listed under Active');
    assert.ok(!active.some((n) => n.kind === 'session' && n.session.id === child.id), 'children are not listed at the top level');
    const nested = tree.getChildren(parentNode);
    assert.deepEqual(
      nested.map((n) => (n.kind === 'session' ? n.session.title : '?')),
      ['Tree child'],
    );
    const parentItem = tree.getTreeItem(parentNode);
    assert.equal(parentItem.collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
    assert.equal(parentItem.id, `session:${parent.id}`);
    assert.match(String(parentItem.contextValue), /^session\.active/);
    assert.match(String(parentItem.description), /component-design/);
    const childParent = tree.getParent(nested[0]);
    assert.ok(childParent?.kind === 'session' && childParent.session.id === parent.id, 'getParent of a child is its parent');
    for (const s of [parent, child, paused, done]) await store.sessions.softDelete(s.id);
  });

  it('pins and unpins a session through the commands; the tree shows it and retention keeps it', async () => {
    const { store, tree } = await activateExtension();
    const session = await store.sessions.create({ type: 'quick', title: 'Pin me', intention: 'keep', status: 'complete', tags: ['mine'] });
    const later = Date.now() + 400 * 24 * 3600 * 1000;
    const plan = () => planRetention({ maxAgeDays: 365 }, store.sessions.list({ deleted: 'include', limit: 10_000 }), new Map(), later);
    assert.ok(
      plan().softDelete.some((s) => s.sessionId === session.id),
      'unpinned, an old completed session is cleaned up',
    );

    await vscode.commands.executeCommand('sessionLedger.pinSession', { kind: 'session', session });
    assert.deepEqual(store.sessions.require(session.id).tags, ['mine', PINNED_TAG]);
    const item = tree.getTreeItem({ kind: 'session', session: store.sessions.require(session.id) });
    assert.equal(item.contextValue, 'session.complete.pinned');
    assert.match(String(item.description), /^pinned · quick/);
    assert.match((item.tooltip as vscode.MarkdownString).value, /\$\(pinned\) Pinned/);
    const pinnedPlan = plan();
    assert.ok(!pinnedPlan.softDelete.some((s) => s.sessionId === session.id));
    assert.deepEqual(pinnedPlan.exempt.find((e) => e.sessionId === session.id)?.reason, 'pinned');

    await vscode.commands.executeCommand('sessionLedger.unpinSession', session.id);
    assert.deepEqual(store.sessions.require(session.id).tags, ['mine']);
    assert.equal(tree.getTreeItem({ kind: 'session', session: store.sessions.require(session.id) }).contextValue, 'session.complete');
    assert.ok(plan().softDelete.some((s) => s.sessionId === session.id));
    await store.sessions.softDelete(session.id);
  });

  it('pauses, resumes and activates sessions through the commands; the status bar follows', async () => {
    const { engine, store, active, statusBar } = await activateExtension();
    const session = await engine.start({
      type: 'test-fix',
      title: 'Status bar session',
      intention: 'follow me',
      options: { testCommand: 'true' },
    });
    await vscode.commands.executeCommand('sessionLedger.setActiveSession', session.id);
    assert.equal(active.id, session.id);
    assert.match(statusBar.view.text, /Status bar session/);
    assert.equal(statusBar.view.command, 'sessionLedger.sessionActions');

    await vscode.commands.executeCommand('sessionLedger.pauseSession', session.id);
    assert.equal(store.sessions.get(session.id)?.status, 'paused');
    await waitFor('the status bar to show paused', () => (statusBar.view.text.includes('$(debug-pause)') ? true : undefined));

    await vscode.commands.executeCommand('sessionLedger.resumeSession', session.id);
    assert.equal(store.sessions.get(session.id)?.status, 'active');
    await waitFor('the status bar to show waiting', () => (statusBar.view.text.includes('$(debug-continue)') ? true : undefined));

    await active.set(undefined);
    assert.match(statusBar.view.text, /Sessions/);
    assert.equal(statusBar.view.command, 'workbench.view.extension.sessionLedger');
    await store.sessions.softDelete(session.id);
  });

  it("runs a manual shell step in the session's terminal and records output and exit code", async () => {
    const { engine, store } = await activateExtension();
    const session = await engine.start({
      type: 'test-fix',
      title: 'Manual shell step',
      intention: 'record a failing command',
      options: { testCommand: "printf 'hi\\n'; (exit 3)" },
    });
    await vscode.commands.executeCommand('sessionLedger.nextStep', session.id);
    const recorded = store.interactions.list(session.id)[0];
    assert.ok(recorded, 'the step was recorded');
    assert.equal(recorded.command.kind, 'shell');
    assert.equal(recorded.command.command, "printf 'hi\\n'; (exit 3)");
    assert.equal(recorded.result.status, 'error');
    assert.equal(recorded.result.exitCode, 3);
    assert.equal(recorded.result.output?.trim(), 'hi');
    const terminal = vscode.window.terminals.find((t) => t.name === 'Session: Manual shell step');
    assert.ok(terminal, 'a terminal named after the session ran it');
    // The engine moved on: test-fix asks Claude to fix the failure next.
    const after = store.sessions.get(session.id)!;
    assert.equal(after.status, 'active');
    assert.equal(after.interactionCount, 1);
    terminal.dispose();
  });

  it('interrupts a running manual step (Ctrl+C) and records how it ended', async () => {
    const { store, runner, running } = await activateExtension();
    const { session, step } = await longStepRunning('Interrupted step', 'sleep 30');
    assert.ok(running.isRunning(session.id));
    const started = Date.now();
    runner.interrupt(session.id);
    await step;
    assert.ok(Date.now() - started < 10_000, 'the command ended soon after the interrupt, not after 30 s');
    const recorded = store.interactions.list(session.id)[0];
    assert.equal(recorded.result.status, 'error');
    assert.equal(recorded.result.exitCode, 130);
    vscode.window.terminals.find((t) => t.name === 'Session: Interrupted step')?.dispose();
  });

  it('ends a running manual step whose terminal is closed, as an error that says so, instead of waiting for it', async () => {
    const { store, running } = await activateExtension();
    const { session, step, terminal } = await longStepRunning('Closed terminal', 'sleep 60');
    const started = Date.now();
    terminal.dispose();
    await step;
    assert.ok(Date.now() - started < 10_000, 'the step ended when its terminal closed, not after 60 s');
    assert.ok(!running.isRunning(session.id));
    const recorded = store.interactions.list(session.id)[0];
    assert.equal(recorded.result.status, 'error');
    assert.match(recorded.result.errorMessage ?? '', /terminal was closed/);
  });
});
