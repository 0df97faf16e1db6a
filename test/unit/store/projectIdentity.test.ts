import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  canonicalFolderPath,
  normalizeRemote,
  projectIdentity,
  readGitIdentity,
  readLedgerIdentity,
  remoteUrl,
  stampLedgerIdentity,
} from '../../../src/core/store/projectIdentity';
import { journalFiles, openStore, temporaryDirectory } from './storeTestSupport';

const journalBytes = (directory: string) => journalFiles(directory).reduce((sum, file) => sum + fs.statSync(file).size, 0);

describe('project identity', () => {
  it('normalizes a remote to one comparable address, without credentials', () => {
    for (const url of [
      'https://GitHub.com/acme/widgets.git',
      'https://user:ghp_secret@github.com/acme/widgets',
      'ssh://git@github.com:22/acme/widgets.git/',
      'git@github.com:acme/widgets.git',
      'github.com:acme/widgets',
    ]) {
      assert.equal(normalizeRemote(url), 'github.com/acme/widgets', url);
    }
    assert.equal(normalizeRemote('/srv/git/widgets.git'), 'file:/srv/git/widgets');
    assert.equal(normalizeRemote('file:///srv/git/widgets'), 'file:/srv/git/widgets');
  });

  it('reads the url of origin, else of the first remote, from a git config', () => {
    const config =
      '[core]\n\turl = not-a-remote\n[remote "upstream"]\n\turl = git@a.example:x/up.git\n[remote "origin"]\n\tfetch = +refs/heads/*\n\turl = "git@a.example:x/mine.git" ; comment\n';
    assert.equal(remoteUrl(config), 'git@a.example:x/mine.git');
    assert.equal(remoteUrl('[remote "upstream"]\n  url = https://a.example/x/up\n'), 'https://a.example/x/up');
    assert.equal(remoteUrl('[core]\n\tbare = false\n'), undefined);
  });

  it('finds the repository above a folder, and the folder path inside it', () => {
    const root = temporaryDirectory('identity-');
    fs.mkdirSync(path.join(root, '.git'));
    fs.writeFileSync(path.join(root, '.git', 'config'), '[remote "origin"]\n\turl = git@github.com:acme/widgets.git\n');
    const folder = path.join(root, 'packages', 'app');
    fs.mkdirSync(folder, { recursive: true });
    assert.deepEqual(readGitIdentity(folder), { remote: 'github.com/acme/widgets', relativePath: 'packages/app' });
    assert.deepEqual(readGitIdentity(root), { remote: 'github.com/acme/widgets', relativePath: '.' });
    assert.deepEqual(projectIdentity(folder), {
      canonicalPath: canonicalFolderPath(folder),
      git: { remote: 'github.com/acme/widgets', relativePath: 'packages/app' },
    });
  });

  it('follows a worktree .git file to the repository config through commondir', () => {
    const base = temporaryDirectory('identity-');
    const common = path.join(base, 'main', '.git');
    fs.mkdirSync(path.join(common, 'worktrees', 'feature'), { recursive: true });
    fs.writeFileSync(path.join(common, 'config'), '[remote "origin"]\n\turl = https://example.org/team/tool.git\n');
    fs.writeFileSync(path.join(common, 'worktrees', 'feature', 'commondir'), '../..\n');
    const worktree = path.join(base, 'feature');
    fs.mkdirSync(worktree);
    fs.writeFileSync(path.join(worktree, '.git'), `gitdir: ${path.join(common, 'worktrees', 'feature')}\n`);
    assert.deepEqual(readGitIdentity(worktree), { remote: 'example.org/team/tool', relativePath: '.' });
  });

  it('has no git identity outside a repository, without a remote, or with an unreadable .git', () => {
    const plain = temporaryDirectory('identity-');
    assert.equal(readGitIdentity(plain), undefined);
    assert.deepEqual(projectIdentity(plain), { canonicalPath: canonicalFolderPath(plain) });
    const noRemote = temporaryDirectory('identity-');
    fs.mkdirSync(path.join(noRemote, '.git'));
    fs.writeFileSync(path.join(noRemote, '.git', 'config'), '[core]\n\tbare = false\n');
    assert.equal(readGitIdentity(noRemote), undefined);
    const broken = temporaryDirectory('identity-');
    fs.writeFileSync(path.join(broken, '.git'), 'not a gitdir line');
    assert.equal(readGitIdentity(broken), undefined);
  });

  it('stamps a ledger with its identity through the journal, once, and keeps its id for life', async () => {
    const directory = temporaryDirectory('identity-store-');
    const store = await openStore(directory, { snapshotInWorker: false });
    assert.deepEqual(readLedgerIdentity(store), { ledgerId: undefined, canonicalPath: undefined });
    const project = { canonicalPath: '/projects/widgets', git: { remote: 'github.com/acme/widgets', relativePath: '.' } };
    const stamped = await stampLedgerIdentity(store, project);
    assert.match(stamped.ledgerId ?? '', /^[0-9a-f-]{36}$/);
    const bytes = journalBytes(directory);
    assert.deepEqual(await stampLedgerIdentity(store, project), stamped);
    assert.equal(journalBytes(directory), bytes, 'nothing written when the ledger already says so');
    await store.close();

    // Reopened from the journal and snapshot: the same identity; a move changes the path, not the id.
    const reopened = await openStore(directory, { snapshotInWorker: false });
    assert.deepEqual(readLedgerIdentity(reopened), stamped);
    const moved = await stampLedgerIdentity(reopened, { canonicalPath: '/elsewhere/widgets' });
    assert.equal(moved.ledgerId, stamped.ledgerId);
    assert.deepEqual(readLedgerIdentity(reopened), { ledgerId: stamped.ledgerId, canonicalPath: '/elsewhere/widgets' });
    await reopened.close();
  });

  it('leaves a read-only store as it is', async () => {
    const directory = temporaryDirectory('identity-store-');
    const store = await openStore(directory, { snapshotInWorker: false });
    try {
      const readOnly = Object.defineProperty(Object.create(store) as typeof store, 'readOnly', { value: true });
      const bytes = journalBytes(directory);
      assert.deepEqual(await stampLedgerIdentity(readOnly, { canonicalPath: '/p' }), { ledgerId: undefined, canonicalPath: undefined });
      assert.equal(journalBytes(directory), bytes);
    } finally {
      await store.close();
    }
  });
});
