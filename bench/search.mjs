// Full-text search speed over 100,000 events (target ≤ 10 ms per search). Prints figures.
//   node bench/search.mjs [events]
// Builds a sql.js database with the real migrations (0001 + 0002 FTS4 triggers), fills it through
// plain INSERTs (the triggers index every row), then times searchLedger() for typical queries.
import { tsImport } from 'tsx/esm/api';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';

const require = createRequire(import.meta.url);
const initSqlJs = require('sql.js');
const { searchLedger } = await tsImport('../src/core/claudeCode/search.ts', import.meta.url);

const EVENTS = Number(process.argv[2] ?? 100_000);
const SESSIONS = 500;
const INTERACTIONS_PER_SESSION = 10;
const VOCABULARY = (
  'read write edit bash grep glob file test build parse json config error warning function class module import export ' +
  'render component state store query index table column migrate session event hook tool prompt reply token cost usage ' +
  'timeline webview terminal runner engine workflow step phase plan spec docs review refactor rename format lint type'
).split(' ');

const SQL = await initSqlJs();
const db = new SQL.Database();
for (const file of readdirSync('migrations').filter((f) => f.endsWith('.sql')).sort()) {
  db.exec(readFileSync(`migrations/${file}`, 'utf8'));
}

let seed = 42;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const words = (n) => Array.from({ length: n }, () => VOCABULARY[Math.floor(random() * VOCABULARY.length)]).join(' ');

const t0 = performance.now();
db.exec('BEGIN');
const insertSession = db.prepare(
  `INSERT INTO sessions (id, type, title, slug, intention, agent, provider, environment, execution_mode, status, created_at, updated_at)
   VALUES (?, 'claude-code', ?, 's', ?, 'claude_code', 'claude-code-cli', 'local', 'manual', 'complete', ?, ?)`,
);
const insertInteraction = db.prepare(
  `INSERT INTO interactions (id, session_id, seq, step, command_kind, command, command_at, result_status, output)
   VALUES (?, ?, ?, 'prompt', 'claude', ?, ?, 'ok', ?)`,
);
const insertEvent = db.prepare(
  `INSERT INTO events (id, session_id, seq, interaction_id, type, tool_name, payload, ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
);
const sessions = [];
for (let s = 0; s < SESSIONS; s++) {
  const id = randomUUID();
  const interactions = [];
  insertSession.run([id, `Session ${s} ${words(4)}`, words(12), s, s]);
  for (let i = 1; i <= INTERACTIONS_PER_SESSION; i++) {
    const iid = randomUUID();
    interactions.push(iid);
    insertInteraction.run([iid, id, i, words(15), s * 1e6 + i, words(60)]);
  }
  sessions.push({ id, interactions, seq: 0 });
}
const types = ['hook.PreToolUse', 'hook.PostToolUse', 'claude.text', 'claude.tool_use', 'claude.tool_result'];
for (let e = 0; e < EVENTS; e++) {
  const session = sessions[e % SESSIONS];
  const text = e === EVENTS - 7 ? `needle zanzibar ${words(30)}` : words(40);
  insertEvent.run([
    `ev-${e}`,
    session.id,
    ++session.seq,
    session.interactions[session.seq % INTERACTIONS_PER_SESSION],
    types[e % types.length],
    e % 3 === 0 ? 'Bash' : 'Edit',
    JSON.stringify({ tool_input: { command: text }, cwd: '/home/dev/app' }),
    e,
  ]);
}
db.exec('COMMIT');
[insertSession, insertInteraction, insertEvent].forEach((s) => s.free());
const buildMs = performance.now() - t0;

const reader = {
  all(sql, params = []) {
    const statement = db.prepare(sql);
    try {
      statement.bind(params);
      const rows = [];
      while (statement.step()) rows.push(statement.getAsObject());
      return rows;
    } finally {
      statement.free();
    }
  },
};

function measure(run, rounds = 40) {
  const samples = [];
  let hits = 0;
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    hits = run();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  const p = (q) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
  return { hits, median: p(0.5), p95: p(0.95), max: p(1) };
}

function time(label, query, options) {
  const m = measure(() => searchLedger(reader, query, options).length);
  console.log(`${label.padEnd(44)} hits ${String(m.hits).padStart(4)}   median ${m.median.toFixed(2)} ms   p95 ${m.p95.toFixed(2)} ms   max ${m.max.toFixed(2)} ms`);
  return m;
}

/** The same-run baseline: what a store without the FTS4 index does, a LIKE scan of the payloads. */
function baseline(label, word, ftsMedian) {
  const m = measure(() => reader.all(`SELECT id FROM events WHERE payload LIKE ? LIMIT 50`, [`%${word}%`]).length, 10);
  console.log(
    `${('  baseline: LIKE scan for "' + word + '"').padEnd(44)} hits ${String(m.hits).padStart(4)}   median ${m.median.toFixed(2)} ms   → FTS4 is ${(m.median / ftsMedian).toFixed(1)}× faster (${label})`,
  );
}

console.log(`${EVENTS} events, ${SESSIONS * INTERACTIONS_PER_SESSION} interactions, ${SESSIONS} sessions; indexed in ${buildMs.toFixed(0)} ms`);
baseline('rare word', 'zanzibar', time('rare word ("zanzibar")', 'zanzibar').median);
time('two rare words ("needle zanzibar")', 'needle zanzibar');
time('common word ("refactor"), 50 per kind', 'refactor');
time('common prefix ("ref"), 50 per kind', 'ref');
time('two common words ("grep token")', 'grep token');
time('common word in one session', 'refactor', { sessionId: sessions[3].id });
baseline('no hit', 'xylophone', time('no hit ("xylophone")', 'xylophone').median);
