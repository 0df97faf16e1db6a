import type { FileImage } from './chunkedFile';

/** Messages from the store (main thread) to its snapshot worker. */
export type ToSnapshotWorker = {
  readonly type: 'snapshot';
  readonly id: number;
  readonly snapshotPath: string;
  /** The database file between two transactions: shared memory and a descriptor, nothing copied. */
  readonly image: FileImage;
};

/** Messages from the snapshot worker back to the store. */
export type FromSnapshotWorker =
  | { readonly type: 'snapshot-written'; readonly id: number; readonly bytes: number; readonly writeMs: number }
  | { readonly type: 'failed'; readonly id: number; readonly message: string };
