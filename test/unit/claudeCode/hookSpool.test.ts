import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLAUDE_HOOK_EVENTS, SPOOL_ENV_VAR, type SpoolLine } from '../../../src/core/claudeCode/hookProtocol';
import { buildHookScript } from './buildHookScript';
import payloads from '../../fixtures/claudeCode/hook-payloads.json';

function runHook(script: string, args: string[], input: string | Buffer, env: NodeJS.ProcessEnv = process.env) {
  return spawnSync(process.execPath, [script, ...args], { input, env, encoding: 'utf8' });
}

function readSpool(file: string): SpoolLine[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as SpoolLine);
}

describe('hookSpool script', function () {
  this.timeout(60_000);
  let script: string;
  let dir: string;
  let spool: string;

  before(() => {
    script = buildHookScript();
  });
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-spool-'));
    spool = path.join(dir, 'hooks.spool.jsonl');
  });

  it('appends one line per payload of every hook event, with a received-at time', () => {
    for (const event of CLAUDE_HOOK_EVENTS) {
      const r = runHook(script, [spool, event, '--session-ledger-hook'], JSON.stringify(payloads[event], null, 2));
      assert.equal(r.status, 0);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, '');
    }
    const lines = readSpool(spool);
    assert.deepEqual(
      lines.map((l) => l.event),
      [...CLAUDE_HOOK_EVENTS],
    );
    lines.forEach((line, i) => {
      assert.deepEqual(line.payload, payloads[CLAUDE_HOOK_EVENTS[i]]);
      assert.ok(!Number.isNaN(Date.parse(line.receivedAt)));
    });
  });

  it('gives every line its own random nonce, so identical payloads are never identical lines', () => {
    for (const input of [JSON.stringify(payloads.Stop), JSON.stringify(payloads.Stop), 'not json {']) {
      assert.equal(runHook(script, [spool, 'Stop'], input).status, 0);
    }
    const text = fs.readFileSync(spool, 'utf8').trim().split('\n');
    const nonces = readSpool(spool).map((l) => l.nonce);
    assert.ok(
      nonces.every((n) => /^[0-9a-f]{32}$/.test(n ?? '')),
      nonces.join(', '),
    );
    assert.equal(new Set(nonces).size, 3);
    assert.equal(new Set(text).size, 3);
    assert.ok(
      text.every((l) => l.startsWith('{"receivedAt":"')),
      'the nonce goes in the same single write as the line',
    );
  });

  it('keeps the payload text as Claude Code wrote it (numbers exact, line breaks only between tokens), and records a payload too deep to re-serialise', () => {
    const input =
      '{\r\n  "session_id": "s1",\n  "usage": {"output_tokens": 12345678901234567890, "cost": 1e999},\n  "prompt": "two\\nlines"\n}\n';
    assert.equal(runHook(script, [spool, 'Stop'], input).status, 0);
    const deep = '['.repeat(20_000) + ']'.repeat(20_000); // JSON.stringify overflows its stack on this
    assert.equal(runHook(script, [spool, 'Stop'], JSON.stringify({ session_id: 's1' }).slice(0, -1) + `,"deep":${deep}}`).status, 0);
    const [first, second] = fs.readFileSync(spool, 'utf8').split('\n');
    assert.ok(first.includes('"output_tokens": 12345678901234567890, "cost": 1e999}'), first);
    assert.deepEqual(JSON.parse(first).payload.prompt, 'two\nlines');
    assert.equal(JSON.parse(first).event, 'Stop');
    assert.ok(second.endsWith(`"deep":${deep}}}`), 'the deep payload is on its line, for the ingester to set aside with its reason');
  });

  it('takes the spool path from the environment when argv has none', () => {
    const r = runHook(script, [], JSON.stringify(payloads.Stop), { ...process.env, [SPOOL_ENV_VAR]: spool });
    assert.equal(r.status, 0);
    assert.equal(readSpool(spool)[0].event, 'Stop');
  });

  it('records garbage and empty input as invalid lines and still exits 0', () => {
    for (const input of ['not json {', '', '\u0000\u00ff binary', '{"truncated": ']) {
      assert.equal(runHook(script, [spool, 'PreToolUse'], input).status, 0);
    }
    const lines = readSpool(spool);
    assert.equal(lines.length, 4);
    for (const line of lines) {
      assert.ok(line.invalid);
      assert.equal(line.event, 'PreToolUse');
      assert.equal(line.payload, undefined);
    }
  });

  it('exits 0 silently when the spool cannot be written or is not given', () => {
    const blocked = path.join(dir, 'no-such-dir', 'spool.jsonl');
    const env = { ...process.env };
    delete env[SPOOL_ENV_VAR];
    for (const args of [[blocked], [dir], []]) {
      const r = runHook(script, args, JSON.stringify(payloads.Stop), env);
      assert.equal(r.status, 0);
      assert.equal(r.stderr, '');
    }
  });

  it('keeps every line intact with many concurrent writers and large payloads', async () => {
    const writers = 24;
    const big = 'x'.repeat(200_000); // far above PIPE_BUF
    await Promise.all(
      Array.from({ length: writers }, (_, i) => {
        const child = spawn(process.execPath, [script, spool, 'PostToolUse']);
        child.stdin.end(JSON.stringify({ ...payloads.PostToolUse, tool_response: { n: i, big } }));
        return new Promise<void>((resolve, reject) => {
          child.on('error', reject);
          child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`exit ${code}`))));
        });
      }),
    );
    const lines = readSpool(spool);
    assert.equal(lines.length, writers);
    const seen = lines.map((l) => (l.payload as { tool_response: { n: number; big: string } }).tool_response);
    assert.deepEqual(
      seen.map((r) => r.n).sort((a, b) => a - b),
      Array.from({ length: writers }, (_, i) => i),
    );
    assert.ok(seen.every((r) => r.big === big));
  });

  it('does not wait for a stdin that never closes', async () => {
    const started = Date.now();
    const child = spawn(process.execPath, [script, spool, 'Stop'], { stdio: ['pipe', 'ignore', 'ignore'] });
    child.stdin.write('{"session_id": "half');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.stdin.destroy();
    assert.equal(code, 0);
    assert.ok(Date.now() - started < 8000);
    assert.match(readSpool(spool)[0].invalid ?? '', /invalid JSON/);
  });
});
