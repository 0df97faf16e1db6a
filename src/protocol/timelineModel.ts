import { z } from 'zod';
import { CommandKindSchema, ExecutionModeSchema, ResultStatusSchema, SessionStatusSchema, UsageTotalsSchema } from './sharedModel';

/*
 * The view models the timeline webview shows. They are shaped for display (no workflow state,
 * no JSON blobs) and small: a row carries no output; output, Claude's answer and events are
 * loaded on demand when a row is expanded.
 */

const Id = z.string().min(1).max(200);
const Count = z.number().int().nonnegative();
const Usd = z.number().nonnegative().finite();

/** Row command text is cut to this many characters; the full text comes with the detail. */
export const ROW_COMMAND_MAX_CHARS = 400;
/** Output sent with a detail keeps at most this many characters from the end. */
export const DETAIL_OUTPUT_TAIL_CHARS = 64_000;
/** A detail's full command is cut to this many characters. */
export const DETAIL_COMMAND_MAX_CHARS = 100_000;
/** An event's payload summary is cut to this many characters. */
export const EVENT_SUMMARY_MAX_CHARS = 2_000;

/** Token counts, as the store keeps them on sessions and runs. */
export const TokenTotalsSchema = UsageTotalsSchema;
export type TokenTotals = z.infer<typeof TokenTotalsSchema>;

/** Notes sent with the header: the latest this many (a session rarely has more). */
export const HEADER_NOTES_MAX = 200;

/** How a session ended (Complete Session, or Claude's proposal). */
export const OutcomeViewSchema = z.object({
  rating: z.number().int().min(1).max(5),
  completionPercent: z.number().int().min(0).max(100),
  needsFollowUp: z.boolean(),
  followUpNotes: z.string(),
  nextSessionSuggestion: z.string(),
  recordedBy: z.enum(['person', 'claude']),
  recordedAt: Count,
});
export type OutcomeView = z.infer<typeof OutcomeViewSchema>;

/** A note on the session, shown in the notes section and at its step. */
export const NoteViewSchema = z.object({
  id: Id,
  kind: z.string(),
  content: z.string(),
  important: z.boolean(),
  followUp: z.boolean(),
  /** The step (interaction seq) it was added from, or null. */
  interactionSeq: z.number().int().positive().nullable(),
  createdAt: Count,
});
export type NoteView = z.infer<typeof NoteViewSchema>;

export const SessionHeaderSchema = z.object({
  id: Id,
  title: z.string(),
  type: z.string(),
  intention: z.string(),
  successCriteria: z.array(z.string()),
  completionCriteria: z.array(z.string()).default([]),
  constraints: z.array(z.string()),
  procedureNotes: z.string().default(''),
  summary: z.string().nullable().default(null),
  outcome: OutcomeViewSchema.nullable().default(null),
  notes: z.array(NoteViewSchema).max(HEADER_NOTES_MAX).default([]),
  status: SessionStatusSchema,
  phase: z.string().nullable(),
  executionMode: ExecutionModeSchema,
  conversationId: z.string().nullable(),
  costUsd: Usd,
  tokens: TokenTotalsSchema,
  interactionCount: Count,
  updatedAt: Count,
});
export type SessionHeader = z.infer<typeof SessionHeaderSchema>;

export const InteractionRowSchema = z.object({
  id: Id,
  seq: z.number().int().positive(),
  step: z.string(),
  kind: CommandKindSchema,
  /** Cut to {@link ROW_COMMAND_MAX_CHARS}; `commandTruncated` says so. */
  command: z.string().max(ROW_COMMAND_MAX_CHARS),
  commandTruncated: z.boolean(),
  status: ResultStatusSchema,
  exitCode: z.number().int().nullable(),
  durationMs: z.number().nonnegative().nullable(),
  /** Milliseconds since the epoch. */
  startedAt: Count,
  /** Sum of the interaction's runs; null when it had none. */
  tokens: TokenTotalsSchema.nullable(),
  costUsd: Usd.nullable(),
  hasOutput: z.boolean(),
  errorMessage: z.string().nullable(),
});
export type InteractionRow = z.infer<typeof InteractionRowSchema>;

export const InteractionDetailSchema = z.object({
  interactionId: Id,
  command: z.string(),
  commandTruncated: z.boolean(),
  /** ANSI escape codes stripped, tail kept ({@link DETAIL_OUTPUT_TAIL_CHARS}). */
  output: z.string().nullable(),
  /** Characters dropped from the start of the output. */
  outputOmittedChars: Count,
  /** How to show the output: Claude answers are markdown, shell output is text. */
  outputFormat: z.enum(['text', 'markdown']),
  errorMessage: z.string().nullable(),
});
export type InteractionDetail = z.infer<typeof InteractionDetailSchema>;

export const EventRowSchema = z.object({
  id: Id,
  seq: z.number().int().positive(),
  interactionId: Id.nullable(),
  type: z.string(),
  toolName: z.string().nullable(),
  ts: Count,
  /** The payload as compact JSON, cut to {@link EVENT_SUMMARY_MAX_CHARS}. */
  summary: z.string(),
});
export type EventRow = z.infer<typeof EventRowSchema>;

/**
 * Set when this window opened the ledger read-only because another process writes it: the
 * header shows a badge naming that holder (null when it is not known).
 */
export const ReadOnlyAccessSchema = z.object({ holder: z.string().max(500).nullable() }).strict();
export type ReadOnlyAccess = z.infer<typeof ReadOnlyAccessSchema>;

export const ArtifactLinkSchema = z.object({
  id: Id,
  key: z.string(),
  kind: z.string(),
  /** Workspace-relative file, or null for inline content (opened as an untitled document). */
  path: z.string().nullable(),
});
export type ArtifactLink = z.infer<typeof ArtifactLinkSchema>;
