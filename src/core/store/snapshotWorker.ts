/*
 * The store's snapshot worker: a replica of the main thread's database. It applies every durable
 * journal record the main thread posts, and on request exports the database and writes the
 * snapshot atomically — so the synchronous, size-proportional `db.export()` never runs on the
 * extension host's thread. Bundled to `dist/snapshotWorker.js` by esbuild.mjs.
 */
import * as fs from 'node:fs';
import { parentPort } from 'node:worker_threads';
import initSqlJs from 'sql.js';
import { LedgerDatabase } from './ledgerDatabase';
import type { FromSnapshotWorker, ToSnapshotWorker } from './snapshotProtocol';
import { writeFileAtomically } from './storeFiles';

const port = parentPort;
if (!port) throw new Error('snapshotWorker must run in a worker thread');

let replica: LedgerDatabase | undefined;
let snapshotPath = '';
let queue: Promise<void> = Promise.resolve();

function reply(message: FromSnapshotWorker): void {
  port!.postMessage(message);
}

async function handle(message: ToSnapshotWorker): Promise<void> {
  switch (message.type) {
    case 'init': {
      const SQL = await initSqlJs({ locateFile: () => message.wasmPath });
      snapshotPath = message.snapshotPath;
      replica = new LedgerDatabase(new SQL.Database(message.loadSnapshot ? fs.readFileSync(snapshotPath) : undefined));
      for (const record of message.records) replica.applyRecord(record.recordNumber, record.statements);
      reply({ type: 'ready' });
      return;
    }
    case 'records': {
      if (!replica) throw new Error('records before init');
      for (const record of message.records) replica.applyRecord(record.recordNumber, record.statements);
      return;
    }
    case 'snapshot': {
      if (!replica) throw new Error('snapshot before init');
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

port.on('message', (message: ToSnapshotWorker) => {
  queue = queue.then(
    () => handle(message),
    () => undefined,
  );
  queue = queue.catch((error: unknown) => {
    reply({ type: 'failed', during: message.type, message: error instanceof Error ? error.message : String(error) });
    // A replica that failed to apply a record no longer mirrors the store: stop using it.
    if (message.type !== 'snapshot') replica = undefined;
  });
});
