import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfinedRoot, readPrefix, replaceContent } from '../../../src/core/agent/tools/confinedFiles';
import { resolveInsideRoot, ToolError } from '../../../src/core/agent/tools/confinedPath';
import { WorkspaceTools } from '../../../src/core/agent/tools/workspaceTools';

describe('workspace tools', () => {
  let sandbox: string;
  let root: string;
  const signal = new AbortController().signal;

  beforeEach(() => {
    sandbox = realpathSync(mkdtempSync(join(tmpdir(), 'tools-test-')));
    root = join(sandbox, 'root');
    mkdirSync(join(root, 'src'), { recursive: true });
    writeFileSync(join(root, 'src', 'a.ts'), 'const a = 1;\nconst b = 2;\n// TODO: c\n');
    writeFileSync(join(root, 'README.md'), '# Title\nTODO: docs\n');
    writeFileSync(join(sandbox, 'outside.txt'), 'outside TODO secret');
  });
  afterEach(() => rmSync(sandbox, { recursive: true, force: true }));

  describe('resolveInsideRoot', () => {
    it('resolves relative and absolute paths inside the root', async () => {
      assert.equal(await resolveInsideRoot(root, 'src/a.ts'), join(root, 'src', 'a.ts'));
      assert.equal(await resolveInsideRoot(root, join(root, 'src')), join(root, 'src'));
      assert.equal(await resolveInsideRoot(root, 'new/dir/file.txt'), join(root, 'new', 'dir', 'file.txt'));
      assert.equal(await resolveInsideRoot(root, 'src/../README.md'), join(root, 'README.md'));
      assert.equal(await resolveInsideRoot(root, '..notes.txt'), join(root, '..notes.txt'));
    });

    const escapes: Array<[string, (sandbox: string) => string]> = [
      ['a .. path', () => '../outside.txt'],
      ['a deep .. path', () => 'src/../../outside.txt'],
      ['an absolute path elsewhere', (s) => join(s, 'outside.txt')],
      ['/etc/passwd', () => '/etc/passwd'],
    ];
    for (const [label, requested] of escapes) {
      it(`refuses ${label}`, async () => {
        await assert.rejects(
          resolveInsideRoot(root, requested(sandbox)),
          (e: unknown) => e instanceof ToolError && /outside the workspace folder/.test(e.message),
        );
      });
    }

    it('refuses symlinks leading out: to a file, to a folder (even for new files under it), and dangling', async () => {
      symlinkSync(join(sandbox, 'outside.txt'), join(root, 'file-link'));
      symlinkSync(sandbox, join(root, 'dir-link'));
      symlinkSync(join(sandbox, 'does-not-exist.txt'), join(root, 'dangling'));
      for (const requested of ['file-link', 'dir-link/outside.txt', 'dir-link/new-file.txt', 'dangling']) {
        await assert.rejects(resolveInsideRoot(root, requested), ToolError, requested);
      }
    });

    it('accepts a symlink that stays inside, and a root reached through a symlink', async () => {
      symlinkSync(join(root, 'src'), join(root, 'src-link'));
      assert.equal(await resolveInsideRoot(root, 'src-link/a.ts'), join(root, 'src', 'a.ts'));
      symlinkSync(root, join(sandbox, 'root-link'));
      assert.equal(await resolveInsideRoot(join(sandbox, 'root-link'), 'src/a.ts'), join(root, 'src', 'a.ts'));
    });
  });

  it('lists a folder and a tree', async () => {
    const tools = new WorkspaceTools({ root, allowRunCommand: false });
    assert.deepEqual(await tools.execute('list_files', {}, signal), { content: 'README.md\nsrc/', isError: false });
    assert.equal((await tools.execute('list_files', { recursive: true }, signal)).content, 'README.md\nsrc/\nsrc/a.ts');
  });

  it('searches text (plain and regex) without following links out of the root', async () => {
    symlinkSync(join(sandbox, 'outside.txt'), join(root, 'leak.txt'));
    const tools = new WorkspaceTools({ root, allowRunCommand: false });
    assert.equal(
      (await tools.execute('search_text', { pattern: 'TODO' }, signal)).content,
      'README.md:2: TODO: docs\nsrc/a.ts:3: // TODO: c',
    );
    assert.equal(
      (await tools.execute('search_text', { pattern: 'const [ab] = 2', regex: true, path: 'src' }, signal)).content,
      'src/a.ts:2: const b = 2;',
    );
    assert.equal((await tools.execute('search_text', { pattern: 'nothing-like-this' }, signal)).content, 'No matches.');
    const bad = await tools.execute('search_text', { pattern: '(', regex: true }, signal);
    assert.equal(bad.isError, true);
    assert.match(bad.content, /Invalid regular expression/);
  });

  it('edits a file when old_text is unique, and explains when it is not', async () => {
    const tools = new WorkspaceTools({ root, allowRunCommand: false });
    const edited = await tools.execute('edit_file', { path: 'src/a.ts', old_text: 'const a = 1;', new_text: 'const a = 42;' }, signal);
    assert.deepEqual(edited, { content: 'Replaced 1 occurrence in src/a.ts.', isError: false });
    assert.match(readFileSync(join(root, 'src/a.ts'), 'utf8'), /const a = 42;/);

    const ambiguous = await tools.execute('edit_file', { path: 'src/a.ts', old_text: 'const', new_text: 'let' }, signal);
    assert.deepEqual(ambiguous, { content: 'old_text occurs 2 times in src/a.ts; give more context or set replace_all.', isError: true });
    const all = await tools.execute('edit_file', { path: 'src/a.ts', old_text: 'const', new_text: 'let', replace_all: true }, signal);
    assert.equal(all.content, 'Replaced 2 occurrences in src/a.ts.');
    const missing = await tools.execute('edit_file', { path: 'src/a.ts', old_text: 'nope', new_text: 'x' }, signal);
    assert.equal(missing.isError, true);
  });

  it('reports bad input, unknown tools and missing files as tool errors, never throws', async () => {
    const tools = new WorkspaceTools({ root, allowRunCommand: false });
    assert.deepEqual(await tools.execute('read_file', { path: 7 }, signal), {
      content: 'Invalid input for read_file: path: Invalid input: expected string, received number',
      isError: true,
    });
    const unknown = await tools.execute('delete_everything', {}, signal);
    assert.match(unknown.content, /Unknown tool "delete_everything"/);
    const missing = await tools.execute('read_file', { path: 'nope.txt' }, signal);
    assert.deepEqual(missing, { content: '"nope.txt" was not found (ENOENT). Use list_files to see what exists.', isError: true });
    const folder = await tools.execute('read_file', { path: 'src' }, signal);
    assert.match(folder.content, /is a folder/);
  });

  it('reads a large file only up to what it returns, and says how much was left out', async () => {
    writeFileSync(join(root, 'big.txt'), 'é'.repeat(300_000)); // 2 bytes each
    const tools = new WorkspaceTools({ root, allowRunCommand: false });
    const result = await tools.execute('read_file', { path: 'big.txt' }, signal);
    assert.equal(result.isError, false);
    assert.equal(result.content.slice(0, 200_000), 'é'.repeat(200_000));
    assert.equal(
      result.content.slice(200_000),
      '\n[truncated: showing the first 200000 characters (400000 of 600000 bytes); 200000 bytes not shown. Use search_text to find lines further on.]',
    );
    assert.equal((await tools.execute('read_file', { path: 'README.md' }, signal)).content, '# Title\nTODO: docs\n');
  });

  it('writes through the opened file: creates parent folders, replaces longer content, refuses links out', async () => {
    const tools = new WorkspaceTools({ root, allowRunCommand: false });
    assert.deepEqual(await tools.execute('write_file', { path: 'new/deep/file.txt', content: 'a longer first text' }, signal), {
      content: 'Wrote 19 bytes to new/deep/file.txt.',
      isError: false,
    });
    await tools.execute('write_file', { path: 'new/deep/file.txt', content: 'short' }, signal);
    assert.equal(readFileSync(join(root, 'new/deep/file.txt'), 'utf8'), 'short');

    symlinkSync(sandbox, join(root, 'out'));
    const refused = await tools.execute('write_file', { path: 'out/created.txt', content: 'x' }, signal);
    assert.equal(refused.isError, true);
    assert.equal(existsSync(join(sandbox, 'created.txt')), false);
  });

  it('refuses hard-linked files for reading, searching, writing and editing', async () => {
    linkSync(join(sandbox, 'outside.txt'), join(root, 'linked.txt'));
    const tools = new WorkspaceTools({ root, allowRunCommand: false });
    const message =
      'Refused: "linked.txt" has 2 hard links, so the same file may also be outside the workspace folder. To let Claude use it, replace it with a separate copy.';
    assert.deepEqual(await tools.execute('read_file', { path: 'linked.txt' }, signal), { content: message, isError: true });
    assert.deepEqual(await tools.execute('write_file', { path: 'linked.txt', content: 'x' }, signal), { content: message, isError: true });
    assert.deepEqual(await tools.execute('edit_file', { path: 'linked.txt', old_text: 'secret', new_text: 'x' }, signal), {
      content: message,
      isError: true,
    });
    assert.doesNotMatch((await tools.execute('search_text', { pattern: 'secret' }, signal)).content, /secret/);
    assert.equal(readFileSync(join(sandbox, 'outside.txt'), 'utf8'), 'outside TODO secret');
  });

  (process.platform === 'linux' ? it : it.skip)('refuses a FIFO without blocking', async () => {
    execFileSync('mkfifo', [join(root, 'pipe')]);
    const tools = new WorkspaceTools({ root, allowRunCommand: false });
    assert.match((await tools.execute('read_file', { path: 'pipe' }, signal)).content, /is a named pipe \(FIFO\), not a regular file/);
    assert.equal(
      (await tools.execute('search_text', { pattern: 'TODO' }, signal)).content,
      'README.md:2: TODO: docs\nsrc/a.ts:3: // TODO: c',
    );
  });

  it('stops a regex search at its time budget or when cancelled, keeping what it found', async () => {
    writeFileSync(join(root, 'src', 'z.txt'), `${'a'.repeat(36)}b\n`);
    // The budget covers starting the worker too; 1.5 s leaves a loaded machine ample time for the two small files first.
    const tools = new WorkspaceTools({ root, allowRunCommand: false, searchBudgetMs: 1_500 });
    const started = Date.now();
    const slow = await tools.execute('search_text', { pattern: '^(a+)+$|TODO', regex: true }, signal);
    assert.ok(Date.now() - started < 4_500, `answered after ${Date.now() - started} ms`);
    assert.match(
      slow.content,
      /^README\.md:2: TODO: docs\nsrc\/a\.ts:3: \/\/ TODO: c\n\[search stopped after \d+ ms \(its time budget is 1500 ms\); the matches above are those found until then\. Narrow the path or simplify the pattern\.\]$/,
    );
    const cancelled = new AbortController();
    cancelled.abort();
    const none = await tools.execute('search_text', { pattern: 'TODO', regex: true }, cancelled.signal);
    assert.match(none.content, /^No matches found before the search stopped\.\n\[search cancelled after \d+ ms/);
  });

  describe('ConfinedRoot checked by path (what runs without /proc/self/fd: macOS, Windows)', () => {
    it('opens, reads and creates inside, and refuses links out, hard links and missing files', async () => {
      linkSync(join(sandbox, 'outside.txt'), join(root, 'linked.txt'));
      symlinkSync(sandbox, join(root, 'out'));
      const confined = await ConfinedRoot.open(root, 'by-path');
      try {
        const file = await confined.openFile('src/a.ts', 'read');
        assert.equal(file.realPath, join(root, 'src', 'a.ts'));
        assert.equal((await readPrefix(file, 5)).bytes.toString(), 'const');
        await file.handle.close();

        const created = await confined.openFile('made/here.txt', 'write');
        await replaceContent(created, 'made');
        await created.handle.close();
        assert.equal(readFileSync(join(root, 'made/here.txt'), 'utf8'), 'made');

        await assert.rejects(confined.openFile('linked.txt', 'read'), /has 2 hard links/);
        await assert.rejects(confined.openFile('out/outside.txt', 'read'), /symbolic link/);
        await assert.rejects(confined.openFile('out/new.txt', 'write'), /symbolic link/);
        await assert.rejects(confined.openFile('nope.txt', 'read'), /was not found/);
        await assert.rejects(confined.openFile('src', 'read'), /is a folder/);
        assert.equal(existsSync(join(sandbox, 'new.txt')), false);
      } finally {
        await confined.close();
      }
    });
  });

  it('runs a command in the root when allowed, and reports a failing command as an error', async () => {
    const tools = new WorkspaceTools({ root, allowRunCommand: true });
    const ok = await tools.execute('run_command', { command: 'ls src' }, signal);
    assert.deepEqual(ok, { content: 'exit 0\na.ts\n', isError: false });
    const failed = await tools.execute('run_command', { command: 'echo bad >&2; exit 4' }, signal);
    assert.deepEqual(failed, { content: 'exit 4\nbad\n', isError: true });
    const slow = await tools.execute('run_command', { command: 'sleep 30', timeout_ms: 200 }, signal);
    assert.equal(slow.isError, true);
    assert.match(slow.content, /timed out after 200 ms/);
  });
});
