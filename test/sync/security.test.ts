import * as assert from 'node:assert/strict';
import { parse } from 'pg-connection-string';
import { checkTeamConnection } from '../../src/core/sync/connect';
import { connectionPassword, redactConnection, teamLedgerError, teamPoolConfig } from '../../src/core/sync/connectionSecrets';
import { TeamSchemaTooNewError, checkTeamSchema, loadPgMigrations, migrateTeamLedger } from '../../src/core/sync/pgMigrations';
import { createTeamPool } from '../../src/core/sync/teamPool';
import { PgCluster } from './pgCluster';
import { PROJECT, createTeamDatabase, openLedger, recordSession, replicator, temporaryDirectory } from './teamSupport';

describe('team ledger: connection strings stay secret', function () {
  const url = 'postgresql://alice:S3cr%2Ft-pw@db.example.com:5432/team?sslmode=verify-full';
  const keywords = "host=db.example.com user=alice password='hunter2 x' dbname=team sslmode=verify-full";

  it('removes the connection string, its password and any PostgreSQL URL from messages', function () {
    assert.equal(connectionPassword(url), 'S3cr/t-pw');
    assert.equal(connectionPassword(keywords), 'hunter2 x');
    const message = `could not connect with ${url}; password S3cr/t-pw (encoded S3cr%2Ft-pw) and ${keywords} and postgres://bob:pw@other/db`;
    const redacted = redactConnection(message, url);
    for (const secret of ['S3cr/t-pw', 'S3cr%2Ft-pw', 'hunter2', 'bob:pw', 'db.example.com:5432'])
      assert.ok(!redacted.includes(secret), `${secret} in ${redacted}`);
    assert.match(redacted, /\[REDACTED:connection\]/);
    const wrapped = teamLedgerError(
      'connect to the team ledger',
      Object.assign(new Error(`password authentication failed: ${url}`), { code: '28P01' }),
      url,
    );
    assert.equal(wrapped.code, '28P01');
    assert.ok(!wrapped.message.includes('S3cr'), wrapped.message);
  });

  it('honours sslmode from the connection string', function () {
    assert.ok(parse(teamPoolConfig(url).connectionString).ssl, 'sslmode=verify-full turns TLS on');
    assert.equal(parse(teamPoolConfig('postgresql://alice@db/team?sslmode=disable').connectionString).ssl, false);
  });
});

describe('team ledger: schema and row-level security on a real PostgreSQL', function () {
  let cluster: PgCluster;

  before(async function () {
    cluster = await PgCluster.start();
    await createTeamDatabase(cluster, 'team');
  });
  after(function () {
    cluster?.stop();
  });

  it('applies the migrations once when two clients run them at once, and refuses a newer schema', async function () {
    const admin = cluster.pool('postgres');
    await admin.query('CREATE DATABASE race');
    await admin.end();
    const one = cluster.pool('postgres', 'race');
    const two = cluster.pool('postgres', 'race');
    try {
      const results = await Promise.all([migrateTeamLedger(one), migrateTeamLedger(two)]);
      const known = loadPgMigrations().length;
      assert.deepEqual(
        results.map((result) => result.version),
        [known, known],
      );
      assert.deepEqual(
        results.flatMap((result) => result.applied).sort(),
        loadPgMigrations().map((migration) => migration.file),
      );
      assert.equal((await one.query('SELECT count(*)::int AS n FROM session_ledger_migrations')).rows[0].n, known);
      await one.query("INSERT INTO session_ledger_migrations (version, name) VALUES (999, 'from_the_future')");
      await assert.rejects(
        migrateTeamLedger(two),
        (error: Error) => error instanceof TeamSchemaTooNewError && /schema 999, newer than this version/.test(error.message),
      );
      await assert.rejects(checkTeamSchema(two), TeamSchemaTooNewError);
    } finally {
      await one.end();
      await two.end();
    }
  });

  it("refuses, in the database itself, a role writing another owner's rows or reading a project it is not in", async function () {
    const ledger = await openLedger(temporaryDirectory('ledger-a-'));
    const alice = cluster.pool('alice', 'team');
    const bob = cluster.pool('bob', 'team');
    const carol = cluster.pool('carol', 'team');
    try {
      const pusher = replicator(ledger, alice, { person: 'alice', machine: 'machine-a' });
      await pusher.enableCapture();
      const id = await recordSession(ledger, 'Alice only', 3);
      await pusher.pushAll();
      const rls = /row-level security/;
      // Bob inserts a session claiming Alice owns it.
      await assert.rejects(
        bob.query(
          "INSERT INTO sessions (id, project_id, owner_role, owner_person, owner_machine, type, title, slug, intention, success_criteria, constraints, agent, provider, environment, execution_mode, status, state, tags, total_cost_usd, cost_unknown, input_tokens, output_tokens, cache_creation_tokens, cache_creation_1h_tokens, cache_read_tokens, interaction_count, event_count, last_event_seq, created_at, updated_at) VALUES ('forged', $1, 'alice', 'alice', 'machine-a', 't', 't', 't', '', '[]', '[]', 'a', 'p', 'e', 'manual', 'active', '{}', '[]', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)",
          [PROJECT],
        ),
        rls,
      );
      // Bob overwrites Alice's session through an upsert, and appends an event to it.
      await assert.rejects(
        bob.query("INSERT INTO sessions SELECT * FROM sessions WHERE id = $1 ON CONFLICT (id) DO UPDATE SET title = 'pwned'", [id]),
        rls,
      );
      await assert.rejects(
        bob.query(
          "INSERT INTO events (id, session_id, project_id, seq, type, payload, ts) VALUES ('e-forged', $1, $2, 9999, 'x', 'null', 0)",
          [id, PROJECT],
        ),
        rls,
      );
      const updated = await bob.query("UPDATE sessions SET title = 'pwned' WHERE id = $1", [id]);
      assert.equal(updated.rowCount, 0, "an UPDATE of another owner's row touches nothing");
      assert.equal((await alice.query('SELECT title FROM sessions WHERE id = $1', [id])).rows[0].title, 'Alice only');
      // Bob, a member, reads it; Carol, a member of no project, sees nothing, not even through the views.
      assert.equal((await bob.query('SELECT count(*)::int AS n FROM sessions WHERE id = $1', [id])).rows[0].n, 1);
      assert.equal((await carol.query('SELECT count(*)::int AS n FROM sessions')).rows[0].n, 0);
      assert.equal((await carol.query('SELECT count(*)::int AS n FROM events')).rows[0].n, 0);
      assert.equal((await carol.query('SELECT count(*)::int AS n FROM session_summary')).rows[0].n, 0);
      const usage = await bob.query('SELECT person, model, runs::int, cost_usd FROM daily_usage WHERE project_id = $1', [PROJECT]);
      assert.deepEqual(usage.rows, [{ person: 'alice', model: 'claude-sonnet-4-5', runs: 1, cost_usd: 0.0123 }]);
    } finally {
      await ledger.close();
      await Promise.all([alice.end(), bob.end(), carol.end()]);
    }
  });

  it('never sends a secret to the server: it is redacted before it leaves the machine', async function () {
    const ledger = await openLedger(temporaryDirectory('ledger-a-'));
    const alice = cluster.pool('alice', 'team');
    const admin = cluster.pool('postgres', 'team');
    const key = `sk-ant-api03-${'Q'.repeat(80)}`;
    const token = `ghp_${'a1B2'.repeat(9)}`;
    try {
      const pusher = replicator(ledger, alice, { person: 'alice', machine: 'machine-a' });
      await pusher.enableCapture();
      const session = await ledger.sessions.create({ type: 'test-fix', title: 'Secrets', intention: `Use ANTHROPIC_API_KEY=${key}` });
      const step = await ledger.interactions.append({
        sessionId: session.id,
        step: 'build',
        kind: 'shell',
        command: `curl -H "Authorization: Bearer ${token}" x`,
      });
      await ledger.interactions.setResult(step.id, { status: 'ok', exitCode: 0, output: `echo ${key}` });
      await ledger.events.append({
        id: 'evt-secret',
        sessionId: session.id,
        type: 'hook.PreToolUse',
        payload: { apiKey: 'plain-looking-value', env: `GITHUB_TOKEN=${token}` },
      });
      await pusher.pushAll();
      assert.ok(JSON.stringify(ledger.sql.all('SELECT * FROM interactions')).includes(key), 'the local ledger keeps what was recorded');
      const dump = JSON.stringify(
        (
          await admin.query(
            'SELECT (SELECT json_agg(s) FROM sessions s) AS s, (SELECT json_agg(i) FROM interactions i) AS i, (SELECT json_agg(e) FROM events e) AS e',
          )
        ).rows,
      );
      for (const secret of [key, token, 'plain-looking-value'])
        assert.ok(!dump.includes(secret), `${secret.slice(0, 12)}… reached the server`);
      assert.match(dump, /REDACTED:anthropic-api-key/);
      const payload = (await admin.query("SELECT payload FROM events WHERE id = 'evt-secret'")).rows[0].payload as string;
      assert.doesNotThrow(() => JSON.parse(payload), 'a redacted JSON payload stays JSON');
    } finally {
      await ledger.close();
      await Promise.all([alice.end(), admin.end()]);
    }
  });

  it('shares nothing by default and, with "only sessions marked Share", only those', async function () {
    const ledger = await openLedger(temporaryDirectory('ledger-a-'));
    const alice = createTeamPool(cluster.config('alice', 'team'));
    try {
      const off = replicator(ledger, alice, { person: 'alice', machine: 'machine-c' }, 'off');
      await off.enableCapture();
      const hidden = await recordSession(ledger, 'Private', 2);
      assert.equal(await off.pushAll(), 0);
      assert.equal(off.pendingCount(), 0, 'with sharing off nothing is even captured');
      const selective = replicator(ledger, alice, { person: 'alice', machine: 'machine-c' }, 'shared');
      await selective.enableCapture();
      const shared = await recordSession(ledger, 'Shared', 2);
      await selective.setShared(shared, true);
      await selective.pushAll();
      const onServer = (await alice.query("SELECT id FROM sessions WHERE owner_machine = 'machine-c'")).rows.map(
        (row: { id: string }) => row.id,
      );
      assert.deepEqual(onServer, [shared]);
      assert.ok(!onServer.includes(hidden));
      assert.equal((await alice.query('SELECT count(*)::int AS n FROM events WHERE session_id = $1', [shared])).rows[0].n, 2);
    } finally {
      await ledger.close();
      await alice.end();
    }
  });

  it('reports the server, role and schema, and keeps the password out of a failure', async function () {
    const check = await checkTeamConnection(
      `postgresql://bob:not-needed@localhost/team?host=${encodeURIComponent(cluster.socketDirectory)}&sslmode=disable`,
    );
    assert.equal(check.role, 'bob');
    assert.equal(check.schemaVersion, check.knownSchemaVersion);
    assert.equal(check.tls, false);
    const secret = 'Sup3rSecretPassw0rd';
    const wrong = `postgresql://bob:${secret}@localhost/no_such_db?host=${encodeURIComponent(cluster.socketDirectory)}&sslmode=disable`;
    await assert.rejects(checkTeamConnection(wrong), (error: Error) => {
      assert.match(error.message, /could not connect to the team ledger/);
      assert.match(error.message, /no_such_db/, 'the cause is said');
      assert.ok(!error.message.includes(secret) && !error.message.includes(wrong), error.message);
      return true;
    });
  });
});
