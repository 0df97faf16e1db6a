import * as assert from 'node:assert/strict';
import type { Pool } from 'pg';
import type { SessionStore } from '../../src/core/store/SessionStore';
import { PulledSessionError } from '../../src/core/sync/ownership';
import { Replicator } from '../../src/core/sync/replicator';
import { createTeamPool } from '../../src/core/sync/teamPool';
import { PgCluster } from './pgCluster';
import {
  PROJECT,
  appendEvents,
  createTeamDatabase,
  openLedger,
  recordSession,
  replicator,
  sessionImage,
  temporaryDirectory,
} from './teamSupport';

const A = { person: 'alice', machine: 'machine-a' };
const B = { person: 'bob', machine: 'machine-b' };

describe('team ledger: two ledgers sync through PostgreSQL', function () {
  let cluster: PgCluster;
  let alicePool: Pool;
  let bobPool: Pool;
  let ledgerA: SessionStore;
  let ledgerB: SessionStore;

  before(async function () {
    cluster = await PgCluster.start();
    await createTeamDatabase(cluster, 'team');
    alicePool = cluster.pool('alice', 'team');
    bobPool = cluster.pool('bob', 'team');
    ledgerA = await openLedger(temporaryDirectory('ledger-a-'));
    ledgerB = await openLedger(temporaryDirectory('ledger-b-'));
  });

  after(async function () {
    await ledgerA?.close();
    await ledgerB?.close();
    await alicePool?.end();
    await bobPool?.end();
    cluster?.stop();
  });

  it('shows sessions made on A on B with every step and event and identical totals, read-only', async function () {
    const pushA = replicator(ledgerA, alicePool, A);
    await pushA.ensureSchema();
    await pushA.enableCapture();
    const first = await recordSession(ledgerA, 'Flaky login test', 25);
    const second = await recordSession(ledgerA, 'Slow build', 5);
    assert.ok(pushA.pendingCount() > 0, 'changes are captured in the outbox');
    await pushA.pushAll();
    assert.equal(pushA.pendingCount(), 0);
    assert.equal(pushA.currentStatus.state, 'synced');

    const pullB = replicator(ledgerB, bobPool, B);
    const applied = await pullB.pull();
    assert.ok(applied > 0);
    for (const id of [first, second]) assert.deepEqual(sessionImage(ledgerB, id), sessionImage(ledgerA, id));
    const pulled = ledgerB.sql.all('SELECT owner_person, owner_machine, sync_origin FROM sessions WHERE id = ?', [first])[0];
    assert.deepEqual(pulled, { owner_person: 'alice', owner_machine: 'machine-a', sync_origin: 'pulled' });
    assert.equal(pullB.pendingCount(), 0, 'pulled rows are not queued to be pushed back');

    // Every write to the pulled copy is refused, and nothing of it is kept.
    await assert.rejects(
      ledgerB.sessions.update(first, { phase: 'build' }),
      (error: Error) => error instanceof PulledSessionError && /belongs to alice on machine-a/.test(error.message),
    );
    await assert.rejects(ledgerB.notes.add({ sessionId: first, content: 'mine now' }), PulledSessionError);
    await assert.rejects(appendEvents(ledgerB, first, 1), PulledSessionError);
    assert.deepEqual(sessionImage(ledgerB, first), sessionImage(ledgerA, first));

    // B's own sessions stay writable and are not A's business until B shares them.
    const own = await ledgerB.sessions.create({ type: 'spec', title: 'B work', intention: 'x' });
    await ledgerB.sessions.update(own.id, { phase: 'plan' });

    // Later changes on A arrive on B by the next pull; an unchanged re-pull applies nothing.
    await appendEvents(ledgerA, first, 7);
    await ledgerA.sessions.update(first, { status: 'complete' });
    await pushA.pushAll();
    assert.ok((await pullB.pull()) > 0);
    assert.deepEqual(sessionImage(ledgerB, first), sessionImage(ledgerA, first));
    assert.equal(await pullB.pull(), 0);
  });

  it('lets A work offline and catch up', async function () {
    const offlinePool = createTeamPool({
      ...cluster.config('alice', 'team'),
      host: temporaryDirectory('no-server-'),
      connectionTimeoutMillis: 2000,
    });
    const offline = replicator(ledgerA, offlinePool, A);
    const id = await recordSession(ledgerA, 'Written on a plane', 40);
    await appendEvents(ledgerA, id, 60);
    const queued = offline.pendingCount();
    assert.ok(queued >= 100);
    await assert.rejects(offline.pushAll(), /could not push changes to the team ledger/);
    assert.equal(offline.currentStatus.state, 'offline');
    assert.equal(offline.pendingCount(), queued, 'nothing leaves the outbox without the server');
    await offlinePool.end();

    const online = replicator(ledgerA, alicePool, A, 'all', 50);
    await online.pushAll();
    assert.equal(online.pendingCount(), 0);
    await replicator(ledgerB, bobPool, B).pull();
    assert.deepEqual(sessionImage(ledgerB, id), sessionImage(ledgerA, id));
  });

  it('pulls without polling: a NOTIFY from the server triggers the pull', async function () {
    const liveB = new Replicator({
      store: ledgerB,
      pool: bobPool,
      person: B.person,
      machine: B.machine,
      projectId: PROJECT,
      sharing: 'off',
      pollMs: 600_000,
    });
    liveB.start();
    try {
      await new Promise((resolve) => setTimeout(resolve, 500)); // LISTEN established
      const id = await recordSession(ledgerA, 'Live', 3);
      await replicator(ledgerA, alicePool, A).pushAll();
      const deadline = Date.now() + 10_000;
      while (!ledgerB.sessions.get(id) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.ok(ledgerB.sessions.get(id), 'the session arrived on B through LISTEN/NOTIFY (the poll is 10 minutes)');
    } finally {
      await liveB.stop();
    }
  });
});
