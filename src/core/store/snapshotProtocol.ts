import type { BaseSource, FileImage } from './chunkedFile';

/**
 * Messages from the store (main thread) to its snapshot worker. An image's chunks come in slices
 * (`chunks`, one per event-loop turn: posting thousands of shared buffers at once would stall the
 * main thread), then `snapshot` says to write it.
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
    };

/** Messages from the snapshot worker back to the store. */
export type FromSnapshotWorker =
  { readonly type: 'snapshot-written'; readonly id: number } | { readonly type: 'failed'; readonly id: number; readonly message: string };
