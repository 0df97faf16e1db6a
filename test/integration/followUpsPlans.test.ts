import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import * as vscode from 'vscode';
import type { SessionTreeNode } from '../../src/vscode/SessionTreeProvider';
import { SessionFilters } from '../../src/vscode/sessionFilters';
import { sessionTooltip, useExtensionTimeline, waitFor, within } from './helpers';

describe('follow-ups, planned sessions, templates and tags: Start Follow-up Session, Plan/Start, Save as Template, Edit Tags, Filter Sessions by…', function () {
  this.timeout(90_000);
  const ext = useExtensionTimeline();
  after(() => vscode.commands.executeCommand('sessionLedger.clearFilter'));

  const tooltipOf = (id: string): string => sessionTooltip(ext.api, id);
  const treeSessions = (status: string): string[] =>
    ext.api.tree.getChildren({ kind: 'group', status } as SessionTreeNode).flatMap((n) => (n.kind === 'session' ? [n.session.id] : []));
  const groups = (): string[] => ext.api.tree.getChildren().flatMap((n) => (n.kind === 'group' ? [n.status] : []));

  it('Plan Session records a planned session in the Planned group; Start makes it active; the header shows expected and actual durations', async () => {
    const scheduledAt = Date.now() + 2 * 3_600_000;
    const id = (await vscode.commands.executeCommand<string>('sessionLedger.planSession', {
      type: 'freeform',
      title: 'Planned release notes',
      intention: 'Write the release notes',
      scheduledAt,
      expectedMinutes: 30,
      tags: ['release'],
    }))!;
    const planned = ext.api.store.sessions.require(id);
    assert.deepEqual([planned.status, planned.scheduledAt, planned.expectedMinutes, planned.startedAt], ['planned', scheduledAt, 30, null]);
    assert.notEqual(ext.api.active.id, id, 'planning does not make it the active session');
    assert.ok(groups().includes('planned'), JSON.stringify(groups()));
    assert.ok(treeSessions('planned').includes(id));
    const item = ext.api.tree.getTreeItem({ kind: 'session', session: planned });
    assert.equal(item.contextValue, 'session.planned', 'the Start and Cancel menus match on it');
    assert.match(String(item.description), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2} · freeform/);
    assert.match(tooltipOf(id), /Duration: expected 30 min/);
    assert.match(tooltipOf(id), /Tags: `release`/);

    const panel = ext.panels.show(id);
    const first = await within(
      'the planned header',
      panel.test.whenRendered((r) => r.header?.status === 'planned'),
    );
    assert.deepEqual(first.header?.actions, ['start', 'cancel']);
    const shown = first.header?.shown ?? [];
    assert.ok(shown.includes('expected: Expected 30 min'), JSON.stringify(shown));
    assert.ok(shown.includes('tag: release'), JSON.stringify(shown));
    assert.ok(
      shown.some((s) => s.startsWith('scheduled: Scheduled ')),
      JSON.stringify(shown),
    );

    // Start from the header, as a person would (it runs Start Planned Session).
    await panel.test.request('runSessionAction', { action: 'start' });
    const started = ext.api.store.sessions.require(id);
    assert.equal(started.status, 'active');
    assert.ok(started.startedAt !== null && started.startedAt >= planned.createdAt);
    assert.equal(ext.api.active.id, id, 'Start makes it the active session');
    assert.ok(!treeSessions('planned').includes(id) && treeSessions('active').includes(id));
    await within(
      'the header of the started session',
      panel.test.whenRendered((r) => r.header?.status === 'active' && (r.header.actions ?? []).includes('nextStep')),
    );
    await vscode.commands.executeCommand('sessionLedger.completeSession', id, {
      summary: 'Written.',
      rating: 5,
      completionPercent: 100,
      needsFollowUp: false,
    });
    const ended = await within(
      'the actual duration beside the expected one',
      panel.test.whenRendered((r) => (r.header?.shown ?? []).some((s) => s.startsWith('actual: Actual '))),
    );
    const timing = (ended.header?.shown ?? []).filter((s) => s.startsWith('expected:') || s.startsWith('actual:'));
    assert.deepEqual(timing, ['expected: Expected 30 min', 'actual: Actual 0 min'], JSON.stringify(ended.header?.shown));
    assert.match(tooltipOf(id), /Duration: expected 30 min · actual 0 min/);
    panel.dispose();
    await ext.api.store.sessions.softDelete(id);
  });

  it('Start only starts a planned session, and a planned one can be cancelled', async () => {
    const id = (await vscode.commands.executeCommand<string>('sessionLedger.planSession', {
      type: 'freeform',
      title: 'Never',
      intention: 'x',
    }))!;
    await vscode.commands.executeCommand('sessionLedger.cancelSession', id, { confirmed: true });
    assert.equal(ext.api.store.sessions.require(id).status, 'cancelled');
    assert.equal(ext.api.store.sessions.require(id).startedAt, null);
    // The command reports the refusal to the person instead of throwing.
    await vscode.commands.executeCommand('sessionLedger.startPlannedSession', id);
    assert.equal(ext.api.store.sessions.require(id).status, 'cancelled');
    await ext.api.store.sessions.softDelete(id);
  });

  it('Start Follow-up Session starts a session prefilled from the suggestion and links previous and next in the tooltip and both headers', async () => {
    const previous = await ext.api.engine.start({
      type: 'freeform',
      title: 'CSV parser',
      intention: 'A CSV parser',
      successCriteria: ['tests pass'],
      constraints: ['no new dependencies'],
      tags: ['csv'],
    });
    await vscode.commands.executeCommand('sessionLedger.completeSession', previous.id, {
      summary: 'Parser written; quoting left.',
      rating: 4,
      completionPercent: 80,
      needsFollowUp: true,
      followUpNotes: 'Quoted newlines',
      nextSessionSuggestion: 'Handle quoted newlines in the CSV parser',
    });
    const previousPanel = ext.panels.show(previous.id);
    const ended = await within(
      'the ended header offers Start Follow-up',
      previousPanel.test.whenRendered((r) => r.header?.status === 'complete'),
    );
    assert.deepEqual(ended.header?.actions, ['followUp']);

    const nextId = (await vscode.commands.executeCommand<string>('sessionLedger.startFollowUpSession', previous.id, {
      executionMode: 'manual',
    }))!;
    const next = ext.api.store.sessions.require(nextId);
    assert.deepEqual(
      [next.title, next.intention, next.followsSessionId, next.parentSessionId, next.type, next.status],
      ['Handle quoted newlines in the CSV parser', 'Handle quoted newlines in the CSV parser', previous.id, null, 'freeform', 'active'],
    );
    assert.deepEqual([next.successCriteria, next.constraints, next.tags], [['tests pass'], ['no new dependencies'], ['csv']]);
    assert.equal(ext.api.active.id, nextId);
    assert.match(tooltipOf(nextId), /Follows: \$\(pass\) CSV parser/);
    assert.match(tooltipOf(previous.id), /Followed by: \$\(play-circle\) Handle quoted newlines in the CSV parser/);

    const linked = await within(
      "the previous session's header to name its follow-up (it was started after the panel opened)",
      previousPanel.test.whenRendered((r) => (r.header?.shown ?? []).includes('next: Handle quoted newlines in the CSV parser')),
    );
    assert.ok(linked.header);
    const nextPanel = ext.panels.show(nextId);
    await within(
      "the follow-up's header to name the session it follows",
      nextPanel.test.whenRendered((r) => (r.header?.shown ?? []).includes('previous: CSV parser')),
    );
    assert.deepEqual(ext.warnings, [], 'no ext.warnings from the panels or the webviews');
    previousPanel.dispose();
    nextPanel.dispose();
    await vscode.commands.executeCommand('sessionLedger.cancelSession', nextId, { confirmed: true });
    await ext.api.store.sessions.softDelete(nextId);
    await ext.api.store.sessions.softDelete(previous.id);
  });

  it('Edit Tags, then Filter Sessions by tag and mode combined with the text filter, remembered for the workspace', async () => {
    const a = await ext.api.engine.start({ type: 'freeform', title: 'Filter target alpha', intention: 'a' });
    const b = await ext.api.engine.start({ type: 'freeform', title: 'Filter target beta', intention: 'b', executionMode: 'agentic' });
    await ext.api.engine.cancel(b.id);
    const tags = await vscode.commands.executeCommand<string[]>('sessionLedger.editTags', a.id, ['ui', ' release ', 'ui']);
    assert.deepEqual(tags, ['ui', 'release']);
    assert.equal(ext.api.store.events.list(a.id, { type: 'session.tags_changed', limit: 10 }).length, 1);
    await vscode.commands.executeCommand('sessionLedger.editTags', b.id, ['ui']);

    await vscode.commands.executeCommand('sessionLedger.filterSessionsBy', { tag: 'ui' });
    await waitFor('the tree to show only tagged sessions', () =>
      treeSessions('active').includes(a.id) &&
      treeSessions('cancelled').includes(b.id) &&
      groups().every((g) => g === 'active' || g === 'cancelled')
        ? true
        : undefined,
    );
    await vscode.commands.executeCommand('sessionLedger.filterSessionsBy', { tag: 'ui', mode: 'manual' });
    await waitFor('the mode filter', () => (groups().join() === 'active' && treeSessions('active').join() === a.id ? true : undefined));
    assert.deepEqual(ext.api.sessionFilters.state, { tag: 'ui', mode: 'manual' });
    // The text filter on top: both must match.
    ext.api.tree.setFilter('beta');
    await waitFor('text and tag filters together', () => (groups().length === 0 ? true : undefined));
    ext.api.tree.setFilter('alpha');
    await waitFor('alpha passes both', () => (treeSessions('active').join() === a.id ? true : undefined));
    ext.api.tree.setFilter(undefined);

    // Remembered in workspace state: filters made over the same memento read it back (as after a reload).
    const memento = new Map<string, unknown>();
    const workspaceState = {
      keys: () => [...memento.keys()],
      get: (key: string) => memento.get(key),
      update: async (key: string, value: unknown) => void memento.set(key, value),
    } as unknown as vscode.Memento;
    const saved = new SessionFilters(workspaceState);
    await saved.set({ tag: 'ui', created: { lastDays: 7 } });
    const reloaded = new SessionFilters(workspaceState);
    assert.deepEqual(reloaded.state, { tag: 'ui', created: { lastDays: 7 } });
    assert.equal(reloaded.description, 'tag ui · last 7 days');
    saved.dispose();
    reloaded.dispose();

    await vscode.commands.executeCommand('sessionLedger.clearFilter');
    assert.deepEqual(ext.api.sessionFilters.state, {});
    await waitFor('all sessions again', () => (treeSessions('cancelled').includes(b.id) ? true : undefined));
    await ext.api.engine.cancel(a.id);
    await ext.api.store.sessions.softDelete(a.id);
    await ext.api.store.sessions.softDelete(b.id);
  });

  it("Save as Template writes a template extending the session's type into the workflows folder; New Session lists it with its defaults", async () => {
    const source = await ext.api.engine.start({
      type: 'freeform',
      title: 'Weekly dependency bump',
      intention: 'Bump the dependencies and keep CI green',
      successCriteria: ['CI green'],
      constraints: ['no major versions'],
      tags: ['deps'],
    });
    const file = (await vscode.commands.executeCommand<string>('sessionLedger.saveAsTemplate', source.id, { label: 'Dependency bump' }))!;
    try {
      assert.ok(existsSync(file), file);
      assert.match(file, /\.vscode\/session-ledger\/workflows\/dependency-bump\.json$/);
      const written = JSON.parse(readFileSync(file, 'utf8'));
      assert.deepEqual(written.extends, 'freeform');
      assert.deepEqual(written.defaults, {
        intention: 'Bump the dependencies and keep CI green',
        successCriteria: ['CI green'],
        constraints: ['no major versions'],
        tags: ['deps'],
      });
      const template = await waitFor('the template to be loaded', () => ext.api.engine.listTypes().find((t) => t.id === 'dependency-bump'));
      assert.deepEqual([template.baseType, template.defaults?.intention], ['freeform', 'Bump the dependencies and keep CI green']);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      rmSync(file, { force: true });
      await ext.api.engine.cancel(source.id);
      await ext.api.store.sessions.softDelete(source.id);
    }
  });
});
