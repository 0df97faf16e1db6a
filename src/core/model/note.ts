import { z } from 'zod';
import { EpochMillisSchema, UuidSchema } from './json';

/** A note on a session (a person's remark, a decision, an observation), optionally tied to an interaction. */
export const NoteSchema = z.object({
  id: UuidSchema,
  sessionId: UuidSchema,
  kind: z.string().min(1),
  content: z.string(),
  interactionSeq: z.number().int().positive().nullable(),
  createdAt: EpochMillisSchema,
});
export type Note = z.infer<typeof NoteSchema>;

export const NoteAddInputSchema = z
  .object({
    id: UuidSchema.optional(),
    sessionId: UuidSchema,
    kind: z.string().min(1).default('note'),
    content: z.string().min(1),
    interactionSeq: z.number().int().positive().nullable().default(null),
  })
  .strict();
export type NoteAddInput = z.input<typeof NoteAddInputSchema>;
