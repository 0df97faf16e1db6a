// Time to first render of a 10,000-interaction timeline (target ≤ 300 ms). Prints figures; exits 1
// when the results are wrong (rows stored, rows the page loaded and rendered, page errors).
//   node bench/timeline.mjs [interactions] [--runs N] [--screenshot file.png]
// The measured path is the real one: store query and mapping (TimelineSync.snapshot, as the
// panel does on `ready`) → the snapshot message, serialised across to the page → the built
// dist/webview/timeline.js validating it (zod) and rendering the virtualised list in Chromium
// → the page posting `rendered`. Setup (filling the store, loading the page) is not timed.
/* global window, document -- used only in functions run inside the page by page.evaluate */
import { tsImport } from 'tsx/esm/api';
import { chromium } from 'playwright-core';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execFileSync } from 'node:child_process';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : fallback;
};
const RUNS = Number(option('--runs', 5));
const SCREENSHOT = option('--screenshot', undefined);
const INTERACTIONS = Number(args[0] ?? 10_000);
const TARGET_MS = 300;
const root = resolve(import.meta.dirname, '..');
const failures = [];
const check = (ok, what) => ok || failures.push(what);

if (!existsSync(join(root, 'dist/webview/timeline.js')) || !existsSync(join(root, 'dist/webview/timeline.css'))) {
  execFileSync(process.execPath, ['esbuild.mjs'], { cwd: root, stdio: 'inherit' });
}

const { SessionStore } = await tsImport('../src/core/store/SessionStore.ts', import.meta.url);
const { TimelineSync } = await tsImport('../src/vscode/timeline/timelineSync.ts', import.meta.url);
const { TIMELINE_STRINGS } = await tsImport('../src/protocol/webviewStrings.ts', import.meta.url);

const work = mkdtempSync(join(tmpdir(), 'timeline-bench-'));
const store = await SessionStore.open({
  directory: join(work, 'ledger'),
  wasmPath: join(root, 'node_modules/sql.js/dist/sql-wasm.wasm'),
  migrationsDirectory: join(root, 'migrations'),
  snapshotIdleMs: 0,
});
try {
  // ---- setup: a session with N interactions, results, some runs and events ---------------------
  let t = performance.now();
  const session = await store.sessions.create({
    type: 'test-fix',
    title: 'Make the flaky integration suite pass',
    intention: 'Every integration test passes three times in a row.',
    successCriteria: ['npm test exits 0', 'no test retried'],
  });
  const statuses = ['ok', 'ok', 'ok', 'error', 'cancelled'];
  await store.transaction((tx) => {
    for (let i = 1; i <= INTERACTIONS; i++) {
      const claude = i % 3 === 0;
      const interaction = tx.interactions.append({
        sessionId: session.id,
        step: claude ? 'fix' : 'test',
        kind: claude ? 'claude' : 'shell',
        command: claude ? `Fix the failure of step ${i - 1}: read the output and change the code.` : `npm test -- --grep "suite ${i % 97}"`,
      });
      const status = statuses[i % statuses.length];
      tx.interactions.setResult(interaction.id, {
        status,
        exitCode: claude ? null : status === 'ok' ? 0 : 1,
        output: claude
          ? `I changed **src/suite${i}.ts**:\n\n- fixed the race\n- added a test`
          : `\u001b[32m✓\u001b[0m ${i} passing\n`.repeat(5),
        durationMs: 100 + (i % 50) * 37,
      });
      if (claude) {
        const run = tx.runs.start({
          sessionId: session.id,
          interactionId: interaction.id,
          provider: 'claude-code-cli',
          model: 'claude-sonnet-4-5',
        });
        tx.runs.update(run.id, { status: 'ok', inputTokens: 1200, outputTokens: 340, costUsd: 0.0123 });
        tx.events.append({
          id: `e-${i}`,
          sessionId: session.id,
          interactionId: interaction.id,
          type: 'hook.PreToolUse',
          toolName: 'Edit',
          payload: { file: `src/suite${i}.ts` },
        });
      }
    }
  });
  console.log(`[bench/timeline] setup: ${INTERACTIONS} interactions stored in ${(performance.now() - t).toFixed(0)} ms`);
  const stored = store.sessions.get(session.id);
  check(stored.interactionCount === INTERACTIONS, `the session counts ${stored.interactionCount} interactions, expected ${INTERACTIONS}`);
  check(
    store.interactions.latest(session.id)?.seq === INTERACTIONS,
    `the last interaction's seq is ${store.interactions.latest(session.id)?.seq}, expected ${INTERACTIONS}`,
  );
  const claudeSteps = Math.floor(INTERACTIONS / 3);
  check(stored.eventCount === claudeSteps, `the session counts ${stored.eventCount} events, expected ${claudeSteps}`);
  check(
    store.runs.listBySession(session.id).length === claudeSteps,
    `${store.runs.listBySession(session.id).length} runs stored, expected ${claudeSteps}`,
  );

  // ---- the page: the built webview bundle with a stub acquireVsCodeApi ---------------------------
  const nonce = 'YmVuY2gtbm9uY2U=';
  const asset = (p) => pathToFileURL(join(root, 'dist', p)).href;
  const page = join(work, 'timeline.html');
  writeFileSync(
    page,
    `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src file:; font-src file:; script-src 'nonce-${nonce}'">
<link rel="stylesheet" href="${asset('codicons/codicon.css')}"><link rel="stylesheet" href="${asset('webview/timeline.css')}">
</head><body><div id="app" aria-busy="true"></div>
<script nonce="${nonce}">
  window.acquireVsCodeApi = () => ({ postMessage: (m) => window.benchPost(m), getState: () => undefined, setState: () => {} });
</script>
<script nonce="${nonce}" src="${asset('webview/timeline.js')}"></script></body></html>`,
  );

  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const tab = await context.newPage();
    const problems = [];
    tab.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    tab.on('pageerror', (e) => problems.push(String(e)));
    const waiters = new Set();
    await tab.exposeFunction('benchPost', (message) => waiters.forEach((w) => w(message)));
    const next = (test) =>
      new Promise((resolve) => {
        const w = (m) => test(m) && (waiters.delete(w), resolve(m));
        waiters.add(w);
      });
    // What VS Code's webview.postMessage does: serialise, hand over, deserialise in the page.
    const post = (message) => tab.evaluate((json) => window.postMessage(JSON.parse(json), '*'), JSON.stringify(message));

    const results = [];
    for (let run = 0; run < RUNS; run++) {
      const ready = next((m) => m.type === 'ready');
      await tab.goto(pathToFileURL(page).href);
      await ready;
      // The page's strings come first (the extension's table; English here: each key is its own text).
      await post({ type: 'init', strings: Object.fromEntries(TIMELINE_STRINGS.map((key) => [key, key])) });
      const firstRender = next((m) => m.type === 'rendered');
      const allLoaded = next((m) => m.type === 'rendered' && m.loadedRows === m.totalRows);
      const t0 = performance.now();
      const sync = new TimelineSync(store, session.id);
      const snapshot = sync.snapshot(null); // the store query and mapping, as on `ready`
      const t1 = performance.now();
      await post(snapshot);
      const report = await firstRender;
      const t2 = performance.now();
      for (let p = sync.nextPage(); p; p = sync.nextPage()) await post(p); // the remaining pages, as the panel sends them
      const loaded = await allLoaded;
      const t3 = performance.now();
      check(
        report.totalRows === INTERACTIONS && loaded.loadedRows === INTERACTIONS,
        `run ${run + 1}: the page shows ${report.totalRows} interactions and loaded ${loaded.loadedRows}, expected ${INTERACTIONS}`,
      );
      check(
        report.renderedRows > 0 && report.visibleRows > 0,
        `run ${run + 1}: the first render put ${report.renderedRows} rows in the DOM (${report.visibleRows} visible)`,
      );
      results.push({ query: t1 - t0, page: report.renderMs, total: t2 - t0, all: t3 - t0, report, loaded });
    }
    if (SCREENSHOT) await tab.screenshot({ path: SCREENSHOT });
    const rowCount = await tab.evaluate(() => document.querySelectorAll('.row').length);

    // Baseline, same run and browser: the naive design — query every interaction with its
    // output, send them all in one message and put every row in the DOM.
    const baseline = [];
    for (let run = 0; run < RUNS; run++) {
      await tab.goto('about:blank');
      const t0 = performance.now();
      const rows = [];
      for (let after = 0; ;) {
        const page = store.interactions.list(session.id, { after, limit: 1000 });
        if (page.length === 0) break;
        for (const i of page)
          rows.push({ seq: i.seq, kind: i.command.kind, command: i.command.command, status: i.result.status, output: i.result.output });
        after = page[page.length - 1].seq;
      }
      await tab.evaluate((json) => {
        const frag = document.createDocumentFragment();
        for (const r of JSON.parse(json)) {
          const row = document.createElement('div');
          row.className = 'row';
          row.textContent = `#${r.seq} ${r.kind} ${r.command} ${r.status}`;
          const out = document.createElement('pre');
          out.hidden = true;
          out.textContent = r.output ?? '';
          row.append(out);
          frag.append(row);
        }
        document.body.append(frag);
        return document.body.offsetHeight; // force layout, as a first paint would
      }, JSON.stringify(rows));
      baseline.push(performance.now() - t0);
      check(rows.length === INTERACTIONS, `baseline run ${run + 1}: ${rows.length} interactions read, expected ${INTERACTIONS}`);
    }

    const fmt = (n) => `${n.toFixed(1)} ms`;
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const { report, loaded } = results[0];
    console.log(
      `[bench/timeline] ${report.totalRows} interactions; first render: ${report.loadedRows} loaded, ${report.visibleRows} visible, ${report.renderedRows} rows in the DOM; ` +
        `all loaded: ${loaded.loadedRows}, ${loaded.renderedRows} rows in the DOM (${rowCount} after the last run)`,
    );
    results.forEach((r, i) =>
      console.log(
        `[bench/timeline] run ${i + 1}: snapshot query + mapping ${fmt(r.query)} · validate + render in page ${fmt(r.page)} · first render end to end ${fmt(r.total)} · all ${report.totalRows} loaded ${fmt(r.all)}`,
      ),
    );
    const med = median(results.map((r) => r.total));
    console.log(
      `[bench/timeline] time to first render of ${report.totalRows} interactions: median ${fmt(med)}, first run ${fmt(results[0].total)} (target ≤ ${TARGET_MS} ms) ${med <= TARGET_MS ? 'OK' : 'OVER TARGET'}; ` +
        `every row loaded: median ${fmt(median(results.map((r) => r.all)))}`,
    );
    const base = median(baseline);
    console.log(
      `[bench/timeline] baseline (naive: every interaction queried, sent and put in the DOM), same run: median ${fmt(base)}; ` +
        `first render vs baseline: ${(med / base).toFixed(3)}× the time (${(base / med).toFixed(1)}× faster)`,
    );
    if (problems.length) console.log(`[bench/timeline] page errors:\n  ${problems.join('\n  ')}`);
    check(problems.length === 0, `${problems.length} page errors`);
  } finally {
    await browser.close();
  }
} finally {
  await store.close();
  rmSync(work, { recursive: true, force: true });
}
if (failures.length > 0) {
  console.error(`[bench/timeline] WRONG RESULTS:\n  ${failures.join('\n  ')}`);
  process.exitCode = 1;
}
