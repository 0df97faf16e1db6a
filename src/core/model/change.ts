/** What kind of record a store commit touched. */
export type StoreChangeKind = 'session' | 'interaction' | 'event' | 'run' | 'conversation' | 'message' | 'artifact' | 'note';

/** Fired by `store.onDidChange` once changes are durable: which sessions and kinds of record changed. */
export interface StoreChange {
  readonly sessionIds: readonly string[];
  readonly kinds: readonly StoreChangeKind[];
}
