import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  buildUsageReport,
  usageReportToCsv,
  type UsageReport,
  type UsageRow,
  type UsageTotals,
} from '../../../src/core/ledger/usageReport';
import { buildMachineUsageReport } from '../../../src/core/ledger/machineUsage';
import { LedgerReader, type ReadLedger } from '../../../src/core/store/ledgerReader';
import { LedgerRegistry, REGISTRY_FILE } from '../../../src/core/store/ledgerRegistry';
import { canonicalFolderPath, projectIdentity, stampLedgerIdentity } from '../../../src/core/store/projectIdentity';
import type { SessionStore } from '../../../src/core/store/SessionStore';
import { LOCK_FILE } from '../../../src/core/store/storeFiles';
import { ManualClock, REPO_MIGRATIONS, openStore, temporaryDirectory } from '../store/storeTestSupport';

const WASM = require.resolve('sql.js/dist/sql-wasm.wasm');
const DAY = 24 * 60 * 60 * 1000;
const near = (a: number, b: number) => Math.abs(a - b) < 1e-9;

interface Use {
  type: string;
  model: string;
  day: number;
  input: number;
  output: number;
  cost: number;
}

/** One session per use: a run with its tokens and cost, or (`claude.usage`) an imported Claude Code response. */
async function record(store: SessionStore, clock: ManualClock, uses: Use[], viaEvent = false): Promise<void> {
  for (const use of uses) {
    clock.millis = Date.UTC(2026, 2, 1) + use.day * DAY;
    const session = await store.sessions.create({ type: use.type, title: `${use.type} on day ${use.day}`, intention: 'x' });
    if (viaEvent) {
      await store.events.append({
        id: `cc:usage:msg_${session.id}:req`,
        sessionId: session.id,
        type: 'claude.usage',
        payload: { model: use.model, inputTokens: use.input, outputTokens: use.output, costUsd: use.cost },
      });
    } else {
      const run = await store.runs.start({ sessionId: session.id, provider: 'anthropic-api', model: use.model });
      await store.runs.update(run.id, { status: 'ok', inputTokens: use.input, outputTokens: use.output, costUsd: use.cost });
    }
  }
}

/** Every file of a folder with a hash of its bytes (not its times: the holder's lock heartbeat touches its mtime). */
function folderState(directory: string): Record<string, string> {
  const state: Record<string, string> = {};
  for (const name of fs.readdirSync(directory).sort())
    state[name] = createHash('sha256')
      .update(fs.readFileSync(path.join(directory, name)))
      .digest('hex');
  return state;
}

function sumTotals(reports: UsageReport[]): UsageTotals {
  const keys = [
    'inputTokens',
    'outputTokens',
    'cacheCreationTokens',
    'cacheCreation1hTokens',
    'cacheReadTokens',
    'costUsd',
    'requests',
    'unpricedRequests',
  ] as const;
  return Object.fromEntries(keys.map((k) => [k, reports.reduce((n, r) => n + r.total[k], 0)])) as unknown as UsageTotals;
}

/** The rows of several reports summed by key. */
function sumRows(rows: UsageRow[][]): Map<string, { costUsd: number; outputTokens: number; requests: number }> {
  const sums = new Map<string, { costUsd: number; outputTokens: number; requests: number }>();
  for (const row of rows.flat()) {
    const s = sums.get(row.key) ?? { costUsd: 0, outputTokens: 0, requests: 0 };
    s.costUsd += row.costUsd;
    s.outputTokens += row.outputTokens;
    s.requests += row.requests;
    sums.set(row.key, s);
  }
  return sums;
}

function assertSameRows(actual: UsageRow[], expected: ReturnType<typeof sumRows>, what: string): void {
  assert.deepEqual(actual.map((r) => r.key).sort(), [...expected.keys()].sort(), `${what}: keys`);
  for (const row of actual) {
    const want = expected.get(row.key)!;
    assert.ok(near(row.costUsd, want.costUsd), `${what} ${row.key}: cost ${row.costUsd} ≠ ${want.costUsd}`);
    assert.equal(row.outputTokens, want.outputTokens, `${what} ${row.key}: output tokens`);
    assert.equal(row.requests, want.requests, `${what} ${row.key}: requests`);
  }
}

describe('usage of all workspaces on this machine', function () {
  this.timeout(60_000);
  let base: string;
  let registry: LedgerRegistry;
  const open: SessionStore[] = [];

  /** A project folder and its ledger (in a storage folder of its own), stamped and registered as a window does. */
  async function project(name: string, uses: Use[], viaEvent = false) {
    const folder = path.join(base, 'projects', name);
    fs.mkdirSync(folder, { recursive: true });
    const directory = path.join(base, 'storage', name, 'ledger');
    const clock = new ManualClock();
    const store = await openStore(directory, { snapshotInWorker: false, clock });
    open.push(store);
    const identity = projectIdentity(folder);
    const { ledgerId } = await stampLedgerIdentity(store, identity);
    await registry.register({ directory, ledgerId: ledgerId!, canonicalPath: identity.canonicalPath });
    await record(store, clock, uses, viaEvent);
    return { folder: identity.canonicalPath, directory, store, ledgerId: ledgerId!, clock };
  }

  async function close(store: SessionStore): Promise<void> {
    open.splice(open.indexOf(store), 1);
    await store.close();
  }

  beforeEach(() => {
    base = temporaryDirectory('machine-usage-');
    registry = new LedgerRegistry(path.join(base, 'global', REGISTRY_FILE));
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((store) => store.close()));
  });

  it('adds up every registered ledger once, by project, day, model and type, without disturbing a ledger another store holds', async () => {
    // A: held open by a live store (another window). B: a closed project. C: this window's.
    const a = await project('alpha', [
      { type: 'test-fix', model: 'claude-sonnet-4-5', day: 0, input: 100, output: 200, cost: 0.25 },
      { type: 'spec-plan-build', model: 'claude-opus-4-1', day: 1, input: 10, output: 20, cost: 1.5 },
    ]);
    const b = await project(
      'beta',
      [
        { type: 'claude-code', model: 'claude-sonnet-4-5', day: 1, input: 7, output: 70, cost: 0.125 },
        { type: 'claude-code', model: 'claude-haiku-4-5', day: 2, input: 3, output: 30, cost: 0.0625 },
      ],
      true,
    );
    const c = await project('gamma', [{ type: 'test-fix', model: 'claude-opus-4-1', day: 2, input: 1, output: 2, cost: 3 }]);
    const own = [buildUsageReport(a.store.sql), buildUsageReport(b.store.sql), buildUsageReport(c.store.sql)];
    await close(b.store);

    // Registered twice: B's folder under a second path, and a verified copy of B (same ledger id) left where a move came from.
    const copy = path.join(base, 'storage', 'beta-before-move', 'ledger');
    fs.mkdirSync(copy, { recursive: true });
    for (const name of fs.readdirSync(b.directory).filter((n) => n !== LOCK_FILE))
      fs.copyFileSync(path.join(b.directory, name), path.join(copy, name));
    fs.symlinkSync(path.join(base, 'storage', 'beta'), path.join(base, 'storage', 'beta-link'));
    await registry.update((content) => {
      content.ledgers.push({
        directory: path.join(base, 'storage', 'beta-link', 'ledger'),
        ledgerId: b.ledgerId,
        canonicalPath: path.join(base, 'elsewhere', 'beta'),
        registeredAt: 1,
      });
      content.ledgers.push({
        directory: copy,
        ledgerId: b.ledgerId,
        canonicalPath: path.join(base, 'projects', 'beta-old'),
        registeredAt: 2,
      });
    });

    const heldBefore = folderState(a.directory);
    const closedBefore = folderState(b.directory);
    const reads: string[] = [];
    const reader = await LedgerReader.create({ wasmPath: WASM, migrationsDirectory: REPO_MIGRATIONS });
    const spy = {
      read: <T>(directory: string, work: (ledger: ReadLedger) => T) => {
        reads.push(canonicalFolderPath(directory));
        return reader.read(directory, work);
      },
    };
    const report = await buildMachineUsageReport({
      ledgers: registry.read().ledgers,
      current: { sql: c.store.sql, directory: c.directory, ledgerId: c.ledgerId, canonicalPath: c.folder },
      reader: spy,
    });

    // The holder is undisturbed: its files are byte for byte as they were, and it still writes.
    assert.deepEqual(folderState(a.directory), heldBefore);
    assert.deepEqual(folderState(b.directory), closedBefore, 'a closed ledger gains no lock file or anything else');
    assert.equal(a.store.readOnly, false);
    await a.store.sessions.create({ type: 'test-fix', title: 'after the report', intention: 'x' });

    // This window's ledger comes from its open store, never from disk; B once, whichever way it was registered.
    assert.ok(!reads.includes(canonicalFolderPath(c.directory)), `read from disk: ${reads.join(', ')}`);
    assert.equal(
      reads.filter((r) => r === canonicalFolderPath(b.directory) || r === canonicalFolderPath(copy)).length,
      1,
      reads.join(', '),
    );

    assert.equal(report.ledgersCounted, 3);
    assert.deepEqual(report.unread, []);
    const want = sumTotals(own);
    assert.ok(
      near(report.total.costUsd, want.costUsd) && near(want.costUsd, 0.25 + 1.5 + 0.125 + 0.0625 + 3),
      `${report.total.costUsd} ≠ ${want.costUsd}`,
    );
    assert.deepEqual({ ...report.total, costUsd: 0 }, { ...want, costUsd: 0 });
    assertSameRows(report.byModel, sumRows(own.map((r) => r.byModel)), 'by model');
    assertSameRows(report.byDay, sumRows(own.map((r) => r.byDay)), 'by day');
    assertSameRows(report.bySessionType, sumRows(own.map((r) => r.bySessionType)), 'by type');
    assertSameRows(report.byPhase, sumRows(own.map((r) => r.byPhase)), 'by phase');
    assert.deepEqual(
      report.byDay.map((r) => r.key),
      ['2026-03-01', '2026-03-02', '2026-03-03'],
      'days oldest first',
    );
    assert.deepEqual(
      report.byModel.map((r) => r.key),
      ['claude-opus-4-1', 'claude-sonnet-4-5', 'claude-haiku-4-5'],
      'models by cost',
    );

    assert.deepEqual(
      report.byProject.map((p) => [p.name, p.key, p.ledgers, p.current]),
      [
        ['gamma', c.folder, 1, true],
        ['alpha', a.folder, 1, false],
        ['beta', b.folder, 1, false],
      ],
    );
    report.byProject.forEach((row, i) => assert.ok(near(row.costUsd, [own[2], own[0], own[1]][i].total.costUsd), row.name));
    assert.ok(usageReportToCsv(report).includes(`\r\nproject,${a.folder},alpha,110,220,`), 'the CSV has a row per project');
    assert.deepEqual(
      report.topSessions.map((s) => [s.project, s.current, s.costUsd]),
      [
        ['gamma', true, 3],
        ['alpha', false, 1.5],
        ['alpha', false, 0.25],
        ['beta', false, 0.125],
        ['beta', false, 0.0625],
      ],
    );
  });

  it('lists a damaged or vanished ledger with its reason, counts the rest, and leaves the damaged files as they were', async () => {
    const good = await project('good', [{ type: 'test-fix', model: 'claude-opus-4-1', day: 0, input: 1, output: 2, cost: 0.5 }]);
    const bad = await project('bad', [{ type: 'test-fix', model: 'claude-opus-4-1', day: 0, input: 1, output: 2, cost: 7 }]);
    await close(bad.store);
    await close(good.store);
    // Garbage in the middle of the snapshot: its checksum no longer matches.
    const snapshot = path.join(bad.directory, 'ledger.sqlite');
    const fd = fs.openSync(snapshot, 'r+');
    fs.writeSync(fd, Buffer.alloc(512, 0xa5), 0, 512, 1024);
    fs.closeSync(fd);
    const gone = path.join(base, 'storage', 'deleted-project', 'ledger');
    await registry.update(
      (content) =>
        void content.ledgers.push({
          directory: gone,
          ledgerId: 'gone-id',
          canonicalPath: path.join(base, 'projects', 'deleted-project'),
          registeredAt: 5,
        }),
    );
    const badBefore = folderState(bad.directory);

    const reader = await LedgerReader.create({ wasmPath: WASM, migrationsDirectory: REPO_MIGRATIONS });
    const report = await buildMachineUsageReport({ ledgers: registry.read().ledgers, reader });

    assert.equal(report.ledgersCounted, 1);
    assert.ok(near(report.total.costUsd, 0.5), String(report.total.costUsd));
    assert.deepEqual(
      report.byProject.map((p) => p.name),
      ['good'],
    );
    const reasons = new Map(report.unread.map((u) => [u.project.name, u]));
    assert.deepEqual([...reasons.keys()].sort(), ['bad', 'deleted-project']);
    assert.match(reasons.get('bad')!.reason, /snapshot ledger\.sqlite is damaged.*Open its project in VS Code/);
    assert.equal(reasons.get('bad')!.directory, bad.directory);
    assert.match(reasons.get('deleted-project')!.reason, /gone or holds no ledger/);
    assert.deepEqual(folderState(bad.directory), badBefore, 'nothing kept aside, repaired or locked by a reader');
    assert.ok(!fs.existsSync(gone));
  });
  it('reads a ledger an older version wrote (schema 6) as this version, in memory only: its files keep their schema', async () => {
    const older = temporaryDirectory('migrations-0006-');
    for (const file of fs.readdirSync(REPO_MIGRATIONS).filter((f) => /^000[1-6]_/.test(f)))
      fs.copyFileSync(path.join(REPO_MIGRATIONS, file), path.join(older, file));
    const directory = path.join(base, 'storage', 'old', 'ledger');
    const store = await openStore(directory, { snapshotInWorker: false, migrationsDirectory: older });
    assert.equal(store.schemaVersion, 6);
    // As that version wrote them (this version's repositories know columns schema 6 lacks).
    await store.transaction((tx) => {
      store.sql.run(
        `INSERT INTO sessions (id, type, title, slug, intention, agent, provider, environment, execution_mode, status, created_at, updated_at)
         VALUES ('5e551017-0000-4000-8000-0000000000d1', 'claude-code', 'old', 'old', 'x', 'claude', 'claude-code', 'local', 'manual', 'complete', 1, 1)`,
      );
      tx.events.append({
        id: 'cc:usage:msg_old:req',
        sessionId: '5e551017-0000-4000-8000-0000000000d1',
        type: 'claude.usage',
        payload: { model: 'claude-opus-4-1', inputTokens: 5, outputTokens: 9, costUsd: 0.75 },
      });
    });
    await store.close();
    await registry.update(
      (content) =>
        void content.ledgers.push({
          directory,
          ledgerId: 'old-ledger',
          canonicalPath: path.join(base, 'projects', 'old'),
          registeredAt: 1,
        }),
    );
    const before = folderState(directory);

    const reader = await LedgerReader.create({ wasmPath: WASM, migrationsDirectory: REPO_MIGRATIONS });
    const report = await buildMachineUsageReport({ ledgers: registry.read().ledgers, reader });

    assert.deepEqual(report.unread, []);
    assert.deepEqual(
      report.byProject.map((p) => [p.name, p.outputTokens, p.costUsd]),
      [['old', 9, 0.75]],
    );
    assert.deepEqual(folderState(directory), before, 'the upgrade happened in memory only');
  });
});
