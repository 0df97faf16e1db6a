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
