import type { JournalRecord } from './journalRecord';

/** Messages from the store (main thread) to its snapshot worker. */
export type ToSnapshotWorker =
  | {
      readonly type: 'init';
      readonly wasmPath: string;
      readonly snapshotPath: string;
      /** Load the snapshot file the main thread loaded (it only changes when this worker rewrites it); false: start empty. */
      readonly loadSnapshot: boolean;
      /** Records the main thread replayed on top of it. */
      readonly records: readonly JournalRecord[];
    }
  | { readonly type: 'records'; readonly records: readonly JournalRecord[] }
  | { readonly type: 'snapshot'; readonly upTo: number };

/** Messages from the snapshot worker back to the store. */
export type FromSnapshotWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'snapshot-written'; readonly upTo: number; readonly bytes: number; readonly exportMs: number; readonly writeMs: number }
  | { readonly type: 'failed'; readonly during: 'init' | 'records' | 'snapshot'; readonly message: string };
