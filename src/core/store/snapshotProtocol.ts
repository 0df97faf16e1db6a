import type { BaseSource, FileImage } from './chunkedFile';

/**
 * Messages from the store (main thread) to its snapshot worker. An image's chunks come in slices
 * (`chunks`: one message with thousands of shared buffers costs the main thread several times what
 * the same buffers cost in slices), then `snapshot` says to write it.
 */
export type ToSnapshotWorker =
  | { readonly type: 'chunks'; readonly id: number; readonly chunks: FileImage['chunks'] }
  | {
      readonly type: 'snapshot';
      readonly id: number;
      readonly snapshotPath: string;
      /** The database file between two transactions: shared memory and a descriptor, nothing copied. */
      readonly size: number;
      readonly base: BaseSource;
      /** Set by the worker once the chunks are in the file (see FileImage.chunksWritten). */
      readonly chunksWritten: Int32Array;
    };

/** Messages from the snapshot worker back to the store. */
export type FromSnapshotWorker =
  { readonly type: 'snapshot-written'; readonly id: number } | { readonly type: 'failed'; readonly id: number; readonly message: string };
