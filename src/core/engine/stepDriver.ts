import type { Interaction, InteractionResultInput } from '../model/interaction';
import type { JsonObject } from '../model/json';
import type { Session } from '../model/session';
import { isTerminalSessionStatus } from '../model/sessionStatus';
import { composeSystemPrompt } from '../workflow/goalPrompt';
import type { CommandSpec, StepBehaviour, StepContext, StepOutcome } from '../workflow/StepBehaviour';
import { sessionFilesFor } from '../workflow/workspaceFiles';
import { artifactTexts, writeFiles } from './engineFiles';
import type { EngineStore } from '../store/ports';
import { ENGINE_EVENT } from './engineEvents';
import { criteriaOf, PROGRESS_CHECK_STATE_KEY, PROGRESS_CHECK_STEP, progressCheckCommand, progressCheckStep } from './progressCheck';
import { reviewCommentOf, reviewGateOf, withReviewComment } from './reviewGate';
import {
  createSession,
  prepareSession,
  type NextOptions,
  type NextStep,
  type PreparedSession,
  type SessionEngineOptions,
  type WrittenFile,
} from './sessionInputs';
import type { TransitionRecorder } from './transitionRecorder';
import { applyCompletion, applyOutcome, failSession, requirePending, type OutcomeRules } from './stepOutcomes';
import { summaryStep, SUMMARY_STATE_KEY } from './summaryStep';
import { describeError } from '../../protocol/describeError';
import { formatUsdPrecise } from '../../protocol/presentation';

/** What the step functions use of the engine: its options, its step-result rules and its commit. */
export interface StepDriver {
  readonly options: SessionEngineOptions;
  readonly rules: OutcomeRules;
  /** Runs `work` in one transaction (see `SessionEngine`). */
  commit<T>(work: (transitions: TransitionRecorder) => T): Promise<T>;
}

export async function nextStep(driver: StepDriver, sessionId: string, options: NextOptions): Promise<NextStep> {
  const session = driver.options.store.sessions.require(sessionId);
  if (session.status !== 'active') {
    return { kind: 'stopped', session };
  }
  const pending = driver.options.store.interactions.listPending(sessionId)[0];
  if (pending !== undefined) {
    return { kind: 'command', session, interaction: pending };
  }
  const gate = reviewGateOf(session);
  if (gate !== undefined) {
    return { kind: 'awaiting_review', session, gate };
  }
  if (session.state[PROGRESS_CHECK_STATE_KEY] === 'requested') {
    if (criteriaOf(session).length > 0) {
      return issueCommand(
        driver,
        session,
        progressCheckCommand(session, historyOf(driver, session), await artifactTexts(driver.options, session)),
      );
    }
    // The criteria were removed since: nothing to check.
    const { [PROGRESS_CHECK_STATE_KEY]: _request, ...state } = session.state;
    await driver.commit((transitions) => transitions.update(transitions.tx.sessions.require(sessionId), { state }));
    return nextStep(driver, sessionId, options);
  }
  let decision;
  try {
    decision = await behaviourFor(driver, session).getCommand(
      session,
      historyOf(driver, session),
      contextFor(driver, session, options.input),
    );
  } catch (error) {
    const failed = await driver.commit((transitions) =>
      failSession(
        transitions,
        transitions.tx.sessions.require(sessionId),
        `The ${session.phase} step could not produce a command: ${describeError(error)}`,
      ),
    );
    return { kind: 'stopped', session: failed };
  }
  if (decision === 'done') {
    const after = await driver.commit((transitions) =>
      applyCompletion(
        driver.rules,
        transitions,
        transitions.tx.sessions.require(sessionId),
        session.state,
        'the workflow has no more steps',
      ),
    );
    return after.status === 'active' ? nextStep(driver, sessionId, options) : { kind: 'stopped', session: after };
  }
  if (decision.kind === 'await_input') {
    return { kind: 'awaiting_input', session, message: decision.message };
  }
  return issueCommand(driver, session, decision);
}

export async function issueCommand(driver: StepDriver, session: Session, spec: CommandSpec): Promise<NextStep> {
  let children: PreparedSession[] = [];
  try {
    children = (spec.children ?? []).map((child) =>
      prepareSession(driver.options.types, driver.rules.settings(), { ...child, parentSessionId: session.id }, session),
    );
  } catch (error) {
    const failed = await driver.commit((transitions) =>
      failSession(
        transitions,
        transitions.tx.sessions.require(session.id),
        `The ${spec.step} step cannot spawn its sessions: ${describeError(error)}`,
      ),
    );
    return { kind: 'stopped', session: failed };
  }
  const metadata: JsonObject = { ...(spec.metadata ?? {}) };
  // The phase (agent type) the command serves; runs record it.
  if (metadata.phase === undefined) metadata.phase = spec.step === PROGRESS_CHECK_STEP ? PROGRESS_CHECK_STEP : (session.phase ?? spec.step);
  let command = spec.command;
  if (spec.kind === 'claude') {
    metadata.system = composeSystemPrompt(session, spec.system);
    // Request Changes: the reviewer's comment goes into the step's next prompt.
    const comment = reviewCommentOf(session.state);
    if (comment !== undefined && comment.step === spec.step) {
      command = withReviewComment(command, comment);
      metadata.reviewComment = comment.comment;
    }
  }
  if (spec.kind === 'spawn_sessions') {
    metadata.childSessionIds = children.map((child) => child.create.id);
  }
  return driver.commit((transitions): NextStep => {
    const { tx } = transitions;
    const current = tx.sessions.require(session.id);
    const stillPending = tx.interactions.listPending(session.id)[0];
    if (current.status !== 'active') {
      return { kind: 'stopped', session: current };
    }
    if (stillPending !== undefined) {
      return { kind: 'command', session: current, interaction: stillPending };
    }
    const interaction = tx.interactions.append({
      sessionId: session.id,
      step: spec.step,
      kind: spec.kind,
      command,
      metadata,
    });
    transitions.event(session.id, ENGINE_EVENT.commandIssued, { seq: interaction.seq, step: spec.step, kind: spec.kind }, interaction.id);
    if (children.length > 0) {
      for (const child of children) {
        createSession(transitions, child);
      }
      transitions.event(session.id, ENGINE_EVENT.childrenSpawned, { childSessionIds: metadata.childSessionIds ?? [] }, interaction.id);
    }
    return { kind: 'command', session: tx.sessions.require(session.id), interaction };
  });
}

export async function recordStepResult(
  driver: StepDriver,
  sessionId: string,
  interactionId: string,
  result: InteractionResultInput,
): Promise<Session> {
  const session = driver.options.store.sessions.require(sessionId);
  const interaction = requirePending(driver.options.store.interactions.get(interactionId), sessionId, interactionId);
  if (result.status === 'cancelled' || result.status === 'interrupted') {
    return driver.commit((transitions) => {
      requirePending(transitions.tx.interactions.get(interactionId), sessionId, interactionId);
      transitions.tx.interactions.setResult(interactionId, result);
      transitions.event(
        sessionId,
        ENGINE_EVENT.resultRecorded,
        { seq: interaction.seq, step: interaction.command.step, status: result.status },
        interactionId,
      );
      const current = transitions.tx.sessions.require(sessionId);
      // A cancelled command is offered again by the next `next`; an interrupted one waits for `resume`.
      return result.status === 'interrupted' && !isTerminalSessionStatus(current.status)
        ? transitions.setStatus(current, 'interrupted', result.errorMessage ?? 'the command was interrupted')
        : current;
    });
  }
  const context = contextFor(driver, session);
  let outcome: StepOutcome;
  try {
    const behaviour = interaction.command.step === PROGRESS_CHECK_STEP ? progressCheckStep : behaviourFor(driver, session);
    outcome = await behaviour.handleResult(session, interaction, result, context);
  } catch (error) {
    outcome = {
      status: 'failed',
      failureReason: `The ${interaction.command.step} step could not handle its result: ${describeError(error)}`,
    };
  }
  let written: WrittenFile[] = [];
  try {
    written = await writeFiles(driver.options, session, outcome);
  } catch (error) {
    outcome = { state: outcome.state, status: 'failed', failureReason: `Could not write the step's files: ${describeError(error)}` };
  }
  return driver.commit((transitions) => {
    requirePending(transitions.tx.interactions.get(interactionId), sessionId, interactionId);
    return applyOutcome(driver.rules, transitions, interaction, result, outcome, written);
  });
}
export function behaviourFor(driver: StepDriver, session: Session): StepBehaviour {
  return session.state[SUMMARY_STATE_KEY] === 'pending' ? summaryStep : driver.options.types.forSession(session).behaviourFor(session);
}

export function contextFor(driver: StepDriver, session: Session, input?: string): StepContext {
  return { settings: driver.rules.settings(), files: sessionFilesFor(driver.options.workspaceFiles, session.slug), input };
}

/** The most recent interactions (enough for any prompt), oldest first. */
export function historyOf(driver: StepDriver, session: Session): Interaction[] {
  const limit = 200;
  return driver.options.store.interactions.list(session.id, { after: Math.max(0, session.interactionCount - limit), limit });
}

/** The result of a spawn command whose children have all ended: what each child came to. */
export function spawnResult(store: EngineStore, children: readonly Session[]): InteractionResultInput {
  const unfinished = children.filter((child) => child.status !== 'complete');
  // What each child came to reaches the parent: its outcome, size, cost, summary and, for one
  // that did not complete, why its last step failed.
  const outcomes = children.map((child) => {
    const last = store.interactions.latest(child.id);
    const why = child.status === 'complete' ? null : (last?.result.errorMessage ?? null);
    return {
      id: child.id,
      title: child.title,
      status: child.status,
      steps: child.interactionCount,
      costUsd: child.totalCostUsd,
      costUnknown: child.costUnknown,
      summary: child.summary,
      error: why,
    };
  });
  return {
    status: unfinished.length === 0 ? 'ok' : 'error',
    output: outcomes
      .map((c) => {
        const cost = `${formatUsdPrecise(c.costUsd)}${c.costUnknown ? ' + unknown' : ''}`;
        const detail = [c.summary, c.error]
          .filter((line): line is string => Boolean(line))
          .map((line) => `\n  ${line}`)
          .join('');
        return `${c.status}: ${c.title} (${c.steps} step${c.steps === 1 ? '' : 's'}, ${cost})${detail}`;
      })
      .join('\n'),
    data: { children: outcomes },
    errorMessage: unfinished.length === 0 ? null : `${unfinished.length} of ${children.length} child sessions did not complete`,
  };
}
