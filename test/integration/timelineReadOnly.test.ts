import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import type { SessionLedgerApi } from '../../src/extension';
import { TimelinePanels } from '../../src/vscode/timeline/registration';
import type { TimelineStore } from '../../src/vscode/timeline/TimelinePanel';
import { activateExtension, extensionId, recordingLogger, within } from './helpers';

/**
 * A second window opens the ledger read-only while another process holds it. The timeline's
 * header says so with a badge naming the holder, and follows when the access changes. The store
 * here is the extension's, given the access members a read-only store has.
 */
describe('timeline: read-only badge', () => {
  let api: SessionLedgerApi;
  let panels: TimelinePanels;
  const warnings: string[] = [];
  const access = new vscode.EventEmitter<void>();
  let readOnly = true;
  let holder: unknown = 'pid 4242 on devbox';

  before(async () => {
    api = await activateExtension();
    const store = api.store;
    const readOnlyStore: TimelineStore & { readonly readOnly: boolean; readonly holder: unknown; onDidChangeAccess: vscode.Event<void> } = {
      sessions: store.sessions,
      interactions: store.interactions,
      events: store.events,
      runs: store.runs,
      artifacts: store.artifacts,
      onDidChange: (listener) => store.onDidChange(listener),
      get readOnly() {
        return readOnly;
      },
      get holder() {
        return holder;
      },
      onDidChangeAccess: access.event,
    };
    panels = new TimelinePanels(vscode.extensions.getExtension(extensionId)!.extensionUri, {
      store: readOnlyStore,
      log: recordingLogger(warnings),
    });
  });

  after(() => {
    panels?.dispose();
    access.dispose();
  });

  it('shows "Read-only — <holder>" in the header, and follows the access as it changes', async () => {
    const session = await api.store.sessions.create({
      type: 'test-fix',
      title: 'Seen from a second window',
      intention: 'x',
      successCriteria: ['check.sh passes'],
    });
    const panel = panels.show(session.id);
    const first = await within(
      'the first render',
      panel.test.whenRendered((r) => r.header !== null),
    );
    // The actions cannot work read-only: shown disabled, their tooltip says why.
    assert.deepEqual(first.header, {
      status: 'active',
      actions: ['nextStep', 'pause', 'complete', 'cancel'],
      readOnly: 'Read-only — pid 4242 on devbox',
      lockedActions: ['nextStep', 'pause', 'complete', 'cancel', 'checkProgress'],
      shown: ['success: check.sh passes'],
    });

    readOnly = false;
    access.fire();
    const writable = await within(
      'the badge gone',
      panel.test.whenRendered((r) => r.header !== null && r.header.readOnly === undefined),
    );
    assert.deepEqual(writable.header, {
      status: 'active',
      actions: ['nextStep', 'pause', 'complete', 'cancel'],
      shown: ['success: check.sh passes'],
    });

    readOnly = true;
    holder = undefined;
    access.fire();
    const unknownHolder = await within(
      'the badge back',
      panel.test.whenRendered((r) => r.header?.readOnly !== undefined),
    );
    assert.equal(unknownHolder.header?.readOnly, 'Read-only');
    assert.deepEqual(unknownHolder.header?.lockedActions, ['nextStep', 'pause', 'complete', 'cancel', 'checkProgress'], 'locked again');

    // The store's holder is a record with a description.
    holder = { pid: 4242, description: 'process 4242 on this machine' };
    access.fire();
    const described = await within(
      'the holder described',
      panel.test.whenRendered((r) => r.header?.readOnly?.includes('4242') === true),
    );
    assert.equal(described.header?.readOnly, 'Read-only — process 4242 on this machine');
    assert.deepEqual(warnings, [], 'no warnings from the panel or the webview');
    panel.dispose();
  });
});
