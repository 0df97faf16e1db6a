import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import type { Pool } from 'pg';
import type { SessionStore } from '../../src/core/store/SessionStore';
import { PgCluster } from './pgCluster';
import { appendEvents, createTeamDatabase, localEventIds, openLedger, replicator, serverEventIds, temporaryDirectory } from './teamSupport';

const A = { person: 'alice', machine: 'machine-a' };
const ROOT = path.join(__dirname, '..', '..');

/** pushChild.ts as one JavaScript file under test-results/ (beside node_modules, for sql.js's wasm). */
function bundleChild(): string {
  const outfile = path.join(ROOT, 'test-results', 'sync', 'pushChild.js');
  esbuild.buildSync({
    entryPoints: [path.join(__dirname, 'pushChild.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    outfile,
    external: ['pg-native', 'sql.js'],
    logLevel: 'error',
  });
  return outfile;
}

/** Nothing the ledger counts as pushed is missing on the server, and the server holds nothing the ledger does not. */
async function assertAcknowledgedOnServer(store: SessionStore, admin: Pool): Promise<void> {
  const local = localEventIds(store);
  const server = await serverEventIds(admin);
  const missing = [...local.acknowledged].filter((id) => !server.has(id));
  assert.deepEqual(missing, [], 'events acknowledged locally (gone from the outbox) are on the server');
  const unknown = [...server].filter((id) => !local.all.has(id));
  assert.deepEqual(unknown, [], 'the server holds only events the ledger has');
  const duplicates = await admin.query('SELECT session_id, seq FROM events GROUP BY session_id, seq HAVING count(*) > 1');
  assert.equal(duplicates.rowCount, 0);
}

async function assertServerEqualsLedger(store: SessionStore, admin: Pool): Promise<void> {
  const local = store.sql.all('SELECT id, session_id, seq, payload FROM events ORDER BY session_id, seq');
  const server = await admin.query('SELECT id, session_id, seq, payload FROM events ORDER BY session_id, seq');
  assert.deepEqual(server.rows, local);
  const localSessions = store.sql.all('SELECT id, event_count, last_event_seq FROM sessions WHERE sync_origin IS NULL ORDER BY id');
  const serverSessions = await admin.query('SELECT id, event_count, last_event_seq FROM sessions ORDER BY id');
  assert.deepEqual(serverSessions.rows, localSessions);
}

describe('team ledger: pushing survives failures', function () {
  let cluster: PgCluster;
  let admin: Pool;
  let alice: Pool;

  let database = '';
  let databases = 0;

  before(async function () {
    cluster = await PgCluster.start();
  });

  after(function () {
    cluster?.stop();
  });

  // One database per test, on one cluster.
  beforeEach(async function () {
    database = `team_${++databases}`;
    await createTeamDatabase(cluster, database);
    admin = cluster.pool('postgres', database);
    alice = cluster.pool('alice', database);
  });

  afterEach(async function () {
    await alice?.end().catch(() => undefined);
    await admin?.end().catch(() => undefined);
  });

  async function ledgerWithBacklog(events: number): Promise<SessionStore> {
    const store = await openLedger(temporaryDirectory('ledger-a-'));
    await replicator(store, alice, A).enableCapture();
    const session = await store.sessions.create({ type: 'test-fix', title: 'Big', intention: 'push a lot' });
    for (let done = 0; done < events; done += 1000) await appendEvents(store, session.id, 1000);
    return store;
  }

  it('loses and duplicates nothing when its connections are terminated mid-push (pg_terminate_backend)', async function () {
    const store = await ledgerWithBacklog(6_000);
    try {
      const pusher = replicator(store, alice, A, 'all', 400);
      let terminated = 0;
      let failures = 0;
      const killer = (async () => {
        while (terminated < 4) {
          const result = await admin.query(
            "SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE usename = 'alice' AND state IN ('active', 'idle in transaction')",
          );
          terminated += result.rows.filter((row: { done: boolean }) => row.done).length;
          await new Promise((resolve) => setTimeout(resolve, 15));
        }
      })();
      while (pusher.pendingCount() > 0) {
        try {
          await pusher.pushAll();
        } catch (error) {
          failures++;
          assert.doesNotMatch((error as Error).message, /host=|\/tmp\//, 'no connection details in the message');
          await assertAcknowledgedOnServer(store, admin);
        }
      }
      await killer;
      assert.ok(failures >= 1, `at least one push was cut off (${terminated} backends terminated)`);
      await assertServerEqualsLedger(store, admin);
    } finally {
      await store.close();
    }
  });

  it('loses and duplicates nothing when the server stops immediately mid-push (pg_ctl stop -m immediate) and restarts', async function () {
    const store = await ledgerWithBacklog(5_000);
    try {
      const pusher = replicator(store, alice, A, 'all', 300);
      const total = pusher.pendingCount();
      const pushing = pusher.pushAll().then(
        () => undefined,
        (error: Error) => error,
      );
      while (pusher.pendingCount() > total - 1500) await new Promise((resolve) => setTimeout(resolve, 5));
      cluster.stopImmediate();
      const failure = await pushing;
      assert.ok(failure instanceof Error && /could not push/.test(failure.message), 'the push in flight failed');
      assert.ok(pusher.pendingCount() > 0);
      cluster.startServer();
      await assertAcknowledgedOnServer(store, admin);
      await pusher.pushAll();
      assert.equal(pusher.pendingCount(), 0);
      await assertServerEqualsLedger(store, admin);
    } finally {
      await store.close();
    }
  });

  it('loses and duplicates nothing when the pushing process is SIGKILLed at random moments, 20 times', async function () {
    // 20 process starts: about a minute on an idle machine, more when the machine is shared.
    this.timeout(400_000);
    const directory = temporaryDirectory('ledger-killed-');
    const rounds = Number(process.env.SYNC_TEST_ROUNDS ?? 20);
    const child = bundleChild();
    for (let round = 0; round < rounds; round++) {
      const pushing = spawn(process.execPath, [child, directory, cluster.socketDirectory, path.join(ROOT, 'migrations'), database], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      pushing.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<void>((resolve) => pushing.on('exit', () => resolve()));
      await new Promise<void>((resolve, reject) => {
        pushing.stdout.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('ready')) resolve();
        });
        pushing.on('exit', (code) => reject(new Error(`the pushing process exited (${code}) before it was killed: ${stderr}`)));
      });
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 300)));
      pushing.kill('SIGKILL');
      await exited;
      const store = await openLedger(directory);
      try {
        await assertAcknowledgedOnServer(store, admin);
      } finally {
        await store.close();
      }
    }
    const store = await openLedger(directory);
    try {
      const pusher = replicator(store, alice, A);
      await pusher.pushAll();
      assert.ok((store.sql.all('SELECT count(*) AS n FROM events')[0].n as number) > rounds * 15);
      await assertServerEqualsLedger(store, admin);
    } finally {
      await store.close();
    }
  });
});
