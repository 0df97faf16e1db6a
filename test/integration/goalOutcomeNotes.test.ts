import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import { sessionTooltip, sessionTreeItem, useExtensionTimeline, within } from './helpers';

describe('goal, outcome and notes: Edit Goal, Add Note, Complete Session in the tree and the timeline', function () {
  this.timeout(60_000);
  const ext = useExtensionTimeline();

  const tooltipOf = (id: string): string => sessionTooltip(ext.api, id);
  const descriptionOf = (id: string): string => String(sessionTreeItem(ext.api, id).description);

  it('edits the goal, adds an important note at a step and completes with an outcome; the timeline and the tree show each', async () => {
    const session = await ext.api.engine.start({
      type: 'freeform',
      title: 'Goal fields',
      intention: 'A CSV parser',
      successCriteria: ['tests pass'],
    });
    const panel = ext.panels.show(session.id);
    await within(
      'the first render',
      panel.test.whenRendered((r) => r.header !== null),
    );

    await vscode.commands.executeCommand('sessionLedger.editGoal', session.id, {
      completionCriteria: ['parser merged', 'docs written'],
      constraints: ['no new dependencies'],
      procedureNotes: 'Test first.',
    });
    const edited = ext.api.store.sessions.require(session.id);
    assert.deepEqual(edited.completionCriteria, ['parser merged', 'docs written']);
    const goalEvents = ext.api.store.events.list(session.id, { type: 'session.goal_edited', limit: 10 });
    assert.equal(goalEvents.length, 1);
    assert.deepEqual((goalEvents[0].payload as { fields: string[] }).fields, ['completionCriteria', 'constraints', 'procedureNotes']);
    const goalShown = await within(
      'the header to show the edited goal',
      panel.test.whenRendered((r) => (r.header?.shown ?? []).includes('completion-criterion: docs written')),
    );
    assert.ok(goalShown.header?.shown?.includes('constraint: no new dependencies'), JSON.stringify(goalShown.header));
    assert.ok(goalShown.header?.shown?.includes('procedure: Test first.'), JSON.stringify(goalShown.header));
    assert.match(tooltipOf(session.id), /Completion criteria:\n- parser merged\n- docs written/);
    assert.match(tooltipOf(session.id), /Procedure notes: Test first\\\./);

    const step = await ext.api.engine.next(session.id, { input: 'write the parser' });
    assert.ok(step.kind === 'command');
    await vscode.commands.executeCommand('sessionLedger.addNote', session.id, {
      content: 'Quoted newlines are subtle',
      kind: 'concern',
      important: true,
      followUp: true,
      interactionSeq: step.interaction.seq,
    });
    const [note] = ext.api.store.notes.list(session.id).filter((n) => n.kind === 'concern');
    assert.deepEqual([note.important, note.followUp, note.interactionSeq], [true, true, step.interaction.seq]);
    const noteShown = await within(
      'the header to show the note',
      panel.test.whenRendered((r) =>
        (r.header?.shown ?? []).some((s) => s.startsWith(`note:concern,important,follow-up,step ${step.interaction.seq}:`)),
      ),
    );
    assert.ok(noteShown.header?.shown?.some((s) => s.endsWith('Quoted newlines are subtle')));
    assert.match(descriptionOf(session.id), /★ 1 · /);
    assert.match(tooltipOf(session.id), /Important notes:\n- concern: Quoted newlines are subtle/);

    await vscode.commands.executeCommand('sessionLedger.completeSession', session.id, {
      summary: 'Parser written; quoting left.',
      rating: 4,
      completionPercent: 80,
      needsFollowUp: true,
      followUpNotes: 'Quoted newlines',
      nextSessionSuggestion: 'Handle quoted newlines',
    });
    const completed = ext.api.store.sessions.require(session.id);
    assert.equal(completed.status, 'complete');
    assert.deepEqual([completed.outcome?.rating, completed.outcome?.completionPercent, completed.outcome?.recordedBy], [4, 80, 'person']);
    assert.equal(ext.api.store.interactions.get(step.interaction.id)?.result.status, 'cancelled', 'the pending step was closed');
    const outcomeShown = await within(
      'the header to show the outcome',
      panel.test.whenRendered((r) => r.header?.status === 'complete' && (r.header.shown ?? []).some((s) => s.startsWith('rating:'))),
    );
    const shown = outcomeShown.header?.shown ?? [];
    assert.ok(shown.includes('rating: ★★★★☆ 4/5'), JSON.stringify(shown));
    assert.ok(shown.includes('completion: 80 % complete'), JSON.stringify(shown));
    assert.ok(shown.includes('summary: Parser written; quoting left.'), JSON.stringify(shown));
    assert.ok(shown.includes('next-session: Suggested next session: Handle quoted newlines'), JSON.stringify(shown));
    assert.deepEqual(outcomeShown.header?.actions, ['followUp'], 'an ended session offers only Start Follow-up');
    assert.match(tooltipOf(session.id), /Summary: Parser written; quoting left\\\./);
    assert.match(tooltipOf(session.id), /Outcome: ★★★★☆ 4\/5 · 80 % complete · \$\(issue-reopened\) needs follow-up: Quoted newlines/);
    assert.deepEqual(ext.warnings, [], 'no ext.warnings from the panel or the webview');
    panel.dispose();
    await ext.api.store.sessions.softDelete(session.id);
  });

  it('refuses an invalid outcome passed to Complete Session and leaves the session as it was', async () => {
    const session = await ext.api.store.sessions.create({ type: 'freeform', title: 'Bad outcome', intention: 'x' });
    // The command reports the error to the person (and logs it) instead of throwing.
    await vscode.commands.executeCommand('sessionLedger.completeSession', session.id, {
      summary: 'x',
      rating: 9,
      completionPercent: 50,
      needsFollowUp: false,
    });
    assert.equal(ext.api.store.sessions.require(session.id).status, 'active');
    assert.equal(ext.api.store.sessions.require(session.id).outcome, null);
    await ext.api.store.sessions.softDelete(session.id);
  });
});
