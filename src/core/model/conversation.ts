import { z } from 'zod';
import { EpochMillisSchema, JsonValueSchema, UuidSchema } from './json';
import { ProviderSchema } from './session';

/** A stored message history that makes an Anthropic API conversation resumable after a reload or crash. */
export const ConversationSchema = z.object({
  /** The conversation id (what `sessions.externalConversationId` points to). */
  id: z.string().min(1),
  sessionId: UuidSchema,
  provider: ProviderSchema,
  model: z.string().nullable(),
  system: z.string().nullable(),
  messageCount: z.number().int().nonnegative(),
  createdAt: EpochMillisSchema,
  updatedAt: EpochMillisSchema,
});
export type Conversation = z.infer<typeof ConversationSchema>;

export const ConversationCreateInputSchema = z
  .object({
    /** Defaults to a new uuid. */
    id: z.string().min(1).optional(),
    sessionId: UuidSchema,
    provider: ProviderSchema,
    model: z.string().nullable().default(null),
    system: z.string().nullable().default(null),
  })
  .strict();
export type ConversationCreateInput = z.input<typeof ConversationCreateInputSchema>;

export const MessageRoleSchema = z.enum(['user', 'assistant']);
export type MessageRole = z.infer<typeof MessageRoleSchema>;

/** One message; `content` is a string or the provider's content blocks, stored as JSON. `seq` is contiguous per conversation. */
export const MessageSchema = z.object({
  id: UuidSchema,
  conversationId: z.string().min(1),
  seq: z.number().int().positive(),
  role: MessageRoleSchema,
  content: JsonValueSchema,
  runId: UuidSchema.nullable(),
  createdAt: EpochMillisSchema,
});
export type Message = z.infer<typeof MessageSchema>;

export const MessageAppendInputSchema = z
  .object({
    id: UuidSchema.optional(),
    conversationId: z.string().min(1),
    role: MessageRoleSchema,
    content: JsonValueSchema,
    runId: UuidSchema.nullable().default(null),
  })
  .strict();
export type MessageAppendInput = z.input<typeof MessageAppendInputSchema>;
