import * as assert from 'node:assert/strict';
import { loadPricing } from '../../../src/core/agent/pricing';
import type { TokenUsage } from '../../../src/core/model/session';
import { buildUsageReport } from '../../../src/core/ledger/usageReport';
import { describeRecompute, recomputeCosts, type RecomputeProgress } from '../../../src/core/ledger/recomputeCosts';
import type { SessionStore } from '../../../src/core/store/SessionStore';
import { openStore, temporaryDirectory } from '../store/storeTestSupport';

const SESSION_A = '00000000-0000-4000-8000-00000000000a';
const SESSION_B = '00000000-0000-4000-8000-00000000000b';
const run = (n: number) => `00000000-0000-4000-8000-0000000001${String(n).padStart(2, '0')}`;

const tokens = (input: number, output: number, write: number, write1h: number, read: number): TokenUsage => ({
  inputTokens: input,
  outputTokens: output,
  cacheCreationTokens: write,
  cacheCreation1hTokens: write1h,
  cacheReadTokens: read,
});

/**
 * The ledger as an earlier version priced it: every cache write at the 5-minute rate, no
 * long-context tier, `<synthetic>` lines unknown, no price for `my-proxy-model`. The old figures
 * are written out by hand below (USD per million tokens: Sonnet 4.5 3 / 15 / 3.75 / 0.30,
 * Opus 4.6 5 / 25 / 6.25 / 0.50).
 */
async function storeWithOldCosts(store: SessionStore): Promise<void> {
  await store.sessions.create({ id: SESSION_A, type: 'build', title: 'Agentic', intention: 'x' });
  await store.sessions.create({ id: SESSION_B, type: 'claude-code', title: 'Imported', intention: 'y' });

  // r1: an agentic API run, two responses recorded as `usage` events.
  const r1a = tokens(1_000, 500, 10_000, 4_000, 20_000); // old: 3000 + 7500 + 37500 + 6000 = 54000 → 0.054
  const r1b = tokens(50_000, 2_000, 0, 0, 160_000); // old: 150000 + 30000 + 48000 = 228000 → 0.228
  await store.runs.start({ id: run(1), sessionId: SESSION_A, provider: 'anthropic-api', model: 'claude-sonnet-4-5' });
  await store.events.append({
    id: 'u1a',
    sessionId: SESSION_A,
    runId: run(1),
    type: 'usage',
    payload: { turn: 1, model: 'claude-sonnet-4-5', ...r1a, costUsd: 0.054, costUnknown: false },
  });
  await store.events.append({
    id: 'u1b',
    sessionId: SESSION_A,
    runId: run(1),
    type: 'usage',
    payload: { turn: 2, model: 'claude-sonnet-4-5', ...r1b, costUsd: 0.228, costUnknown: false },
  });
  await store.runs.update(run(1), { status: 'ok', ...tokens(51_000, 2_500, 10_000, 4_000, 180_000), costUsd: 0.282 });

  // r5: a run that failed before any usage: no tokens, left alone.
  await store.runs.start({ id: run(5), sessionId: SESSION_A, provider: 'anthropic-api' });
  await store.runs.update(run(5), { status: 'error', error: 'no key' });

  // r6: a headless CLI run known only by its totals, priced by the CLI itself at $0.50.
  await store.runs.start({ id: run(6), sessionId: SESSION_A, provider: 'claude-code-cli', model: 'claude-sonnet-4-5' });
  await store.runs.update(run(6), { status: 'ok', ...tokens(150_000, 1_000, 0, 0, 60_000), costUsd: 0.5 });

  // r2: an imported Claude Code turn, three responses as `claude.usage` events, one of them <synthetic>.
  const r2a = tokens(2_000, 1_000, 8_000, 8_000, 0); // old: 10000 + 25000 + 50000 = 85000 → 0.085
  const r2b = tokens(0, 0, 0, 0, 0); // <synthetic>: old: unknown
  const r2c = tokens(150_000, 1_000, 0, 0, 60_000); // old: 750000 + 25000 + 30000 = 805000 → 0.805
  await store.runs.start({ id: run(2), sessionId: SESSION_B, provider: 'claude-code-cli', model: 'claude-opus-4-6' });
  // r2a was first counted from an early line of its response (a streaming snapshot, output 10), then revised by its final line.
  const r2aEarly = tokens(2_000, 10, 8_000, 8_000, 0); // old: 10000 + 250 + 50000 = 60250 → 0.06025
  await store.events.append({
    id: 'cc:usage:m1',
    sessionId: SESSION_B,
    runId: run(2),
    type: 'claude.usage',
    payload: { key: 'm1', model: 'claude-opus-4-6', ...r2aEarly, costUsd: 0.06025 },
  });
  await store.events.append({
    id: 'c2a',
    sessionId: SESSION_B,
    runId: run(2),
    type: 'claude.usage',
    payload: { key: 'm1', revision: 1, model: 'claude-opus-4-6', ...r2a, costUsd: 0.085 },
  });
  await store.events.append({
    id: 'c2b',
    sessionId: SESSION_B,
    runId: run(2),
    type: 'claude.usage',
    payload: { messageId: 'm2', model: '<synthetic>', ...r2b, costUsd: null },
  });
  await store.events.append({
    id: 'c2c',
    sessionId: SESSION_B,
    runId: run(2),
    type: 'claude.usage',
    payload: { messageId: 'm3', model: 'claude-opus-4-6', ...r2c, costUsd: 0.805 },
  });
  await store.runs.update(run(2), { status: 'ok', ...tokens(152_000, 2_000, 8_000, 8_000, 60_000), costUsd: 0.89, costUnknown: true });

  // r3: a model the table does not know (yet): unknown, $0 priced.
  await store.runs.start({ id: run(3), sessionId: SESSION_B, provider: 'anthropic-api', model: 'my-proxy-model' });
  await store.runs.update(run(3), { status: 'ok', ...tokens(10_000, 1_000, 2_000, 0, 50_000), costUsd: 0, costUnknown: true });

  // r4: a model nobody prices: stays unknown.
  await store.runs.start({ id: run(4), sessionId: SESSION_B, provider: 'anthropic-api', model: 'claude-imaginary-9' });
  await store.runs.update(run(4), { status: 'ok', ...tokens(100, 100, 0, 0, 0), costUsd: 0, costUnknown: true });
}

/** The current table plus an override that prices my-proxy-model (1 / 2 / 1.25 / 0.1; 1h defaults to 2). */
const pricing = () => loadPricing({ 'my-proxy-model': { input: 1, output: 2, cacheWrite5m: 1.25, cacheRead: 0.1 } });

/*
 * Independent hand computation with the current table:
 * r1a: 1000*3 + 500*15 + 6000*3.75 + 4000*6 + 20000*0.3 = 3000 + 7500 + 22500 + 24000 + 6000 = 63000 → 0.063
 * r1b: prompt 50000 + 160000 = 210000 > 200000 → long-context Sonnet 4.5 (6 / 22.5 / 0.6):
 *      50000*6 + 2000*22.5 + 160000*0.6 = 300000 + 45000 + 96000 = 441000 → 0.441      r1 = 0.504
 * r6:  totals only → base rates: 150000*3 + 1000*15 + 60000*0.3 = 450000 + 15000 + 18000 = 483000 → 0.483
 * r2a: 2000*5 + 1000*25 + 8000*10 (1h) = 10000 + 25000 + 80000 = 115000 → 0.115
 * r2b: <synthetic> → 0, not unknown
 * r2c: prompt 210000 > 200000, Opus 4.6 has no long-context rates → base 0.805, marked    r2 = 0.92
 * r3:  10000*1 + 1000*2 + 2000*1.25 + 50000*0.1 = 10000 + 2000 + 2500 + 5000 = 19500 → 0.0195
 * r4:  unknown, 0
 * Session A: 0.504 + 0.483 = 0.987 (was 0.782); session B: 0.92 + 0.0195 + 0 = 0.9395, still unknown (was 0.89).
 */
const EXPECTED_RUNS: Record<number, [number, boolean]> = {
  1: [0.504, false],
  2: [0.92, false],
  3: [0.0195, false],
  4: [0, true],
  5: [0, false],
  6: [0.483, false],
};

describe('recomputeCosts', function () {
  this.timeout(30_000);
  let store: SessionStore;
  let directory: string;

  beforeEach(async () => {
    directory = temporaryDirectory('recompute-');
    store = await openStore(directory);
    await storeWithOldCosts(store);
  });

  afterEach(async () => {
    await store.close();
  });

  it('re-prices every run with the current table and overrides; sessions and response events follow; hand-checked', async () => {
    assert.deepEqual([store.sessions.require(SESSION_A).totalCostUsd, store.sessions.require(SESSION_B).totalCostUsd], [0.782, 0.89]);
    const progress: RecomputeProgress[] = [];
    const report = await recomputeCosts(store, store.sql, pricing(), { batchSize: 1, onProgress: (p) => progress.push(p) });

    for (const [n, [usd, unknown]] of Object.entries(EXPECTED_RUNS)) {
      const stored = store.runs.get(run(Number(n)))!;
      assert.ok(Math.abs(stored.costUsd - usd) < 1e-9, `run ${n}: ${stored.costUsd} ≠ ${usd}`);
      assert.equal(stored.costUnknown, unknown, `run ${n} cost unknown`);
    }
    const a = store.sessions.require(SESSION_A);
    const b = store.sessions.require(SESSION_B);
    assert.ok(Math.abs(a.totalCostUsd - 0.987) < 1e-9, String(a.totalCostUsd));
    assert.ok(Math.abs(b.totalCostUsd - 0.9395) < 1e-9, String(b.totalCostUsd));
    assert.deepEqual([a.costUnknown, b.costUnknown], [false, true]);
    // Tokens are untouched.
    assert.deepEqual([b.inputTokens, b.cacheCreationTokens, b.cacheCreation1hTokens], [162_100, 10_000, 8_000]);

    // The per-response events carry the new prices (the usage report counts them).
    const payload = (id: string) => store.events.get(id)!.payload as Record<string, unknown>;
    assert.deepEqual([payload('u1a').costUsd, payload('u1b').costUsd, payload('u1b').costUnknown], [0.063, 0.441, false]);
    assert.deepEqual(
      [payload('c2a').costUsd, payload('c2b').costUsd, payload('c2c').costUsd, payload('c2c').pricedAtBaseRate],
      [0.115, 0, 0.805, true],
    );
    assert.equal(payload('c2a').pricedAtBaseRate, undefined);
    assert.equal(payload('cc:usage:m1').costUsd, 0.06025, 'a superseded revision is not the counted figure: left as it was');

    assert.deepEqual(
      { ...report, totalBeforeUsd: Math.round(report.totalBeforeUsd * 1e6), totalAfterUsd: Math.round(report.totalAfterUsd * 1e6) },
      {
        runs: 5,
        sessions: 2,
        changedRuns: 4,
        changedSessions: 2,
        changedResponses: 5,
        totalBeforeUsd: 1_672_000,
        totalAfterUsd: 1_926_500,
        unpricedRuns: 1,
        unpricedModels: ['claude-imaginary-9'],
        pricedAtBaseRateResponses: 1,
        complete: true,
        pricing: report.pricing,
      },
    );
    assert.deepEqual(report.pricing.overriddenModels, ['my-proxy-model']);
    // One transaction per session here (batchSize 1): progress after each.
    assert.deepEqual(progress, [
      { runsDone: 0, runsTotal: 6 },
      { runsDone: 3, runsTotal: 6 },
      { runsDone: 6, runsTotal: 6 },
    ]);
    const message = describeRecompute(report);
    assert.match(
      message,
      /^Re-priced 5 runs in 2 sessions: total \$1\.67 → \$1\.93; 4 changed; 1 run of unpriced models \(claude-imaginary-9\)/,
    );
    assert.match(message, /1 response over 200K prompt tokens priced at base rates/);
    assert.ok(message.includes(`Prices of ${report.pricing.effectiveDate} (`), message);

    // The usage report agrees with the runs.
    assert.ok(Math.abs(buildUsageReport(store.sql).total.costUsd - 1.9265) < 1e-9);
  });

  it('changes nothing the second time, and what it wrote survives a reopen', async () => {
    await recomputeCosts(store, store.sql, pricing());
    const runsAfterFirst = [1, 2, 3, 4, 5, 6].map((n) => store.runs.get(run(n)));
    const again = await recomputeCosts(store, store.sql, pricing());
    assert.deepEqual([again.changedRuns, again.changedSessions, again.changedResponses], [0, 0, 0]);
    assert.equal(again.totalBeforeUsd, again.totalAfterUsd);
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map((n) => store.runs.get(run(n))),
      runsAfterFirst,
    );

    await store.close();
    store = await openStore(directory);
    assert.ok(Math.abs(store.sessions.require(SESSION_B).totalCostUsd - 0.9395) < 1e-9);
    assert.equal((store.events.get('c2b')!.payload as Record<string, unknown>).costUsd, 0);
  });

  it('makes a run unknown again when its override is removed, without inventing a figure', async () => {
    await recomputeCosts(store, store.sql, pricing());
    const report = await recomputeCosts(store, store.sql, loadPricing());
    assert.deepEqual([store.runs.get(run(3))!.costUsd, store.runs.get(run(3))!.costUnknown], [0, true]);
    assert.deepEqual(report.unpricedModels, ['claude-imaginary-9', 'my-proxy-model']);
    assert.equal(report.changedRuns, 1);
  });

  it('stops between batches when cancelled, leaving finished sessions consistent', async () => {
    let batches = 0;
    const report = await recomputeCosts(store, store.sql, pricing(), {
      batchSize: 1,
      onProgress: () => batches++,
      isCancelled: () => batches >= 2,
    });
    assert.equal(report.complete, false);
    // Session A (first by id) is done, session B untouched.
    assert.ok(Math.abs(store.sessions.require(SESSION_A).totalCostUsd - 0.987) < 1e-9);
    assert.equal(store.sessions.require(SESSION_B).totalCostUsd, 0.89);
    assert.match(describeRecompute(report), /Stopped before the end/);
  });
});
