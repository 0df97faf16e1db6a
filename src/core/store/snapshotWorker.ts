/*
 * The store's snapshot worker: a replica of the main thread's database. It applies every durable
 * journal record the main thread posts, and on request exports the database and writes the
 * snapshot atomically — so the synchronous, size-proportional `db.export()` never runs on the
 * extension host's thread. Bundled to `dist/snapshotWorker.js` by esbuild.mjs.
 */
import { parentPort } from 'node:worker_threads';
import initSqlJs from 'sql.js';
import { LedgerDatabase } from './ledgerDatabase';
import type { JournalRecord } from './journalRecord';
import type { FromSnapshotWorker, ToSnapshotWorker } from './snapshotProtocol';
import { writeFileAtomically } from './storeFiles';

const port = parentPort;
if (!port) throw new Error('snapshotWorker must run in a worker thread');

let replica: LedgerDatabase | undefined;
let snapshotPath = '';
let queue: Promise<void> = Promise.resolve();

/**
 * Records posted but not yet applied. The replica catches up in batches — one SQL transaction per
 * batch instead of one per record, which also lets FTS4 merge the batch's terms into one segment —
 * when the main thread has been quiet for CATCH_UP_QUIET_MS, when the backlog is large, or before a
 * snapshot. It only has to be current when a snapshot is taken, and batching keeps this thread from
 * competing with the main thread for a CPU during bursts of appends.
 */
let backlog: JournalRecord[] = [];
let backlogStatements = 0;
let catchUpTimer: NodeJS.Timeout | undefined;
const CATCH_UP_QUIET_MS = 200;
const CATCH_UP_MAX_STATEMENTS = 20_000;

function catchUp(): void {
  clearTimeout(catchUpTimer);
  catchUpTimer = undefined;
  if (backlog.length === 0) return;
  const records = backlog;
  backlog = [];
  backlogStatements = 0;
  if (!replica) throw new Error('records before init');
  replica.applyRecords(records);
}

function reply(message: FromSnapshotWorker): void {
  port!.postMessage(message);
}

async function handle(message: ToSnapshotWorker): Promise<void> {
  switch (message.type) {
    case 'init': {
      const SQL = await initSqlJs({ locateFile: () => message.wasmPath });
      snapshotPath = message.snapshotPath;
      replica = LedgerDatabase.open(SQL, message.loadSnapshot ? { file: snapshotPath } : undefined, { onDemand: process.platform !== 'win32' });
      replica.applyRecords(message.records);
      reply({ type: 'ready' });
      return;
    }
    case 'records': {
      if (!replica) throw new Error('records before init');
      for (const record of message.records) {
        backlog.push(record);
        backlogStatements += record.statements.length;
      }
      if (backlogStatements >= CATCH_UP_MAX_STATEMENTS) {
        catchUp();
      } else {
        clearTimeout(catchUpTimer);
        catchUpTimer = setTimeout(() => enqueue('records', async () => catchUp()), CATCH_UP_QUIET_MS);
      }
      return;
    }
    case 'snapshot': {
      if (!replica) throw new Error('snapshot before init');
      try {
        catchUp();
      } catch (error) {
        // The replica no longer mirrors the store: report it as a failed record (the store stops using it).
        replica = undefined;
        reply({ type: 'failed', during: 'records', message: error instanceof Error ? error.message : String(error) });
        throw error;
      }
      const applied = replica.lastAppliedRecord();
      if (applied !== message.upTo) {
        throw new Error(`replica is at record ${applied} but the snapshot was requested at ${message.upTo}`);
      }
      const exportStart = performance.now();
      const bytes = replica.export();
      const writeStart = performance.now();
      writeFileAtomically(snapshotPath, bytes);
      reply({ type: 'snapshot-written', upTo: message.upTo, bytes: bytes.length, exportMs: writeStart - exportStart, writeMs: performance.now() - writeStart });
      return;
    }
  }
}

function enqueue(during: ToSnapshotWorker['type'], work: () => Promise<void>): void {
  queue = queue.then(work, () => undefined);
  queue = queue.catch((error: unknown) => {
    reply({ type: 'failed', during, message: error instanceof Error ? error.message : String(error) });
    // A replica that failed to apply a record no longer mirrors the store: stop using it.
    if (during !== 'snapshot') {
      replica = undefined;
      backlog = [];
      clearTimeout(catchUpTimer);
    }
  });
}

port.on('message', (message: ToSnapshotWorker) => enqueue(message.type, () => handle(message)));
