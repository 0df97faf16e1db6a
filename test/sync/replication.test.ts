import * as assert from 'node:assert/strict';
import type { Pool } from 'pg';
import type { SessionStore } from '../../src/core/store/SessionStore';
import { PulledSessionError } from '../../src/core/sync/ownership';
import { Replicator } from '../../src/core/sync/replicator';
import { SYNC_TABLES, type SyncTableName } from '../../src/core/sync/syncTables';
import { createTeamPool } from '../../src/core/sync/teamPool';
import { teamUsage } from '../../src/core/sync/teamUsage';
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

  it('replicates the goal, the outcome and note flags (local migration 0010, server migration 0002)', async function () {
    const id = await recordSession(ledgerA, 'Goal fields', 2);
    await ledgerA.sessions.update(id, {
      completionCriteria: ['all tests pass', 'CHANGELOG updated'],
      procedureNotes: 'Small commits.',
      status: 'complete',
      summary: 'Done',
      outcome: {
        rating: 4,
        completionPercent: 90,
        needsFollowUp: true,
        followUpNotes: 'Flaky on CI',
        nextSessionSuggestion: 'Stabilise the CI run',
        recordedBy: 'person',
        recordedAt: Date.now(),
      },
    });
    await ledgerA.notes.add({ sessionId: id, content: 'Watch the retry', important: true, followUp: true });
    await replicator(ledgerA, alicePool, A).pushAll();
    const server = await alicePool.query(
      'SELECT completion_criteria, procedure_notes, outcome_rating, outcome_completion_percent, outcome_recorded_by FROM sessions WHERE id = $1',
      [id],
    );
    assert.deepEqual(server.rows[0], {
      completion_criteria: '["all tests pass","CHANGELOG updated"]',
      procedure_notes: 'Small commits.',
      outcome_rating: 4,
      outcome_completion_percent: 90,
      outcome_recorded_by: 'person',
    });
    await replicator(ledgerB, bobPool, B).pull();
    const pulled = ledgerB.sessions.require(id);
    assert.deepEqual(pulled.completionCriteria, ['all tests pass', 'CHANGELOG updated']);
    assert.equal(pulled.outcome?.nextSessionSuggestion, 'Stabilise the CI run');
    assert.ok(ledgerB.notes.list(id).some((note) => note.important && note.followUp && note.content === 'Watch the retry'));
    assert.deepEqual(sessionImage(ledgerB, id), sessionImage(ledgerA, id));
  });

  it('replicates every column of the local tables but the local-only ones, and the server has each of them', async function () {
    // A column a local migration adds is replicated (sessions and runs take their lists from the row modules): the server needs it too.
    const localOnly: Partial<Record<SyncTableName, string[]>> = {
      sessions: ['owner_person', 'owner_machine', 'sync_origin', 'shared'],
      artifacts: ['content'],
    };
    const admin = cluster.pool('postgres', 'team');
    try {
      for (const table of SYNC_TABLES) {
        const local = ledgerA.sql.all(`PRAGMA table_info(${table.name})`).map((column) => String(column.name));
        assert.deepEqual(
          local.filter((column) => !table.columns.includes(column)),
          localOnly[table.name] ?? [],
          `local ${table.name} columns that are not replicated`,
        );
        const server = await admin.query<{ column_name: string }>(
          'SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1',
          [table.name],
        );
        const onServer = new Set(server.rows.map((row) => row.column_name));
        assert.deepEqual(
          table.columns.filter((column) => !onServer.has(column)),
          [],
          `replicated ${table.name} columns missing on the server`,
        );
      }
    } finally {
      await admin.end();
    }
  });

  it('bounds a pull by age, and brings an old session whole once it changes again', async function () {
    const C = { person: 'bob', machine: 'machine-c' };
    const ledgerC = await openLedger(temporaryDirectory('ledger-c-'));
    try {
      const pushA = replicator(ledgerA, alicePool, A);
      const old = await recordSession(ledgerA, 'Last spring', 12);
      await pushA.pushAll();
      // C pulls as if 60 days had passed, with a 30-day bound: the session is skipped, its rows too.
      const later = Date.now() + 60 * 86_400_000;
      const bounded = (now: number): Replicator =>
        new Replicator({ store: ledgerC, pool: bobPool, ...C, projectId: PROJECT, sharing: 'off', pullMaxAgeDays: 30, now: () => now });
      await bounded(later).pull();
      assert.equal(ledgerC.sessions.get(old), undefined, 'a session older than the bound is not pulled');
      assert.equal(Number(ledgerC.sql.all('SELECT count(*) AS n FROM events WHERE session_id = ?', [old])[0].n), 0);
      const recent = await recordSession(ledgerA, 'This week', 3);
      await pushA.pushAll();
      await bounded(Date.now()).pull();
      assert.deepEqual(sessionImage(ledgerC, recent), sessionImage(ledgerA, recent));
      assert.equal(ledgerC.sessions.get(old), undefined, 'the cursor moved on; the old session is still not here');
      // It changes again: it arrives with every earlier step and event, not only the new ones.
      await appendEvents(ledgerA, old, 2);
      await pushA.pushAll();
      await bounded(Date.now()).pull();
      assert.deepEqual(sessionImage(ledgerC, old), sessionImage(ledgerA, old));
    } finally {
      await ledgerC.close();
    }
  });

  it('keeps the local foreign keys: fetches a parent the age bound skipped, leaves out a parent that is not shared', async function () {
    const day = 86_400_000;
    const old = await ledgerA.sessions.create({
      type: 'spec',
      title: 'Epic from last year',
      intention: 'x',
      createdAt: Date.now() - 400 * day,
    });
    await ledgerA.sessions.setTimes(old.id, { updatedAt: Date.now() - 400 * day });
    const child = await ledgerA.sessions.create({ type: 'spec', title: 'Part of the epic', intention: 'y', parentSessionId: old.id });
    await replicator(ledgerA, alicePool, A).pushAll();

    const privateParent = await ledgerA.sessions.create({ type: 'spec', title: 'Private parent', intention: 'p' });
    const sharedChild = await ledgerA.sessions.create({
      type: 'spec',
      title: 'Shared child',
      intention: 'c',
      parentSessionId: privateParent.id,
    });
    const onlyMarked = replicator(ledgerA, alicePool, A, 'shared');
    await onlyMarked.setShared(sharedChild.id, true);
    await onlyMarked.pushAll();
    const server = await alicePool.query('SELECT id FROM sessions WHERE id = ANY($1::text[])', [[privateParent.id, sharedChild.id]]);
    assert.deepEqual(
      server.rows.map((row) => row.id),
      [sharedChild.id],
      'only the session marked Share left the machine',
    );

    const ledgerE = await openLedger(temporaryDirectory('ledger-e-'));
    try {
      const pullE = new Replicator({
        store: ledgerE,
        pool: bobPool,
        person: 'bob',
        machine: 'machine-e',
        projectId: PROJECT,
        sharing: 'off',
        pullMaxAgeDays: 30,
      });
      await pullE.pull();
      assert.equal(ledgerE.sessions.require(child.id).parentSessionId, old.id);
      assert.equal(ledgerE.sessions.require(old.id).title, 'Epic from last year', 'the parent came along, though older than the bound');
      assert.equal(ledgerE.sessions.require(sharedChild.id).parentSessionId, null, 'a parent this role cannot read is left out');
      assert.equal(ledgerE.sessions.get(privateParent.id), undefined);
    } finally {
      await ledgerE.close();
    }
  });

  it('catches up an empty ledger in pages (a server-side cursor per table), identical to a one-page pull', async function () {
    const ledgerF = await openLedger(temporaryDirectory('ledger-f-'));
    try {
      const paged = new Replicator({
        store: ledgerF,
        pool: bobPool,
        person: 'bob',
        machine: 'machine-f',
        projectId: PROJECT,
        sharing: 'off',
        pageSize: 7,
      });
      const applied = await paged.pull();
      assert.ok(applied > 50, `many pages (${applied} rows, 7 a page)`);
      const ids = ledgerA.sql.all('SELECT id FROM sessions WHERE sync_origin IS NULL AND shared = 0').map((row) => String(row.id));
      const pushed = ids.filter((id) => ledgerF.sessions.get(id) !== undefined);
      assert.ok(pushed.length >= 3);
      for (const id of pushed) assert.deepEqual(sessionImage(ledgerF, id), sessionImage(ledgerA, id));
      assert.equal(await paged.pull(), 0);
    } finally {
      await ledgerF.close();
    }
  });

  it('says offline while the server cannot be reached, and no longer once a pull gets through (sharing off: nothing is pushed)', async function () {
    let down = true;
    const refused = (): Error => Object.assign(new Error('connect ECONNREFUSED /tmp/.s.PGSQL.5432'), { code: 'ECONNREFUSED' });
    const flaky = {
      query: (...args: Parameters<Pool['query']>) => (down ? Promise.reject(refused()) : bobPool.query(...args)),
      connect: () => (down ? Promise.reject(refused()) : bobPool.connect()),
    } as unknown as Pool;
    const pullB = new Replicator({ store: ledgerB, pool: flaky, person: B.person, machine: B.machine, projectId: PROJECT, sharing: 'off' });
    await assert.rejects(pullB.pull(), /could not pull changes from the team ledger/);
    assert.equal(pullB.currentStatus.state, 'offline');
    down = false;
    await pullB.pull();
    assert.equal(pullB.currentStatus.state, 'off');
  });

  it('counts the team usage on B by person and project (Show Usage, Team)', async function () {
    await replicator(ledgerB, bobPool, B).pull();
    const own = await recordSession(ledgerB, 'Bob works too', 1);
    const usage = teamUsage(ledgerB.sql, { person: 'bob', projectId: PROJECT });
    const pulled = ledgerB.sql.all(
      "SELECT count(*) AS runs, sum(r.cost_usd) AS cost FROM runs r JOIN sessions s ON s.id = r.session_id WHERE s.owner_person = 'alice' AND s.deleted_at IS NULL",
    )[0];
    const alice = usage.byPerson.find((row) => row.key === 'alice');
    const bob = usage.byPerson.find((row) => row.key === 'bob');
    assert.ok(alice && bob);
    assert.equal(alice.requests, Number(pulled.runs));
    assert.ok(Math.abs(alice.costUsd - Number(pulled.cost)) < 1e-9);
    assert.equal(alice.you, false);
    assert.equal(bob.you, true);
    assert.equal(bob.requests, ledgerB.runs.listBySession(own).length);
    assert.deepEqual(
      usage.byProject.map((row) => [row.key, row.current, row.requests]),
      [[PROJECT, true, alice.requests + bob.requests]],
    );
    assert.ok(usage.pulledSessions > 0);
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
