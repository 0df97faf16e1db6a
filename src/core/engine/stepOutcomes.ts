import type { Interaction, InteractionResultInput } from '../model/interaction';
import type { JsonObject } from '../model/json';
import { z } from 'zod';
import {
  CriterionCheckSchema,
  SessionOutcomeInputSchema,
  type CriterionCheck,
  type Session,
  type SessionOutcome,
  type SessionProgress,
} from '../model/session';
import { isTerminalSessionStatus } from '../model/sessionStatus';
import type { SessionTypeRegistry } from '../workflow/SessionTypeRegistry';
import type { StepOutcome, WorkflowSettings } from '../workflow/StepBehaviour';
import { ENGINE_EVENT } from './engineEvents';
import {
  completionCriteriaMet,
  PROGRESS_CHECK_STATE_KEY,
  PROGRESS_CHECK_STEP,
  progressOf,
  PROPOSED_PROGRESS_STATE_KEY,
} from './progressCheck';
import { gateApplies, REVIEW_COMMENT_STATE_KEY, REVIEW_GATE_STATE_KEY, reviewCommentOf, reviewGateOf, type ReviewGate } from './reviewGate';
import { InteractionNotPendingError, type WrittenFile } from './sessionInputs';
import type { TransitionRecorder } from './transitionRecorder';
import { PROPOSED_OUTCOME_STATE_KEY, SUMMARY_PHASE, SUMMARY_STATE_KEY } from './summaryStep';
import { describeError } from '../../protocol/describeError';

/** What the step-result rules read from the engine: the session types and the current settings. */
export interface OutcomeRules {
  readonly types: SessionTypeRegistry;
  settings(): WorkflowSettings;
}

function asObject(value: unknown): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

export function applyOutcome(
  rules: OutcomeRules,
  transitions: TransitionRecorder,
  interaction: Interaction,
  result: InteractionResultInput,
  outcome: StepOutcome,
  written: readonly WrittenFile[],
): Session {
  const { tx } = transitions;
  const sessionId = interaction.sessionId;
  const gated = (outcome.status ?? 'active') !== 'failed' && gateApplies(outcome.approve, tx.sessions.require(sessionId));
  const gatedArtifacts: { id: string; key: string }[] = [];
  tx.interactions.setResult(interaction.id, result);
  transitions.event(
    sessionId,
    ENGINE_EVENT.resultRecorded,
    { seq: interaction.seq, step: interaction.command.step, status: result.status, exitCode: result.exitCode ?? null },
    interaction.id,
  );
  for (const file of written) {
    const artifact = tx.artifacts.put({
      sessionId,
      key: file.key,
      kind: file.kind,
      contentType: file.contentType,
      path: file.path,
      byteSize: file.byteSize,
      sha256: file.sha256,
      ...(gated ? { review: { state: 'provisional' as const, by: null, at: null, comment: null } } : {}),
    });
    if (gated) gatedArtifacts.push({ id: artifact.id, key: file.key });
    transitions.event(
      sessionId,
      ENGINE_EVENT.artifactRecorded,
      { artifactId: artifact.id, key: file.key, path: file.path, sha256: file.sha256, byteSize: file.byteSize },
      interaction.id,
    );
  }
  for (const note of outcome.notes ?? []) {
    tx.notes.add({ sessionId, kind: 'workflow', content: note, interactionSeq: interaction.seq });
  }
  let session = tx.sessions.require(sessionId);
  let state = outcome.state ?? session.state;
  if (outcome.summary !== undefined) {
    session = transitions.update(session, { summary: outcome.summary });
    transitions.event(sessionId, ENGINE_EVENT.summaryRecorded, { length: outcome.summary.length }, interaction.id);
    // The summary step's answer may carry Claude's proposed outcome (validated there).
    const proposed = SessionOutcomeInputSchema.safeParse({
      summary: outcome.summary,
      ...(asObject(state[PROPOSED_OUTCOME_STATE_KEY]) ?? {}),
    });
    if (state[PROPOSED_OUTCOME_STATE_KEY] !== undefined) {
      const { [PROPOSED_OUTCOME_STATE_KEY]: _proposal, ...rest } = state;
      state = rest;
      if (proposed.success) session = recordOutcome(transitions, session, proposed.data, 'claude', interaction.id);
    }
  }
  if (state[PROPOSED_PROGRESS_STATE_KEY] !== undefined) {
    const { [PROPOSED_PROGRESS_STATE_KEY]: checks, ...rest } = state;
    state = rest;
    const parsed = z.array(CriterionCheckSchema).safeParse(checks);
    try {
      if (!parsed.success) throw new Error(parsed.error.message);
      session = recordProgressChecks(transitions, session, parsed.data, 'claude', interaction.id);
    } catch (error) {
      tx.notes.add({
        sessionId,
        kind: 'workflow',
        content: `The progress check was not recorded: ${describeError(error)}`,
        interactionSeq: interaction.seq,
      });
    }
  }
  // The reviewer's comment was for this answer: it is used.
  if (reviewCommentOf(state)?.step === interaction.command.step) {
    const { [REVIEW_COMMENT_STATE_KEY]: _used, ...rest } = state;
    state = rest;
  }
  if (gated) {
    const gate: ReviewGate = {
      step: interaction.command.step,
      artifactIds: gatedArtifacts.map((a) => a.id),
      artifactKeys: gatedArtifacts.map((a) => a.key),
      then: outcome.status === 'complete' ? { complete: true } : { phase: outcome.phase ?? session.phase ?? interaction.command.step },
      seq: interaction.seq,
      since: Date.now(),
    };
    transitions.event(
      sessionId,
      ENGINE_EVENT.reviewRequested,
      { step: gate.step, seq: gate.seq, artifactKeys: [...gate.artifactKeys] },
      interaction.id,
    );
    return transitions.update(session, { state: { ...state, [REVIEW_GATE_STATE_KEY]: gate } });
  }
  const patch = { state, ...(outcome.phase === undefined ? {} : { phase: outcome.phase }) };
  switch (outcome.status ?? 'active') {
    case 'failed':
      return failSession(
        transitions,
        session,
        outcome.failureReason ?? `The ${interaction.command.step} step failed.`,
        patch,
        interaction.seq,
      );
    case 'complete':
      return applyCompletion(rules, transitions, session, state, `the ${interaction.command.step} step completed the workflow`);
    case 'active':
      return afterActiveStep(rules, transitions, transitions.update(session, patch), interaction);
  }
}

/**
 * A session that completes on criteria: after its progress check, completes when every completion
 * criterion is met; after any other step, has its progress checked before the next.
 */
export function afterActiveStep(rules: OutcomeRules, transitions: TransitionRecorder, session: Session, interaction: Interaction): Session {
  if (session.status !== 'active' || !completesOnCriteria(rules, session) || session.completionCriteria.length === 0) return session;
  if (interaction.command.step === PROGRESS_CHECK_STEP) return completeOnCriteria(rules, transitions, session);
  if (session.state[SUMMARY_STATE_KEY] !== undefined) return session;
  return transitions.update(session, { state: { ...session.state, [PROGRESS_CHECK_STATE_KEY]: 'requested' } });
}

export function completeOnCriteria(rules: OutcomeRules, transitions: TransitionRecorder, session: Session): Session {
  if (
    isTerminalSessionStatus(session.status) ||
    !completesOnCriteria(rules, session) ||
    !completionCriteriaMet(session, session.progress)
  ) {
    return session;
  }
  transitions.closePending(session.id, 'cancelled', 'Every completion criterion is met.', true);
  const { [PROGRESS_CHECK_STATE_KEY]: _request, ...state } = session.state;
  return applyCompletion(rules, transitions, session, state, 'every completion criterion is met');
}

export function completesOnCriteria(rules: OutcomeRules, session: Session): boolean {
  try {
    return rules.types.forSession(session).completesOnCriteria?.(session) ?? false;
  } catch {
    return false;
  }
}

export function recordProgressChecks(
  transitions: TransitionRecorder,
  session: Session,
  checks: readonly CriterionCheck[],
  checkedBy: SessionProgress['checkedBy'],
  interactionId: string | null = null,
): Session {
  const progress = progressOf(session, checks, checkedBy, Date.now());
  const next = transitions.update(session, { progress });
  transitions.event(
    session.id,
    ENGINE_EVENT.progressChecked,
    {
      progress: JSON.parse(JSON.stringify(progress)) as JsonObject,
      previous: session.progress === null ? null : (JSON.parse(JSON.stringify(session.progress)) as JsonObject),
    },
    interactionId,
  );
  return next;
}

/** Completes the session, or first sends it to the summary step when summaries are on. */
export function applyCompletion(
  rules: OutcomeRules,
  transitions: TransitionRecorder,
  session: Session,
  state: JsonObject,
  reason: string,
): Session {
  if (rules.settings().summarizeOnComplete && state[SUMMARY_STATE_KEY] === undefined) {
    const summarizing = session.status === 'paused' ? session.status : 'active';
    return transitions.setStatus(session, summarizing, undefined, {
      state: { ...state, [SUMMARY_STATE_KEY]: 'pending' },
      phase: SUMMARY_PHASE,
    });
  }
  return transitions.setStatus(session, 'complete', reason, { state });
}

export function recordOutcome(
  transitions: TransitionRecorder,
  session: Session,
  input: ReturnType<typeof SessionOutcomeInputSchema.parse>,
  recordedBy: SessionOutcome['recordedBy'],
  interactionId: string | null = null,
): Session {
  const { summary, ...fields } = input;
  const outcome: SessionOutcome = { ...fields, recordedBy, recordedAt: Date.now() };
  const next = transitions.update(session, { summary, outcome });
  transitions.event(
    session.id,
    ENGINE_EVENT.outcomeRecorded,
    { summary, outcome: { ...outcome }, previous: session.outcome === null ? null : { ...session.outcome } },
    interactionId,
  );
  return next;
}

export function failSession(
  transitions: TransitionRecorder,
  session: Session,
  reason: string,
  patch = {},
  interactionSeq: number | null = null,
): Session {
  transitions.tx.notes.add({ sessionId: session.id, kind: 'failure', content: reason, interactionSeq });
  return transitions.setStatus(session, 'failed', reason, patch);
}

function requireGate(session: Session): ReviewGate {
  const gate = reviewGateOf(session);
  if (gate === undefined) throw new Error(`"${session.title}" has no answer waiting for review.`);
  if (isTerminalSessionStatus(session.status)) throw new Error(`"${session.title}" has ended (${session.status}).`);
  return gate;
}

/** What a reviewer decided at a gate: approve, or ask for changes with a comment. */
export type GateDecision =
  | { readonly state: 'approved'; readonly by: string; readonly comment: null }
  | { readonly state: 'changes_requested'; readonly by: string; readonly comment: string };

/**
 * Closes the gate `session` waits at with the reviewer's decision: each artifact under review is
 * marked (by whom, when), the `review.approved` or `review.changes_requested` event is recorded,
 * and the gate is returned with the session state without it (the caller applies what follows).
 */
export function closeGate(
  transitions: TransitionRecorder,
  session: Session,
  decision: GateDecision,
): { gate: ReviewGate; state: JsonObject } {
  const gate = requireGate(session);
  const at = Date.now();
  for (const id of gate.artifactIds) transitions.tx.artifacts.setReview(id, { ...decision, at });
  const { [REVIEW_GATE_STATE_KEY]: _gate, ...state } = session.state;
  const payload = { step: gate.step, seq: gate.seq, artifactKeys: [...gate.artifactKeys], by: decision.by };
  if (decision.state === 'approved') transitions.event(session.id, ENGINE_EVENT.reviewApproved, payload);
  else transitions.event(session.id, ENGINE_EVENT.reviewChangesRequested, { ...payload, comment: decision.comment });
  return { gate, state };
}

export function requirePending(interaction: Interaction | undefined, sessionId: string, interactionId: string): Interaction {
  if (interaction === undefined || interaction.sessionId !== sessionId) {
    throw new InteractionNotPendingError(interactionId, `it is not an interaction of session ${sessionId}`);
  }
  if (interaction.result.status !== 'pending') {
    throw new InteractionNotPendingError(interactionId, `its result is already recorded (${interaction.result.status})`);
  }
  return interaction;
}
