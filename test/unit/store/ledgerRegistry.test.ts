import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { adoptLedger, holdsLedger, ledgerFiles, summarizeLedger } from '../../../src/core/store/ledgerAdoption';
import { openLedgerHome, type LedgerHome } from '../../../src/core/store/ledgerHome';
import { LedgerRegistry, REGISTRY_FILE, type RegistryWarning } from '../../../src/core/store/ledgerRegistry';
import { canonicalFolderPath, readLedgerIdentity } from '../../../src/core/store/projectIdentity';
import { newEventId, openStore, temporaryDirectory } from './storeTestSupport';

/** A folder inside a git repository whose `origin` is `remote` (the repository's files written by hand: no git needed). */
function gitFolder(root: string, remote: string, inside = 'packages/app'): string {
  fs.mkdirSync(path.join(root, '.git'), { recursive: true });
  fs.writeFileSync(
    path.join(root, '.git', 'config'),
    `[core]\n\tbare = false\n[remote "origin"]\n\turl = ${remote}\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n`,
  );
  const folder = path.join(root, inside);
  fs.mkdirSync(folder, { recursive: true });
  return folder;
}

describe('ledger registry: a ledger follows its project', () => {
  let base: string;
  let registryFile: string;
  const opened: LedgerHome[] = [];
  const warnings: RegistryWarning[] = [];

  /** Opens the ledger home as the extension does, for a window whose storage folder is `storage`. */
  async function openHome(folder: string | undefined, storage: string): Promise<LedgerHome> {
    const home = await openLedgerHome({
      registryFile,
      workspaceFolder: folder,
      localDirectory: path.join(storage, 'ledger'),
      openStore: (directory) => openStore(directory, { snapshotInWorker: false }),
      inspect: {},
      onWarning: (w) => warnings.push(w),
    });
    opened.push(home);
    return home;
  }

  async function closeAll(): Promise<void> {
    await Promise.all(opened.splice(0).map((home) => home.store.close()));
  }

  beforeEach(() => {
    base = temporaryDirectory('ledger-registry-');
    registryFile = path.join(base, 'global', REGISTRY_FILE);
    warnings.length = 0;
  });
  afterEach(closeAll);

  it('registers the ledger of a folder and finds it by the folder canonical path (symbolic links resolved)', async () => {
    const folder = path.join(base, 'project');
    fs.mkdirSync(folder);
    fs.symlinkSync(folder, path.join(base, 'link'));
    const home = await openHome(path.join(base, 'link'), path.join(base, 'storage-a'));
    assert.equal(home.source, 'workspace-storage');
    assert.equal(home.directory, path.join(base, 'storage-a', 'ledger'));
    const entry = new LedgerRegistry(registryFile).homeOf(canonicalFolderPath(folder));
    assert.ok(entry, 'the folder is registered under its real path');
    assert.equal(entry.directory, home.directory);
    assert.equal(entry.ledgerId, home.ledgerId);
    assert.equal(readLedgerIdentity(home.store).canonicalPath, canonicalFolderPath(folder));
    assert.deepEqual(warnings, []);
  });

  it('opens the registered ledger when the window is handed another storage folder (none, or a fresh empty one, there)', async () => {
    const folder = path.join(base, 'project');
    fs.mkdirSync(folder);
    const first = await openHome(folder, path.join(base, 'storage'));
    const session = await first.store.sessions.create({ type: 'freeform', title: 'before the crash', intention: 'stay visible' });
    await closeAll();

    // After a crash VS Code hands the window `<id>-1`: nothing there.
    const second = await openHome(folder, path.join(base, 'storage-1'));
    assert.equal(second.source, 'registry');
    assert.equal(second.directory, first.directory);
    assert.equal(second.store.sessions.get(session.id)?.title, 'before the crash');
    assert.equal(holdsLedger(path.join(base, 'storage-1', 'ledger')), false, 'no ledger was created in the new storage folder');
    await closeAll();

    // An older version left an empty ledger there (migrations only): still the registered one.
    await (await openStore(path.join(base, 'storage-2', 'ledger'), { snapshotInWorker: false })).close();
    const third = await openHome(folder, path.join(base, 'storage-2'));
    assert.equal(third.source, 'registry');
    assert.equal(third.store.sessions.count(), 1);
  });

  it('keeps a storage folder ledger that holds sessions of its own, and leaves the registered one in place', async () => {
    const folder = path.join(base, 'project');
    fs.mkdirSync(folder);
    const first = await openHome(folder, path.join(base, 'storage'));
    await first.store.sessions.create({ type: 'freeform', title: 'registered', intention: 'x' });
    await closeAll();
    const other = await openStore(path.join(base, 'storage-1', 'ledger'), { snapshotInWorker: false });
    await other.sessions.create({ type: 'freeform', title: 'written by an older version', intention: 'x' });
    await other.close();

    const second = await openHome(folder, path.join(base, 'storage-1'));
    assert.equal(second.source, 'workspace-storage');
    assert.equal(second.store.sessions.list()[0]?.title, 'written by an older version');
    assert.match(second.notes.join('\n'), /holds sessions of its own/);
    assert.equal(
      new LedgerRegistry(registryFile).homeOf(canonicalFolderPath(folder))?.directory,
      first.directory,
      'the registry still names the first ledger',
    );
  });

  it('adopts the ledger of a moved folder by its git identity: a verified copy, the original files kept', async () => {
    const oldRoot = path.join(base, 'work', 'repo');
    const oldFolder = gitFolder(oldRoot, 'https://someone:secret-token@GitHub.com/acme/widgets.git');
    const first = await openHome(oldFolder, path.join(base, 'storage-old'));
    const session = await first.store.sessions.create({ type: 'freeform', title: 'history to keep', intention: 'survive the move' });
    for (let n = 0; n < 5; n++)
      await first.store.events.append({ id: newEventId(), sessionId: session.id, type: 'note.added', payload: { n } });
    await closeAll();
    assert.doesNotMatch(fs.readFileSync(registryFile, 'utf8'), /secret-token/, 'no credentials in the registry');

    // The repository is moved (and renamed): its old folder is gone.
    const newRoot = path.join(base, 'elsewhere', 'widgets');
    fs.mkdirSync(path.dirname(newRoot), { recursive: true });
    fs.renameSync(oldRoot, newRoot);
    const newFolder = path.join(newRoot, 'packages', 'app');
    const moved = await openHome(newFolder, path.join(base, 'storage-new'));
    assert.equal(moved.source, 'workspace-storage');
    assert.equal(moved.store.sessions.count(), 0);
    assert.equal(moved.adoptionCandidates.length, 1, 'the old folder ledger is offered');
    const original = moved.adoptionCandidates[0];
    assert.equal(original.directory, first.directory);
    assert.deepEqual(original.git, { remote: 'github.com/acme/widgets', relativePath: 'packages/app' });
    const originalFiles = ledgerFiles(original.directory);

    const target = path.join(base, 'storage-new', 'ledger-adopted');
    const result = await adoptLedger({ original, targetDirectory: target, project: moved.project!, registry: moved.registry, open: {} });
    assert.deepEqual(
      { sessions: result.sessions, events: result.events, directory: result.directory },
      { sessions: 1, events: 5, directory: target },
    );
    assert.equal(result.originalDirectory, first.directory);
    assert.ok(
      originalFiles.every((name) => fs.existsSync(path.join(original.directory, name))),
      'the original files are still there',
    );
    assert.equal((await summarizeLedger(original.directory, {})).sessions, 1, 'the original still opens with its history');
    const registered = new LedgerRegistry(registryFile).homeOf(canonicalFolderPath(newFolder));
    assert.equal(registered?.directory, target);
    assert.equal(registered?.adoptedFrom?.directory, first.directory);
    assert.equal(
      new LedgerRegistry(registryFile).homeOf(canonicalFolderPath(oldFolder)),
      undefined,
      'the gone folder entry was replaced by the copy',
    );
    await closeAll();

    // The next window on the moved folder shows the history, and the ledger now says whose it is.
    const after = await openHome(newFolder, path.join(base, 'storage-new'));
    assert.equal(after.source, 'registry');
    assert.equal(after.directory, target);
    assert.equal(after.store.sessions.get(session.id)?.title, 'history to keep');
    assert.equal(after.store.events.list(session.id).length, 5);
    assert.equal(readLedgerIdentity(after.store).canonicalPath, canonicalFolderPath(newFolder));
    assert.equal(after.adoptionCandidates.length, 0);
  });

  it('does not offer a second clone (its folder still there, same repository), nor a ledger declined with Never', async () => {
    const cloneA = gitFolder(path.join(base, 'a'), 'git@github.com:acme/widgets.git', '.');
    const first = await openHome(cloneA, path.join(base, 'storage-a'));
    await first.store.sessions.create({ type: 'freeform', title: 'in clone a', intention: 'x' });
    await closeAll();
    const cloneB = gitFolder(path.join(base, 'b'), 'https://github.com/acme/widgets', '.');
    assert.deepEqual(
      (await openHome(cloneB, path.join(base, 'storage-b'))).adoptionCandidates,
      [],
      'clone a is still where it was: not a move',
    );
    await closeAll();

    fs.rmSync(path.join(base, 'a'), { recursive: true });
    const offered = await openHome(cloneB, path.join(base, 'storage-b'));
    assert.equal(offered.adoptionCandidates.length, 1, 'clone a gone: b may be it, moved');
    await offered.registry.decline(offered.project!.canonicalPath, offered.adoptionCandidates[0].ledgerId);
    await closeAll();
    assert.deepEqual((await openHome(cloneB, path.join(base, 'storage-b'))).adoptionCandidates, [], '"Never" is remembered');
  });

  it('refuses to adopt into a folder that already holds ledger files, copying nothing', async () => {
    const folder = gitFolder(path.join(base, 'old'), 'git@example.org:team/tool.git');
    const first = await openHome(folder, path.join(base, 'storage-old'));
    await first.store.sessions.create({ type: 'freeform', title: 'x', intention: 'x' });
    await closeAll();
    const entry = new LedgerRegistry(registryFile).homeOf(canonicalFolderPath(folder))!;
    const occupied = path.join(base, 'occupied');
    await (await openStore(occupied, { snapshotInWorker: false })).close();
    const before = ledgerFiles(occupied);
    await assert.rejects(
      adoptLedger({
        original: entry,
        targetDirectory: occupied,
        project: { canonicalPath: '/new' },
        registry: new LedgerRegistry(registryFile),
        open: {},
      }),
      /already holds ledger files/,
    );
    assert.deepEqual(ledgerFiles(occupied), before);
    assert.equal(new LedgerRegistry(registryFile).homeOf('/new'), undefined);
  });

  it('keeps a damaged registry aside, rebuilds it, and still opens the ledger (nothing lost)', async () => {
    const folder = path.join(base, 'project');
    fs.mkdirSync(folder);
    fs.mkdirSync(path.dirname(registryFile), { recursive: true });
    fs.writeFileSync(registryFile, '{"format": "session-ledger ledger registry", "version": 1, "ledgers": [ {"directory": 3');
    const home = await openHome(folder, path.join(base, 'storage'));
    await home.store.sessions.create({ type: 'freeform', title: 'kept', intention: 'x' });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0].message, /unreadable \(not JSON\).*kept as/);
    const aside = warnings[0].keptAsidePath!;
    assert.match(path.basename(aside), /^ledger-registry\.json\.corrupt-/);
    assert.match(fs.readFileSync(aside, 'utf8'), /"directory": 3$/, 'the damaged bytes are kept as they were');
    assert.equal(
      new LedgerRegistry(registryFile).homeOf(canonicalFolderPath(folder))?.directory,
      home.directory,
      'rebuilt with this ledger',
    );

    // A registry that is valid JSON but not a registry is kept aside too.
    await closeAll();
    fs.writeFileSync(registryFile, JSON.stringify({ format: 'session-ledger ledger registry', version: 1, ledgers: [{ directory: '' }] }));
    const again = await openHome(folder, path.join(base, 'storage'));
    assert.equal(again.store.sessions.count(), 1);
    assert.equal(warnings.length, 2);
    assert.match(warnings[1].message, /ledgers\.0\.directory/);
  });

  it('opens this window ledger when the registered one is gone, and re-registers', async () => {
    const folder = path.join(base, 'project');
    fs.mkdirSync(folder);
    const first = await openHome(folder, path.join(base, 'storage'));
    await closeAll();
    fs.rmSync(first.directory, { recursive: true });
    const second = await openHome(folder, path.join(base, 'storage-1'));
    assert.equal(second.source, 'workspace-storage');
    assert.equal(second.directory, path.join(base, 'storage-1', 'ledger'));
    assert.match(second.notes.join('\n'), /is gone/);
    assert.equal(new LedgerRegistry(registryFile).homeOf(canonicalFolderPath(folder))?.directory, second.directory);
  });

  it('an unwritable registry does not stop the ledger from opening', async () => {
    const folder = path.join(base, 'project');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(base, 'global'), 'a file where the global storage folder should be');
    const home = await openHome(folder, path.join(base, 'storage'));
    await home.store.sessions.create({ type: 'freeform', title: 'still works', intention: 'x' });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0].message, /Could not record this project's ledger in the registry .*ledger-registry\.json/);
  });

  it('two processes registering at once keep each other entries (re-read, merge and write under a lock file)', async function () {
    this.timeout(120_000);
    const child = path.join(__dirname, 'fixtures', 'registerMany.ts');
    const perChild = 40;
    const children = ['a', 'b'].map((tag) => {
      const process_ = spawn(process.execPath, ['-r', 'tsx/cjs', child, registryFile, tag, String(perChild)], {
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stderr = '';
      process_.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      const ready = new Promise<void>((resolve) =>
        process_.stdout.on('data', (chunk: Buffer) => chunk.toString('utf8').includes('ready') && resolve()),
      );
      const exited = new Promise<void>((resolve, reject) =>
        process_.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`child ${tag} exited with ${code}: ${stderr}`)))),
      );
      return { process_, ready, exited };
    });
    await Promise.all(children.map((c) => c.ready));
    children.forEach((c) => c.process_.stdin.end('go\n'));
    await Promise.all(children.map((c) => c.exited));
    const ledgers = new LedgerRegistry(registryFile)
      .read()
      .ledgers.map((l) => l.ledgerId)
      .sort();
    const expected = ['a', 'b'].flatMap((tag) => Array.from({ length: perChild }, (_, n) => `${tag}-${n}`)).sort();
    assert.deepEqual(ledgers, expected);
    assert.deepEqual(fs.readdirSync(path.dirname(registryFile)).sort(), [REGISTRY_FILE], 'no lock or temporary file left behind');
  });
});
