import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess } from '../../../src/core/exec/runProcess';
import { describeProcessResult, runShellCommand } from '../../../src/core/exec/runShellCommand';
import { isAlive, readPid, waitFor } from './processProbe';

describe('exec: runShellCommand', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'exec-test-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('runs in the given cwd with the given env, records exit code and output', async () => {
    const chunks: string[] = [];
    const result = await runShellCommand({
      command: 'pwd; echo "$GREETING"; echo oops >&2; exit 3',
      cwd: dir,
      env: { ...process.env, GREETING: 'hello ledger' },
      onStdout: (text) => chunks.push(text),
    });
    assert.equal(result.outcome, 'exited');
    assert.equal(result.exitCode, 3);
    assert.equal(result.signal, null);
    assert.match(result.output, new RegExp(`${dir}\\nhello ledger\\n`));
    assert.match(result.output, /oops/);
    assert.equal(chunks.join(''), `${dir}\nhello ledger\n`);
    assert.equal(result.droppedBytes, 0);
    assert.equal(describeProcessResult(result), 'exit 3');
  });

  it('keeps the tail of long output and says how many bytes were dropped', async () => {
    const result = await runShellCommand({
      command: "head -c 100000 /dev/zero | tr '\\0' a; echo END",
      cwd: dir,
      maxOutputBytes: 1000,
    });
    assert.equal(result.exitCode, 0);
    assert.equal(Buffer.byteLength(result.output), 1000);
    assert.ok(result.output.endsWith('aaaEND\n'));
    assert.equal(result.droppedBytes, 100_004 - 1000);
    assert.match(describeProcessResult(result), /first 99004 bytes of output dropped/);
  });

  it('does not start a split multi-byte character after cutting', async () => {
    // "é" is 2 bytes; 3 of them = 6 bytes, keep 5: the first kept byte is a continuation byte.
    const result = await runShellCommand({ command: 'printf ééé', cwd: dir, maxOutputBytes: 5 });
    assert.equal(result.output, 'éé');
    assert.equal(result.droppedBytes, 1);
  });

  it('times out and kills the whole tree (child and grandchild)', async () => {
    const result = await runShellCommand({
      command: `sh -c 'sleep 30 & echo $! > ${dir}/grandchild.pid; wait' & echo $! > ${dir}/child.pid; wait`,
      cwd: dir,
      timeoutMs: 300,
      killGraceMs: 500,
    });
    assert.equal(result.outcome, 'timeout');
    assert.equal(result.signal, 'SIGTERM');
    assert.equal(result.exitCode, null);
    const child = readPid(join(dir, 'child.pid'))!;
    const grandchild = readPid(join(dir, 'grandchild.pid'))!;
    await waitFor(() => (isAlive(child) || isAlive(grandchild) ? undefined : true), 'the tree to be gone');
  });

  it('cancels mid-subprocess through the AbortSignal: a sleep 30 child and its grandchild are both gone', async () => {
    const controller = new AbortController();
    const running = runShellCommand({
      command: `sh -c 'sleep 30 & echo $! > ${dir}/grandchild.pid; wait' & echo $! > ${dir}/child.pid; wait`,
      cwd: dir,
      signal: controller.signal,
    });
    const child = await waitFor(() => readPid(join(dir, 'child.pid')), 'child pid');
    const grandchild = await waitFor(() => readPid(join(dir, 'grandchild.pid')), 'grandchild pid');
    assert.ok(isAlive(child) && isAlive(grandchild), 'both running before cancel');
    controller.abort();
    const result = await running;
    assert.equal(result.outcome, 'cancelled');
    assert.equal(describeProcessResult(result), 'cancelled');
    await waitFor(() => (isAlive(child) || isAlive(grandchild) ? undefined : true), 'the tree to be gone');
  });

  it('escalates to SIGKILL when the tree ignores SIGTERM', async () => {
    const controller = new AbortController();
    const running = runShellCommand({
      command: `trap '' TERM; sleep 30 & echo $! > ${dir}/sleep.pid; wait`,
      cwd: dir,
      signal: controller.signal,
      killGraceMs: 200,
    });
    const sleeper = await waitFor(() => readPid(join(dir, 'sleep.pid')), 'sleep pid');
    controller.abort();
    const result = await running;
    assert.equal(result.outcome, 'cancelled');
    assert.equal(result.signal, 'SIGKILL');
    await waitFor(() => (isAlive(sleeper) ? undefined : true), 'sleep to be killed');
  });

  it('ends background processes a finished command left behind', async () => {
    const result = await runShellCommand({
      command: `sleep 30 & echo $! > ${dir}/bg.pid; echo done`,
      cwd: dir,
      killGraceMs: 500,
    });
    assert.equal(result.exitCode, 0);
    assert.match(result.output, /done/);
    const background = readPid(join(dir, 'bg.pid'))!;
    await waitFor(() => (isAlive(background) ? undefined : true), 'background sleep to be gone');
  });

  it('does not start when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await runShellCommand({ command: `touch ${dir}/ran`, cwd: dir, signal: controller.signal });
    assert.equal(result.outcome, 'cancelled');
    assert.equal(readPid(join(dir, 'ran')), undefined);
  });

  it('reports a missing executable as a spawn error with its code', async () => {
    const result = await runProcess({ file: 'definitely-not-a-command-xyz', cwd: dir });
    assert.equal(result.outcome, 'spawn_error');
    assert.equal(result.errorCode, 'ENOENT');
    assert.match(describeProcessResult(result), /could not start/);
  });

  it('feeds stdin to the process', async () => {
    const result = await runProcess({ file: 'cat', cwd: dir, stdin: 'from stdin' });
    assert.equal(result.output, 'from stdin');
  });
});
