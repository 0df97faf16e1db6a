import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadPricing } from '../../../src/core/agent/pricing';
import { importedSessionId } from '../../../src/core/claudeCode/claudeSessions';
import { claudeProjectDir } from '../../../src/core/claudeCode/transcriptFiles';
import { importClaudeTranscripts } from '../../../src/core/claudeCode/transcriptImport';
import { buildUsageReport, usageReportToCsv, utcDay } from '../../../src/core/ledger/usageReport';
import { teamUsage } from '../../../src/core/sync/teamUsage';
import type { SessionStore } from '../../../src/core/store/SessionStore';
import { openTestStore, tempDir } from '../claudeCode/testStore';
import { ManualClock } from '../store/storeTestSupport';

const FIXTURES = path.join(__dirname, '../../fixtures/claudeCode/transcripts');
const MAIN = '5e551017-0000-4000-8000-00000000000a';
const WORKSPACE = '/home/dev/usage app';
const near = (a: number, b: number) => Math.abs(a - b) < 1e-9;

describe('usage report', function () {
  this.timeout(30_000);
  let store: SessionStore;
  let clock: ManualClock;

  beforeEach(async () => {
    clock = new ManualClock(Date.UTC(2026, 2, 10, 12));
    store = await openTestStore(clock);
    const configDir = tempDir('usage-config');
    const projectDir = claudeProjectDir(WORKSPACE, configDir);
    fs.mkdirSync(projectDir, { recursive: true });
    fs.writeFileSync(
      path.join(projectDir, `${MAIN}.jsonl`),
      fs.readFileSync(path.join(FIXTURES, `${MAIN}.part1.jsonl`), 'utf8') +
        fs.readFileSync(path.join(FIXTURES, `${MAIN}.part2.jsonl`), 'utf8'),
    );
    await importClaudeTranscripts(store, {
      workspacePath: WORKSPACE,
      configDir,
      statePath: path.join(tempDir('usage-state'), 's.json'),
      pricing: loadPricing(),
    });
  });
  afterEach(() => store.close());

  async function apiSession(title: string, type: string, usage: { input: number; output: number; cost: number }) {
    const session = await store.sessions.create({ type, title, intention: 'x' });
    const run = await store.runs.start({ sessionId: session.id, provider: 'anthropic-api', model: 'claude-opus-4-1' });
    await store.runs.update(run.id, { status: 'ok', inputTokens: usage.input, outputTokens: usage.output, costUsd: usage.cost });
    return session;
  }

  it('splits usage by the phase runs served; runs recorded without one (and imported turns) are "unknown"', async () => {
    const session = await store.sessions.create({ type: 'full', title: 'Phases', intention: 'x' });
    const runs: [string | null, number][] = [
      ['spec', 0.25],
      ['build', 1],
      ['build', 0.5],
      [null, 0.125],
    ];
    for (const [phase, cost] of runs) {
      const run = await store.runs.start({
        sessionId: session.id,
        provider: 'anthropic-api',
        model: 'claude-opus-4-1',
        modelAlias: 'opus',
        phase,
      });
      await store.runs.update(run.id, { status: 'ok', inputTokens: 10, outputTokens: 20, costUsd: cost });
    }
    const report = buildUsageReport(store.sql);
    const phase = (key: string) => report.byPhase.find((r) => r.key === key);
    assert.deepEqual([phase('build')?.requests, phase('build')?.costUsd, phase('build')?.outputTokens], [2, 1.5, 40]);
    assert.deepEqual([phase('spec')?.requests, phase('spec')?.costUsd], [1, 0.25]);
    assert.ok(near(phase('unknown')?.costUsd ?? 0, 0.125 + 0.006336), 'the run without a phase and the imported turns');
    assert.equal(report.byPhase[0].key, 'build', 'most expensive first');
    assert.ok(
      near(
        report.byPhase.reduce((n, r) => n + r.costUsd, 0),
        report.total.costUsd,
      ),
      'phases add up to the total',
    );
    assert.match(usageReportToCsv(report), /\r\nphase,build,,20,40,/);
  });

  it('counts each imported API response once, with its own model (sums checked by hand)', () => {
    const report = buildUsageReport(store.sql);
    // From test/unit/claudeCode/transcriptImport.test.ts: Sonnet 29/190/160/8000 = $0.005937, Haiku sidechain 9/51/20/1100 = $0.000399.
    const sonnet = report.byModel.find((r) => r.key === 'claude-sonnet-4-5-20250929')!;
    const haiku = report.byModel.find((r) => r.key === 'claude-haiku-4-5-20251001')!;
    assert.deepEqual(
      [sonnet.inputTokens, sonnet.outputTokens, sonnet.cacheCreationTokens, sonnet.cacheReadTokens, sonnet.requests],
      [29, 190, 160, 8000, 6],
    );
    assert.ok(near(sonnet.costUsd, 0.005937), String(sonnet.costUsd));
    assert.deepEqual(
      [haiku.inputTokens, haiku.outputTokens, haiku.cacheCreationTokens, haiku.cacheReadTokens, haiku.requests],
      [9, 51, 20, 1100, 2],
    );
    assert.ok(near(haiku.costUsd, 0.000399), String(haiku.costUsd));
    assert.ok(near(report.total.costUsd, 0.006336));
    const session = store.sessions.require(importedSessionId(MAIN));
    assert.equal(report.total.outputTokens, session.outputTokens, 'the report agrees with the session totals');
    assert.deepEqual(
      report.bySessionType.map((r) => r.key),
      ['claude-code'],
    );
    assert.equal(report.topSessions[0].sessionId, session.id);
    assert.ok(report.byDay.length >= 1 && report.byDay.every((d) => /^\d{4}-\d{2}-\d{2}$/.test(d.key)));
    assert.ok(
      near(
        report.byDay.reduce((n, d) => n + d.costUsd, 0),
        0.006336,
      ),
      'days add up to the total',
    );
  });

  it('counts a response once when an earlier version recorded it without a key and this one revised it, and never a <synthetic> line', async () => {
    const session = await store.sessions.create({ type: 'claude-code', title: 'legacy', intention: 'x' });
    await store.transaction((tx) => {
      // As the importer before per-response revisions wrote it (no `key`), then its correction by this version.
      tx.events.append({
        id: 'cc:usage:msg_L:req_L',
        sessionId: session.id,
        type: 'claude.usage',
        payload: { model: 'claude-opus-4-1', outputTokens: 10, costUsd: 0.00075 },
      });
      tx.events.append({
        id: 'cc:usage:msg_L:req_L:r1',
        sessionId: session.id,
        type: 'claude.usage',
        payload: { key: 'msg_L:req_L', revision: 1, model: 'claude-opus-4-1', outputTokens: 300, costUsd: 0.0225 },
      });
      tx.events.append({
        id: 'cc:usage:msg_S:',
        sessionId: session.id,
        type: 'claude.usage',
        payload: { model: '<synthetic>', outputTokens: 0, costUsd: null },
      });
    });
    const report = buildUsageReport(store.sql);
    const opus = report.byModel.find((r) => r.key === 'claude-opus-4-1')!;
    assert.deepEqual([opus.outputTokens, opus.requests], [300, 1]);
    assert.ok(near(opus.costUsd, 0.0225));
    assert.equal(
      report.byModel.find((r) => r.key === '<synthetic>'),
      undefined,
    );
  });

  it('adds whole runs of other sessions by their start day, ranks sessions and types by cost, leaves deleted sessions out', async () => {
    const big = await apiSession('Big refactor', 'spec-plan-build', { input: 1000, output: 2000, cost: 0.5 });
    clock.advanceDays(1);
    await apiSession('Small fix', 'test-fix', { input: 10, output: 20, cost: 0.01 });
    const gone = await apiSession('Deleted one', 'test-fix', { input: 5, output: 5, cost: 9 });
    await store.sessions.softDelete(gone.id);

    const report = buildUsageReport(store.sql);
    assert.ok(near(report.total.costUsd, 0.006336 + 0.51));
    assert.deepEqual(report.topSessions.map((s) => s.title).slice(0, 2), ['Big refactor', 'Small fix']);
    assert.equal(report.topSessions[0].sessionId, big.id);
    assert.deepEqual(
      report.bySessionType.map((r) => r.key),
      ['spec-plan-build', 'test-fix', 'claude-code'],
    );
    const opus = report.byModel.find((r) => r.key === 'claude-opus-4-1')!;
    assert.deepEqual([opus.inputTokens, opus.outputTokens, opus.requests], [1010, 2020, 2]);
    assert.ok(near(report.byDay.find((d) => d.key === '2026-03-10')!.costUsd, 0.5));
    assert.ok(near(report.byDay.find((d) => d.key === '2026-03-11')!.costUsd, 0.01));
    assert.equal(utcDay(Date.UTC(2026, 0, 1, 23, 59)), '2026-01-01');
  });

  it('exports CSV with quoted fields and defused formulas', async () => {
    await apiSession('=HYPERLINK("x"), "quoted"', 'test-fix', { input: 1, output: 2, cost: 0.25 });
    const csv = usageReportToCsv(buildUsageReport(store.sql));
    const lines = csv.trimEnd().split('\r\n');
    assert.equal(
      lines[0],
      'section,key,title,input_tokens,output_tokens,cache_creation_tokens,cache_write_5m_tokens,cache_write_1h_tokens,cache_read_tokens,cost_usd,requests,unpriced_requests',
    );
    assert.ok(
      lines.some((l) => l.includes(`"'=HYPERLINK(""x""), ""quoted"""`)),
      lines.join('\n'),
    );
    assert.match(lines[lines.length - 1], /^total,,,\d+,\d+,\d+,\d+,\d+,\d+,0\.256336,\d+,0$/);
  });

  it('splits cache writes into 5-minute and 1-hour ones, for runs and imported responses, in the report and its CSV', async () => {
    const session = await store.sessions.create({ type: 'ttl-test', title: 'Cache TTLs', intention: 'x' });
    const run = await store.runs.start({ sessionId: session.id, provider: 'anthropic-api', model: 'claude-opus-4-8' });
    await store.runs.update(run.id, { status: 'ok', cacheCreationTokens: 1_000, cacheCreation1hTokens: 400, costUsd: 0.01 });
    // An imported response (its own run, counted by its usage event) with 300 of 500 writes at 1 hour.
    const imported = await store.runs.start({ sessionId: session.id, provider: 'claude-code-cli', model: 'claude-opus-4-7' });
    await store.runs.update(imported.id, { status: 'ok', cacheCreationTokens: 500, cacheCreation1hTokens: 300, costUsd: 0.002 });
    await store.events.append({
      id: 'ttl-usage',
      sessionId: session.id,
      runId: imported.id,
      type: 'claude.usage',
      payload: {
        model: 'claude-opus-4-7',
        inputTokens: 0,
        outputTokens: 0,
        cacheCreationTokens: 500,
        cacheCreation1hTokens: 300,
        cacheReadTokens: 0,
        costUsd: 0.002,
      },
    });
    const report = buildUsageReport(store.sql);
    const opus48 = report.byModel.find((r) => r.key === 'claude-opus-4-8')!;
    const opus47 = report.byModel.find((r) => r.key === 'claude-opus-4-7')!;
    assert.deepEqual([opus48.cacheCreationTokens, opus48.cacheCreation1hTokens], [1_000, 400]);
    assert.deepEqual([opus47.cacheCreationTokens, opus47.cacheCreation1hTokens, opus47.requests], [500, 300, 1]);
    const ttl = report.bySessionType.find((r) => r.key === 'ttl-test')!;
    assert.deepEqual([ttl.cacheCreationTokens, ttl.cacheCreation1hTokens], [1_500, 700]);
    assert.equal(report.total.cacheCreation1hTokens, 700, 'the imported fixture has no 1-hour writes');
    const csv = usageReportToCsv(report).trimEnd().split('\r\n');
    // cache_creation_tokens, cache_write_5m_tokens, cache_write_1h_tokens
    assert.ok(csv.includes('session_type,ttl-test,,0,0,1500,800,700,0,0.012,2,0'), csv.join('\n'));
    assert.ok(csv.includes('model,claude-opus-4-8,,0,0,1000,600,400,0,0.01,1,0'), csv.join('\n'));
    assert.match(report.pricing.effectiveDate, /^\d{4}-\d{2}-\d{2}$/);
    assert.match(report.pricing.source, /^https:\/\//);
  });

  it('imports a transcript response with 1-hour cache writes at their rate and leaves <synthetic> lines unbilled (checked by hand)', async () => {
    const configDir = tempDir('ttl-config');
    const workspace = '/home/dev/ttl app';
    const projectDir = claudeProjectDir(workspace, configDir);
    fs.mkdirSync(projectDir, { recursive: true });
    const sessionId = '5e551017-0000-4000-8000-0000000000c1';
    const line = (n: number, type: 'user' | 'assistant', message: object, extra: object = {}) =>
      JSON.stringify({
        parentUuid: n === 1 ? null : `00000000-0000-4000-8000-0000000000${String(n - 1).padStart(2, '0')}`,
        isSidechain: false,
        userType: 'external',
        cwd: workspace,
        sessionId,
        version: '2.1.12',
        type,
        uuid: `00000000-0000-4000-8000-0000000000${String(n).padStart(2, '0')}`,
        timestamp: `2026-03-10T12:00:0${n}.000Z`,
        message,
        ...extra,
      });
    const usage = {
      input_tokens: 100,
      output_tokens: 50,
      cache_creation_input_tokens: 3_000,
      cache_read_input_tokens: 0,
      cache_creation: { ephemeral_5m_input_tokens: 1_000, ephemeral_1h_input_tokens: 2_000 },
    };
    const zero = { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
    fs.writeFileSync(
      path.join(projectDir, `${sessionId}.jsonl`),
      [
        line(1, 'user', { role: 'user', content: 'Cache this for an hour' }),
        line(
          2,
          'assistant',
          {
            model: 'claude-sonnet-4-5-20250929',
            id: 'msg_T1',
            type: 'message',
            role: 'assistant',
            content: [{ type: 'text', text: 'Done.' }],
            usage,
          },
          { requestId: 'req_T1' },
        ),
        line(
          3,
          'assistant',
          {
            model: '<synthetic>',
            id: 'msg_T2',
            type: 'message',
            role: 'assistant',
            content: [{ type: 'text', text: 'API Error: overloaded' }],
            usage: zero,
          },
          { requestId: 'req_T2', isApiErrorMessage: true },
        ),
      ].join('\n') + '\n',
    );
    await importClaudeTranscripts(store, {
      workspacePath: workspace,
      configDir,
      statePath: path.join(tempDir('ttl-state'), 's.json'),
      pricing: loadPricing(),
    });

    const session = store.sessions.require(importedSessionId(sessionId));
    assert.deepEqual([session.cacheCreationTokens, session.cacheCreation1hTokens], [3_000, 2_000]);
    // 100*3 + 50*15 + 1000*3.75 + 2000*6 = 300 + 750 + 3750 + 12000 = 16800 → $0.0168 (all at 5 minutes it would be $0.012)
    assert.ok(near(session.totalCostUsd, 0.0168), String(session.totalCostUsd));
    assert.equal(session.costUnknown, false, '<synthetic> is not an unpriced model');
    const report = buildUsageReport(store.sql);
    const sonnet = report.topSessions.find((s) => s.sessionId === session.id)!;
    assert.deepEqual([sonnet.cacheCreationTokens, sonnet.cacheCreation1hTokens, sonnet.unpricedRequests], [3_000, 2_000, 0]);
    assert.ok(near(sonnet.costUsd, 0.0168), String(sonnet.costUsd));
    assert.equal(report.byModel.find((r) => r.key === '<synthetic>')?.unpricedRequests ?? 0, 0);
  });

  it('counts requests of unpriced models apart, so their cost reads as a lower bound (runs and imported responses)', async () => {
    const session = await store.sessions.create({ type: 'test-fix', title: 'Unpriced model', intention: 'x' });
    const run = await store.runs.start({ sessionId: session.id, provider: 'anthropic-api', model: 'claude-future-9' });
    await store.runs.update(run.id, { status: 'ok', inputTokens: 70, outputTokens: 30, costUsd: 0, costUnknown: true });
    let report = buildUsageReport(store.sql);
    const future = report.byModel.find((r) => r.key === 'claude-future-9')!;
    assert.deepEqual(
      [future.inputTokens, future.outputTokens, future.costUsd, future.requests, future.unpricedRequests],
      [70, 30, 0, 1, 1],
    );
    assert.equal(report.total.unpricedRequests, 1, 'the priced imported responses are not counted as unpriced');
    assert.equal(report.topSessions.find((s) => s.sessionId === session.id)!.unpricedRequests, 1);
    assert.match(usageReportToCsv(report).trimEnd().split('\r\n').at(-1)!, /,1$/);

    // Imported responses of a model the table does not price: their usage events carry no cost.
    const db = store.sql;
    const rows = db.all("SELECT payload FROM events WHERE type = 'claude.usage'");
    assert.ok(rows.length > 0);
    await store.transaction(() =>
      db.run(
        "UPDATE events SET payload = json_set(payload, '$.costUsd', json('null')) WHERE type = 'claude.usage' AND payload LIKE '%haiku%'",
      ),
    );
    report = buildUsageReport(store.sql);
    const haiku = report.byModel.find((r) => r.key === 'claude-haiku-4-5-20251001')!;
    assert.deepEqual([haiku.requests, haiku.unpricedRequests, haiku.costUsd], [2, 2, 0]);
    assert.equal(report.total.unpricedRequests, 3);
  });

  it("counts only this ledger's own sessions: a copy pulled from the team ledger is left to the team view", async () => {
    const own = buildUsageReport(store.sql);
    // A teammate's session, as the replicator applies it: a raw write marks it pulled (core/sync/replicatorPull.ts).
    const theirs = await store.sessions.create({ type: 'build', title: "Bob's session", intention: 'x' });
    const run = await store.runs.start({ sessionId: theirs.id, provider: 'anthropic-api', model: 'claude-sonnet-4-5' });
    await store.runs.update(run.id, { status: 'ok', inputTokens: 1_000, outputTokens: 500, costUsd: 0.0105 });
    await store.events.append({
      id: 'cc:usage:msg_bob:req_bob',
      sessionId: theirs.id,
      runId: run.id,
      type: 'claude.usage',
      payload: { model: 'claude-sonnet-4-5', inputTokens: 10, outputTokens: 5, costUsd: 0.000105 },
    });
    const withTheirs = buildUsageReport(store.sql);
    assert.ok(withTheirs.total.requests > own.total.requests, 'counted while it is a session of this ledger');
    await store.transaction(() =>
      store.sql.run("UPDATE sessions SET sync_origin = 'pulled', owner_person = 'bob', owner_machine = 'desk' WHERE id = ?", [theirs.id]),
    );

    const report = buildUsageReport(store.sql);
    assert.deepEqual(report.total, own.total, 'the pulled copy adds nothing to this workspace');
    assert.ok(!report.topSessions.some((s) => s.sessionId === theirs.id));
    assert.deepEqual(report.byModel, own.byModel);
    // The team view still counts it, under its owner.
    const team = teamUsage(store.sql, { person: 'alice', projectId: 'shop' });
    assert.equal(team.pulledSessions, 1);
    assert.equal(team.byPerson.find((p) => p.key === 'bob')?.requests, 1);
  });
});
