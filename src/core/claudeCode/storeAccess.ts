import type { SessionsReads, StoreTransaction } from '../store/repositoryApi';

/**
 * The part of `SessionStore` the Claude Code history features use: synchronous session reads and
 * atomic transactions. `SessionStore` satisfies it; the narrow type keeps these modules testable
 * and independent of the store's internals.
 */
export interface TransactionalStore {
  readonly sessions: SessionsReads;
  transaction<T>(work: (tx: StoreTransaction) => T): Promise<T>;
}

/**
 * A store a bulk writer can keep busy: `commit` runs and commits a transaction now and returns its
 * durability as a promise, so the writer prepares the next one while the journal syncs.
 */
export interface PipelinedStore extends TransactionalStore {
  commit<T>(work: (tx: StoreTransaction) => T): { value: T; durable: Promise<void> };
}
