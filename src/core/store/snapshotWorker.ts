/*
 * The store's snapshot worker: writes snapshots of the database file, off the extension host's
 * thread. The main thread hands it an image of the file taken between two transactions (the
 * chunks written since the last snapshot, in shared memory, and the previous snapshot's descriptor
 * for the rest; see chunkedFile.ts). The worker writes the chunks to `<snapshot>.tmp` first and says
 * so in shared memory (the store then writes to them in place again), then the rest from the
 * base; it fsyncs, reads the file back to verify it against the checksum of what it wrote, then
 * installs it (the current snapshot becomes the previous one; see writeSnapshotFile in
 * storeFiles.ts) and fsyncs the directory. Nothing is exported and no SQL runs here, so a snapshot
 * costs the main thread only the copies of chunks it writes before the chunks are in the file.
 * Bundled to `dist/snapshotWorker.js` by esbuild.mjs.
 */
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { parentPort } from 'node:worker_threads';
import { writeSnapshotImage, type FileImage } from './chunkedFile';
import type { FromSnapshotWorker, ToSnapshotWorker } from './snapshotProtocol';
import { describeError } from '../../protocol/describeError';

const port = parentPort;
if (!port) throw new Error('snapshotWorker must run in a worker thread');

function reply(message: FromSnapshotWorker): void {
  port!.postMessage(message);
}

/**
 * The chunks of an image are shared memory the main thread drops once the snapshot is the
 * database's base; that memory is freed only when this thread has collected its references too.
 * This thread allocates almost nothing, so it would seldom collect on its own: a 200 MB transcript
 * import (bench/import.mjs) kept ~120 MB of dropped chunks resident that way (peak RSS 506 MB, 421
 * MB with snapshots on the main thread). So it collects after each image it writes. `gc` is not
 * exposed by default; the flag makes it available to a new context (undefined if the runtime refuses).
 */
const collectGarbage: (() => void) | undefined = (() => {
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc: unknown = vm.runInNewContext('gc');
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
})();

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
  const image: FileImage & { chunks: (readonly [number, Uint8Array])[] } = {
    size: message.size,
    base: message.base,
    chunksWritten: message.chunksWritten,
    chunks: arriving.get(message.id) ?? [],
  };
  arriving.delete(message.id);
  try {
    writeSnapshotImage(message.snapshotPath, image);
    reply({ type: 'snapshot-written', id: message.id });
  } catch (error) {
    reply({ type: 'failed', id: message.id, message: describeError(error) });
  }
  // Once the main thread has the reply it may drop these chunks: let go of this thread's references.
  image.chunks = [];
  setImmediate(() => collectGarbage?.());
});
