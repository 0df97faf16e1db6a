import { randomUUID } from 'node:crypto';
import { describeProcessResult } from '../exec/runShellCommand';
import type { Interaction, InteractionResultInput } from '../model/interaction';
import type { JsonObject } from '../model/json';
import type { Session } from '../model/session';
import { isTerminalSessionStatus } from '../model/sessionStatus';
import { InteractionNotPendingError } from './sessionInputs';
import { stepOptionsOf, stepTimeoutMs } from './stepOptions';
import { describeError } from '../../protocol/describeError';
import { formatUsdPrecise } from '../../protocol/presentation';

export type { AgenticBudgets, AgenticProgress, AgenticOptions, AgenticEndReason, AgenticOutcome } from './agenticTypes';
export { AGENTIC_EVENT } from './agenticTypes';
import { AGENTIC_EVENT, type AgenticBudgets, type AgenticOptions, type AgenticOutcome, type ExecutedStep } from './agenticTypes';
import { executeClaude } from './agenticClaudeStep';

const DEFAULT_CHILD_CONCURRENCY = 2;

/**
 * Agentic mode: next command → execute → record result until the session is not active, within
 * budgets. Shell commands run as subprocesses; Claude steps run through the provider on the
 * session's conversation (created on first use, resumed after, history from the store so a
 * reload continues it). Spawn commands run their children through this same loop, a few at a
 * time; the engine settles the parent when the last child ends. Never rejects for a failed step.
 */
export async function runAgentic(sessionId: string, options: AgenticOptions): Promise<AgenticOutcome> {
  const outcome = await loop(sessionId, options);
  options.onProgress?.({ kind: 'ended', outcome });
  return outcome;
}

async function loop(sessionId: string, options: AgenticOptions): Promise<AgenticOutcome> {
  const { engine, budgets } = options;
  const signal = options.signal ?? new AbortController().signal;
  let steps = 0;
  let lastSpawnId: string | undefined;
  for (;;) {
    const current = engine.getSession(sessionId);
    if (!isTerminalSessionStatus(current.status) && current.status === 'active') {
      if (signal.aborted) return { reason: 'aborted', session: current, steps };
      const exceeded = budgetExceeded(current, steps, budgets);
      if (exceeded) return pauseForBudget(options, current, steps, exceeded);
    }
    const next = await engine.next(sessionId);
    if (next.kind === 'stopped') {
      return { reason: isTerminalSessionStatus(next.session.status) ? 'finished' : 'stopped', session: next.session, steps };
    }
    if (next.kind === 'awaiting_input') {
      return { reason: 'awaiting_input', session: next.session, steps, detail: next.message };
    }
    if (next.kind === 'awaiting_review') {
      return { reason: 'awaiting_review', session: next.session, steps, detail: `the ${next.gate.step} step waits for approval` };
    }
    const { interaction, session } = next;
    options.onProgress?.({ kind: 'step', session, interaction });
    if (interaction.command.kind === 'spawn_sessions') {
      if (lastSpawnId === interaction.id) {
        return { reason: 'waiting_for_children', session, steps };
      }
      lastSpawnId = interaction.id;
      await runChildren(interaction, options);
      steps++;
      continue;
    }
    const executed = await executeStep(session, interaction, options, signal);
    let after: Session;
    if (executed.agentError) {
      // An API error ends the step and pauses the session (no retry loop): pause first, so the
      // `cancelled` result leaves the command to be issued again when the person resumes.
      after = await settle(options, sessionId, async () => {
        await engine.pause(sessionId);
        return engine.recordResult(sessionId, interaction.id, executed.result);
      });
    } else {
      after = await settle(options, sessionId, () => engine.recordResult(sessionId, interaction.id, executed.result));
    }
    steps++;
    options.onProgress?.({ kind: 'recorded', session: after, interaction, status: executed.result.status });
    if (executed.result.status === 'cancelled' && signal.aborted) {
      return { reason: 'aborted', session: engine.getSession(sessionId), steps };
    }
    if (executed.agentError) {
      return {
        reason: 'stopped',
        session: engine.getSession(sessionId),
        steps,
        detail: executed.agentError.message,
        agentError: executed.agentError,
      };
    }
  }
}

/** Records a result unless the session's end already closed the interaction (cancel during the step). */
async function settle(options: AgenticOptions, sessionId: string, record: () => Promise<Session>): Promise<Session> {
  try {
    return await record();
  } catch (error) {
    if (error instanceof InteractionNotPendingError) return options.engine.getSession(sessionId);
    throw error;
  }
}

function budgetExceeded(
  session: Session,
  steps: number,
  budgets: AgenticBudgets,
): { budget: string; limit: number; value: number } | undefined {
  if (budgets.maxSteps > 0 && steps >= budgets.maxSteps) return { budget: 'maxSteps', limit: budgets.maxSteps, value: steps };
  if (budgets.maxCostUsd > 0 && session.totalCostUsd >= budgets.maxCostUsd) {
    return { budget: 'maxCostUsd', limit: budgets.maxCostUsd, value: session.totalCostUsd };
  }
  return undefined;
}

async function pauseForBudget(
  options: AgenticOptions,
  session: Session,
  steps: number,
  exceeded: { budget: string; limit: number; value: number },
): Promise<AgenticOutcome> {
  const detail =
    exceeded.budget === 'maxSteps'
      ? `Paused after ${exceeded.value} steps (the maximum steps per run is ${exceeded.limit}).`
      : `Paused: the session has cost ${formatUsdPrecise(exceeded.value)}, the maximum is $${exceeded.limit}.`;
  await options.store.events.append({
    id: randomUUID(),
    sessionId: session.id,
    type: AGENTIC_EVENT.budgetExceeded,
    payload: { ...exceeded, message: detail },
  });
  const paused = await options.engine.pause(session.id);
  return { reason: 'budget', session: paused, steps, detail };
}

async function runChildren(spawn: Interaction, options: AgenticOptions): Promise<void> {
  const childIds = Array.isArray(spawn.command.metadata.childSessionIds) ? spawn.command.metadata.childSessionIds.map(String) : [];
  const queue = childIds.filter((id) => !isTerminalSessionStatus(options.engine.getSession(id).status));
  const worker = async (): Promise<void> => {
    for (let childId = queue.shift(); childId !== undefined; childId = queue.shift()) {
      if (options.signal?.aborted) return;
      if (options.engine.getSession(childId).status !== 'active') continue;
      const own = options.signalFor?.(childId);
      const signal = own && options.signal ? AbortSignal.any([options.signal, own]) : (own ?? options.signal);
      await runAgentic(childId, { ...options, signal });
    }
  };
  const concurrency = Math.max(1, options.childConcurrency ?? DEFAULT_CHILD_CONCURRENCY);
  await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
}

async function executeStep(
  session: Session,
  interaction: Interaction,
  options: AgenticOptions,
  signal: AbortSignal,
): Promise<ExecutedStep> {
  const startedAt = Date.now();
  try {
    return interaction.command.kind === 'claude'
      ? await executeClaude(session, interaction, options, signal)
      : { result: await executeShell(session, interaction, options, signal) };
  } catch (error) {
    const message = describeError(error);
    return { result: { status: signal.aborted ? 'cancelled' : 'error', errorMessage: message, durationMs: Date.now() - startedAt } };
  }
}

async function executeShell(
  session: Session,
  interaction: Interaction,
  options: AgenticOptions,
  signal: AbortSignal,
): Promise<InteractionResultInput> {
  // A workflow step's own timeoutSeconds wins over the stepTimeoutSeconds setting.
  const timeoutMs = stepTimeoutMs(stepOptionsOf(interaction.command.metadata), options.budgets.stepTimeoutMs);
  const result = await options.executeShell({
    command: interaction.command.command,
    cwd: session.workingDir ?? options.defaultWorkingDir,
    env: options.env,
    timeoutMs,
    signal,
  });
  const description = describeProcessResult(result, timeoutMs);
  const data: JsonObject = { outcome: result.outcome, signal: result.signal, droppedBytes: result.droppedBytes };
  switch (result.outcome) {
    case 'exited':
      return { status: 'ok', exitCode: result.exitCode, output: result.output, durationMs: result.durationMs, data };
    case 'cancelled':
      return {
        status: 'cancelled',
        output: result.output,
        errorMessage: `The command was ${description}.`,
        durationMs: result.durationMs,
        data,
      };
    default:
      return {
        status: 'error',
        exitCode: result.exitCode,
        output: result.output,
        errorMessage: `The command ${description}.`,
        durationMs: result.durationMs,
        data,
      };
  }
}
