// Team ledger benchmark (src/core/sync, docs/team-ledger.md) against a real, throwaway PostgreSQL
// (Debian's `postgresql` package: initdb in a temporary directory, a Unix socket only, stopped and
// removed at the end — test/sync/pgCluster.ts).
//   npm run bench:sync
//   node bench/sync.mjs --events=20000 --rounds=1 --lag=50   (quick run while iterating)
// Measures, with the roles and row-level-security policies a team runs (members alice and bob):
//   push      — the replicator sending ledger A's outbox (EVENTS events in SESSIONS sessions, plus the
//               sessions, steps, runs, notes) to an empty team database: read, redact, upsert in
//               5,000-row server transactions, acknowledge locally;
//   baseline  — the same event rows (as ledger A holds them) bulk-inserted into an empty team database
//               with plain multi-row INSERTs (no ON CONFLICT, no redaction, no outbox), same role,
//               same 5,000 rows per transaction;
//   catch-up  — an empty ledger B pulling everything A pushed (EVENTS events), applied locally;
//   lag       — live mode on both (A pushes after each commit; B LISTENs and pulls on NOTIFY): the time
//               from a one-event commit on A until B's ledger has it (p50/p99 over --lag appends).
// Push and baseline alternate in --rounds rounds (this machine's speed drifts): the headline is the
// median of the paired ratios push rows/s ÷ baseline rows/s. Targets: push ≥ 0.5× baseline,
// catch-up of 100,000 events ≤ 30 s, p99 lag ≤ 1 s.
// Every phase checks its row counts (server, ledger B, each lagged event arriving); the bench exits 1
// when one is wrong. A missed target is reported, not an error.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const cache = path.join(here, '.cache');
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const EVENTS = Number(args.events ?? 100_000);
const SESSIONS = Number(args.sessions ?? 100);
const ROUNDS = Number(args.rounds ?? 3);
const LAG_SAMPLES = Number(args.lag ?? 200);
const BATCH = 5_000; // rows per server transaction, both sides (the replicator's default batch)
const PROJECT = 'github.com/acme/bench';

const failures = [];
const check = (ok, what) => {
  if (!ok) failures.push(what);
  return ok;
};
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
const fmt = (n, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

// ---------- build: the store, the replicator and the test cluster helper, bundled as the extension bundles them ----------
async function bundle() {
  const esbuild = await import('esbuild');
  const { sqlJsGrowthPlugin } = await import('../scripts/sqljsGrowthPlugin.mjs');
  const common = {
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    logLevel: 'warning',
    plugins: [sqlJsGrowthPlugin],
    external: ['pg', 'pg-native'],
  };
  const entry = path.join(cache, 'sync-entry.ts');
  fs.mkdirSync(cache, { recursive: true });
  const from = (file) => JSON.stringify(path.join(root, file));
  fs.writeFileSync(
    entry,
    `export { SessionStore } from ${from('src/core/store/SessionStore.ts')};\n` +
      `export { Replicator } from ${from('src/core/sync/replicator.ts')};\n` +
      `export { migrateTeamLedger, loadPgMigrations } from ${from('src/core/sync/pgMigrations.ts')};\n` +
      `export { createTeamPool } from ${from('src/core/sync/teamPool.ts')};\n` +
      `export { SYNC_TABLE } from ${from('src/core/sync/syncTables.ts')};\n` +
      `export { PgCluster } from ${from('test/sync/pgCluster.ts')};\n`,
  );
  await esbuild.build({ ...common, entryPoints: [entry], outfile: path.join(cache, 'sync.js') });
  await esbuild.build({
    ...common,
    entryPoints: [path.join(root, 'src/core/store/snapshotWorker.ts')],
    outfile: path.join(cache, 'snapshotWorker.js'),
  });
  return createRequire(import.meta.url)(path.join(cache, 'sync.js'));
}

const lib = await bundle();
const { SessionStore, Replicator, migrateTeamLedger, loadPgMigrations, createTeamPool, SYNC_TABLE, PgCluster } = lib;
const migrations = loadPgMigrations(path.join(root, 'migrations', 'postgres'));
const openLedger = (prefix) =>
  SessionStore.open({
    directory: fs.mkdtempSync(path.join(os.tmpdir(), prefix)),
    wasmPath: path.join(root, 'node_modules/sql.js/dist/sql-wasm.wasm'),
    migrationsDirectory: path.join(root, 'migrations'),
    snapshotIdleMs: 0,
    snapshotInWorker: false,
  });

// ---------- the team database: as an admin sets it up (migrations/postgres/README.md) ----------
const cluster = await PgCluster.start();
let exitCode = 0;
try {
  const admin = cluster.pool('postgres');
  await admin.query(`CREATE ROLE session_ledger_member NOLOGIN`);
  await admin.query(`CREATE ROLE alice LOGIN IN ROLE session_ledger_member`);
  await admin.query(`CREATE ROLE bob LOGIN IN ROLE session_ledger_member`);
  await admin.query('CREATE DATABASE team_template');
  {
    const db = cluster.pool('postgres', 'team_template');
    await db.query(fs.readFileSync(path.join(root, 'migrations', 'postgres', 'setup-roles.sql'), 'utf8'));
    await migrateTeamLedger(db, migrations);
    await db.query('INSERT INTO projects (id, name) VALUES ($1, $2)', [PROJECT, 'Bench']);
    await db.query("INSERT INTO project_members (project_id, role_name) VALUES ($1, 'alice'), ($1, 'bob')", [PROJECT]);
    await db.end();
  }
  let databases = 0;
  /** A fresh team database (a copy of the migrated template: same schema, policies, members). */
  async function freshDatabase() {
    const name = `team_${++databases}`;
    await admin.query(`CREATE DATABASE ${name} TEMPLATE team_template`);
    return name;
  }
  const serverCount = async (database, table) => {
    const pool = cluster.pool('postgres', database);
    try {
      return Number((await pool.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
    } finally {
      await pool.end();
    }
  };

  // ---------- ledger A: SESSIONS sessions, EVENTS events, recorded with change capture on ----------
  console.log(
    `[bench] PostgreSQL ${(await admin.query('SHOW server_version')).rows[0].server_version}; recording ${fmt(EVENTS)} events in ${SESSIONS} sessions on ledger A…`,
  );
  const ledgerA = await openLedger('bench-sync-a-');
  await ledgerA.transaction((tx) => tx.ledgerMeta.set('sync.capture', '1'));
  const sessionIds = await ledgerA.transaction((tx) =>
    Array.from({ length: SESSIONS }, (_, i) => tx.sessions.create({ type: 'bench', title: `Session ${i}`, intention: `Goal ${i}` }).id),
  );
  const perTransaction = 1_000;
  for (let written = 0; written < EVENTS; written += perTransaction) {
    const n = Math.min(perTransaction, EVENTS - written);
    await ledgerA.transaction((tx) => {
      for (let i = 0; i < n; i++) {
        const index = written + i;
        tx.events.append({
          id: randomUUID(),
          sessionId: sessionIds[index % SESSIONS],
          type: index % 3 === 0 ? 'hook.PostToolUse' : 'agent.text',
          toolName: index % 3 === 0 ? 'Bash' : undefined,
          payload: { index, text: `step ${index}: ran the tests, 3 passed, 1 failed in src/module${index % 97}.ts` },
        });
      }
    });
  }
  const localEvents = Number(ledgerA.sql.all('SELECT count(*) AS n FROM events')[0].n);
  check(localEvents === EVENTS, `ledger A holds ${localEvents} events, expected ${EVENTS}`);
  const eventColumns = SYNC_TABLE.events.columns;
  const eventRows = ledgerA.sql.all(`SELECT ${eventColumns.join(', ')} FROM events ORDER BY rowid`);
  const sessionColumns = SYNC_TABLE.sessions.columns;
  const sessionRows = ledgerA.sql.all(`SELECT ${sessionColumns.join(', ')} FROM sessions ORDER BY rowid`);

  /** Queues ledger A's whole history again (as turning capture on does), for a push to an empty database. */
  async function requeue() {
    await ledgerA.transaction(() => {
      ledgerA.sql.run('DELETE FROM sync_outbox');
      ledgerA.sql.run("DELETE FROM ledger_meta WHERE key = 'sync.capture'");
    });
    const replicator = new Replicator({
      store: ledgerA,
      pool: undefined,
      person: 'alice',
      machine: 'machine-a',
      projectId: PROJECT,
      sharing: 'all',
    });
    await replicator.enableCapture();
    return Number(ledgerA.sql.all('SELECT count(*) AS n FROM sync_outbox')[0].n);
  }

  async function pushRound() {
    const queued = await requeue();
    const database = await freshDatabase();
    const pool = createTeamPool({ ...cluster.config('alice', database) });
    const replicator = new Replicator({ store: ledgerA, pool, person: 'alice', machine: 'machine-a', projectId: PROJECT, sharing: 'all' });
    const started = performance.now();
    const settled = await replicator.pushAll();
    const ms = performance.now() - started;
    await pool.end();
    const onServer = await serverCount(database, 'events');
    check(settled === queued, `push settled ${settled} outbox rows of ${queued}`);
    check(onServer === EVENTS, `push: the server holds ${onServer} events, expected ${EVENTS}`);
    check(replicator.pendingCount() === 0, 'push left rows in the outbox');
    return { database, ms, eventsPerSecond: EVENTS / (ms / 1000), rows: queued };
  }

  async function baselineRound() {
    const database = await freshDatabase();
    const pool = createTeamPool({ ...cluster.config('alice', database) });
    const client = await pool.connect();
    const insert = async (table, columns, rows, extra) => {
      const all = [...columns, ...Object.keys(extra)];
      const perStatement = Math.floor(30_000 / all.length);
      for (let start = 0; start < rows.length; start += BATCH) {
        await client.query('BEGIN');
        const batch = rows.slice(start, start + BATCH);
        for (let s = 0; s < batch.length; s += perStatement) {
          const part = batch.slice(s, s + perStatement);
          const values = [];
          const tuples = part.map((row) => {
            const marks = all.map((column) => {
              values.push(column in extra ? extra[column] : row[column]);
              return `$${values.length}`;
            });
            return `(${marks.join(', ')})`;
          });
          await client.query(`INSERT INTO ${table} (${all.join(', ')}) VALUES ${tuples.join(', ')}`, values);
        }
        await client.query('COMMIT');
      }
    };
    // The sessions first (not timed: the events refer to them), then the same event rows, timed.
    await insert('sessions', sessionColumns, sessionRows, { project_id: PROJECT, owner_person: 'alice', owner_machine: 'machine-a' });
    const started = performance.now();
    await insert('events', eventColumns, eventRows, { project_id: PROJECT });
    const ms = performance.now() - started;
    client.release();
    await pool.end();
    const onServer = await serverCount(database, 'events');
    check(onServer === EVENTS, `baseline: the server holds ${onServer} events, expected ${EVENTS}`);
    return { ms, eventsPerSecond: EVENTS / (ms / 1000) };
  }

  async function catchUp(database) {
    const ledgerB = await openLedger('bench-sync-b-');
    const pool = createTeamPool({ ...cluster.config('bob', database) });
    const replicator = new Replicator({ store: ledgerB, pool, person: 'bob', machine: 'machine-b', projectId: PROJECT, sharing: 'off' });
    const started = performance.now();
    const applied = await replicator.pull();
    const ms = performance.now() - started;
    const onB = Number(ledgerB.sql.all('SELECT count(*) AS n FROM events')[0].n);
    check(onB === EVENTS, `catch-up: ledger B holds ${onB} events, expected ${EVENTS}`);
    check((await replicator.pull()) === 0, 'catch-up: a second pull applied rows again');
    await pool.end();
    return { ms, applied, ledgerB };
  }

  const rounds = [];
  let lastPush;
  for (let round = 1; round <= ROUNDS; round++) {
    const push = await pushRound();
    const baseline = await baselineRound();
    const ratio = push.eventsPerSecond / baseline.eventsPerSecond;
    rounds.push({ push, baseline, ratio });
    lastPush = push;
    console.log(
      `[bench] round ${round}: push ${fmt(push.ms)} ms (${fmt(push.eventsPerSecond)} events/s; ${fmt(push.rows)} rows in all) · baseline ${fmt(baseline.ms)} ms (${fmt(baseline.eventsPerSecond)} events/s) · ratio ${fmt(ratio, 2)}`,
    );
  }
  const catchUps = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const result = await catchUp(lastPush.database);
    catchUps.push(result.ms);
    console.log(`[bench] catch-up ${round}: ${fmt(result.ms)} ms (${fmt(result.applied)} rows applied on an empty ledger B)`);
    await result.ledgerB.close();
  }

  // ---------- lag: live A (the 100,000-event ledger) → server → NOTIFY → live B ----------
  // B is a fresh ledger whose pull cursor starts now (sql.js keeps every open ledger in one wasm
  // heap: a second 100,000-event ledger beside A's is more than it holds); it receives each new
  // event, and the session it belongs to once.
  const poolA = createTeamPool({ ...cluster.config('alice', lastPush.database) });
  const poolB = createTeamPool({ ...cluster.config('bob', lastPush.database) });
  const ledgerB = await openLedger('bench-sync-lag-b-');
  const xmin = (await poolB.query('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin')).rows[0].xmin;
  await ledgerB.transaction((tx) => tx.ledgerMeta.set('sync.pull_cursor', xmin));
  const liveA = new Replicator({
    store: ledgerA,
    pool: poolA,
    person: 'alice',
    machine: 'machine-a',
    projectId: PROJECT,
    sharing: 'all',
    pollMs: 600_000,
  });
  const liveB = new Replicator({
    store: ledgerB,
    pool: poolB,
    person: 'bob',
    machine: 'machine-b',
    projectId: PROJECT,
    sharing: 'off',
    pollMs: 600_000,
  });
  await liveA.pushAll(); // the round's re-queue left the outbox full of rows the server already has
  liveA.start();
  liveB.start();
  await new Promise((resolve) => setTimeout(resolve, 500)); // LISTEN established
  const lags = [];
  const target = sessionIds[0];
  for (let i = 0; i < LAG_SAMPLES; i++) {
    const id = randomUUID();
    const arrived = new Promise((resolve) => {
      const seen = () => ledgerB.sql.all('SELECT 1 FROM events WHERE id = ?', [id]).length > 0;
      let timer;
      const finish = (at) => {
        clearTimeout(timer);
        subscription.dispose();
        resolve(at);
      };
      const subscription = ledgerB.onDidChange(() => {
        if (seen()) finish(performance.now());
      });
      timer = setTimeout(() => finish(seen() ? performance.now() : undefined), 10_000);
    });
    const started = performance.now();
    await ledgerA.transaction((tx) => tx.events.append({ id, sessionId: target, type: 'agent.text', payload: { text: `live ${i}` } }));
    const at = await arrived;
    if (!check(at !== undefined, `lag: event ${i} did not arrive on B within 10 s`)) break;
    lags.push(at - started);
    await new Promise((resolve) => setTimeout(resolve, 20 + (i % 5) * 10)); // appends spaced like a session's
  }
  await liveA.stop();
  await liveB.stop();
  await poolA.end();
  await poolB.end();
  const onB = Number(ledgerB.sql.all('SELECT count(*) AS n FROM events')[0].n);
  check(onB === LAG_SAMPLES, `lag: ledger B holds ${onB} events, expected the ${LAG_SAMPLES} appended live`);
  await ledgerB.close();
  await ledgerA.close();
  await admin.end();

  // ---------- figures ----------
  const ratio = median(rounds.map((r) => r.ratio));
  const catchUpMs = median(catchUps);
  const p50 = lags.length ? percentile(lags, 50) : NaN;
  const p99 = lags.length ? percentile(lags, 99) : NaN;
  const scaledCatchUp = (catchUpMs * 100_000) / EVENTS;
  const verdict = (ok) => (ok ? 'met' : 'MISSED');
  console.log('');
  console.log(
    `Team ledger sync — ${fmt(EVENTS)} events in ${SESSIONS} sessions, ${ROUNDS} paired round(s), PostgreSQL on a Unix socket, row-level security on`,
  );
  console.log(`  push / baseline (median of paired ratios): ${fmt(ratio, 2)}×   target ≥ 0.50× — ${verdict(ratio >= 0.5)}`);
  console.log(
    `    push:     median ${fmt(median(rounds.map((r) => r.push.eventsPerSecond)))} events/s (${fmt(median(rounds.map((r) => r.push.ms)))} ms)`,
  );
  console.log(
    `    baseline: median ${fmt(median(rounds.map((r) => r.baseline.eventsPerSecond)))} events/s (${fmt(median(rounds.map((r) => r.baseline.ms)))} ms)`,
  );
  console.log(
    `  catch-up of ${fmt(EVENTS)} events: median ${fmt(catchUpMs / 1000, 2)} s${EVENTS === 100_000 ? '' : ` (${fmt(scaledCatchUp / 1000, 2)} s scaled to 100,000)`}   target ≤ 30 s — ${verdict(scaledCatchUp <= 30_000)}`,
  );
  console.log(
    `  lag A → B over ${lags.length} appends: p50 ${fmt(p50)} ms, p99 ${fmt(p99)} ms   target p99 ≤ 1,000 ms — ${verdict(p99 <= 1000)}`,
  );
} catch (error) {
  failures.push(String(error?.stack ?? error));
} finally {
  cluster.stop();
}
if (failures.length > 0) {
  console.error(`\n[bench] WRONG RESULTS:\n  ${failures.join('\n  ')}`);
  exitCode = 1;
}
process.exit(exitCode);
