import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import { sessionTooltip, sessionTreeItem, useExtensionTimeline, within } from './helpers';

describe('Check Progress (person-ticked) in the tree and the timeline', function () {
  this.timeout(90_000);
  const ext = useExtensionTimeline();

  const itemOf = (id: string) => sessionTreeItem(ext.api, id);
  const tooltipOf = (id: string): string => sessionTooltip(ext.api, id);

  it('records ticks as the progress and an event; the header draws the checklist and the tree a 1/3, also through the quick picks', async () => {
    const session = await ext.api.engine.start({
      type: 'freeform',
      title: 'Progress you can check',
      intention: 'A CSV parser',
      successCriteria: ['tests pass', 'docs written'],
      completionCriteria: ['merged'],
    });
    const panel = ext.panels.show(session.id);
    const first = await within(
      'the first render',
      panel.test.whenRendered((r) => r.header !== null),
    );
    assert.ok(!(first.header?.shown ?? []).some((s) => s.startsWith('check:')), 'no checklist before the first check');

    // The ticks, as code passes them (no prompts).
    await vscode.commands.executeCommand('sessionLedger.checkProgress', session.id, [
      { kind: 'success', criterion: 'tests pass', status: 'met', evidence: 'npm test: 42 passing' },
      { kind: 'completion', criterion: 'merged', status: 'not_met', evidence: 'PR still open' },
    ]);
    const checked = ext.api.store.sessions.require(session.id);
    assert.deepEqual(
      checked.progress?.criteria.map((c) => [c.criterion, c.status]),
      [
        ['tests pass', 'met'],
        ['docs written', 'unknown'],
        ['merged', 'not_met'],
      ],
    );
    const shown = await within(
      'the header to draw the checklist',
      panel.test.whenRendered((r) => (r.header?.shown ?? []).includes('progress: Progress 1/3')),
    );
    const checks = (shown.header?.shown ?? []).filter((s) => s.startsWith('check:'));
    // Each item: the criterion, a "completion" badge for a completion criterion, the evidence.
    assert.deepEqual(checks, [
      'check:met: tests pass — npm test: 42 passing',
      'check:unknown: docs written',
      'check:not_met: mergedcompletion — PR still open',
    ]);
    assert.match(String(itemOf(session.id).description), /✓ 1\/3 · /);
    assert.match(tooltipOf(session.id), /Progress 1\/3 \(checked by a person\)/);
    assert.match(tooltipOf(session.id), /\$\(pass-filled\) tests pass — npm test: 42 passing/);

    // The person's quick picks: ticked as before (met, then not met), no evidence this time. Enter on
    // each prompt as it comes up, until the command has finished.
    let finished = false;
    const run = Promise.resolve(vscode.commands.executeCommand('sessionLedger.checkProgress', session.id, 'person')).finally(() => {
      finished = true;
    });
    for (let i = 0; i < 100 && !finished; i++) {
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      await new Promise((r) => setTimeout(r, 200));
    }
    await within('Check Progress through its quick picks', run);
    const again = ext.api.store.sessions.require(session.id);
    assert.deepEqual(
      again.progress?.criteria.map((c) => [c.criterion, c.status, c.evidence]),
      [
        ['tests pass', 'met', ''],
        ['docs written', 'unknown', ''],
        ['merged', 'not_met', ''],
      ],
      'the quick picks start from the last check',
    );
    assert.equal(again.progress?.checkedBy, 'person');
    const events = ext.api.store.events.list(session.id, { type: 'session.progress_checked', limit: 10 });
    assert.equal(events.length, 2, 'each check is an event');
    await within(
      'the header to drop the evidence',
      panel.test.whenRendered((r) => (r.header?.shown ?? []).includes('check:met: tests pass')),
    );
    assert.deepEqual(ext.warnings, [], 'no ext.warnings from the panel or the webview');
    panel.dispose();
    await ext.api.store.sessions.softDelete(session.id);
  });

  it('refuses a session without criteria and records nothing', async () => {
    const session = await ext.api.store.sessions.create({ type: 'freeform', title: 'No criteria', intention: 'x' });
    // The command reports the error to the person (and logs it) instead of throwing.
    await vscode.commands.executeCommand('sessionLedger.checkProgress', session.id, 'person');
    assert.equal(ext.api.store.sessions.require(session.id).progress, null);
    assert.equal(ext.api.store.events.list(session.id, { type: 'session.progress_checked', limit: 10 }).length, 0);
    await ext.api.store.sessions.softDelete(session.id);
  });

  it('a review gate: the header marks it, Request Changes asks again with the comment, Approve goes on; artifacts say who and when', async () => {
    const session = await ext.api.engine.start({
      type: 'full',
      title: 'Reviewed spec',
      intention: 'Add a login page',
      options: { approve: true },
    });
    const panel = ext.panels.show(session.id);
    await within(
      'the first render',
      panel.test.whenRendered((r) => r.header !== null),
    );
    // The spec step's answer, as a runner records it.
    const spec = await ext.api.engine.next(session.id);
    assert.ok(spec.kind === 'command');
    await ext.api.engine.recordResult(session.id, spec.interaction.id, { status: 'ok', output: '# Spec\nA login form.' });
    const waiting = await within(
      'the header to mark the review gate',
      panel.test.whenRendered((r) => (r.header?.shown ?? []).some((s) => s.startsWith('review: '))),
    );
    assert.ok(
      waiting.header?.shown?.some((s) => s.startsWith('review: The answer of the spec step (#1) waits for approval')),
      JSON.stringify(waiting.header?.shown),
    );
    assert.match(String(itemOf(session.id).description), /awaiting review · /);
    assert.equal(ext.api.store.artifacts.getByKey(session.id, 'spec')?.review?.state, 'provisional');

    await vscode.commands.executeCommand('sessionLedger.requestReviewChanges', session.id, 'Add a password reset link.');
    const rejected = ext.api.store.artifacts.getByKey(session.id, 'spec')?.review;
    assert.equal(rejected?.state, 'changes_requested');
    assert.equal(rejected?.comment, 'Add a password reset link.');
    assert.ok(rejected?.by && typeof rejected.at === 'number', JSON.stringify(rejected));
    await within(
      'the header to drop the gate',
      panel.test.whenRendered((r) => !(r.header?.shown ?? []).some((s) => s.startsWith('review: '))),
    );
    const again = await ext.api.engine.next(session.id);
    assert.ok(again.kind === 'command');
    assert.equal(again.interaction.command.step, 'spec');
    assert.match(again.interaction.command.command, /asked for changes:\nAdd a password reset link\./);
    await ext.api.engine.recordResult(session.id, again.interaction.id, { status: 'ok', output: '# Spec\nA login form and a reset link.' });

    await vscode.commands.executeCommand('sessionLedger.approveReview', session.id);
    const approved = ext.api.store.artifacts.getByKey(session.id, 'spec')?.review;
    assert.equal(approved?.state, 'approved');
    assert.equal(ext.api.store.sessions.require(session.id).phase, 'plan');
    assert.deepEqual(ext.warnings, [], 'no ext.warnings from the panel or the webview');
    panel.dispose();
    await ext.api.engine.cancel(session.id);
    await ext.api.store.sessions.softDelete(session.id);
  });
});
