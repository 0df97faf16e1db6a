import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { LedgerRegistry, REGISTRY_FILE } from '../../src/core/store/ledgerRegistry';
import { canonicalFolderPath, readLedgerIdentity } from '../../src/core/store/projectIdentity';
import { ActiveSession } from '../../src/vscode/ActiveSession';
import { SessionTreeProvider } from '../../src/vscode/SessionTreeProvider';
import { closeStore, openStore, type StoreHostContext } from '../../src/vscode/storeHost';
import { activateExtension, extensionId, recordingLogger } from './helpers';

/** A workspace memento kept in memory (the tree's active-session marker needs one). */
function memoryMemento(): vscode.Memento {
  const values = new Map<string, unknown>();
  return {
    keys: () => [...values.keys()],
    get: <T>(key: string, fallback?: T) => (values.has(key) ? (values.get(key) as T) : fallback),
    update: async (key: string, value: unknown) => void values.set(key, value),
  } as vscode.Memento;
}

describe('the ledger follows the project', () => {
  it('shows the ledger created under one storage folder when the extension opens with another storageUri for the same folder', async () => {
    const api = await activateExtension();
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(folder, 'the tests run with a folder open');

    // This window's activation registered its ledger for the folder, and stamped the ledger with whose it is.
    const registry = new LedgerRegistry(join(api.globalStorageUri.fsPath, REGISTRY_FILE));
    assert.equal(registry.homeOf(canonicalFolderPath(folder))?.directory, api.storeDirectory);
    assert.equal(readLedgerIdentity(api.store).canonicalPath, canonicalFolderPath(folder));

    // Two activations for the same folder, as VS Code makes them after a crash left its vscode.lock
    // behind: the storage folder `<id>` first, then `<id>-1`. Their own global storage, so this
    // window's store (held by the extension) stays out of it.
    const root = mkdtempSync(join(process.env.SESSION_LEDGER_TEST_RUN_DIR ?? tmpdir(), 'ledger-home-'));
    const extensionPath = vscode.extensions.getExtension(extensionId)!.extensionPath;
    const context = (storage: string): StoreHostContext => ({
      storageUri: vscode.Uri.file(join(root, 'workspaceStorage', storage, extensionId)),
      globalStorageUri: vscode.Uri.file(join(root, 'globalStorage', extensionId)),
      extensionPath,
      subscriptions: [],
    });
    const problems: string[] = [];
    const log = recordingLogger(problems);

    const first = await openStore(context('0123abcd'), log, folder);
    const title = `before the crash ${Date.now()}`;
    const session = await first.store.sessions.create({
      type: 'freeform',
      title,
      intention: 'still shown after the storage folder changes',
    });
    await closeStore(first.store, log); // what deactivate() returns

    const second = await openStore(context('0123abcd-1'), log, folder);
    try {
      assert.equal(second.directory, first.directory, 'the registered ledger, not a new one in the new storage folder');
      assert.equal(second.home.source, 'registry');
      assert.equal(existsSync(join(root, 'workspaceStorage', '0123abcd-1', extensionId, 'ledger', 'ledger.sqlite')), false);
      const tree = new SessionTreeProvider(second.store, new ActiveSession(memoryMemento(), second.store));
      try {
        const shown = tree.getChildren().flatMap((group) => tree.getChildren(group));
        assert.ok(
          shown.some((node) => node.kind === 'session' && node.session.id === session.id && node.session.title === title),
          `the tree shows the session (it shows: ${JSON.stringify(shown.map((n) => (n.kind === 'session' ? n.session.title : n.kind)))})`,
        );
      } finally {
        tree.dispose();
      }
    } finally {
      await closeStore(second.store, log);
    }
    assert.deepEqual(problems, []);
    assert.deepEqual(readdirSync(join(root, 'globalStorage', extensionId)), [REGISTRY_FILE]);
  });
});
