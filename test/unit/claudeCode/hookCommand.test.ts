import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildHookCommand, HOOK_COMMAND_MARKER, isOurHookCommand } from '../../../src/core/claudeCode/hookProtocol';
import payloads from '../../fixtures/claudeCode/hook-payloads.json';
import { buildHookScript } from './buildHookScript';
import { tempDir } from './testStore';

/** Runs `command` the way Claude Code does on Linux/macOS: `sh -c`, payload JSON on stdin. */
const runInSh = (command: string, input = JSON.stringify(payloads.Stop)) =>
  spawnSync('/bin/sh', ['-c', command], { input, encoding: 'utf8', timeout: 20_000 });

describe('Claude Code hook command', function () {
  this.timeout(60_000);

  it('POSIX: single-quoted paths, our marker, stderr silenced and exit status forced to 0', () => {
    const command = buildHookCommand({ scriptPath: '/store/hookSpool.js', spoolPath: '/store/spool.jsonl', platform: 'linux' }, 'Stop');
    assert.equal(command, `'node' '/store/hookSpool.js' '/store/spool.jsonl' Stop ${HOOK_COMMAND_MARKER} 2>/dev/null || true`);
    assert.ok(isOurHookCommand(command));
  });

  it('Windows: double-quoted call only (no POSIX redirection or `|| true`), and a path with `"` is refused', () => {
    const options = {
      scriptPath: 'C:\\Users\\A B\\AppData\\hookSpool.js',
      spoolPath: 'C:\\Users\\A B\\spool.jsonl',
      platform: 'win32' as const,
    };
    assert.equal(
      buildHookCommand(options, 'PreToolUse'),
      `"node" "C:\\Users\\A B\\AppData\\hookSpool.js" "C:\\Users\\A B\\spool.jsonl" PreToolUse ${HOOK_COMMAND_MARKER}`,
    );
    assert.throws(() => buildHookCommand({ ...options, spoolPath: 'C:\\a"b' }, 'Stop'), /containing '"'/);
  });

  it('exits 0 silently in /bin/sh when the script, or node itself, is missing', () => {
    const dir = tempDir('hook-cmd');
    for (const options of [
      { scriptPath: path.join(dir, 'gone', 'hookSpool.js'), spoolPath: path.join(dir, 'spool.jsonl') },
      { scriptPath: path.join(dir, 'hookSpool.js'), spoolPath: path.join(dir, 'spool.jsonl'), nodeCommand: path.join(dir, 'no-node') },
    ]) {
      const run = runInSh(buildHookCommand({ ...options, platform: 'linux' }, 'Stop'));
      assert.equal(run.status, 0, `exit status of ${JSON.stringify(options)}`);
      assert.equal(run.stdout, '');
      assert.equal(run.stderr, '');
    }
    assert.ok(!fs.existsSync(path.join(dir, 'spool.jsonl')));
  });

  it('runs the real script through /bin/sh with paths holding spaces, quotes and shell syntax', () => {
    const script = buildHookScript();
    const dir = path.join(tempDir('hook-cmd'), `it's a $(dir) "x" \`y\``);
    fs.mkdirSync(dir);
    const scriptPath = path.join(dir, 'hook Spool.js');
    fs.copyFileSync(script, scriptPath);
    const spoolPath = path.join(dir, 'spool; rm -rf $HOME.jsonl');
    const run = runInSh(buildHookCommand({ scriptPath, spoolPath, nodeCommand: process.execPath, platform: 'linux' }, 'Stop'));
    assert.equal(run.status, 0, run.stderr);
    const lines = fs
      .readFileSync(spoolPath, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(lines.length, 1);
    assert.equal(lines[0].event, 'Stop');
    assert.deepEqual(lines[0].payload, payloads.Stop);
  });
});
