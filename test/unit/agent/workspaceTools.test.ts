import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
				await assert.rejects(resolveInsideRoot(root, requested(sandbox)), (e: unknown) => e instanceof ToolError && /outside the workspace folder/.test(e.message));
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
		assert.equal((await tools.execute('search_text', { pattern: 'TODO' }, signal)).content, 'README.md:2: TODO: docs\nsrc/a.ts:3: // TODO: c');
		assert.equal((await tools.execute('search_text', { pattern: 'const [ab] = 2', regex: true, path: 'src' }, signal)).content, 'src/a.ts:2: const b = 2;');
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
		assert.equal(missing.isError, true);
		assert.match(missing.content, /ENOENT/);
		const folder = await tools.execute('read_file', { path: 'src' }, signal);
		assert.match(folder.content, /is a folder/);
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
