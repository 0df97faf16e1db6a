import type { InteractionsReads, SessionsReads, StoreTransaction } from '../store/repositoryApi';

/** The repositories the engine writes to inside a transaction. */
export type EngineTransaction = Pick<StoreTransaction, 'sessions' | 'interactions' | 'events' | 'artifacts' | 'notes'>;

/**
 * The part of `SessionStore` the engine uses: synchronous reads, and transactions that commit as
 * one durable unit. `SessionStore` satisfies it as is.
 */
export interface EngineStore {
  readonly sessions: Pick<SessionsReads, 'get' | 'require' | 'list' | 'children'>;
  readonly interactions: Pick<InteractionsReads, 'get' | 'list' | 'listPending' | 'latest'>;
  transaction<T>(work: (tx: EngineTransaction) => T): Promise<T>;
}
