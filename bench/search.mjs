// Full-text search speed over 100,000 events (target ≤ 10 ms per search). Prints figures; exits 1 when
// a search or the data it searches is wrong (a hit count, a planted hit, a row or index count).
//   npm run bench:search            (node bench/search.mjs [events])
// The data is written as the extension writes it: through the session store's own write path
// (SessionStore.transaction and its repositories, batched), so events are indexed for search the way
// the store indexes them (at the end of each transaction: migration 0006), journalled and all. The
// store and searchLedger() are bundled as the extension is (esbuild, the sql.js patches included).
// Every search is checked against the number of hits the generated text must give (computed here,
// word by word), and the planted rare words must be found in the event they were planted in.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const cache = path.join(here, '.cache', 'search');
const EVENTS = Number(process.argv[2] ?? 100_000);
const SESSIONS = 500;
const INTERACTIONS_PER_SESSION = 10;
const EVENTS_PER_TRANSACTION = 1_000;
const LIMIT = 50; // searchLedger's default hits per kind
const TARGET_MS = 10;
const VOCABULARY = (
  'read write edit bash grep glob file test build parse json config error warning function class module import export ' +
  'render component state store query index table column migrate session event hook tool prompt reply token cost usage ' +
  'timeline webview terminal runner engine workflow step phase plan spec docs review refactor rename format lint type'
).split(' ');
const PLANTED_AT = EVENTS - 7; // the one event holding "needle zanzibar"

const failures = [];
const check = (ok, what) => {
  if (!ok) failures.push(what);
  return ok;
};

// ---------- build: the store and searchLedger, bundled as the extension bundles them ----------
async function bundle() {
  const esbuild = await import('esbuild');
  const { sqlJsGrowthPlugin } = await import('../scripts/sqljsGrowthPlugin.mjs');
  const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node18', logLevel: 'warning', plugins: [sqlJsGrowthPlugin] };
  const entry = path.join(cache, 'entry.ts');
  fs.mkdirSync(cache, { recursive: true });
  fs.writeFileSync(
    entry,
    `export { SessionStore } from ${JSON.stringify(path.join(root, 'src/core/store/SessionStore.ts'))};\n` +
      `export { searchLedger } from ${JSON.stringify(path.join(root, 'src/core/ledger/search.ts'))};\n`,
  );
  await esbuild.build({ ...common, entryPoints: [entry], outfile: path.join(cache, 'search.js') });
  await esbuild.build({
    ...common,
    entryPoints: [path.join(root, 'src/core/store/snapshotWorker.ts')],
    outfile: path.join(cache, 'snapshotWorker.js'),
  });
  return createRequire(import.meta.url)(path.join(cache, 'search.js'));
}

// ---------- the data, and what a search over it must find ----------
let seed = 42;
const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const words = (n) => Array.from({ length: n }, () => VOCABULARY[Math.floor(random() * VOCABULARY.length)]).join(' ');
/** The terms FTS4's unicode61 tokenizer makes of ASCII text: runs of letters and digits, lower-cased. */
const terms = (...texts) =>
  new Set(
    texts
      .filter((t) => t != null)
      .join(' ')
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter(Boolean),
  );
/** The one-token session key the event and interaction indexes hold (migration 0005). */
const sessionKey = (sessionId) => 's' + sessionId.replace(/-/g, '');

/** Per kind, every document's session and terms, in insertion order (what the FTS tables index). */
const documents = { session: [], interaction: [], event: [] };

/** How many hits searchLedger must return per kind: every word present, the last one as a prefix; at most LIMIT. */
function expectedHits(query, sessionId) {
  const queryWords = query.toLowerCase().split(/\s+/).filter(Boolean);
  const matches = (docTerms) =>
    queryWords.every((word, i) => (i === queryWords.length - 1 ? [...docTerms].some((t) => t.startsWith(word)) : docTerms.has(word)));
  const count = (docs) =>
    Math.min(LIMIT, docs.filter((d) => (sessionId === undefined || d.sessionId === sessionId) && matches(d.terms)).length);
  return { session: count(documents.session), interaction: count(documents.interaction), event: count(documents.event) };
}

async function fill(store) {
  const sessions = [];
  const t0 = performance.now();
  await store.transaction((tx) => {
    for (let s = 0; s < SESSIONS; s++) {
      const title = `Session ${s} ${words(4)}`;
      const intention = words(12);
      const session = tx.sessions.create({ type: 'claude-code', title, intention });
      documents.session.push({ sessionId: session.id, terms: terms(title, intention) });
      const interactions = [];
      for (let i = 1; i <= INTERACTIONS_PER_SESSION; i++) {
        const command = words(15);
        const output = words(60);
        const interaction = tx.interactions.append({ sessionId: session.id, step: 'prompt', kind: 'claude', command });
        tx.interactions.setResult(interaction.id, { status: 'ok', output });
        documents.interaction.push({ sessionId: session.id, terms: terms(sessionKey(session.id), command, output) });
        interactions.push(interaction.id);
      }
      sessions.push({ id: session.id, interactions, seq: 0 });
    }
  });
  const types = ['hook.PreToolUse', 'hook.PostToolUse', 'claude.text', 'claude.tool_use', 'claude.tool_result'];
  let planted;
  for (let from = 0; from < EVENTS; from += EVENTS_PER_TRANSACTION) {
    const batch = [];
    for (let e = from; e < Math.min(EVENTS, from + EVENTS_PER_TRANSACTION); e++) {
      const session = sessions[e % SESSIONS];
      const text = e === PLANTED_AT ? `needle zanzibar ${words(30)}` : words(40);
      const event = {
        id: `ev-${e}`,
        sessionId: session.id,
        interactionId: session.interactions[++session.seq % INTERACTIONS_PER_SESSION],
        type: types[e % types.length],
        toolName: e % 3 === 0 ? 'Bash' : 'Edit',
        payload: { tool_input: { command: text }, cwd: '/home/dev/app' },
      };
      if (e === PLANTED_AT) planted = event;
      batch.push(event);
      documents.event.push({
        sessionId: session.id,
        terms: terms(sessionKey(session.id), event.type, event.toolName, JSON.stringify(event.payload)),
      });
    }
    await store.transaction((tx) => batch.forEach((event) => tx.events.append(event)));
  }
  return { sessions, planted, buildMs: performance.now() - t0 };
}

// ---------- measuring ----------
function measure(run, rounds = 40) {
  const samples = [];
  let result;
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    result = run();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  const p = (q) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
  return { result, median: p(0.5), p95: p(0.95), max: p(1) };
}

const { SessionStore, searchLedger } = await bundle();
const directory = fs.mkdtempSync(path.join(cache, 'ledger-'));
const store = await SessionStore.open({
  directory,
  wasmPath: path.join(root, 'node_modules/sql.js/dist/sql-wasm.wasm'),
  migrationsDirectory: path.join(root, 'migrations'),
  workerPath: path.join(cache, 'snapshotWorker.js'),
  snapshotIdleMs: 0,
});
try {
  const { sessions, planted, buildMs } = await fill(store);
  const db = store.sql;
  const count = (sql) => Number(db.all(sql)[0].n);

  // The data is what was written, and every event is in the search index.
  const rows = {
    sessions: count('SELECT count(*) AS n FROM sessions'),
    interactions: count('SELECT count(*) AS n FROM interactions'),
    events: count('SELECT count(*) AS n FROM events'),
    'indexed events': count('SELECT count(*) AS n FROM search_events_docsize'),
    'indexed interactions': count('SELECT count(*) AS n FROM search_interactions_docsize'),
    'indexed sessions': count('SELECT count(*) AS n FROM search_sessions_docsize'),
  };
  const wanted = {
    sessions: SESSIONS,
    interactions: SESSIONS * INTERACTIONS_PER_SESSION,
    events: EVENTS,
    'indexed events': EVENTS,
    'indexed interactions': SESSIONS * INTERACTIONS_PER_SESSION,
    'indexed sessions': SESSIONS,
  };
  for (const [what, n] of Object.entries(rows)) check(n === wanted[what], `${what}: ${n} rows, expected ${wanted[what]}`);
  console.log(
    `${EVENTS} events, ${SESSIONS * INTERACTIONS_PER_SESSION} interactions, ${SESSIONS} sessions, written through the store in ${Math.ceil(EVENTS / EVENTS_PER_TRANSACTION) + 1} transactions ` +
      `in ${buildMs.toFixed(0)} ms; rows: ${Object.entries(rows)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
  );

  const medians = [];
  /** Times a search and checks its hits per kind against what the data must give. */
  function time(label, query, options = {}) {
    const m = measure(() => searchLedger(db, query, options));
    const hits = m.result;
    const got = { session: 0, interaction: 0, event: 0 };
    for (const hit of hits) got[hit.kind]++;
    const expected = expectedHits(query, options.sessionId);
    const right = check(
      ['session', 'interaction', 'event'].every((k) => got[k] === expected[k]),
      `"${query}"${options.sessionId ? ' in one session' : ''}: hits (session/interaction/event) ${got.session}/${got.interaction}/${got.event}, expected ${expected.session}/${expected.interaction}/${expected.event}`,
    );
    if (options.sessionId)
      check(
        hits.every((h) => h.sessionId === options.sessionId),
        `"${query}" in one session: a hit from another session`,
      );
    medians.push(m.median);
    console.log(
      `${label.padEnd(44)} hits ${String(hits.length).padStart(4)} ${right ? '(as expected)' : '(WRONG)     '}   median ${m.median.toFixed(2)} ms   p95 ${m.p95.toFixed(2)} ms   max ${m.max.toFixed(2)} ms`,
    );
    return m;
  }

  /** The same-run baseline: what a store without the FTS4 index does, a LIKE scan of the payloads. */
  function baseline(label, word, fts) {
    const m = measure(() => db.all('SELECT id FROM events WHERE payload LIKE ? LIMIT 50', [`%${word}%`]), 10);
    const ftsEvents = fts.result.filter((h) => h.kind === 'event').length;
    check(m.result.length === ftsEvents, `LIKE scan for "${word}" found ${m.result.length} events, FTS4 ${ftsEvents}`);
    console.log(
      `${('  baseline: LIKE scan for "' + word + '"').padEnd(44)} hits ${String(m.result.length).padStart(4)}   median ${m.median.toFixed(2)} ms   → FTS4 is ${(m.median / fts.median).toFixed(1)}× faster (${label})`,
    );
  }

  const rare = time('rare word ("zanzibar")', 'zanzibar');
  check(
    rare.result.length === 1 && rare.result[0].eventId === planted.id && rare.result[0].sessionId === planted.sessionId,
    `"zanzibar" did not find the planted event ${planted.id}`,
  );
  baseline('rare word', 'zanzibar', rare);
  const two = time('two rare words ("needle zanzibar")', 'needle zanzibar');
  check(two.result.length === 1 && two.result[0].eventId === planted.id, `"needle zanzibar" did not find the planted event ${planted.id}`);
  time('common word ("refactor"), 50 per kind', 'refactor');
  time('common prefix ("ref"), 50 per kind', 'ref');
  time('two common words ("grep token")', 'grep token');
  time('common word in one session', 'refactor', { sessionId: sessions[3].id });
  baseline('no hit', 'xylophone', time('no hit ("xylophone")', 'xylophone'));

  const slowest = Math.max(...medians);
  console.log(
    `slowest median search: ${slowest.toFixed(2)} ms (target ≤ ${TARGET_MS} ms over ${EVENTS} events) ${slowest <= TARGET_MS ? 'OK' : 'OVER TARGET'}`,
  );
} finally {
  await store.close();
  fs.rmSync(directory, { recursive: true, force: true });
}
if (failures.length > 0) {
  console.error(`bench:search: WRONG RESULTS (${failures.length}):\n  ${failures.join('\n  ')}`);
  process.exitCode = 1;
} else {
  console.log('bench:search: every search found the expected hits, the planted ones included; every row written and indexed');
}
