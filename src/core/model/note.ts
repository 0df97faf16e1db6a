import { z } from 'zod';
import { EpochMillisSchema, UuidSchema } from './json';

/** The kinds a person picks from when adding a note (the store also keeps others: `workflow`, `failure`, `agent`, `note`…). */
export const PERSON_NOTE_KINDS = ['observation', 'concern', 'insight', 'technical'] as const;
export type PersonNoteKind = (typeof PERSON_NOTE_KINDS)[number];

/** A note on a session (a person's remark, a decision, an observation), optionally tied to an interaction. */
export const NoteSchema = z.object({
  id: UuidSchema,
  sessionId: UuidSchema,
  kind: z.string().min(1),
  content: z.string(),
  interactionSeq: z.number().int().positive().nullable(),
  /** Flagged important: marked in the tree and the timeline. */
  important: z.boolean(),
  /** Flagged as needing follow-up. */
  followUp: z.boolean(),
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
    important: z.boolean().default(false),
    followUp: z.boolean().default(false),
  })
  .strict();
export type NoteAddInput = z.input<typeof NoteAddInputSchema>;
