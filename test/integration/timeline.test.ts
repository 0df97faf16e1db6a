import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { SessionStore } from '../../src/core/store/SessionStore';
import { TIMELINE_VIEW_TYPE, type RenderedReport } from '../../src/protocol/timelineMessages';
import { TimelinePanels } from '../../src/vscode/timeline/registration';
import type { TimelinePanel } from '../../src/vscode/timeline/TimelinePanel';
import { activateExtension, extensionId, recordingLogger, waitFor, within } from './helpers';

const INTERACTIONS = 250; // more than the snapshot's first page: the remaining pages are exercised too

describe('timeline panel', () => {
  let directory: string;
  let store: SessionStore;
  let panels: TimelinePanels;
  const logLines: string[] = [];

  before(async () => {
    await activateExtension();
    const extension = vscode.extensions.getExtension(extensionId)!;
    const dist = join(extension.extensionPath, 'dist');
    directory = mkdtempSync(join(tmpdir(), 'timeline-it-'));
    store = await SessionStore.open({
      directory,
      wasmPath: join(dist, 'sql-wasm.wasm'),
      workerPath: join(dist, 'snapshotWorker.js'),
      migrationsDirectory: join(extension.extensionPath, 'migrations'),
    });
    panels = new TimelinePanels(extension.extensionUri, { store, log: recordingLogger(logLines) });
  });

  after(async () => {
    panels?.dispose();
    await store?.close();
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  async function sessionWithInteractions(title: string, count: number) {
    const session = await store.sessions.create({
      type: 'test-fix',
      title,
      intention: 'The suite passes.',
      successCriteria: ['npm test exits 0'],
    });
    await store.transaction((tx) => {
      for (let i = 1; i <= count; i++) {
        const claude = i % 5 === 0;
        const interaction = tx.interactions.append({
          sessionId: session.id,
          step: claude ? 'fix' : 'test',
          kind: claude ? 'claude' : 'shell',
          command: claude ? `Fix failure ${i}` : `npm test # ${i}`,
        });
        tx.interactions.setResult(interaction.id, {
          status: i % 7 === 0 ? 'error' : 'ok',
          exitCode: claude ? null : i % 7 === 0 ? 1 : 0,
          output: `\u001b[32mok\u001b[0m ${i}`,
          durationMs: 10 * i,
        });
      }
    });
    return session;
  }

  it('opens a session in a webview that says ready and renders a virtualised list', async () => {
    const session = await sessionWithInteractions('Timeline integration', INTERACTIONS);
    const panel: TimelinePanel = panels.show(session.id);
    assert.equal(panel.panel.viewType, TIMELINE_VIEW_TYPE);
    assert.equal(panel.panel.title, 'Timeline: Timeline integration');
    assert.equal(panel.panel.webview.options.enableScripts, true);
    assert.match(panel.panel.webview.html, /default-src 'none'; style-src [^;]+; font-src [^;]+; script-src 'nonce-[A-Za-z0-9+/=]{16,}'/);

    const first = await within('the first render', panel.test.whenRendered());
    assert.equal(panel.test.ready, true, 'the webview said ready');
    assert.equal(first.totalRows, INTERACTIONS);
    assert.ok(first.loadedRows > 0);

    const all: RenderedReport = await within(
      'every row',
      panel.test.whenRendered((r) => r.loadedRows === INTERACTIONS),
    );
    assert.ok(all.renderedRows > 0, 'rows are in the DOM');
    assert.ok(all.renderedRows < INTERACTIONS, `only the visible rows are in the DOM (${all.renderedRows})`);
    assert.deepEqual(logLines, [], 'no warnings or errors from the webview');

    assert.strictEqual(panels.show(session.id), panel, 'one panel per session, reused');
  });

  it('pushes a new interaction and its result to the open webview', async () => {
    const session = await sessionWithInteractions('Timeline live updates', 3);
    const panel = panels.show(session.id);
    await within(
      'the first render',
      panel.test.whenRendered((r) => r.loadedRows === 3),
    );
    const started = await store.interactions.append({ sessionId: session.id, step: 'test', kind: 'shell', command: 'npm test' });
    await within(
      'the new row',
      panel.test.whenRendered((r) => r.loadedRows === 4 && r.totalRows === 4),
    );
    await store.interactions.setResult(started.id, { status: 'ok', exitCode: 0, output: 'hi\n', durationMs: 5 });
    await within(
      'a render after the result',
      panel.test.whenRendered((r) => r.loadedRows === 4),
    );
    panel.dispose();
    assert.equal(panels.get(session.id), undefined, 'a closed panel is forgotten');
  });

  it('sessionLedger.openTimeline opens the timeline tab of a session of the extension', async () => {
    const api = await activateExtension();
    const session = await api.store.sessions.create({ type: 'test-fix', title: 'Opened by command', intention: 'x' });
    await vscode.commands.executeCommand('sessionLedger.openTimeline', session.id);
    const tab = await waitFor('the timeline tab', () =>
      vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .find((t) => t.input instanceof vscode.TabInputWebview && t.label === 'Timeline: Opened by command'),
    );
    assert.ok((tab.input as vscode.TabInputWebview).viewType.endsWith(TIMELINE_VIEW_TYPE));
    await vscode.window.tabGroups.close(tab);
  });
});
