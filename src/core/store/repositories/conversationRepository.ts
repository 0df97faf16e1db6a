import {
  ConversationCreateInputSchema,
  ConversationSchema,
  MessageAppendInputSchema,
  MessageSchema,
  type Conversation,
  type ConversationCreateInput,
  type Message,
  type MessageAppendInput,
} from '../../model/conversation';
import { parseWith } from '../../model/validation';
import type { SqlRow } from '../ledgerDatabase';
import type { ConversationsImport, ConversationsReads, ConversationsWrites, PageOptions } from '../repositoryApi';
import { NotFoundError, fromJsonText, nullableText, num, page, text, toJsonText, type RepositoryContext } from './repositoryContext';
import type { SessionRepository } from './sessionRepository';

function rowToConversation(row: SqlRow): Conversation {
  return {
    id: text(row, 'id'),
    sessionId: text(row, 'session_id'),
    provider: text(row, 'provider') as Conversation['provider'],
    model: nullableText(row, 'model'),
    system: nullableText(row, 'system'),
    messageCount: num(row, 'message_count'),
    createdAt: num(row, 'created_at'),
    updatedAt: num(row, 'updated_at'),
  };
}

function rowToMessage(row: SqlRow): Message {
  return {
    id: text(row, 'id'),
    conversationId: text(row, 'conversation_id'),
    seq: num(row, 'seq'),
    role: text(row, 'role') as Message['role'],
    content: fromJsonText(row.content),
    runId: nullableText(row, 'run_id'),
    createdAt: num(row, 'created_at'),
  };
}

/** Stored conversations and their messages (contiguous seq), so API conversations can be resumed. */
export class ConversationRepository implements ConversationsReads, ConversationsWrites, ConversationsImport {
  constructor(
    private readonly context: RepositoryContext,
    private readonly sessions: SessionRepository,
  ) {}

  get(id: string): Conversation | undefined {
    const row = this.context.db.get('SELECT * FROM conversations WHERE id = ?', [id]);
    return row ? rowToConversation(row) : undefined;
  }

  listBySession(sessionId: string): Conversation[] {
    return this.context.db
      .all('SELECT * FROM conversations WHERE session_id = ? ORDER BY created_at, rowid', [sessionId])
      .map(rowToConversation);
  }

  messages(conversationId: string, options?: PageOptions): Message[] {
    const { after, limit } = page(options, 1000);
    return this.context.db
      .all('SELECT * FROM messages WHERE conversation_id = ? AND seq > ? ORDER BY seq LIMIT ?', [conversationId, after, limit])
      .map(rowToMessage);
  }

  getMessage(id: string): Message | undefined {
    const row = this.context.db.get('SELECT * FROM messages WHERE id = ?', [id]);
    return row ? rowToMessage(row) : undefined;
  }

  getMessageBySeq(conversationId: string, seq: number): Message | undefined {
    const row = this.context.db.get('SELECT * FROM messages WHERE conversation_id = ? AND seq = ?', [conversationId, seq]);
    return row ? rowToMessage(row) : undefined;
  }

  create(input: ConversationCreateInput): Conversation {
    const parsed = parseWith(ConversationCreateInputSchema, input, 'conversation');
    this.sessions.require(parsed.sessionId);
    const now = this.context.nowMillis();
    const conversation: Conversation = {
      ...parsed,
      id: parsed.id ?? this.context.newId(),
      messageCount: 0,
      createdAt: now,
      updatedAt: now,
    };
    this.context.db.run(
      'INSERT INTO conversations (id, session_id, provider, model, system, message_count, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      [conversation.id, conversation.sessionId, conversation.provider, conversation.model, conversation.system, 0, now, now],
    );
    this.context.changed(conversation.sessionId, 'conversation');
    return conversation;
  }

  appendMessage(input: MessageAppendInput): Message {
    const parsed = parseWith(MessageAppendInputSchema, input, 'message');
    const conversation = this.get(parsed.conversationId);
    if (!conversation) throw new NotFoundError('conversation', parsed.conversationId);
    const now = this.context.nowMillis();
    const message: Message = { ...parsed, id: parsed.id ?? this.context.newId(), seq: conversation.messageCount + 1, createdAt: now };
    this.context.db.run('INSERT INTO messages (id, conversation_id, seq, role, content, run_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
      message.id,
      message.conversationId,
      message.seq,
      message.role,
      toJsonText(message.content),
      message.runId,
      now,
    ]);
    this.context.db.run('UPDATE conversations SET message_count = ?, updated_at = ? WHERE id = ?', [message.seq, now, conversation.id]);
    this.context.changed(conversation.sessionId, 'message');
    return message;
  }

  insertImported(conversation: Conversation): void {
    const parsed = parseWith(ConversationSchema, conversation, 'imported conversation');
    this.context.db.run(
      'INSERT INTO conversations (id, session_id, provider, model, system, message_count, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      [parsed.id, parsed.sessionId, parsed.provider, parsed.model, parsed.system, parsed.messageCount, parsed.createdAt, parsed.updatedAt],
    );
    this.context.changed(parsed.sessionId, 'conversation');
  }

  /** The conversation's message count never falls below the message's seq, so the next append takes the seq above it. */
  insertImportedMessage(message: Message): void {
    const parsed = parseWith(MessageSchema, message, 'imported message');
    const conversation = this.get(parsed.conversationId);
    if (!conversation) throw new NotFoundError('conversation', parsed.conversationId);
    this.context.db.run('INSERT INTO messages (id, conversation_id, seq, role, content, run_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
      parsed.id,
      parsed.conversationId,
      parsed.seq,
      parsed.role,
      toJsonText(parsed.content),
      parsed.runId,
      parsed.createdAt,
    ]);
    this.context.db.run('UPDATE conversations SET message_count = max(message_count, ?) WHERE id = ?', [parsed.seq, parsed.conversationId]);
    this.context.changed(conversation.sessionId, 'message');
  }
}
