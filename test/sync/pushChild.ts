/*
 * The pushing process of the SIGKILL test (faults.test.ts): opens ledger A, then appends events and
 * pushes them to the team ledger in small batches until it is killed. Prints "ready" once pushing.
 * Arguments: the ledger's directory, the server's socket directory, the migrations directory, the database.
 * The test bundles it with esbuild first, so each of the 20 processes starts in a fraction of a second.
 */
import { randomUUID } from 'node:crypto';
import { SessionStore } from '../../src/core/store/SessionStore';
import { Replicator } from '../../src/core/sync/replicator';
import { createTeamPool } from '../../src/core/sync/teamPool';

async function main(): Promise<void> {
  const [directory, socketDirectory, migrationsDirectory, database] = process.argv.slice(2);
  const store = await SessionStore.open({
    directory,
    migrationsDirectory,
    snapshotIdleMs: 0,
    snapshotInWorker: false,
    snapshotJournalBytes: 256 * 1024,
  });
  const pool = createTeamPool({ host: socketDirectory, user: 'alice', database });
  const replicator = new Replicator({
    store,
    pool,
    person: 'alice',
    machine: 'machine-a',
    projectId: 'github.com/acme/widgets',
    sharing: 'all',
    batchSize: 40,
  });
  await replicator.enableCapture();
  const existing = store.sessions.list({ limit: 1 })[0];
  const sessionId = existing?.id ?? (await store.sessions.create({ type: 'test-fix', title: 'Killed often', intention: 'survive' })).id;
  let announced = false;
  for (;;) {
    await store.transaction((tx) => {
      for (let index = 0; index < 15; index++) tx.events.append({ id: randomUUID(), sessionId, type: 'agent.text', payload: { index } });
    });
    await replicator.pushBatch();
    if (!announced) {
      announced = true;
      process.stdout.write('ready\n');
    }
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
