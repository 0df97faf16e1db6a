/*
 * The parts of the store that code outside it asks for. `SessionStore` satisfies each as is; a
 * caller names the narrowest one it needs, so it stays testable with a small fake and says in its
 * signature what it may do. One home for all of them, so a reader finds them (and their overlap)
 * in one place.
 */
import type { SessionStore } from './SessionStore';
import type {
  ArtifactsReads,
  ConversationsReads,
  EventsReads,
  InteractionsReads,
  NotesReads,
  RunsReads,
  SessionsReads,
  StoreTransaction,
} from './repositoryApi';

/** Read-only SQL over the ledger (the store's sql.js database, `LedgerDatabase.all`): search, reports, retention counts. */
export interface SqlReader {
  all(sql: string, params?: readonly (string | number | null)[]): Record<string, string | number | null>[];
}

/** Row-level writes beyond the repositories (`store.sql`: retention's deletes, cost recomputation), run inside `store.transaction`. */
export interface SqlWriter extends SqlReader {
  run(sql: string, params?: readonly (string | number | null)[]): void;
}

/**
 * Synchronous session reads and atomic transactions: the Claude Code history features (hook
 * ingestion, transcript import, retention), ledger import and cost recomputation.
 */
export interface TransactionalStore {
  readonly sessions: SessionsReads;
  transaction<T>(work: (tx: StoreTransaction) => T): Promise<T>;
}

/**
 * A store a bulk writer can keep busy: `commit` runs and commits a transaction now and returns its
 * durability as a promise, so the writer prepares the next one while the journal syncs. Its events
 * are indexed for search by the store once bulk commits stop (a search indexes them first).
 */
export interface PipelinedStore extends TransactionalStore {
  commit<T>(work: (tx: StoreTransaction) => T): { value: T; durable: Promise<void> };
}

/** The repositories the engine writes to inside a transaction. */
export type EngineTransaction = Pick<StoreTransaction, 'sessions' | 'interactions' | 'events' | 'artifacts' | 'notes'>;

/** What the session engine uses: synchronous reads, and transactions that commit as one durable unit. */
export interface EngineStore {
  readonly sessions: Pick<SessionsReads, 'get' | 'require' | 'list' | 'listAll' | 'children'>;
  readonly interactions: Pick<InteractionsReads, 'get' | 'list' | 'listPending' | 'latest'>;
  /** The session's artifacts, shown to Claude's progress check (absent: none shown). */
  readonly artifacts?: Pick<ArtifactsReads, 'list'>;
  transaction<T>(work: (tx: EngineTransaction) => T): Promise<T>;
}

/** Every repository's synchronous reads: what an export of whole sessions needs. */
export interface LedgerReads {
  readonly sessions: SessionsReads;
  readonly interactions: InteractionsReads;
  readonly events: EventsReads;
  readonly runs: RunsReads;
  readonly conversations: ConversationsReads;
  readonly artifacts: ArtifactsReads;
  readonly notes: NotesReads;
}

/** What agents' tools read (the MCP server's and VS Code's language-model tools): sessions, steps, notes and SQL for search and usage. */
export interface AgentToolReads {
  readonly sessions: SessionsReads;
  readonly interactions: InteractionsReads;
  readonly notes: NotesReads;
  readonly sql: SqlReader;
}

/** What team replication uses: raw rows, journalled transactions, the ledger's identity and change events. */
export type SyncStore = Pick<SessionStore, 'sql' | 'transaction' | 'ledgerMeta' | 'onDidChange'>;

/** What the store needs to stamp its identity: its metadata, its journalled transactions, and whether it may write. */
export type StampableStore = Pick<SessionStore, 'ledgerMeta' | 'transaction'> & { readonly readOnly?: boolean };
