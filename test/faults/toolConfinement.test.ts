/*
 * Issue 12, item 6: the agent's workspace file tools against a hostile local process and hostile
 * input. A folder swapped for a symbolic link while the tools run, a hard link to an outside file,
 * a catastrophic regular expression, a FIFO and a 400 MiB (sparse) file.
 */
import * as assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  ftruncateSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkspaceTools } from '../../src/core/agent/tools/workspaceTools';

const linux = process.platform === 'linux';
const ROUNDS = 1_000;

/**
 * Swaps `<root>/d` for a symbolic link to `outside` and back until killed, holding each state for a
 * random 0–0.3 ms, so that tool calls both run whole in one state and straddle a swap.
 */
const SWAPPER = `
const fs = require('node:fs');
const [d, away, outside] = process.argv.slice(1);
const pause = new Int32Array(new SharedArrayBuffer(4));
const hold = () => Atomics.wait(pause, 0, 0, Math.random() * 0.3);
let rounds = 0;
for (;;) {
	try { fs.renameSync(d, away); } catch {}
	try { fs.symlinkSync(outside, d); } catch {}
	hold();
	if (++rounds === 100) process.stdout.write('swapping\\n');
	try { fs.unlinkSync(d); } catch {}
	try { fs.renameSync(away, d); } catch {}
	hold();
}
`;

describe('faults: agent file tools confined to the workspace (issue 12, item 6)', function () {
  let sandbox: string;
  let root: string;
  let outside: string;
  const signal = new AbortController().signal;

  beforeEach(() => {
    sandbox = realpathSync(mkdtempSync(join(tmpdir(), 'tool-faults-')));
    root = join(sandbox, 'root');
    outside = join(sandbox, 'outside');
    mkdirSync(join(root, 'd'), { recursive: true });
    mkdirSync(outside);
  });
  afterEach(() => rmSync(sandbox, { recursive: true, force: true }));

  (linux ? it : it.skip)(
    `a folder swapped for a symbolic link to an outside folder, ${ROUNDS} rounds: nothing read, searched, created or overwritten outside`,
    async function () {
      writeFileSync(join(root, 'd', 'file.txt'), 'INSIDE');
      writeFileSync(join(root, 'd', 'existing.txt'), 'INSIDE-EXISTING');
      writeFileSync(join(outside, 'file.txt'), 'OUTSIDE');
      writeFileSync(join(outside, 'existing.txt'), 'OUTSIDE-EXISTING');
      const outsideBefore = readdirSync(outside).sort();

      const swapper: ChildProcess = spawn(process.execPath, ['-e', SWAPPER, join(root, 'd'), join(root, 'd-away'), outside], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const exited = new Promise((resolve) => swapper.once('exit', resolve));
      try {
        await new Promise<void>((resolve, reject) => {
          swapper.stdout!.once('data', () => resolve());
          swapper.once('exit', (code) => reject(new Error(`the swapper exited early (${code})`)));
        });
        const tools = new WorkspaceTools({ root, allowRunCommand: false });
        const counts = { readsInside: 0, readsOutside: 0, searchesOutside: 0, writes: 0, overwrites: 0, refused: 0 };
        for (let i = 0; i < ROUNDS; i++) {
          const read = await tools.execute('read_file', { path: 'd/file.txt' }, signal);
          if (read.content.includes('OUTSIDE')) counts.readsOutside++;
          else if (read.content === 'INSIDE') counts.readsInside++;
          else counts.refused++;
          if (i % 20 === 0) {
            // Every 20th round only: d fills up with the files written below.
            const searched = await tools.execute('search_text', { pattern: 'OUTSIDE', path: 'd' }, signal);
            if (searched.content.includes('OUTSIDE')) counts.searchesOutside++;
          }
          const target = i % 2 === 0 ? `d/new-${i}.txt` : `d/sub-${i}/new.txt`;
          const written = await tools.execute('write_file', { path: target, content: `written ${i}` }, signal);
          if (written.isError) counts.refused++;
          else counts.writes++;
          const overwritten = await tools.execute('write_file', { path: 'd/existing.txt', content: `overwritten ${i}` }, signal);
          if (overwritten.isError) counts.refused++;
          else counts.overwrites++;
        }
        console.log(`      ${JSON.stringify(counts)}`);
        assert.equal(counts.readsOutside, 0, 'reads that returned the outside file');
        assert.equal(counts.searchesOutside, 0, 'searches that found text of the outside file');
        assert.deepEqual(readdirSync(outside).sort(), outsideBefore, 'files created outside the workspace');
        assert.equal(readFileSync(join(outside, 'file.txt'), 'utf8'), 'OUTSIDE');
        assert.equal(readFileSync(join(outside, 'existing.txt'), 'utf8'), 'OUTSIDE-EXISTING');
        // The race was real: the tools both succeeded and were refused along the way.
        assert.ok(counts.readsInside > 0 && counts.writes > 0 && counts.refused > 0, JSON.stringify(counts));
      } finally {
        swapper.kill('SIGKILL');
        await exited;
      }
    },
  );

  it('a pre-existing hard link to an outside file is neither read, searched nor overwritten', async () => {
    writeFileSync(join(outside, 'secret.txt'), 'SECRET outside');
    linkSync(join(outside, 'secret.txt'), join(root, 'linked.txt'));
    const tools = new WorkspaceTools({ root, allowRunCommand: false });

    const read = await tools.execute('read_file', { path: 'linked.txt' }, signal);
    assert.equal(read.isError, true);
    assert.match(read.content, /"linked\.txt" has 2 hard links/);
    assert.doesNotMatch(read.content, /SECRET/);
    assert.equal((await tools.execute('search_text', { pattern: 'SECRET' }, signal)).content, 'No matches.');

    const write = await tools.execute('write_file', { path: 'linked.txt', content: 'overwritten' }, signal);
    assert.equal(write.isError, true);
    const edit = await tools.execute('edit_file', { path: 'linked.txt', old_text: 'SECRET', new_text: 'changed' }, signal);
    assert.equal(edit.isError, true);
    assert.equal(readFileSync(join(outside, 'secret.txt'), 'utf8'), 'SECRET outside');
  });

  it('a catastrophic regular expression answers within the search budget, off the host thread, with what it found', async () => {
    writeFileSync(join(root, 'a.txt'), 'aaaa\n');
    writeFileSync(join(root, 'b.txt'), `${'a'.repeat(40)}b\n`);
    const tools = new WorkspaceTools({ root, allowRunCommand: false, searchBudgetMs: 2_000 });
    let lastTick = Date.now();
    let longestStall = 0;
    const ticker = setInterval(() => {
      longestStall = Math.max(longestStall, Date.now() - lastTick);
      lastTick = Date.now();
    }, 20);
    const started = Date.now();
    const result = await tools.execute('search_text', { pattern: '^(a+)+$', regex: true }, signal);
    const elapsed = Date.now() - started;
    clearInterval(ticker);
    assert.equal(result.isError, false);
    assert.match(result.content, /^a\.txt:1: aaaa\n\[search stopped after \d+ ms \(its time budget is 2000 ms\)/);
    assert.ok(elapsed >= 1_900 && elapsed < 2_000 + 3_000, `answered after ${elapsed} ms`);
    assert.ok(longestStall < 1_000, `the event loop stalled for ${longestStall} ms`);
  });

  it('a catastrophic search stops when the step is cancelled', async () => {
    writeFileSync(join(root, 'b.txt'), `${'a'.repeat(40)}b\n`);
    const tools = new WorkspaceTools({ root, allowRunCommand: false, searchBudgetMs: 60_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const started = Date.now();
    const result = await tools.execute('search_text', { pattern: '^(a+)+$', regex: true }, controller.signal);
    assert.ok(Date.now() - started < 3_000, `answered after ${Date.now() - started} ms`);
    assert.match(result.content, /^No matches found before the search stopped\.\n\[search cancelled after \d+ ms/);
  });

  (linux ? it : it.skip)('a FIFO is refused promptly by read_file, write_file and edit_file, and skipped by search_text', async () => {
    execFileSync('mkfifo', [join(root, 'pipe')]);
    writeFileSync(join(root, 'note.txt'), 'findme\n');
    const tools = new WorkspaceTools({ root, allowRunCommand: false });
    const started = Date.now();
    const read = await tools.execute('read_file', { path: 'pipe' }, signal);
    assert.deepEqual(read, {
      content: 'Refused: "pipe" is a named pipe (FIFO), not a regular file; the file tools read and write regular files only.',
      isError: true,
    });
    assert.equal((await tools.execute('write_file', { path: 'pipe', content: 'x' }, signal)).isError, true);
    assert.equal((await tools.execute('edit_file', { path: 'pipe', old_text: 'x', new_text: 'y' }, signal)).isError, true);
    assert.equal((await tools.execute('search_text', { pattern: 'findme' }, signal)).content, 'note.txt:1: findme');
    assert.ok(Date.now() - started < 2_000, `answered after ${Date.now() - started} ms`);
  });

  it('a 400 MiB (sparse) file: read_file returns its bounded start quickly, without loading the file', async () => {
    const big = join(root, 'big.log');
    const fd = openSync(big, 'w');
    try {
      writeSync(fd, 'first line\n');
      ftruncateSync(fd, 400 * 1024 * 1024);
    } finally {
      closeSync(fd);
    }
    const tools = new WorkspaceTools({ root, allowRunCommand: false });
    const peakBefore = process.resourceUsage().maxRSS * 1024;
    const started = Date.now();
    const result = await tools.execute('read_file', { path: 'big.log' }, signal);
    const elapsed = Date.now() - started;
    const peakGrowth = process.resourceUsage().maxRSS * 1024 - peakBefore;
    assert.ok(peakGrowth < 64 * 1024 * 1024, `peak memory grew by ${Math.round(peakGrowth / 1024 / 1024)} MiB`);
    assert.ok(elapsed < 3_000, `answered after ${elapsed} ms`);
    assert.equal(result.isError, false);
    assert.ok(result.content.startsWith('first line\n'));
    const note = result.content.slice(200_000);
    assert.equal(
      note,
      '\n[truncated: showing the first 200000 characters (200000 of 419430400 bytes); 419230400 bytes not shown. Use search_text to find lines further on.]',
    );
  });
});
