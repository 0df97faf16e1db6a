import { z } from 'zod';
import { EpochMillisSchema, JsonObjectSchema, UuidSchema } from './json';
import { ExecutionModeSchema, SessionStatusSchema, UsageTotalsSchema } from '../../protocol/sharedModel';

export const AgentSchema = z.enum(['claude_code']);
export type Agent = z.infer<typeof AgentSchema>;

export const ProviderSchema = z.enum(['anthropic-api', 'claude-code-cli']);
export type Provider = z.infer<typeof ProviderSchema>;

export const EnvironmentSchema = z.enum(['vscode', 'local']);
export type Environment = z.infer<typeof EnvironmentSchema>;

export { ExecutionModeSchema, UsageTotalsSchema, type ExecutionMode, type UsageTotals } from '../../protocol/sharedModel';

const CostSchema = z.number().nonnegative().finite();

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
  ...UsageTotalsSchema.shape,
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
    /** Case-insensitive substring of title, intention, summary or slug. */
    text: z.string().optional(),
    /** Default `exclude`. */
    deleted: z.enum(['exclude', 'include', 'only']).default('exclude'),
    limit: z.number().int().positive().max(10_000).default(100),
    offset: z.number().int().nonnegative().default(0),
  })
  .strict();
export type SessionListFilter = z.input<typeof SessionListFilterSchema>;
