import type { Artifact, ArtifactPutInput, ArtifactReview } from '../model/artifact';
import type { Conversation, ConversationCreateInput, Message, MessageAppendInput } from '../model/conversation';
import type { EventAppendInput, EventListOptions, LedgerEvent } from '../model/event';
import type { Interaction, InteractionAppendInput, InteractionResultInput } from '../model/interaction';
import type { Note, NoteAddInput } from '../model/note';
import type { Run, RunStartInput, RunUpdate } from '../model/run';
import type { Session, SessionCreateInput, SessionListFilter, SessionTimes, SessionUpdate } from '../model/session';

/*
 * The repositories' public shapes. Each comes in two halves:
 *  - `…Reads`: synchronous queries (sql.js lives in memory), available on the store and in a transaction;
 *  - `…Writes`: synchronous writes, only callable inside `store.transaction(tx => …)`.
 * On the store itself the writes are `Acknowledged`: each runs as its own transaction and returns a
 * Promise resolved once the change is durable in the journal.
 */

/** Turns a set of synchronous write methods into ones that return a Promise resolved when durable. */
export type Acknowledged<Writes> = {
  [K in keyof Writes]: Writes[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<R> : never;
};

export interface PageOptions {
  /** Return records with `seq > after` (default 0). */
  after?: number;
  /** At most this many (default 200). */
  limit?: number;
}

export interface SessionsReads {
  get(id: string): Session | undefined;
  /** Like `get` but throws a clear error when there is no such session. */
  require(id: string): Session;
  /** Filtered (status, type, parent, text, deleted) and paged; newest `updatedAt` first. */
  list(filter?: SessionListFilter): Session[];
  /** Every session matching the filter, however many there are (read page by page); newest `updatedAt` first. */
  listAll(filter?: Omit<SessionListFilter, 'limit' | 'offset'>): Session[];
  /** Number of sessions matching the filter (ignores limit/offset). */
  count(filter?: SessionListFilter): number;
  /** Live (not deleted) child sessions, oldest first. */
  children(parentSessionId: string): Session[];
  /** Live sessions that follow up this one (Start Follow-up Session), oldest first. */
  followUps(sessionId: string): Session[];
  /** Every tag in use on live sessions, with how many carry it, most used first. */
  tagCounts(): { tag: string; count: number }[];
  /** The owners (`owner_person`) of pulled team sessions, sorted. */
  owners(): string[];
}
export interface SessionsWrites {
  create(input: SessionCreateInput): Session;
  /** Validated; a status change must be allowed by the transition table (entering a terminal status sets `endedAt`). */
  update(id: string, patch: SessionUpdate): Session;
  softDelete(id: string): Session;
  restore(id: string): Session;
  /**
   * Records when a session's activity happened rather than when it was written, for history
   * recorded elsewhere (imports): `updatedAt` and, on a session that has ended, `endedAt`
   * (epoch milliseconds, not before `createdAt`).
   */
  setTimes(id: string, times: SessionTimes): Session;
}

export interface InteractionsReads {
  get(id: string): Interaction | undefined;
  getBySeq(sessionId: string, seq: number): Interaction | undefined;
  /** Ascending by seq. */
  list(sessionId: string, options?: PageOptions): Interaction[];
  /** The interaction with the highest seq, if any. */
  latest(sessionId: string): Interaction | undefined;
  /** Interactions still `pending` (across all sessions, or one), e.g. to mark them interrupted at startup. */
  listPending(sessionId?: string): Interaction[];
}
export interface InteractionsWrites {
  /** Appends a `pending` interaction with the next contiguous seq; bumps the session's interaction count. */
  append(input: InteractionAppendInput): Interaction;
  /** Records the result of a `pending` interaction (output capped, tail kept). */
  setResult(id: string, result: InteractionResultInput): Interaction;
  /**
   * Replaces the result of an interaction that already has one. Only for history recorded
   * elsewhere whose source grew after the result was written (a transcript appended to); a
   * pending interaction gets its result through `setResult`.
   */
  reviseResult(id: string, result: InteractionResultInput): Interaction;
}

export interface EventsReads {
  get(id: string): LedgerEvent | undefined;
  /** Ascending by seq, `seq > after`, optional filters by type, interaction and run. */
  list(sessionId: string, options?: EventListOptions): LedgerEvent[];
  /** The highest seq of the session (0 when it has no events). */
  lastSeq(sessionId: string): number;
}
export interface EventsWrites {
  /**
   * Appends an event with the next contiguous per-session seq and updates the session's event
   * count and last event time. Idempotent: an id already stored returns the stored event unchanged.
   */
  append(input: EventAppendInput): LedgerEvent;
}

export interface RunsReads {
  get(id: string): Run | undefined;
  listBySession(sessionId: string): Run[];
  listByInteraction(interactionId: string): Run[];
}
export interface RunsWrites {
  start(input: RunStartInput): Run;
  /** Token counts and cost are cumulative; the difference is added to the session's totals. */
  update(id: string, patch: RunUpdate): Run;
}

export interface ConversationsReads {
  get(id: string): Conversation | undefined;
  listBySession(sessionId: string): Conversation[];
  /** The stored history, ascending by seq. */
  messages(conversationId: string, options?: PageOptions): Message[];
}
export interface ConversationsWrites {
  create(input: ConversationCreateInput): Conversation;
  /** Appends a message with the next contiguous seq of the conversation. */
  appendMessage(input: MessageAppendInput): Message;
}

export interface ArtifactsReads {
  get(id: string): Artifact | undefined;
  /** The newest live artifact with this key. */
  getByKey(sessionId: string, key: string): Artifact | undefined;
  list(sessionId: string, options?: { includeDeleted?: boolean }): Artifact[];
}
export interface ArtifactsWrites {
  put(input: ArtifactPutInput): Artifact;
  softDelete(id: string): Artifact;
  /** Records a review gate's decision on the artifact (migration 0011). */
  setReview(id: string, review: ArtifactReview): Artifact;
}

export interface NotesReads {
  get(id: string): Note | undefined;
  list(sessionId: string): Note[];
}
export interface NotesWrites {
  add(input: NoteAddInput): Note;
}

/** The ledger's metadata (`ledger_meta`, migration 0008): its id and the project it belongs to. */
export interface LedgerMetaReads {
  get(key: string): string | undefined;
  all(): Record<string, string>;
}
export interface LedgerMetaWrites {
  set(key: string, value: string): void;
  remove(key: string): void;
}

/*
 * Import (`importLedger`): records exported elsewhere inserted exactly as they were — ids, seqs,
 * timestamps — through the repositories, so they are journalled, indexed for search and counted like
 * any other write. Only in a transaction. The caller checks first that each id and seq is free (an
 * insert that is not fails with the database's error); `sessions.recountFromRecords` then brings
 * the session's counters up to date. Error messages are redacted as on any other write.
 */
export interface SessionsImport {
  insertImported(session: Session): void;
  /** The session's counters (interactions, events, last event seq and time, tokens, cost) recomputed from its records. */
  recountFromRecords(id: string): void;
}
export interface InteractionsImport {
  insertImported(interaction: Interaction): void;
}
export interface EventsImport {
  /** Like `append`, but undefined (nothing written) when the id is already stored: one statement instead of a lookup and an insert. */
  appendIfAbsent(input: EventAppendInput): LedgerEvent | undefined;
  getBySeq(sessionId: string, seq: number): LedgerEvent | undefined;
  /** Which of these ids are stored (one query however many). */
  stored(ids: readonly string[]): Set<string>;
  insertImported(event: LedgerEvent): void;
}
export interface RunsImport {
  insertImported(run: Run): void;
}
export interface ConversationsImport {
  getMessage(id: string): Message | undefined;
  getMessageBySeq(conversationId: string, seq: number): Message | undefined;
  insertImported(conversation: Conversation): void;
  /** Also raises the conversation's message count to the message's seq (the next append goes above it). */
  insertImportedMessage(message: Message): void;
}
export interface ArtifactsImport {
  insertImported(artifact: Artifact): void;
}
export interface NotesImport {
  insertImported(note: Note): void;
}

/** What a transaction callback receives: every repository with synchronous reads and writes. */
export interface StoreTransaction {
  readonly sessions: SessionsReads & SessionsWrites & SessionsImport;
  readonly interactions: InteractionsReads & InteractionsWrites & InteractionsImport;
  readonly events: EventsReads & EventsWrites & EventsImport;
  readonly runs: RunsReads & RunsWrites & RunsImport;
  readonly conversations: ConversationsReads & ConversationsWrites & ConversationsImport;
  readonly artifacts: ArtifactsReads & ArtifactsWrites & ArtifactsImport;
  readonly notes: NotesReads & NotesWrites & NotesImport;
  readonly ledgerMeta: LedgerMetaReads & LedgerMetaWrites;
}
