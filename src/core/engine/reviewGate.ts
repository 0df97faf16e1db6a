import { z } from 'zod';
import type { JsonObject } from '../model/json';
import type { Session } from '../model/session';

/**
 * Review gates: a step whose artifact must be approved before the session goes on. The engine
 * keeps what the step decided (its next phase, or completion) in `state.reviewGate` and waits;
 * Approve applies it, Request Changes asks the same step again with the reviewer's comment
 * (`state.reviewComment`, added to the next prompt of that step).
 */

/** `state.reviewGate`: what waits for approval. */
export const REVIEW_GATE_STATE_KEY = 'reviewGate';
/** `state.reviewComment`: the comment of Request Changes, until the step it is for has answered again. */
export const REVIEW_COMMENT_STATE_KEY = 'reviewComment';

export const ReviewGateSchema = z
  .object({
    /** The step whose answer waits. */
    step: z.string(),
    /** The artifacts it wrote (marked provisional). */
    artifactIds: z.array(z.string()),
    artifactKeys: z.array(z.string()),
    /** What the step decided, applied on approval: the next phase, or completion. */
    then: z.union([z.object({ phase: z.string() }).strict(), z.object({ complete: z.literal(true) }).strict()]),
    /** The interaction seq of the answer under review. */
    seq: z.number().int().positive(),
    since: z.number().int().nonnegative(),
  })
  .strict();
export type ReviewGate = z.infer<typeof ReviewGateSchema>;

export const ReviewCommentSchema = z.object({ step: z.string(), comment: z.string() }).strict();
export type ReviewComment = z.infer<typeof ReviewCommentSchema>;

/** The gate the session waits at, or undefined. */
export function reviewGateOf(session: Pick<Session, 'state'>): ReviewGate | undefined {
  const parsed = ReviewGateSchema.safeParse(session.state[REVIEW_GATE_STATE_KEY]);
  return parsed.success ? parsed.data : undefined;
}

export function reviewCommentOf(state: JsonObject): ReviewComment | undefined {
  const parsed = ReviewCommentSchema.safeParse(state[REVIEW_COMMENT_STATE_KEY]);
  return parsed.success ? parsed.data : undefined;
}

/** The reviewer's comment as it is added to the step's next prompt. */
export function withReviewComment(prompt: string, comment: ReviewComment): string {
  return (
    `${prompt}\n\nA reviewer read your previous answer to this step and asked for changes:\n${comment.comment}\n` +
    'Answer again in full, with those changes made.'
  );
}

/**
 * Whether a gate applies to a step that asks for one: `always` (a workflow step's `approve: true`,
 * a built-in type's `approve` option set), or `agentic` (the built-in default: only when nobody
 * watches each step).
 */
export function gateApplies(approve: 'always' | 'agentic' | undefined, session: Pick<Session, 'executionMode'>): boolean {
  return approve === 'always' || (approve === 'agentic' && session.executionMode === 'agentic');
}
