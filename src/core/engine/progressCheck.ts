import { z } from 'zod';
import type { Interaction } from '../model/interaction';
import type { JsonObject } from '../model/json';
import { CriterionStatusSchema, type CriterionCheck, type CriterionKind, type Session, type SessionProgress } from '../model/session';
import { ValidationError } from '../model/validation';
import type { CommandSpec, StepBehaviour } from '../workflow/StepBehaviour';
import { claudeAnswerOf } from '../workflow/builtin/claudeResult';
import { parseJsonAnswer } from '../workflow/jsonAnswer';
import { tailOf } from '../../protocol/displayText';

/**
 * Check Progress: each success and completion criterion judged met / not met / unknown with a
 * short evidence text, by a person (a quick pick) or by Claude (a step of the engine's own that
 * sees the session's artifacts and recent results and answers in a validated JSON shape).
 */

/** The step name of Claude's progress check (not a phase: the session stays in its phase). */
export const PROGRESS_CHECK_STEP = 'progress-check';
/** `state.progressCheck`: `requested` until Claude's check is issued and answered. */
export const PROGRESS_CHECK_STATE_KEY = 'progressCheck';
/** `state.proposedProgress`: the checks of Claude's answer, from the step to the engine (which records them and removes the key). */
export const PROPOSED_PROGRESS_STATE_KEY = 'proposedProgress';

const HISTORY_LIMIT = 20;
const OUTPUT_CHARS = 1_500;
const ARTIFACT_CHARS = 4_000;
const EVIDENCE_MAX = 2_000;

/** A criterion of the goal, as numbered in the prompt (success criteria first, then completion). */
export interface GoalCriterion {
  readonly kind: CriterionKind;
  readonly criterion: string;
}

/** An artifact shown to Claude: what it is and (the start of) its text, when readable. */
export interface ArtifactText {
  readonly key: string;
  readonly kind: string;
  readonly path: string | null;
  readonly text: string | undefined;
}

export function criteriaOf(session: Session): GoalCriterion[] {
  return [
    ...session.successCriteria.map((criterion) => ({ kind: 'success' as const, criterion })),
    ...session.completionCriteria.map((criterion) => ({ kind: 'completion' as const, criterion })),
  ];
}

/** What Claude answers: one entry per criterion, by its number in the prompt. */
export const ProgressAnswerSchema = z
  .object({
    criteria: z
      .array(
        z
          .object({
            number: z.number().int().positive(),
            status: CriterionStatusSchema,
            evidence: z.string().max(EVIDENCE_MAX),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

/**
 * The checks of a progress check, validated against the session's goal: each names a criterion of
 * the session (kind and text); criteria not judged read as `unknown`. Throws a `ValidationError`.
 */
export function progressOf(
  session: Session,
  checks: readonly CriterionCheck[],
  checkedBy: SessionProgress['checkedBy'],
  now: number,
): SessionProgress {
  const goal = criteriaOf(session);
  for (const check of checks) {
    if (!goal.some((c) => c.kind === check.kind && c.criterion === check.criterion)) {
      throw new ValidationError('progress check', [
        {
          code: 'custom',
          path: ['criteria'],
          message: `"${check.criterion}" is not a ${check.kind} criterion of the session`,
          input: check,
        },
      ]);
    }
  }
  return {
    checkedAt: now,
    checkedBy,
    criteria: goal.map((c) => {
      const check = checks.find((candidate) => candidate.kind === c.kind && candidate.criterion === c.criterion);
      return { ...c, status: check?.status ?? 'unknown', evidence: check?.evidence.slice(0, EVIDENCE_MAX) ?? '' };
    }),
  };
}

/** Whether the session has completion criteria and the check found every one of them met. */
export function completionCriteriaMet(session: Session, progress: SessionProgress | null): boolean {
  if (progress === null || session.completionCriteria.length === 0) return false;
  return session.completionCriteria.every((criterion) =>
    progress.criteria.some((c) => c.kind === 'completion' && c.criterion === criterion && c.status === 'met'),
  );
}

/** `2/3`: criteria met of those checked (null before the first check or without criteria). */
export function progressFraction(progress: SessionProgress | null): { met: number; total: number } | null {
  if (progress === null || progress.criteria.length === 0) return null;
  return { met: progress.criteria.filter((c) => c.status === 'met').length, total: progress.criteria.length };
}

function describe(interaction: Interaction): string {
  const output = interaction.result.output === null ? '' : `\n${tailOf(interaction.result.output, OUTPUT_CHARS)}`;
  return `#${interaction.seq} ${interaction.command.step} (${interaction.command.kind}, ${interaction.result.status}): ${interaction.command.command.slice(0, 300)}${output}`;
}

/** Claude's progress check: the criteria, numbered; the artifacts; the latest results. */
export function progressCheckCommand(session: Session, history: readonly Interaction[], artifacts: readonly ArtifactText[]): CommandSpec {
  const criteria = criteriaOf(session)
    .map((c, index) => `${index + 1}. (${c.kind === 'success' ? 'success' : 'completion'}) ${c.criterion}`)
    .join('\n');
  const files = artifacts
    .map(
      (a) =>
        `### ${a.key} (${a.kind}${a.path ? `, ${a.path}` : ''})\n${a.text === undefined ? '(not readable)' : tailOf(a.text, ARTIFACT_CHARS)}`,
    )
    .join('\n\n');
  const steps = history
    .filter((i) => i.result.status !== 'pending' && i.command.step !== PROGRESS_CHECK_STEP)
    .slice(-HISTORY_LIMIT)
    .map(describe)
    .join('\n\n');
  return {
    step: PROGRESS_CHECK_STEP,
    kind: 'claude',
    command:
      "Check this session's progress against its criteria. For each criterion judge whether it is met, not met, or unknown " +
      '(when the evidence below and what you can inspect do not show it), with one short sentence of evidence. ' +
      'Answer with one JSON object only, in a ```json fence:\n' +
      '{ "criteria": [{ "number": 1, "status": "met" | "not_met" | "unknown", "evidence": "…" }] }\n\n' +
      `Criteria:\n${criteria}\n\n` +
      `Artifacts:\n${files || '(none)'}\n\n` +
      `Recent steps:\n${steps || '(none yet)'}`,
  };
}

/** Reads Claude's answer into checks for the engine to record (`state.proposedProgress`); the request is done either way. */
export const progressCheckStep: Pick<StepBehaviour, 'handleResult'> = {
  handleResult(session, _interaction, result) {
    const { [PROGRESS_CHECK_STATE_KEY]: _request, ...rest } = session.state;
    const state: JsonObject = rest;
    const answer = claudeAnswerOf(result);
    if ('error' in answer) return { state, notes: [`The progress check got no answer: ${answer.error}`] };
    const parsed = parseJsonAnswer(answer.answer, ProgressAnswerSchema);
    const goal = criteriaOf(session);
    if (!parsed.ok)
      return { state, notes: [`The progress check's answer was not the JSON asked for (${parsed.error}); nothing recorded.`] };
    const outOfRange = parsed.value.criteria.find((c) => c.number > goal.length);
    if (outOfRange !== undefined) {
      return {
        state,
        notes: [`The progress check's answer names criterion ${outOfRange.number}, but there are ${goal.length}; nothing recorded.`],
      };
    }
    const checks: JsonObject[] = parsed.value.criteria.map((c) => ({ ...goal[c.number - 1]!, status: c.status, evidence: c.evidence }));
    return { state: { ...state, [PROPOSED_PROGRESS_STATE_KEY]: checks } };
  },
};
