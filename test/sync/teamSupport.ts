import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Pool } from 'pg';
import { SessionStore } from '../../src/core/store/SessionStore';
import { migrateTeamLedger } from '../../src/core/sync/pgMigrations';
import { Replicator, type SharingMode } from '../../src/core/sync/replicator';
import type { PgCluster } from './pgCluster';

export const PROJECT = 'github.com/acme/widgets';

/**
 * A team database as the admin sets it up (migrations/postgres/README.md): the member group role,
 * the schema, roles alice and bob (members of PROJECT) and carol (a member of no project).
 */
export async function createTeamDatabase(cluster: PgCluster, database: string): Promise<void> {
  const admin = cluster.pool('postgres');
  try {
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.query(`DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'session_ledger_member') THEN CREATE ROLE session_ledger_member NOLOGIN; END IF;
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'alice') THEN CREATE ROLE alice LOGIN IN ROLE session_ledger_member; END IF;
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'bob') THEN CREATE ROLE bob LOGIN IN ROLE session_ledger_member; END IF;
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'carol') THEN CREATE ROLE carol LOGIN IN ROLE session_ledger_member; END IF;
    END $$`);
  } finally {
    await admin.end();
  }
  const db = cluster.pool('postgres', database);
  try {
    await db.query(fs.readFileSync(path.join(__dirname, '..', '..', 'migrations', 'postgres', 'setup-roles.sql'), 'utf8'));
    await migrateTeamLedger(db);
    await db.query('INSERT INTO projects (id, name) VALUES ($1, $2)', [PROJECT, 'Widgets']);
    await db.query("INSERT INTO project_members (project_id, role_name) VALUES ($1, 'alice'), ($1, 'bob')", [PROJECT]);
  } finally {
    await db.end();
  }
}

export function temporaryDirectory(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function openLedger(directory: string): Promise<SessionStore> {
  return SessionStore.open({ directory, snapshotIdleMs: 0, snapshotInWorker: false });
}

export function replicator(
  store: SessionStore,
  pool: Pool,
  who: { person: string; machine: string },
  sharing: SharingMode = 'all',
  batchSize?: number,
): Replicator {
  return new Replicator({ store, pool, person: who.person, machine: who.machine, projectId: PROJECT, sharing, batchSize });
}

/** A session with two steps (results), events, a run with tokens and cost, and a note. */
export async function recordSession(store: SessionStore, title: string, events = 10): Promise<string> {
  const session = await store.sessions.create({ type: 'test-fix', title, intention: `Fix ${title}` });
  const first = await store.interactions.append({ sessionId: session.id, step: 'build', kind: 'shell', command: 'npm test' });
  await store.interactions.setResult(first.id, { status: 'error', exitCode: 1, output: '1 failing', durationMs: 1200 });
  const second = await store.interactions.append({ sessionId: session.id, step: 'fix', kind: 'claude', command: 'Fix the failing test' });
  const run = await store.runs.start({
    sessionId: session.id,
    interactionId: second.id,
    provider: 'anthropic-api',
    model: 'claude-sonnet-4-5',
  });
  await store.runs.update(run.id, {
    status: 'ok',
    inputTokens: 1200,
    outputTokens: 340,
    cacheCreationTokens: 50,
    cacheCreation1hTokens: 0,
    cacheReadTokens: 900,
    costUsd: 0.0123,
  });
  await store.interactions.setResult(second.id, { status: 'ok', exitCode: 0, output: 'fixed', durationMs: 5400 });
  await store.transaction((tx) => {
    for (let index = 0; index < events; index++) {
      tx.events.append({
        id: randomUUID(),
        sessionId: session.id,
        type: 'hook.PostToolUse',
        toolName: 'Bash',
        payload: { index, command: `step ${index}` },
      });
    }
  });
  await store.notes.add({ sessionId: session.id, content: `Note on ${title}` });
  return session.id;
}

/** Appends `count` events to a session in one transaction. */
export async function appendEvents(store: SessionStore, sessionId: string, count: number): Promise<void> {
  await store.transaction((tx) => {
    for (let index = 0; index < count; index++)
      tx.events.append({ id: randomUUID(), sessionId, type: 'agent.text', payload: { text: `line ${index}` } });
  });
}

/** What a session looks like through the repositories, for comparing two ledgers. */
export function sessionImage(store: SessionStore, sessionId: string): unknown {
  return {
    session: store.sessions.require(sessionId),
    interactions: store.interactions.list(sessionId, { limit: 10_000 }),
    events: store.events.list(sessionId, { limit: 10_000 }),
    runs: store.runs.listBySession(sessionId),
    notes: store.notes.list(sessionId),
  };
}

/** Event ids on the server, by id. */
export async function serverEventIds(pool: Pool): Promise<Set<string>> {
  const result = await pool.query<{ id: string }>('SELECT id FROM events');
  return new Set(result.rows.map((row) => row.id));
}

/** Event ids of the local ledger that the outbox no longer lists (acknowledged by the server) and all of them. */
export function localEventIds(store: SessionStore): { acknowledged: Set<string>; all: Set<string> } {
  const all = new Set(store.sql.all('SELECT id FROM events').map((row) => String(row.id)));
  const queued = new Set(store.sql.all("SELECT row_id FROM sync_outbox WHERE table_name = 'events'").map((row) => String(row.row_id)));
  return { acknowledged: new Set([...all].filter((id) => !queued.has(id))), all };
}
