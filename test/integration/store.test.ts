import { strict as assert } from 'node:assert';
import { existsSync, readdirSync } from 'node:fs';
import * as vscode from 'vscode';
import { activateExtension } from './helpers';

describe('store in the extension host', () => {
  it('opens the store in the workspace storage and writes its files there', async () => {
    const api = await activateExtension();
    const extension = vscode.extensions.getExtension('session-ledger.session-ledger')!;
    assert.ok(extension.isActive);
    // With a folder open the store lives under the workspace's storageUri.
    assert.ok(vscode.workspace.workspaceFolders?.length, 'the tests run with a folder open');
    assert.match(api.storeDirectory, /workspaceStorage/);
    const session = await api.store.sessions.create({ type: 'freeform', title: 'stored in the extension host', intention: 'prove the file exists' });
    await api.store.snapshot();
    assert.ok(existsSync(api.storeDirectory));
    const files = readdirSync(api.storeDirectory);
    assert.ok(files.some((f) => f.endsWith('.sqlite')), `no database file in ${api.storeDirectory}: ${files.join(', ')}`);
    assert.equal(api.store.sessions.get(session.id)?.title, 'stored in the extension host');
    await api.store.sessions.softDelete(session.id);
  });
});
