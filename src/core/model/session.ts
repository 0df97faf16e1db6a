import { z } from 'zod';
import { EpochMillisSchema, JsonObjectSchema, UuidSchema } from './json';
import { ExecutionModeSchema, SessionStatusSchema, TokenUsageSchema } from '../../protocol/sharedModel';

export const AgentSchema = z.enum(['claude_code']);
export type Agent = z.infer<typeof AgentSchema>;

export const ProviderSchema = z.enum(['anthropic-api', 'claude-code-cli']);
export type Provider = z.infer<typeof ProviderSchema>;

export const EnvironmentSchema = z.enum(['vscode', 'local']);
export type Environment = z.infer<typeof EnvironmentSchema>;

export { ExecutionModeSchema, TokenUsageSchema, type ExecutionMode, type TokenUsage } from '../../protocol/sharedModel';

const CostSchema = z.number().nonnegative().finite();
/** Expected duration of a session, in whole minutes (up to a year). */
export const ExpectedMinutesSchema = z.number().int().positive().max(525_600);

/** How a session ended, as a person (Complete Session) or Claude (agentic end) judged it. The summary is `Session.summary`. */
export const SessionOutcomeSchema = z
  .object({
    /** Success, 1 (not at all) to 5 (fully). */
    rating: z.number().int().min(1).max(5),
    /** How much of the goal was done, 0–100. */
    completionPercent: z.number().int().min(0).max(100),
    needsFollowUp: z.boolean(),
    followUpNotes: z.string().max(10_000),
    /** The suggested next session (a goal in a sentence), or ''. */
    nextSessionSuggestion: z.string().max(10_000),
    recordedBy: z.enum(['person', 'claude']),
    recordedAt: EpochMillisSchema,
  })
  .strict();
export type SessionOutcome = z.infer<typeof SessionOutcomeSchema>;

/** What a person (Complete Session) or Claude (its JSON answer) gives when a session ends. */
export const SessionOutcomeInputSchema = z
  .object({
    summary: z.string().trim().min(1, 'write a summary of what was done').max(20_000),
    rating: z.number().int().min(1).max(5),
    completionPercent: z.number().int().min(0).max(100),
    needsFollowUp: z.boolean(),
    followUpNotes: z.string().max(10_000).default(''),
    nextSessionSuggestion: z.string().max(10_000).default(''),
  })
  .strict();
export type SessionOutcomeInput = z.input<typeof SessionOutcomeInputSchema>;

/** A criterion's state at a progress check. */
export const CriterionStatusSchema = z.enum(['met', 'not_met', 'unknown']);
export type CriterionStatus = z.infer<typeof CriterionStatusSchema>;

/** Which list of the goal a criterion belongs to. */
export const CriterionKindSchema = z.enum(['success', 'completion']);
export type CriterionKind = z.infer<typeof CriterionKindSchema>;

/** One criterion as a progress check judged it, with a short evidence text. */
export const CriterionCheckSchema = z
  .object({
    kind: CriterionKindSchema,
    criterion: z.string(),
    status: CriterionStatusSchema,
    evidence: z.string().max(2_000),
  })
  .strict();
export type CriterionCheck = z.infer<typeof CriterionCheckSchema>;

/** The latest Check Progress (`sessions.progress`, migration 0011): each criterion met / not met / unknown. */
export const SessionProgressSchema = z
  .object({
    checkedAt: EpochMillisSchema,
    checkedBy: z.enum(['person', 'claude']),
    criteria: z.array(CriterionCheckSchema),
  })
  .strict();
export type SessionProgress = z.infer<typeof SessionProgressSchema>;

/** The goal fields Edit Goal changes (each edit is a `session.goal_edited` event with before and after). */
export const SessionGoalSchema = z
  .object({
    intention: z.string(),
    successCriteria: z.array(z.string()),
    completionCriteria: z.array(z.string()),
    constraints: z.array(z.string()),
    procedureNotes: z.string(),
  })
  .strict();
export type SessionGoal = z.infer<typeof SessionGoalSchema>;

/** A stored session (one row of `sessions`). Counters are maintained by the store. */
export const SessionSchema = z.object({
  id: UuidSchema,
  parentSessionId: UuidSchema.nullable(),
  /** The session this one follows up (Start Follow-up Session): previous/next, separate from parent/child. */
  followsSessionId: UuidSchema.nullable(),
  /** Workflow id (`spec-plan-build`, `test-fix`, a user-defined one…). */
  type: z.string().min(1),
  title: z.string().min(1).max(500),
  slug: z.string().min(1).max(200),
  /** The goal. */
  intention: z.string(),
  successCriteria: z.array(z.string()),
  /** When the session is done (as opposed to whether it went well: successCriteria). */
  completionCriteria: z.array(z.string()),
  constraints: z.array(z.string()),
  /** How to work: free text. */
  procedureNotes: z.string(),
  agent: AgentSchema,
  provider: ProviderSchema,
  environment: EnvironmentSchema,
  executionMode: ExecutionModeSchema,
  status: SessionStatusSchema,
  /** The workflow step or phase name. */
  phase: z.string().nullable(),
  /** Workflow-specific state. */
  state: JsonObjectSchema,
  /** Resumable conversation id (Claude Code `--resume`, or a stored API conversation). */
  externalConversationId: z.string().nullable(),
  workingDir: z.string().nullable(),
  workspaceFolder: z.string().nullable(),
  tags: z.array(z.string()),
  summary: z.string().nullable(),
  /** Set when the session's outcome was recorded (Complete Session, or Claude at the end of an agentic run). */
  outcome: SessionOutcomeSchema.nullable(),
  /** When a planned session is meant to start (Plan Session), or null. */
  scheduledAt: EpochMillisSchema.nullable(),
  /** How long the person expects the session to take, in minutes, or null. */
  expectedMinutes: ExpectedMinutesSchema.nullable(),
  /** When it became active (created, or Start of a planned session); null while planned. Actual duration: endedAt − startedAt. */
  startedAt: EpochMillisSchema.nullable(),
  /** The latest Check Progress, or null before the first. */
  progress: SessionProgressSchema.nullable(),
  ...TokenUsageSchema.shape,
  totalCostUsd: CostSchema,
  /** A run of the session has a cost that is unknown (unpriced model): `totalCostUsd` is a lower bound. */
  costUnknown: z.boolean(),
  interactionCount: z.number().int().nonnegative(),
  eventCount: z.number().int().nonnegative(),
  lastEventAt: EpochMillisSchema.nullable(),
  createdAt: EpochMillisSchema,
  updatedAt: EpochMillisSchema,
  endedAt: EpochMillisSchema.nullable(),
  /** Soft delete: set by `sessions.softDelete`, cleared by `sessions.restore`. */
  deletedAt: EpochMillisSchema.nullable(),
});
export type Session = z.infer<typeof SessionSchema>;

/** Input of `sessions.create`. Only `type`, `title` and `intention` are required. */
export const SessionCreateInputSchema = z
  .object({
    id: UuidSchema.optional(),
    parentSessionId: UuidSchema.nullable().optional(),
    followsSessionId: UuidSchema.nullable().default(null),
    type: z.string().min(1),
    title: z.string().min(1).max(500),
    /** Derived from the title when omitted. */
    slug: z.string().min(1).max(200).optional(),
    intention: z.string(),
    successCriteria: z.array(z.string()).default([]),
    completionCriteria: z.array(z.string()).default([]),
    constraints: z.array(z.string()).default([]),
    procedureNotes: z.string().default(''),
    agent: AgentSchema.default('claude_code'),
    provider: ProviderSchema.default('claude-code-cli'),
    environment: EnvironmentSchema.default('vscode'),
    executionMode: ExecutionModeSchema.default('manual'),
    status: SessionStatusSchema.default('active'),
    phase: z.string().nullable().default(null),
    state: JsonObjectSchema.default({}),
    externalConversationId: z.string().nullable().default(null),
    workingDir: z.string().nullable().default(null),
    workspaceFolder: z.string().nullable().default(null),
    tags: z.array(z.string()).default([]),
    summary: z.string().nullable().default(null),
    scheduledAt: EpochMillisSchema.nullable().default(null),
    expectedMinutes: ExpectedMinutesSchema.nullable().default(null),
    /** When the session began; default now. For history recorded elsewhere (imports). */
    createdAt: EpochMillisSchema.optional(),
  })
  .strict();
export type SessionCreateInput = z.input<typeof SessionCreateInputSchema>;

/**
 * Input of `sessions.update`: the fields a caller may change. Unknown fields are rejected by name.
 * A `status` change is checked against the transition table; counters are not updatable here
 * (runs, interactions and events maintain them).
 */
export const SessionUpdateSchema = SessionSchema.pick({
  title: true,
  slug: true,
  intention: true,
  successCriteria: true,
  completionCriteria: true,
  constraints: true,
  procedureNotes: true,
  provider: true,
  environment: true,
  executionMode: true,
  status: true,
  phase: true,
  state: true,
  externalConversationId: true,
  workingDir: true,
  workspaceFolder: true,
  tags: true,
  summary: true,
  outcome: true,
  progress: true,
  scheduledAt: true,
  expectedMinutes: true,
})
  .partial()
  .strict();
export type SessionUpdate = z.input<typeof SessionUpdateSchema>;

/** Input of `sessions.setTimes`: when the session's activity happened (epoch milliseconds). */
export const SessionTimesSchema = z
  .object({
    updatedAt: EpochMillisSchema.optional(),
    endedAt: EpochMillisSchema.optional(),
  })
  .strict();
export type SessionTimes = z.input<typeof SessionTimesSchema>;

/** Filter of `sessions.list`. Results are ordered by `updatedAt` descending. */
export const SessionListFilterSchema = z
  .object({
    status: z.union([SessionStatusSchema, z.array(SessionStatusSchema)]).optional(),
    type: z.string().optional(),
    /** A session id, or `null` for top-level sessions only. */
    parentSessionId: UuidSchema.nullable().optional(),
    /** Case-insensitive substring of title, intention, summary, slug or a tag. */
    text: z.string().optional(),
    /** Sessions carrying this tag (exactly). */
    tag: z.string().min(1).optional(),
    executionMode: ExecutionModeSchema.optional(),
    /** Created at or after (epoch ms). */
    createdFrom: EpochMillisSchema.optional(),
    /** Created before (epoch ms). */
    createdBefore: EpochMillisSchema.optional(),
    /** `me`: sessions made in this ledger; otherwise the person who owns a pulled team session. */
    owner: z.string().min(1).optional(),
    /** Default `exclude`. */
    deleted: z.enum(['exclude', 'include', 'only']).default('exclude'),
    limit: z.number().int().positive().max(10_000).default(100),
    offset: z.number().int().nonnegative().default(0),
  })
  .strict();
export type SessionListFilter = z.input<typeof SessionListFilterSchema>;
