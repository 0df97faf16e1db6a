// Wall time of the Claude Code hook script (target < 50 ms), as Claude Code runs it: a fresh
// `node dist/hookSpool.js <spool> <event>` process with the payload on stdin. Prints figures; exits 1
// when the spool is wrong (not one whole line per run, each with the payload sent, once).
//   node bench/hook.mjs [runs]
// Bundles src/core/claudeCode/hookSpool.ts like esbuild.mjs does, into a temp dir. The bare
// `node -e ""` start-up time is printed alongside: the script's own cost is the difference.
import { buildSync } from 'esbuild';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const RUNS = Number(process.argv[2] ?? 40);
const dir = mkdtempSync(join(tmpdir(), 'ledger-hook-bench-'));
const script = join(dir, 'hookSpool.js');
const spool = join(dir, 'hooks.spool.jsonl');
buildSync({
  entryPoints: ['src/core/claudeCode/hookSpool.ts'],
  bundle: true,
  minify: true,
  platform: 'node',
  format: 'cjs',
  target: 'node18',
  outfile: script,
  logLevel: 'error',
});

const payload = JSON.stringify({
  session_id: 'c0ffee00-0000-4000-8000-000000000001',
  transcript_path: '/home/dev/.claude/projects/-home-dev-app/c0ffee00-0000-4000-8000-000000000001.jsonl',
  cwd: '/home/dev/app',
  hook_event_name: 'PostToolUse',
  tool_name: 'Bash',
  tool_input: { command: 'npm test', description: 'Run the tests' },
  tool_response: { stdout: 'x'.repeat(20_000), stderr: '', interrupted: false },
});

function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(1);
  return `min ${at(0)} ms   median ${at(0.5)} ms   p90 ${at(0.9)} ms   max ${at(1)} ms`;
}

function timeSequential(args, input) {
  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    const result = spawnSync(process.execPath, args, { input });
    samples.push(performance.now() - start);
    if (result.status !== 0) throw new Error(`exit ${result.status}`);
  }
  return samples;
}

const baseline = timeSequential(['-e', ''], '');
const hook = timeSequential([script, spool, 'PostToolUse'], payload);

const concurrent = 16;
const started = performance.now();
await Promise.all(
  Array.from(
    { length: concurrent },
    () =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [script, spool, 'PostToolUse']);
        child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`exit ${code}`))));
        child.stdin.end(payload);
      }),
  ),
);
const concurrentMs = performance.now() - started;
const lines = readFileSync(spool, 'utf8').trim().split('\n');
const sent = JSON.parse(payload);
const parsed = lines.map((line) => {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
});
// Each line: the event named, a nonce of its own, the payload as sent (its 20,000-character output whole).
const intact = parsed.every((line) => line?.event === 'PostToolUse' && JSON.stringify(line.payload) === JSON.stringify(sent));
const nonces = new Set(parsed.map((line) => line?.nonce)).size;

console.log(`hook script: ${statSync(script).size} bytes bundled; payload ${payload.length} bytes; ${RUNS} sequential runs`);
console.log(`bare node -e ""        ${stats(baseline)}`);
console.log(`hookSpool.js           ${stats(hook)}`);
console.log(`script's own cost      ~${(median(hook) - median(baseline)).toFixed(1)} ms (median difference)`);
if (process.env.NODE_EXTRA_CA_CERTS) {
  console.log(
    'note: NODE_EXTRA_CA_CERTS is set; Node loads those certificates at every start-up (bare start-up above). Run with `env -u NODE_EXTRA_CA_CERTS` to see the usual figure.',
  );
}
console.log(
  `${concurrent} concurrent hooks   ${concurrentMs.toFixed(0)} ms in all; ${lines.length} spool lines in all (sequential + concurrent), all intact: ${intact}`,
);
if (lines.length !== RUNS + concurrent || !intact || nonces !== lines.length) {
  console.error(
    `bench:hook: WRONG SPOOL: ${lines.length} lines (expected ${RUNS + concurrent}), ${intact ? 'all' : 'not all'} intact, ${nonces} distinct nonces`,
  );
  process.exitCode = 1;
}

function median(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
