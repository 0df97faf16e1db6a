import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import { activateExtension, extensionId } from './helpers';

describe('store in the extension host', () => {
  it('opens the store in the workspace storage (context.storageUri) and writes its files there', async () => {
    const api = await activateExtension();
    assert.ok(vscode.extensions.getExtension(extensionId)!.isActive);
    // With a folder open the store lives in the extension's storageUri: <user data>/User/workspaceStorage/<workspace>/<extension id>.
    assert.ok(vscode.workspace.workspaceFolders?.length, 'the tests run with a folder open');
    const storageUri = api.storageUri;
    assert.ok(storageUri, 'context.storageUri is set when a folder is open');
    assert.equal(storageUri.scheme, 'file');
    assert.equal(api.storeDirectory, join(storageUri.fsPath, 'ledger'));
    assert.equal(basename(storageUri.fsPath), extensionId);
    const runDir = process.env.SESSION_LEDGER_TEST_RUN_DIR;
    if (runDir) assert.ok(storageUri.fsPath.startsWith(join(runDir, 'user-data')), `${storageUri.fsPath} is not in this run's user data`);

    const title = `stored in the extension host ${Date.now()}`;
    const session = await api.store.sessions.create({ type: 'freeform', title, intention: 'prove the files exist' });
    // Acknowledged = durable: the journal in the store directory already holds the write.
    const journal = readdirSync(api.storeDirectory).filter((f) => /^journal-\d+\.log$/.test(f));
    assert.ok(
      journal.some((f) => readFileSync(join(api.storeDirectory, f)).includes(title)),
      `no journal file in ${api.storeDirectory} holds the write: ${journal.join(', ')}`,
    );
    await api.store.snapshot();
    const database = join(api.storeDirectory, 'ledger.sqlite');
    assert.ok(existsSync(database), `no database file ${database}: ${readdirSync(api.storeDirectory).join(', ')}`);
    assert.ok(
      readFileSync(database).subarray(0, 16).toString('latin1').startsWith('SQLite format 3'),
      'ledger.sqlite is an SQLite database',
    );
    assert.ok(statSync(database).size > 0);
    assert.equal(api.store.sessions.get(session.id)?.title, title);
    await api.store.sessions.softDelete(session.id);
  });
});
