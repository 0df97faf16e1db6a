/*
 * The store's snapshot worker: writes snapshots of the database file, off the extension host's
 * thread. The main thread hands it an image of the file taken between two transactions (the
 * chunks written since the last snapshot, in shared memory, and the previous snapshot's descriptor
 * for the rest; see chunkedFile.ts); the worker writes it to `<snapshot>.tmp` with its checksum, fsyncs, reads it
 * back to verify it, then installs it (the current snapshot becomes the previous one; see
 * writeSnapshotFile in storeFiles.ts) and fsyncs the directory. Nothing is exported and no SQL runs here, so a
 * snapshot costs the main thread only the copies of chunks it writes while the image is out.
 * Bundled to `dist/snapshotWorker.js` by esbuild.mjs.
 */
import { parentPort } from 'node:worker_threads';
import { writeSnapshotImage } from './chunkedFile';
import type { FromSnapshotWorker, ToSnapshotWorker } from './snapshotProtocol';

const port = parentPort;
if (!port) throw new Error('snapshotWorker must run in a worker thread');

function reply(message: FromSnapshotWorker): void {
  port!.postMessage(message);
}

/** Chunks of images still arriving, by image id. */
const arriving = new Map<number, (readonly [number, Uint8Array])[]>();

// Messages are handled one at a time, in order (each write is synchronous here).
port.on('message', (message: ToSnapshotWorker) => {
  if (message.type === 'chunks') {
    const chunks = arriving.get(message.id) ?? [];
    chunks.push(...message.chunks);
    arriving.set(message.id, chunks);
    return;
  }
  const image = { size: message.size, base: message.base, chunks: arriving.get(message.id) ?? [] };
  arriving.delete(message.id);
  try {
    writeSnapshotImage(message.snapshotPath, image);
    reply({ type: 'snapshot-written', id: message.id });
  } catch (error) {
    reply({ type: 'failed', id: message.id, message: error instanceof Error ? error.message : String(error) });
  }
});
