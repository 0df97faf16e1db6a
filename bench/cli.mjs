// Start-to-first-output time of the `session-ledger` command line on a 100,000-event ledger (target:
// ≤ 300 ms over a same-run `node` baseline). Prints figures; exits 1 when a command's output is wrong
// (row or hit counts) or the target is missed.
//   npm run bench:cli            (node bench/cli.mjs [events] [rounds])
// The ledger is written through the session store's own write path (SessionStore.transaction and its
// repositories, in batched transactions), then closed (final snapshot), as a VS Code window leaves it.
// The CLI is bundled as esbuild.mjs bundles dist/cli.js (sql.js patch included) into a folder laid out
// like the packaged extension. Each round runs, in turn, the baseline `node -e` (which writes one
// byte), `list` and `search`, each timed from spawn to its first byte on stdout; the figure is the
// median over rounds of each command's time minus the same round's baseline.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const cache = path.join(here, '.cache', 'cli');
const EVENTS = Number(process.argv[2] ?? 100_000);
const ROUNDS = Number(process.argv[3] ?? 7);
const SESSIONS = 500;
const INTERACTIONS_PER_SESSION = 10;
const EVENTS_PER_TRANSACTION = 2_000;
const LIST_LIMIT = 50;
const TARGET_MS = 300;
const VOCABULARY =
  'read write edit bash grep file test build parse json config error function module import render component state store query index session event hook tool prompt token cost usage timeline runner engine workflow step phase plan review'.split(
    ' ',
  );
const PLANTED_AT = EVENTS - 7; // the one event holding "zanzibar"

const failures = [];
const check = (ok, what) => {
  if (!ok) failures.push(what);
  return ok;
};

async function build() {
  const esbuild = await import('esbuild');
  const { sqlJsGrowthPlugin } = await import('../scripts/sqljsGrowthPlugin.mjs');
  const { zodLocalesPlugin } = await import('../scripts/zodLocalesPlugin.mjs');
  const common = {
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    logLevel: 'warning',
    plugins: [sqlJsGrowthPlugin, zodLocalesPlugin],
    absWorkingDir: root,
  };
  const dist = path.join(cache, 'dist');
  fs.mkdirSync(dist, { recursive: true });
  const entry = path.join(cache, 'store-entry.ts');
  fs.writeFileSync(entry, `export { SessionStore } from ${JSON.stringify(path.join(root, 'src/core/store/SessionStore.ts'))};\n`);
  await Promise.all([
    esbuild.build({ ...common, entryPoints: { cli: 'src/cli/main.ts' }, outdir: dist, external: ['vscode', 'sql.js/dist/sql-wasm.wasm'] }),
    esbuild.build({ ...common, entryPoints: { snapshotWorker: 'src/core/store/snapshotWorker.ts' }, outdir: dist }),
    esbuild.build({ ...common, entryPoints: { store: entry }, outdir: dist }),
  ]);
  fs.copyFileSync(path.join(root, 'node_modules/sql.js/dist/sql-wasm.wasm'), path.join(dist, 'sql-wasm.wasm'));
  fs.cpSync(path.join(root, 'migrations'), path.join(cache, 'migrations'), { recursive: true });
  return { cli: path.join(dist, 'cli.js'), SessionStore: createRequire(import.meta.url)(path.join(dist, 'store.js')).SessionStore };
}

let seed = 7;
const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const words = (n) => Array.from({ length: n }, () => VOCABULARY[Math.floor(random() * VOCABULARY.length)]).join(' ');

/**
 * Writes the ledger (or reuses the one a previous run wrote with the same size and schema: a ledger
 * of an older schema would be upgraded in memory by every reading command, as VS Code has not yet
 * opened it with this version).
 */
async function writeLedger(SessionStore) {
  const directory = path.join(cache, `ledger-${EVENTS}`);
  const marker = path.join(directory, 'bench-complete');
  const schema = fs
    .readdirSync(path.join(root, 'migrations'))
    .filter((name) => name.endsWith('.sql'))
    .sort()
    .join('\n');
  if (fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === schema) return directory;
  fs.rmSync(directory, { recursive: true, force: true });
  const started = Date.now();
  const store = await SessionStore.open({ directory });
  const sessions = [];
  await store.transaction((tx) => {
    for (let s = 0; s < SESSIONS; s++) {
      const session = tx.sessions.create({ type: 'test-fix', title: `Session ${s}: ${words(4)}`, intention: words(12) });
      const interactions = [];
      for (let i = 0; i < INTERACTIONS_PER_SESSION; i++) {
        const interaction = tx.interactions.append({
          sessionId: session.id,
          step: 'test',
          kind: 'shell',
          command: `npm test -- ${words(3)}`,
        });
        tx.interactions.setResult(interaction.id, { status: 'ok', exitCode: 0, output: words(30) });
        interactions.push(interaction.id);
      }
      sessions.push({ id: session.id, interactions });
    }
  });
  for (let n = 0; n < EVENTS;) {
    const end = Math.min(EVENTS, n + EVENTS_PER_TRANSACTION);
    await store.transaction((tx) => {
      for (; n < end; n++) {
        const session = sessions[n % SESSIONS];
        const text = n === PLANTED_AT ? `${words(10)} zanzibar ${words(10)}` : words(20);
        tx.events.append({
          id: `bench-${n}`,
          sessionId: session.id,
          interactionId: session.interactions[n % INTERACTIONS_PER_SESSION],
          type: 'agent.text',
          payload: { text },
        });
      }
    });
    if (n % 20_000 === 0) process.stderr.write(`  wrote ${n} events\n`);
  }
  await store.close();
  fs.writeFileSync(marker, schema);
  console.log(
    `ledger: ${SESSIONS} sessions, ${EVENTS} events written through the store in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return directory;
}

/** Spawns a command; resolves with the time to its first stdout byte, its whole stdout and its exit code. */
function timed(args) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let first;
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => {
      first ??= Number(process.hrtime.bigint() - start) / 1e6;
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ firstMs: first ?? Infinity, stdout, stderr, code }));
  });
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const { cli, SessionStore } = await build();
const ledger = await writeLedger(SessionStore);
const commands = {
  list: [cli, 'list', '--json', '--limit', String(LIST_LIMIT), '--ledger', ledger],
  search: [cli, 'search', 'zanzibar', '--json', '--ledger', ledger],
};
const expectations = {
  list: (data) =>
    check(
      data.total === SESSIONS && data.sessions.length === LIST_LIMIT,
      `list: ${data.total} sessions (${data.sessions.length} listed), expected ${SESSIONS} (${LIST_LIMIT})`,
    ),
  search: (data) =>
    check(
      data.hits.length === 1 && data.hits[0].eventId === `bench-${PLANTED_AT}`,
      `search: ${data.hits.length} hits (${data.hits[0]?.eventId}), expected 1 (bench-${PLANTED_AT})`,
    ),
};
const over = { list: [], search: [] };
const raw = { baseline: [], list: [], search: [] };
for (let round = 0; round < ROUNDS; round++) {
  const baseline = await timed(['-e', 'process.stdout.write("x")']);
  raw.baseline.push(baseline.firstMs);
  for (const [name, args] of Object.entries(commands)) {
    const run = await timed(args);
    raw[name].push(run.firstMs);
    if (!check(run.code === 0, `${name} exited ${run.code}: ${run.stderr.trim()}`)) continue;
    if (round === 0) {
      try {
        expectations[name](JSON.parse(run.stdout));
      } catch (error) {
        check(false, `${name}: output is not JSON (${error.message})`);
      }
    }
    over[name].push(run.firstMs - baseline.firstMs);
  }
}
console.log(`node baseline: median ${median(raw.baseline).toFixed(0)} ms to first output (${ROUNDS} rounds)`);
for (const name of Object.keys(commands)) {
  if (!over[name].length) continue;
  const figure = median(over[name]);
  console.log(
    `${name.padEnd(6)}: median ${median(raw[name]).toFixed(0)} ms to first output, ${figure.toFixed(0)} ms over the baseline (target ≤ ${TARGET_MS} ms) ${figure <= TARGET_MS ? 'ok' : 'MISSED'}`,
  );
  check(figure <= TARGET_MS, `${name}: ${figure.toFixed(0)} ms over the baseline, target ${TARGET_MS} ms`);
}
if (failures.length) {
  console.error(`\nFAILED:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
