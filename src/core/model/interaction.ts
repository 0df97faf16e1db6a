import { z } from 'zod';
import { CommandKindSchema, ResultStatusSchema } from '../../protocol/sharedModel';
import { EpochMillisSchema, JsonObjectSchema, UuidSchema } from './json';

export { CommandKindSchema, ResultStatusSchema, type CommandKind, type ResultStatus } from '../../protocol/sharedModel';

/** Output longer than this is capped by the store, keeping the tail (the end of a log matters most). */
export const INTERACTION_OUTPUT_MAX_CHARS = 1_000_000;

/** The command half of an interaction: what a step asked to run. */
export const CommandSchema = z.object({
  /** The step behaviour that produced it. */
  step: z.string().min(1),
  kind: CommandKindSchema,
  /** Shell command line, prompt text, or a description of the spawn. */
  command: z.string(),
  /** Prompt options, child session ids, … */
  metadata: JsonObjectSchema,
});
export type Command = z.infer<typeof CommandSchema>;

/** The result half of an interaction. `status` is `pending` until the result is recorded. */
export const ResultSchema = z.object({
  status: ResultStatusSchema,
  exitCode: z.number().int().nullable(),
  /** Capped text, tail kept. */
  output: z.string().nullable(),
  data: JsonObjectSchema.nullable(),
  errorMessage: z.string().nullable(),
  durationMs: z.number().nonnegative().nullable(),
  completedAt: EpochMillisSchema.nullable(),
});
export type Result = z.infer<typeof ResultSchema>;

/** A stored interaction: one command and its result, numbered by a contiguous per-session `seq` (1, 2, …). */
export const InteractionSchema = z.object({
  id: UuidSchema,
  sessionId: UuidSchema,
  seq: z.number().int().positive(),
  command: CommandSchema,
  /** When the command was issued, in MICROseconds since the epoch (column `command_at`). */
  commandAtMicros: z.number().int().nonnegative(),
  result: ResultSchema,
});
export type Interaction = z.infer<typeof InteractionSchema>;

/** Input of `interactions.append`. */
export const InteractionAppendInputSchema = z
  .object({
    id: UuidSchema.optional(),
    sessionId: UuidSchema,
    step: z.string().min(1),
    kind: CommandKindSchema,
    command: z.string(),
    metadata: JsonObjectSchema.default({}),
    /** When the command was issued, in microseconds; default now. For history recorded elsewhere (imports). */
    commandAtMicros: z.number().int().nonnegative().optional(),
  })
  .strict();
export type InteractionAppendInput = z.input<typeof InteractionAppendInputSchema>;

/** Input of `interactions.setResult`: a final (non-pending) result. */
export const InteractionResultInputSchema = z
  .object({
    status: ResultStatusSchema.exclude(['pending']),
    exitCode: z.number().int().nullable().default(null),
    output: z.string().nullable().default(null),
    data: JsonObjectSchema.nullable().default(null),
    errorMessage: z.string().nullable().default(null),
    durationMs: z.number().nonnegative().nullable().default(null),
    /** When the result came, in milliseconds; default now. For history recorded elsewhere (imports). */
    completedAt: EpochMillisSchema.optional(),
  })
  .strict();
export type InteractionResultInput = z.input<typeof InteractionResultInputSchema>;
