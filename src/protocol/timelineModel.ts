import { z } from 'zod';
import { CommandKindSchema, ExecutionModeSchema, ResultStatusSchema, SessionStatusSchema, TokenUsageSchema } from './sharedModel';

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

/** The latest Check Progress: each criterion met / not met / unknown with its evidence. */
export const ProgressViewSchema = z.object({
  checkedAt: Count,
  checkedBy: z.enum(['person', 'claude']),
  criteria: z.array(
    z.object({
      kind: z.enum(['success', 'completion']),
      criterion: z.string(),
      status: z.enum(['met', 'not_met', 'unknown']),
      evidence: z.string(),
    }),
  ),
});
export type ProgressView = z.infer<typeof ProgressViewSchema>;

/** A review gate the session waits at: the step whose answer needs Approve or Request Changes. */
export const ReviewGateViewSchema = z.object({
  step: z.string(),
  /** The interaction seq of the answer under review. */
  seq: z.number().int().positive(),
  artifactKeys: z.array(z.string()),
  since: Count,
});
export type ReviewGateView = z.infer<typeof ReviewGateViewSchema>;

/** The runs of one phase (agent type): how many, the models asked for and used, tokens and cost. */
export const PhaseRunsViewSchema = z.object({
  phase: z.string(),
  runs: Count,
  /** Models asked for (a step's model, the setting's alias). */
  modelAliases: z.array(z.string()),
  /** Models that answered. */
  models: z.array(z.string()),
  tokens: TokenUsageSchema,
  costUsd: Usd,
  costUnknown: z.boolean(),
  /** The steps (interaction seqs) of those runs, in order. */
  seqs: z.array(z.number().int().positive()),
});
export type PhaseRunsView = z.infer<typeof PhaseRunsViewSchema>;

/** Phase groups sent with the header: at most this many. */
export const HEADER_PHASES_MAX = 100;

/** A session chained with this one (Start Follow-up Session): the one it follows, or one that follows it. */
export const LinkedSessionViewSchema = z.object({ id: Id, title: z.string(), status: SessionStatusSchema });
export type LinkedSessionView = z.infer<typeof LinkedSessionViewSchema>;
/** Follow-ups shown in the header at most (a session rarely has more than one). */
export const HEADER_FOLLOW_UPS_MAX = 20;

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
  progress: ProgressViewSchema.nullable().default(null),
  reviewGate: ReviewGateViewSchema.nullable().default(null),
  phases: z.array(PhaseRunsViewSchema).max(HEADER_PHASES_MAX).default([]),
  tags: z.array(z.string()).default([]),
  /** Plan Session: when it is meant to start, and how long it should take (minutes). */
  scheduledAt: Count.nullable().default(null),
  expectedMinutes: z.number().int().positive().nullable().default(null),
  /** From start to end, once it has ended (minutes). */
  actualMinutes: z.number().nonnegative().nullable().default(null),
  previous: LinkedSessionViewSchema.nullable().default(null),
  next: z.array(LinkedSessionViewSchema).max(HEADER_FOLLOW_UPS_MAX).default([]),
  status: SessionStatusSchema,
  phase: z.string().nullable(),
  executionMode: ExecutionModeSchema,
  conversationId: z.string().nullable(),
  costUsd: Usd,
  tokens: TokenUsageSchema,
  interactionCount: Count,
  updatedAt: Count,
});
export type SessionHeader = z.infer<typeof SessionHeaderSchema>;

export const InteractionRowSchema = z.object({
  id: Id,
  seq: z.number().int().positive(),
  step: z.string(),
  /** The phase (agent type) the step served, when recorded (its runs are grouped under it in the header). */
  phase: z.string().nullable().default(null),
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
  tokens: TokenUsageSchema.nullable(),
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
  /** A review gate's state of it (provisional, approved, changes requested), or null. */
  review: z.enum(['provisional', 'approved', 'changes_requested']).nullable().default(null),
});
export type ArtifactLink = z.infer<typeof ArtifactLinkSchema>;
