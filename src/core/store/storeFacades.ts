/*
 * The repositories a session store writes through inside a transaction, and the store-level face
 * of each (`store.sessions`, `store.events`, …): reads delegated, every write its own durable
 * transaction.
 */
import { ArtifactRepository } from './repositories/artifactRepository';
import { ConversationRepository } from './repositories/conversationRepository';
import { EventRepository } from './repositories/eventRepository';
import { InteractionRepository } from './repositories/interactionRepository';
import { LedgerMetaRepository } from './repositories/ledgerMetaRepository';
import { NoteRepository } from './repositories/noteRepository';
import type { RepositoryContext } from './repositories/repositoryContext';
import { RunRepository } from './repositories/runRepository';
import { SessionRepository } from './repositories/sessionRepository';
import type {
  Acknowledged,
  ArtifactsReads,
  ArtifactsWrites,
  ConversationsReads,
  ConversationsWrites,
  EventsReads,
  EventsWrites,
  InteractionsReads,
  InteractionsWrites,
  LedgerMetaReads,
  LedgerMetaWrites,
  NotesReads,
  NotesWrites,
  RunsReads,
  RunsWrites,
  SessionsReads,
  SessionsWrites,
  StoreTransaction,
} from './repositoryApi';

export type StoreSessions = SessionsReads & Acknowledged<SessionsWrites>;
export type StoreInteractions = InteractionsReads & Acknowledged<InteractionsWrites>;
export type StoreEvents = EventsReads & Acknowledged<EventsWrites>;
export type StoreRuns = RunsReads & Acknowledged<RunsWrites>;
export type StoreConversations = ConversationsReads & Acknowledged<ConversationsWrites>;
export type StoreArtifacts = ArtifactsReads & Acknowledged<ArtifactsWrites>;
export type StoreNotes = NotesReads & Acknowledged<NotesWrites>;
export type StoreLedgerMeta = LedgerMetaReads & Acknowledged<LedgerMetaWrites>;

/** What `SessionStore.sql` exposes: reads anywhere, journalled writes inside `store.transaction`. */
export interface SqlAccess {
  all(sql: string, params?: readonly (string | number | null)[]): Record<string, string | number | null>[];
  run(sql: string, params?: readonly (string | number | null)[]): void;
  /** Runs a multi-statement schema script (like a migration's), journalled; ONLY inside `store.transaction`. */
  runScript(script: string): void;
  /** Events wait to be indexed for search: the next read of the index indexes them all first, on the calling thread. */
  readonly searchPending: boolean;
  /** Indexes what waits for search a slice at a time, the event loop free between slices (resolves at once when nothing waits). */
  whenSearchable(): Promise<void>;
}

/** The store's repositories, as a transaction sees them. */
export function createRepositories(context: RepositoryContext): StoreTransaction {
  const sessions = new SessionRepository(context);
  return {
    sessions,
    interactions: new InteractionRepository(context, sessions),
    events: new EventRepository(context, sessions),
    runs: new RunRepository(context, sessions),
    conversations: new ConversationRepository(context, sessions),
    artifacts: new ArtifactRepository(context, sessions),
    notes: new NoteRepository(context, sessions),
    ledgerMeta: new LedgerMetaRepository(context),
  };
}

/** The store-level face of each repository of `tx`, its writes each run through `commit` (the store's transaction). */
export function createFacades(tx: StoreTransaction, commit: <T>(work: () => T) => Promise<T>) {
  return {
    sessions: acknowledgedFacade<SessionsReads, SessionsWrites>(
      tx.sessions,
      { get: true, require: true, list: true, listAll: true, count: true, children: true, followUps: true, tagCounts: true, owners: true },
      { create: true, update: true, softDelete: true, restore: true, setTimes: true },
      commit,
    ),
    interactions: acknowledgedFacade<InteractionsReads, InteractionsWrites>(
      tx.interactions,
      { get: true, getBySeq: true, list: true, latest: true, listPending: true },
      { append: true, setResult: true, reviseResult: true },
      commit,
    ),
    events: acknowledgedFacade<EventsReads, EventsWrites>(tx.events, { get: true, list: true, lastSeq: true }, { append: true }, commit),
    runs: acknowledgedFacade<RunsReads, RunsWrites>(
      tx.runs,
      { get: true, listBySession: true, listByInteraction: true },
      { start: true, update: true },
      commit,
    ),
    conversations: acknowledgedFacade<ConversationsReads, ConversationsWrites>(
      tx.conversations,
      { get: true, listBySession: true, messages: true },
      { create: true, appendMessage: true },
      commit,
    ),
    artifacts: acknowledgedFacade<ArtifactsReads, ArtifactsWrites>(
      tx.artifacts,
      { get: true, getByKey: true, list: true },
      { put: true, softDelete: true, setReview: true },
      commit,
    ),
    notes: acknowledgedFacade<NotesReads, NotesWrites>(tx.notes, { get: true, list: true }, { add: true }, commit),
    ledgerMeta: acknowledgedFacade<LedgerMetaReads, LedgerMetaWrites>(
      tx.ledgerMeta,
      { get: true, all: true },
      { set: true, remove: true },
      commit,
    ),
  };
}

/** Builds the store-level face of a repository: reads delegated, each write run as its own durable transaction. */
function acknowledgedFacade<Reads, Writes>(
  repository: Reads & Writes,
  reads: Record<keyof Reads, true>,
  writes: Record<keyof Writes, true>,
  commit: <T>(work: () => T) => Promise<T>,
): Reads & Acknowledged<Writes> {
  const target = repository as unknown as Record<string, (...args: unknown[]) => unknown>;
  const facade: Record<string, unknown> = {};
  for (const name of Object.keys(reads)) facade[name] = (...args: unknown[]) => target[name]!(...args); // `reads` names methods of `repository`
  for (const name of Object.keys(writes)) facade[name] = (...args: unknown[]) => commit(() => target[name]!(...args)); // `writes` names methods of `repository`
  return facade as Reads & Acknowledged<Writes>;
}
