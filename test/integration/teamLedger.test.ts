import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pool } from 'pg';
import * as vscode from 'vscode';
import type { SessionLedgerApi } from '../../src/extension';
import { SessionStore } from '../../src/core/store/SessionStore';
import { loadPgMigrations, migrateTeamLedger } from '../../src/core/sync/pgMigrations';
import { Replicator } from '../../src/core/sync/replicator';
import { createTeamPool } from '../../src/core/sync/teamPool';
import type { SessionTreeNode } from '../../src/vscode/SessionTreeProvider';
import type { UsagePanel } from '../../src/vscode/usage/UsagePanel';
import { activateExtension, extensionId, waitFor, within } from './helpers';

/**
 * The team ledger in the real extension host: a throwaway PostgreSQL (started by
 * test/harness/runIntegration.ts, as test/sync starts it: SESSION_LEDGER_TEST_PG_SOCKET) set up as
 * an admin would (roles, setup-roles.sql, the migrations, this workspace's project with alice and
 * bob). Another ledger — alice on machine-a — pushes a session; this window connects as bob and
 * shows it in the Sessions tree with its owner, read-only.
 */
describe('team ledger: a session pushed by another ledger shows in the tree, read-only', function () {
  this.timeout(120_000);
  const socket = process.env.SESSION_LEDGER_TEST_PG_SOCKET;
  let api: SessionLedgerApi;
  let admin: Pool | undefined;
  let alicePool: Pool | undefined;
  let ledgerA: SessionStore | undefined;
  let directory: string | undefined;
  let sessionId: string;

  const connectionString = (role: string) => `postgresql://${role}@localhost/team_it?host=${encodeURIComponent(socket ?? '')}`;

  before(async function () {
    assert.ok(socket, 'SESSION_LEDGER_TEST_PG_SOCKET is not set: run through test/harness/runIntegration.ts, which starts PostgreSQL');
    api = await activateExtension();
    const extensionPath = vscode.extensions.getExtension(extensionId)!.extensionPath;
    const projectId = api.teamLedger.projectId;
    assert.ok(projectId, 'the workspace has a project id');

    admin = createTeamPool({ host: socket, user: 'postgres', database: 'postgres' });
    await admin.query('CREATE DATABASE team_it');
    await admin.query(`DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'session_ledger_member') THEN CREATE ROLE session_ledger_member NOLOGIN; END IF;
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'alice') THEN CREATE ROLE alice LOGIN IN ROLE session_ledger_member; END IF;
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'bob') THEN CREATE ROLE bob LOGIN IN ROLE session_ledger_member; END IF;
    END $$`);
    const team = createTeamPool({ host: socket, user: 'postgres', database: 'team_it' });
    try {
      await team.query(readFileSync(join(extensionPath, 'migrations', 'postgres', 'setup-roles.sql'), 'utf8'));
      await migrateTeamLedger(team, loadPgMigrations(join(extensionPath, 'migrations', 'postgres')));
      await team.query('INSERT INTO projects (id, name) VALUES ($1, $2)', [projectId, 'Integration']);
      await team.query("INSERT INTO project_members (project_id, role_name) VALUES ($1, 'alice'), ($1, 'bob')", [projectId]);
    } finally {
      await team.end();
    }

    // Machine A: alice's own ledger, sharing every session.
    directory = mkdtempSync(join(tmpdir(), 'team-it-a-'));
    ledgerA = await SessionStore.open({
      directory,
      wasmPath: join(extensionPath, 'dist', 'sql-wasm.wasm'),
      workerPath: join(extensionPath, 'dist', 'snapshotWorker.js'),
      migrationsDirectory: join(extensionPath, 'migrations'),
    });
    alicePool = createTeamPool({ host: socket, user: 'alice', database: 'team_it' });
    const pushA = new Replicator({ store: ledgerA, pool: alicePool, person: 'alice', machine: 'machine-a', projectId, sharing: 'all' });
    await pushA.enableCapture();
    const session = await ledgerA.sessions.create({
      type: 'test-fix',
      title: 'Flaky login test (from alice)',
      intention: 'Fix the flaky login test',
    });
    sessionId = session.id;
    const step = await ledgerA.interactions.append({ sessionId, step: 'build', kind: 'shell', command: 'npm test' });
    await ledgerA.interactions.setResult(step.id, { status: 'error', exitCode: 1, output: '1 failing', durationMs: 900 });
    const run = await ledgerA.runs.start({ sessionId, interactionId: step.id, provider: 'anthropic-api', model: 'claude-sonnet-4-5' });
    await ledgerA.runs.update(run.id, { status: 'ok', inputTokens: 1000, outputTokens: 200, costUsd: 0.02 });
    await ledgerA.transaction((tx) => {
      for (let i = 0; i < 5; i++) tx.events.append({ id: randomUUID(), sessionId, type: 'agent.text', payload: { text: `line ${i}` } });
    });
    await pushA.pushAll();
    assert.equal(pushA.pendingCount(), 0);
  });

  after(async () => {
    await api?.teamLedger.disconnect().catch(() => undefined);
    await ledgerA?.close();
    await alicePool?.end();
    await admin?.end();
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  function treeSessions(): { node: SessionTreeNode & { kind: 'session' }; item: vscode.TreeItem }[] {
    const out: { node: SessionTreeNode & { kind: 'session' }; item: vscode.TreeItem }[] = [];
    for (const group of api.tree.getChildren())
      for (const node of api.tree.getChildren(group)) if (node.kind === 'session') out.push({ node, item: api.tree.getTreeItem(node) });
    return out;
  }

  it('connects (the string in secret storage only), pulls, and shows the session with its owner and machine', async () => {
    const check = await api.teamLedger.connect(connectionString('bob'));
    assert.equal(check.role, 'bob');
    assert.ok(check.schemaVersion >= 3);
    const config = JSON.stringify(vscode.workspace.getConfiguration('sessionLedger'));
    assert.ok(!config.includes('team_it'), 'the connection string is not in the settings');

    const shown = await waitFor('the pulled session in the Sessions tree', () =>
      treeSessions().find((entry) => entry.node.session.id === sessionId),
    );
    assert.equal(shown.item.label, 'Flaky login test (from alice)');
    assert.match(String(shown.item.description), /^alice · /);
    const tooltip = (shown.item.tooltip as vscode.MarkdownString).value;
    assert.match(tooltip, /From the team ledger: alice on machine-a\. Read-only here/);
    assert.match(String(shown.item.contextValue), /\.pulled$/);
    // Every step and event came along, with the totals (a pull applies table after table: Sync Now
    // waits for the one in flight, being serialised after it).
    await api.teamLedger.syncNow();
    assert.equal(api.store.interactions.list(sessionId).length, 1);
    assert.equal(api.store.events.list(sessionId, { limit: 100 }).length, ledgerA!.events.list(sessionId, { limit: 100 }).length);
    assert.equal(api.store.sessions.require(sessionId).totalCostUsd, ledgerA!.sessions.require(sessionId).totalCostUsd);

    const view = await waitFor('the sync indicator', () => (api.syncStatusBar.view.visible ? api.syncStatusBar.view : undefined));
    assert.match(view.text, /Synced|pending/);
  });

  it('refuses write commands on it with a clear message, and changes nothing', async () => {
    const notes = api.store.notes.list(sessionId).length;
    const title = api.store.sessions.require(sessionId).title;
    await vscode.commands.executeCommand('sessionLedger.addNote', sessionId);
    await vscode.commands.executeCommand('sessionLedger.renameSession', sessionId);
    await vscode.commands.executeCommand('sessionLedger.pinSession', sessionId);
    assert.equal(api.store.notes.list(sessionId).length, notes);
    assert.equal(api.store.sessions.require(sessionId).title, title);
    await assert.rejects(
      api.store.notes.add({ sessionId, content: 'mine now' }),
      // The extension's own bundle throws it: compared by name, not by this bundle's class.
      (error: Error) => error.name === 'PulledSessionError' && /belongs to alice on machine-a/.test(error.message),
    );
  });

  it('shows only my sessions, then everyone\u2019s again; counts the team\u2019s usage by person', async () => {
    const own = await api.store.sessions.create({ type: 'spec', title: 'Mine, made here', intention: 'x' });
    await vscode.commands.executeCommand('sessionLedger.showMySessions');
    await waitFor('only my sessions', () => {
      const ids = treeSessions().map((entry) => entry.node.session.id);
      return ids.includes(own.id) && !ids.includes(sessionId) ? true : undefined;
    });
    await vscode.commands.executeCommand('sessionLedger.showEveryonesSessions');
    await waitFor('everyone\u2019s sessions', () =>
      treeSessions().some((entry) => entry.node.session.id === sessionId) ? true : undefined,
    );

    const usage = await api.teamLedger.teamUsage();
    const alice = usage.byPerson.find((row) => row.key === 'alice');
    assert.ok(alice, `alice in the team usage (${usage.byPerson.map((row) => row.key).join(', ')})`);
    assert.equal(alice.requests, 1);
    assert.ok(Math.abs(alice.costUsd - 0.02) < 1e-9);
    assert.equal(usage.pulledSessions, 1);

    // Show Usage's Team view renders it: a row per person with usage.
    const panel = (await vscode.commands.executeCommand('sessionLedger.showUsage', 'team')) as UsagePanel;
    try {
      const rendered = await within(
        'the team render',
        panel.test.whenRendered((r) => r.scope === 'team'),
      );
      assert.equal(rendered.people, usage.byPerson.length);
      assert.ok(panel.lastReport?.team?.byPerson.some((row) => row.key === 'alice'));
    } finally {
      panel.dispose();
    }
  });
});
