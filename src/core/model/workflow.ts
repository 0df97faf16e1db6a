import { z } from 'zod';

/**
 * The file format of user-defined workflows (`.vscode/session-ledger/workflows/*.json`).
 * This schema is structural; cross-references (transition targets, template placeholders) are
 * checked by `src/core/workflow/validateWorkflow.ts`. `media/schemas/workflow.schema.json` is
 * generated from it (`node scripts/gen-workflow-schema.mjs`).
 */

export const WORKFLOW_COMPLETE = '$complete';
export const WORKFLOW_FAIL = '$fail';

const identifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, 'use letters, digits, "_" and "-", starting with a letter or "_"');

const transitionTarget = z
  .string()
  .min(1)
  .describe(`A step id, "${WORKFLOW_COMPLETE}" to complete the session or "${WORKFLOW_FAIL}" to fail it.`);

const stepCommon = {
  id: identifier.describe('Unique id of the step; templates refer to it as {{steps.<id>.output}}.'),
  label: z.string().min(1).optional().describe('Human-readable name of the step.'),
  next: transitionTarget.optional().describe('Where to go after this step whatever its outcome (overridden by onSuccess/onFailure).'),
  onSuccess: transitionTarget
    .optional()
    .describe('Where to go when the step succeeds. Default: the next step in the list, or complete after the last.'),
  onFailure: transitionTarget.optional().describe(`Where to go when the step fails. Default: "${WORKFLOW_FAIL}".`),
  maxIterations: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('How many times this step may run in one session; one more fails the session. Default: the workflow maxIterations.'),
};

export const ShellStepSchema = z
  .object({
    ...stepCommon,
    kind: z.literal('shell'),
    command: z
      .string()
      .min(1)
      .describe('Shell command. Interpolated values are shell-quoted, so do not put {{placeholders}} inside quotes.'),
    timeoutSeconds: z.number().positive().optional().describe('Kill the command after this many seconds.'),
  })
  .strict();

export const ClaudeStepSchema = z
  .object({
    ...stepCommon,
    kind: z.literal('claude'),
    prompt: z.string().min(1).describe('Prompt sent to Claude; templates such as {{steps.test.output}} are expanded.'),
    system: z.string().optional().describe("Extra system instructions, added after the session's goal."),
    model: z.string().min(1).optional().describe('Model to use for this step (an alias such as sonnet, or a full model name).'),
    timeoutSeconds: z.number().positive().optional().describe('Stop the Claude step after this many seconds.'),
    maxTurns: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Most model turns of this step (headless runs: the CLI --max-turns, or API requests).'),
    saveAs: z
      .string()
      .regex(/^(?!\/)(?!.*(?:^|\/)\.\.(?:\/|$))[\w./-]+$/, 'a relative path inside the session folder, without ".."')
      .optional()
      .describe("Save Claude's answer to this file under .sessions/<slug>/ and register it as an artifact."),
    approve: z
      .boolean()
      .optional()
      .describe(
        'A review gate: the session waits for a person to Approve the answer (and its saveAs artifact) or Request Changes (the step is asked again with the comment) before it goes on.',
      ),
  })
  .strict();

export const ChildSessionTemplateSchema = z
  .object({
    type: z.string().min(1).describe('Session type of the child (built-in id or a workflow id).'),
    title: z.string().min(1).describe('Title of the child session; templates allowed.'),
    intention: z.string().min(1).describe('Goal of the child session; templates allowed.'),
    successCriteria: z.array(z.string()).optional(),
    constraints: z.array(z.string()).optional(),
    options: z.record(z.string(), z.unknown()).optional().describe('Start options passed to the child session type.'),
  })
  .strict();

export const SpawnSessionsStepSchema = z
  .object({
    ...stepCommon,
    kind: z.literal('spawn_sessions'),
    sessions: z.array(ChildSessionTemplateSchema).min(1).describe('One child session per entry.'),
    continueOnChildFailure: z
      .boolean()
      .optional()
      .describe('Treat the step as successful even when a child session fails. Default: false.'),
  })
  .strict();

/**
 * What New Session starts with when this workflow (or template) is picked: the goal fields, tags
 * and the expected duration. The person can change each before the session starts.
 */
export const SessionDefaultsSchema = z
  .object({
    intention: z.string().optional().describe('The goal New Session suggests.'),
    successCriteria: z.array(z.string()).optional().describe('Success criteria New Session suggests, one per entry.'),
    completionCriteria: z.array(z.string()).optional().describe('Completion criteria New Session suggests, one per entry.'),
    constraints: z.array(z.string()).optional().describe('Constraints given to every session of this workflow.'),
    procedureNotes: z.string().optional().describe('How to work (conventions, steps to follow).'),
    tags: z.array(z.string().min(1)).optional().describe('Tags every session of this workflow gets.'),
    expectedMinutes: z.number().int().positive().max(525_600).optional().describe('How long a session is expected to take, in minutes.'),
  })
  .strict();
export type SessionDefaults = z.infer<typeof SessionDefaultsSchema>;

export const WorkflowStepSchema = z.discriminatedUnion('kind', [ShellStepSchema, ClaudeStepSchema, SpawnSessionsStepSchema]);

export const WorkflowDefinitionSchema = z
  .object({
    $schema: z.string().optional(),
    id: identifier.describe('Session type id; must not clash with a built-in type.'),
    label: z.string().min(1).describe('Name shown in the New Session quick pick.'),
    description: z.string().optional().describe('One line shown under the label in the quick pick.'),
    start: identifier.optional().describe('Id of the first step. Default: the first in the list.'),
    maxIterations: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Default limit on how many times any one step may run in a session. Default: 10.'),
    completeWhen: z
      .enum(['steps', 'criteria'])
      .optional()
      .describe(
        'When a session ends itself: "steps" (default) when a step goes to "$complete"; "criteria" also as soon as every completion criterion is met (Claude checks progress after each step).',
      ),
    steps: z.array(WorkflowStepSchema).min(1).describe('The steps, in order.'),
    defaults: SessionDefaultsSchema.optional().describe('What New Session fills in when this workflow or template is picked.'),
  })
  .strict();

/**
 * A file of the workflows folder: a workflow (steps), or a template (`extends` a built-in session
 * type, no steps) whose `defaults` New Session fills in. `validateWorkflow` requires exactly one of them.
 */
export const WorkflowFileSchema = WorkflowDefinitionSchema.extend({
  steps: WorkflowDefinitionSchema.shape.steps
    .optional()
    .describe('The steps, in order. A template (with "extends") has none: it runs the built-in type it extends.'),
  extends: identifier
    .optional()
    .describe('A template: the built-in session type it starts (freeform, spec-plan-build, test-fix, …), instead of steps.'),
}).strict();

export type ShellStep = z.infer<typeof ShellStepSchema>;
export type ClaudeStep = z.infer<typeof ClaudeStepSchema>;
export type SpawnSessionsStep = z.infer<typeof SpawnSessionsStepSchema>;
export type ChildSessionTemplate = z.infer<typeof ChildSessionTemplateSchema>;
export type WorkflowStep = z.infer<typeof WorkflowStepSchema>;
export type WorkflowDefinition = z.infer<typeof WorkflowDefinitionSchema>;
/** A workflow file as read: either steps (a workflow) or `extends` (a template of a built-in type). */
export type WorkflowFileDefinition = z.infer<typeof WorkflowFileSchema>;

export const DEFAULT_WORKFLOW_MAX_ITERATIONS = 10;
