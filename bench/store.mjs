// Session store benchmark: this store (sql.js, on-demand database file, journal, worker-written snapshot images) vs better-sqlite3
// (WAL, synchronous=FULL) doing the same logical work (event insert + session counters, same schema
// and migrations). Prints figures, headed by the paired medians the targets are about; exits 1 when a
// side's results are wrong (rows written, indexed for search, counted, read back after a reopen).
//   npm run bench            (first run installs better-sqlite3 12.x into bench/.cache/ and builds the store)
//   node bench/store.mjs --events=20000 --sessions=200   (smaller run)
//   node bench/store.mjs --events=20000 --single=1000 --skip-open --rounds=1   (quick run while iterating)
// By default each engine runs 5 alternating rounds (ledger, better-sqlite3, ledger, …): this machine's
// disk and CPU speed drift by tens of percent within minutes, so each store round is paired with the
// better-sqlite3 round run right after it, and the HEADLINE is the median of those paired ratios.
// The table shows each engine's median round (not its best).
// Both sides run the same schema (every file of migrations/, in order: tables, indexes, FTS4 tables and
// triggers) and the same per-event statements in the same transaction; the bench prints what each side runs.
// Each engine runs in its own child process so peak RSS is its own; the cold open runs in a fresh process.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance, monitorEventLoopDelay } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const cache = path.join(here, '.cache');
const bsqlDir = path.join(cache, 'bsql');
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const EVENTS = Number(args.events ?? 100_000);
const SESSIONS = Number(args.sessions ?? 1_000);
const BIG_SESSION_SHARE = 0.1; // one session holds 10% of the events, so a 200-event timeline page is full
const SINGLE_APPENDS = Number(args.single ?? 2_000);
const CONCURRENT_CALLERS = 32;
const BATCH = 100;
const SKIP_OPEN = 'skip-open' in args;
const ROUNDS = Number(args.rounds ?? 5); // alternating rounds per engine (this machine's speed drifts: see the paired ratios)
/** Schema objects that say which schema a database runs (tables, indexes, triggers; FTS shadow tables left out). */
const SCHEMA_SQL =
  "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' AND name NOT LIKE '%_segments' AND name NOT LIKE '%_segdir' AND name NOT LIKE '%_content' AND name NOT LIKE '%_docsize' AND name NOT LIKE '%_stat' AND name <> '_ledger_meta' AND name <> 'schema_migrations' ORDER BY type, name";
function describeSchema(rows) {
  const count = (type) => rows.filter((r) => r.type === type).length;
  const fts4 = rows.filter((r) => /USING\s+fts4/i.test(r.sql ?? '')).map((r) => r.name);
  return {
    tables: count('table'),
    indexes: count('index'),
    triggers: count('trigger'),
    fts4,
    signature: rows.map((r) => `${r.type}:${r.name}`).join(','),
  };
}

// ---------- shared workload ----------
const WORDS =
  'alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu build test lint error warning passed failed module import export function class'.split(
    ' ',
  );
function words(n, seed) {
  let out = '';
  for (let i = 0; i < n; i++) out += WORDS[(seed * 31 + i * 17 + ((seed >> 3) ^ i)) % WORDS.length] + ' ';
  return out;
}
/** ~500-byte JSON payload. */
function payload(i) {
  return {
    tool: 'Bash',
    input: { command: `npm test -- --grep "${words(4, i)}"`, description: words(12, i + 7) },
    output: words(40, i + 13).slice(0, 300),
    exitCode: i % 3 ? 0 : 1,
    n: i,
  };
}
function sessionFor(i, sessionIds) {
  if (i % Math.round(1 / BIG_SESSION_SHARE) === 0) return sessionIds[0];
  return sessionIds[1 + (i % (sessionIds.length - 1))];
}
function stallMonitor() {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  let last = performance.now();
  let maxGap = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
  }, 1);
  histogram.enable();
  return {
    stop() {
      clearInterval(timer);
      histogram.disable();
      return { maxGapMs: maxGap, maxLoopDelayMs: histogram.max / 1e6 };
    },
  };
}
const peakRssMb = () => process.resourceUsage().maxRSS / 1024;

// ---------- setup (parent) ----------
function ensureBetterSqlite() {
  const marker = path.join(bsqlDir, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
  if (fs.existsSync(marker)) return;
  console.log('[bench] installing better-sqlite3@12 into bench/.cache/bsql (compiles with node-gyp, a few minutes)…');
  fs.mkdirSync(bsqlDir, { recursive: true });
  if (!fs.existsSync(path.join(bsqlDir, 'package.json')))
    fs.writeFileSync(path.join(bsqlDir, 'package.json'), '{"name":"bench-cache","private":true}\n');
  execFileSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', 'better-sqlite3@12'], { cwd: bsqlDir, stdio: 'inherit' });
}
async function buildStore() {
  const esbuild = await import('esbuild');
  const { sqlJsGrowthPlugin } = await import('../scripts/sqljsGrowthPlugin.mjs');
  // Built as the extension is (esbuild.mjs), sql.js growth patch included.
  const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node18', logLevel: 'warning', plugins: [sqlJsGrowthPlugin] };
  await esbuild.build({
    ...common,
    entryPoints: [path.join(root, 'src/core/store/SessionStore.ts')],
    outfile: path.join(cache, 'store', 'sessionStore.js'),
  });
  await esbuild.build({
    ...common,
    entryPoints: [path.join(root, 'src/core/store/snapshotWorker.ts')],
    outfile: path.join(cache, 'store', 'snapshotWorker.js'),
  });
}
function runChild(extra) {
  const result = spawnSync(
    process.execPath,
    ['--expose-gc', fileURLToPath(import.meta.url), ...extra, `--events=${EVENTS}`, `--sessions=${SESSIONS}`, `--single=${SINGLE_APPENDS}`],
    { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  if (result.status !== 0) throw new Error(`bench child ${extra.join(' ')} failed (${result.status})`);
  const line = result.stdout.trim().split('\n').pop();
  return JSON.parse(line);
}

// ---------- engines ----------
function ledgerEngine() {
  const require = createRequire(import.meta.url);
  const { SessionStore } = require(path.join(cache, 'store', 'sessionStore.js'));
  const options = (directory) => ({
    directory,
    wasmPath: path.join(root, 'node_modules/sql.js/dist/sql-wasm.wasm'),
    migrationsDirectory: path.join(root, 'migrations'),
    snapshotIdleMs: 0,
  });
  return {
    name: 'session store (sql.js)',
    open: (directory) => SessionStore.open(options(directory)),
    createSessions: (store, n) =>
      store.transaction((tx) =>
        Array.from(
          { length: n },
          (_, i) => tx.sessions.create({ type: 'bench', title: `Session ${i} ${words(3, i)}`, intention: words(8, i) }).id,
        ),
      ),
    appendOne: (store, event) => store.events.append(event),
    appendBatch: (store, events) => store.transaction((tx) => events.forEach((event) => tx.events.append(event))),
    page: (store, sessionId, after, limit) => store.events.list(sessionId, { after, limit }),
    snapshot: (store) => store.snapshot(),
    close: (store) => store.close(),
    counts: (store) => Object.fromEntries(Object.entries(COUNT_SQL).map(([key, sql]) => [key, Number(store.sql.all(sql)[0].n)])),
    fileBytes: (directory) => fs.statSync(path.join(directory, 'ledger.sqlite')).size,
    // The store has no public raw-SQL read; the bench peeks at its database to report the schema.
    schema: (store) => ({
      ...describeSchema(store.database.all(SCHEMA_SQL)),
      migrations: store.database.all('SELECT name FROM schema_migrations ORDER BY version').map((r) => r.name),
      ftsAvailable: true,
      sqlite: store.database.get('SELECT sqlite_version() AS v').v,
      pragmas: 'sql.js in memory; each transaction journalled + fdatasync before it is acknowledged',
    }),
  };
}
/**
 * What each side's results are checked by, after the writes and again after a cold open: every event
 * stored, indexed for search (the FTS4 index has a row for each), counted in its session, and numbered
 * 1…n without gaps in each session.
 */
const COUNT_SQL = {
  sessions: 'SELECT count(*) AS n FROM sessions',
  events: 'SELECT count(*) AS n FROM events',
  indexed: 'SELECT count(*) AS n FROM search_events_docsize',
  counted: 'SELECT coalesce(sum(event_count), 0) AS n FROM sessions',
  badSeqs: 'SELECT count(*) AS n FROM (SELECT session_id FROM events GROUP BY session_id HAVING max(seq) <> count(*) OR min(seq) <> 1)',
};
function checkCounts(engineName, when, counts) {
  const expected = {
    sessions: SESSIONS,
    events: EVENTS + 2 * SINGLE_APPENDS,
    indexed: EVENTS + 2 * SINGLE_APPENDS,
    counted: EVENTS + 2 * SINGLE_APPENDS,
    badSeqs: 0,
  };
  const wrong = Object.keys(expected).filter((key) => counts[key] !== expected[key]);
  if (wrong.length > 0) {
    throw new Error(
      `${engineName} ${when}: wrong results: ${wrong.map((key) => `${key} ${counts[key]}, expected ${expected[key]}`).join('; ')}`,
    );
  }
}

function migrationFiles() {
  return fs
    .readdirSync(path.join(root, 'migrations'))
    .filter((f) => /^\d{4}_.*\.sql$/.test(f))
    .sort();
}

function betterSqliteEngine() {
  const require = createRequire(path.join(bsqlDir, 'package.json'));
  const Database = require('better-sqlite3');
  const migrations = migrationFiles();
  // The store's own per-event statements (src/core/store/repositories/eventRepository.ts, sessionRepository.countEvent),
  // in the same transaction: the idempotent insert claims seq = last_event_seq + 1, then the session's counters;
  // at the end of the transaction the events it inserted are indexed for search in one statement (migration 0006;
  // the store derives that step again on replay, better-sqlite3 needs no replay).
  function prepareAll(db) {
    const insert = db.prepare(
      'INSERT INTO events (id, session_id, seq, interaction_id, run_id, type, tool_name, payload, correlation_id, ts) ' +
        'SELECT ?, id, last_event_seq + 1, ?, ?, ?, ?, ?, ?, ? FROM sessions WHERE id = ? ON CONFLICT (id) DO NOTHING RETURNING seq, rowid',
    );
    const indexNew = db.prepare(
      "INSERT INTO search_events (docid, session_key, type, tool_name, payload) SELECT rowid, 's' || replace(session_id, '-', ''), type, tool_name, payload FROM events " +
        'WHERE rowid >= ? AND NOT EXISTS (SELECT 1 FROM search_events_docsize WHERE docid = events.rowid)',
    );
    // As src/core/store/ledgerDatabase.ts: the first rowid the transaction inserted, then its events indexed at its end.
    let first;
    const indexInserted = () => {
      if (first !== undefined) indexNew.run(first);
    };
    const columns = 'id, session_id, seq, interaction_id, run_id, type, tool_name, payload, correlation_id, ts'; // as eventRepository reads them
    const existing = db.prepare(`SELECT ${columns} FROM events WHERE id = ?`);
    const count = db.prepare(
      'UPDATE sessions SET event_count = event_count + 1, last_event_seq = ?, last_event_at = max(coalesce(last_event_at, 0), ?), updated_at = ? WHERE id = ?',
    );
    const append = (event) => {
      const ts = Date.now();
      const row = insert.get(event.id, null, null, event.type, null, JSON.stringify(event.payload), null, ts, event.sessionId);
      if (!row) {
        if (existing.get(event.id)) return;
        throw new Error(`no session ${event.sessionId}`);
      }
      count.run(row.seq, ts, Date.now(), event.sessionId);
      if (first === undefined || row.rowid < first) first = row.rowid;
    };
    const page = db.prepare(`SELECT ${columns} FROM events WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ?`);
    const fresh = () => (first = undefined);
    return {
      one: db.transaction((event) => (fresh(), append(event), indexInserted())),
      batch: db.transaction((events) => (fresh(), events.forEach(append), indexInserted())),
      page,
    };
  }
  const statements = new WeakMap();
  return {
    name: 'better-sqlite3 (WAL, synchronous=FULL)',
    async open(directory) {
      const file = path.join(directory, 'bench.db');
      const fresh = !fs.existsSync(file);
      const db = new Database(file);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      if (fresh) for (const m of migrations) db.exec(fs.readFileSync(path.join(root, 'migrations', m), 'utf8'));
      statements.set(db, prepareAll(db));
      return db;
    },
    async createSessions(db, n) {
      const insert = db.prepare(
        "INSERT INTO sessions (id, type, title, slug, intention, agent, provider, environment, execution_mode, status, created_at, updated_at) VALUES (?, 'bench', ?, 's', ?, 'claude_code', 'claude-code-cli', 'vscode', 'manual', 'active', ?, ?)",
      );
      const ids = [];
      db.transaction(() => {
        for (let i = 0; i < n; i++) {
          const id = randomUUID();
          ids.push(id);
          insert.run(id, `Session ${i} ${words(3, i)}`, words(8, i), Date.now(), Date.now());
        }
      })();
      return ids;
    },
    async appendOne(db, event) {
      statements.get(db).one(event);
    },
    async appendBatch(db, events) {
      statements.get(db).batch(events);
    },
    page: (db, sessionId, after, limit) => statements.get(db).page.all(sessionId, after, limit),
    async snapshot(db) {
      db.pragma('wal_checkpoint(TRUNCATE)');
    },
    async close(db) {
      db.close();
    },
    counts: (db) => Object.fromEntries(Object.entries(COUNT_SQL).map(([key, sql]) => [key, Number(db.prepare(sql).get().n)])),
    fileBytes: (directory) => fs.statSync(path.join(directory, 'bench.db')).size,
    schema(db) {
      const options = db.pragma('compile_options', { simple: false }).map((r) => r.compile_options);
      db.exec('CREATE VIRTUAL TABLE temp.fts4_probe USING fts4(x); DROP TABLE temp.fts4_probe;'); // throws without FTS4
      return {
        ...describeSchema(db.prepare(SCHEMA_SQL).all()),
        migrations,
        ftsAvailable: options.includes('ENABLE_FTS3') || options.includes('ENABLE_FTS4'),
        sqlite: db.prepare('SELECT sqlite_version() AS v').get().v,
        pragmas: `journal_mode=${db.pragma('journal_mode', { simple: true })}, synchronous=${db.pragma('synchronous', { simple: true })} (2=FULL), foreign_keys=${db.pragma('foreign_keys', { simple: true })}`,
      };
    },
  };
}

const engines = { ledger: ledgerEngine, bsql: betterSqliteEngine };

function timePages(engine, store, bigSessionId, limit) {
  const bigCount = Math.round(EVENTS * BIG_SESSION_SHARE);
  const samples = [];
  for (let i = 0; i < 200; i++) {
    const after = Math.floor((i * 7919) % Math.max(1, bigCount - limit));
    const t = performance.now();
    const rows = engine.page(store, bigSessionId, after, limit);
    samples.push(performance.now() - t);
    if (rows.length !== limit) throw new Error(`page returned ${rows.length} rows, expected ${limit}`);
  }
  samples.sort((a, b) => a - b);
  return { medianMs: samples[samples.length >> 1], p95Ms: samples[Math.floor(samples.length * 0.95)] };
}

// ---------- child: build a store and measure writes, pages, snapshot stall ----------
async function childWork(engineName, directory) {
  const engine = engines[engineName]();
  fs.rmSync(directory, { recursive: true, force: true });
  fs.mkdirSync(directory, { recursive: true });
  const store = await engine.open(directory);
  const sessionIds = [];
  for (let i = 0; i < SESSIONS; i += 100) sessionIds.push(...(await engine.createSessions(store, Math.min(100, SESSIONS - i))));
  const schema = engine.schema(store);

  // Batched appends: the whole 100k load, 100 events per durable transaction.
  let t = performance.now();
  for (let i = 0; i < EVENTS; i += BATCH) {
    const events = [];
    for (let k = i; k < Math.min(EVENTS, i + BATCH); k++)
      events.push({ id: randomUUID(), sessionId: sessionFor(k, sessionIds), type: 'hook.PostToolUse', payload: payload(k) });
    await engine.appendBatch(store, events);
  }
  const batchedPerSec = EVENTS / ((performance.now() - t) / 1000);

  // Durable single appends, one at a time (each awaited before the next).
  t = performance.now();
  for (let i = 0; i < SINGLE_APPENDS; i++) {
    await engine.appendOne(store, {
      id: randomUUID(),
      sessionId: sessionIds[1 + (i % (sessionIds.length - 1))],
      type: 'agent.text',
      payload: payload(EVENTS + i),
    });
  }
  const singlePerSec = SINGLE_APPENDS / ((performance.now() - t) / 1000);

  // Durable single appends from 32 concurrent callers (group commit shares one fdatasync per tick).
  t = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENT_CALLERS }, async () => {
      while (next < SINGLE_APPENDS) {
        const i = next++;
        await engine.appendOne(store, {
          id: randomUUID(),
          sessionId: sessionIds[1 + (i % (sessionIds.length - 1))],
          type: 'agent.text',
          payload: payload(2 * EVENTS + i),
        });
      }
    }),
  );
  const concurrentPerSec = SINGLE_APPENDS / ((performance.now() - t) / 1000);

  const page200 = timePages(engine, store, sessionIds[0], 200);
  const page100 = timePages(engine, store, sessionIds[0], 100);

  // The longest main-thread stall while a snapshot (better-sqlite3: a WAL checkpoint) is written.
  const monitor = stallMonitor();
  t = performance.now();
  await engine.snapshot(store);
  const snapshotMs = performance.now() - t;
  await new Promise((resolve) => setTimeout(resolve, 20));
  const stall = monitor.stop();

  // Every append acknowledged is there, indexed and counted (checked after everything timed).
  checkCounts(engine.name, 'after the writes', engine.counts(store));
  await engine.close(store);
  return {
    schema,
    batchedPerSec,
    singlePerSec,
    concurrentPerSec,
    page200,
    page100,
    snapshotMs,
    stall,
    fileMb: engine.fileBytes(directory) / 2 ** 20,
    peakRssMb: peakRssMb(),
    bigSessionId: sessionIds[0],
  };
}

// ---------- child: cold open in a fresh process ----------
async function childOpen(engineName, directory, bigSessionId) {
  const engine = engines[engineName]();
  const t = performance.now();
  const store = await engine.open(directory);
  const openMs = performance.now() - t;
  const t2 = performance.now();
  const firstPage = engine.page(store, bigSessionId, 0, 200);
  const firstPageMs = performance.now() - t2;
  const result = { openMs, firstPageMs, peakRssMb: peakRssMb() };
  if (firstPage.length !== 200)
    throw new Error(`${engine.name} after a cold open: the first page has ${firstPage.length} events, expected 200`);
  checkCounts(engine.name, 'after a cold open', engine.counts(store));
  await engine.close(store);
  return result;
}

// ---------- main ----------
if (args.child) {
  const directory = path.join(cache, 'data', args.child);
  const result = args.phase === 'open' ? await childOpen(args.child, directory, args.session) : await childWork(args.child, directory);
  process.stdout.write(JSON.stringify(result) + '\n');
  process.exit(0);
} else {
  ensureBetterSqlite();
  await buildStore();
  console.log(
    `[bench] ${EVENTS.toLocaleString()} events over ${SESSIONS.toLocaleString()} sessions (~500-byte JSON payloads, one session holds ${BIG_SESSION_SHARE * 100}%), node ${process.version}`,
  );
  const rounds = { ledger: [], bsql: [] };
  // Rounds alternate the engines (ledger, bsql, ledger, bsql, …) so load changes on a shared machine hit both.
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of ['ledger', 'bsql']) {
      const work = runChild([`--child=${name}`]);
      const open = SKIP_OPEN
        ? { openMs: NaN, firstPageMs: NaN, peakRssMb: NaN }
        : runChild([`--child=${name}`, '--phase=open', `--session=${work.bigSessionId}`]);
      console.log(
        `[bench] round ${round + 1} ${name}: single ${Math.round(work.singlePerSec)}/s, concurrent ${Math.round(work.concurrentPerSec)}/s, batched ${Math.round(work.batchedPerSec)}/s`,
      );
      rounds[name].push({ ...work, open });
    }
  }
  // Each figure of an engine: its median over the rounds (a figure of one round when there is one).
  const median = (values) => {
    const sorted = [...values].sort((x, y) => x - y);
    const mid = sorted.length >> 1;
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  };
  const medianRound = (list) => {
    const of = (get) => median(list.map(get));
    return {
      schema: list[0].schema,
      singlePerSec: of((r) => r.singlePerSec),
      concurrentPerSec: of((r) => r.concurrentPerSec),
      batchedPerSec: of((r) => r.batchedPerSec),
      fileMb: of((r) => r.fileMb),
      snapshotMs: of((r) => r.snapshotMs),
      peakRssMb: of((r) => r.peakRssMb),
      stall: { maxGapMs: of((r) => r.stall.maxGapMs), maxLoopDelayMs: of((r) => r.stall.maxLoopDelayMs) },
      page200: { medianMs: of((r) => r.page200.medianMs), p95Ms: of((r) => r.page200.p95Ms) },
      page100: { medianMs: of((r) => r.page100.medianMs), p95Ms: of((r) => r.page100.p95Ms) },
      open: { openMs: of((r) => r.open.openMs), firstPageMs: of((r) => r.open.firstPageMs), peakRssMb: of((r) => r.open.peakRssMb) },
    };
  };
  const a = medianRound(rounds.ledger);
  const b = medianRound(rounds.bsql);
  for (const [label, r] of [
    ['session store', a],
    ['better-sqlite3', b],
  ]) {
    const s = r.schema;
    console.log(
      `[bench] ${label}: SQLite ${s.sqlite}; migrations ${s.migrations.join(', ')}; ${s.tables} tables, ${s.indexes} indexes, ${s.triggers} triggers; FTS4 tables ${s.fts4.join(', ')}${s.ftsAvailable ? '' : ' (FTS4 NOT compiled in!)'}; ${s.pragmas}`,
    );
  }
  if (a.schema.signature !== b.schema.signature) console.log('[bench] WARNING: the two sides do not run the same schema');
  else
    console.log(
      '[bench] both sides run the same schema (same tables, indexes, FTS4 tables and triggers) and the same per-event statements',
    );
  console.log(
    `[bench] both sides' results checked after the writes and after a cold open: ${(EVENTS + 2 * SINGLE_APPENDS).toLocaleString()} events stored, indexed for search, counted in their sessions, numbered without gaps`,
  );
  // Each store round against the better-sqlite3 round run right after it: the median of those ratios is the headline.
  const paired = (key) => rounds.ledger.map((r, i) => r[key] / rounds.bsql[i][key]);
  const appendKinds = [
    ['singlePerSec', 'durable single appends, awaited one by one'],
    ['batchedPerSec', `batched appends (${BATCH} per transaction)`],
    ['concurrentPerSec', `durable single appends, ${CONCURRENT_CALLERS} concurrent callers`],
  ];
  const headline = Object.fromEntries(appendKinds.map(([key]) => [key, median(paired(key))]));
  console.log(`[bench] paired round ratios (store ÷ better-sqlite3 of the same round; ${ROUNDS} rounds):`);
  for (const [key, label] of appendKinds)
    console.log(
      `[bench]   ${label}: ${paired(key)
        .map((x) => `${x.toFixed(2)}×`)
        .join(', ')}`,
    );
  const f = (n, d = 0) => n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
  const ratio = (x, y) => `${(x / y).toFixed(2)}×`;
  const rows = [
    [
      'durable single appends/s (awaited one by one)',
      f(a.singlePerSec),
      f(b.singlePerSec),
      `${headline.singlePerSec.toFixed(2)}×`,
      '≥ 1.0×',
    ],
    [
      `durable single appends/s (${CONCURRENT_CALLERS} concurrent callers)`,
      f(a.concurrentPerSec),
      f(b.concurrentPerSec),
      `${headline.concurrentPerSec.toFixed(2)}×`,
      '≥ 1.0×',
    ],
    [
      `batched appends/s (${BATCH} per transaction)`,
      f(a.batchedPerSec),
      f(b.batchedPerSec),
      `${headline.batchedPerSec.toFixed(2)}×`,
      '≥ 1.0×',
    ],
    ['store file size (MB)', f(a.fileMb, 1), f(b.fileMb, 1), '', ''],
    ['cold open, fresh process (ms)', f(a.open.openMs, 1), f(b.open.openMs, 1), ratio(a.open.openMs, b.open.openMs), '≤ 300 ms'],
    ['first timeline page after open (ms)', f(a.open.firstPageMs, 2), f(b.open.firstPageMs, 2), '', ''],
    [
      'timeline page, 200 events (median / p95 ms)',
      `${f(a.page200.medianMs, 3)} / ${f(a.page200.p95Ms, 3)}`,
      `${f(b.page200.medianMs, 3)} / ${f(b.page200.p95Ms, 3)}`,
      ratio(a.page200.medianMs, b.page200.medianMs),
      '',
    ],
    [
      'timeline page, 100 events (median / p95 ms)',
      `${f(a.page100.medianMs, 3)} / ${f(a.page100.p95Ms, 3)}`,
      `${f(b.page100.medianMs, 3)} / ${f(b.page100.p95Ms, 3)}`,
      ratio(a.page100.medianMs, b.page100.medianMs),
      '≤ 2 ms',
    ],
    ['snapshot / checkpoint duration (ms)', f(a.snapshotMs, 1), f(b.snapshotMs, 1), '', ''],
    [
      'longest main-thread stall during it (ms)',
      `${f(a.stall.maxGapMs, 1)} (loop delay ${f(a.stall.maxLoopDelayMs, 1)})`,
      `${f(b.stall.maxGapMs, 1)} (loop delay ${f(b.stall.maxLoopDelayMs, 1)})`,
      '',
      '≤ 50 ms',
    ],
    ['peak RSS, build + measure (MB)', f(a.peakRssMb), f(b.peakRssMb), ratio(a.peakRssMb, b.peakRssMb), ''],
    ['peak RSS, cold open (MB)', f(a.open.peakRssMb), f(b.open.peakRssMb), ratio(a.open.peakRssMb, b.open.peakRssMb), ''],
  ];
  const header = ['', 'session store', 'better-sqlite3', 'ratio', 'target'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (r) => r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  console.log(`[bench] each engine's figures: its median over ${ROUNDS} rounds; append ratios: the median paired round ratio`);
  console.log(line(header));
  for (const r of rows) console.log(line(r));
  const verdict = (x) => `${x.toFixed(2)}× ${x >= 1 ? '(target ≥ 1.0× met)' : '(BELOW the ≥ 1.0× target)'}`;
  console.log(
    `[bench] HEADLINE, median of ${ROUNDS} paired rounds (store ÷ better-sqlite3): ` +
      `single awaited append ${verdict(headline.singlePerSec)}; batched ${verdict(headline.batchedPerSec)}; ${CONCURRENT_CALLERS} concurrent ${verdict(headline.concurrentPerSec)}`,
  );
}
