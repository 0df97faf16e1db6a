import { randomUUID } from 'node:crypto';
import type { AgentError } from '../agent/agentError';
import type { AgentEvent, ClaudeProvider, ConversationMessage } from '../agent/claudeProvider';
import { ZERO_USAGE, addUsage, roundUsd, type Cost } from '../agent/pricing';
import type { TokenUsage } from '../model/session';
import { describeProcessResult, type ShellCommandOptions } from '../exec/runShellCommand';
import type { ProcessResult } from '../exec/runProcess';
import type { Interaction, InteractionResultInput } from '../model/interaction';
import type { JsonObject, JsonValue } from '../model/json';
import type { Session } from '../model/session';
import { isTerminalSessionStatus } from '../model/sessionStatus';
import type { SessionStore } from '../store/SessionStore';
import { InteractionNotPendingError, type SessionEngine } from './SessionEngine';
import { commandPhaseOf, stepOptionsOf, stepTimeoutMs } from './stepOptions';
import { describeError } from '../../protocol/describeError';
import { formatUsdPrecise } from '../../protocol/presentation';

export interface AgenticBudgets {
  /** Commands one run may execute for one session (each child has its own). */
  readonly maxSteps: number;
  /** The session pauses once its recorded cost reaches this (0 = no limit). */
  readonly maxCostUsd: number;
  /** Longest time one shell command or Claude step may take (0 = no limit). */
  readonly stepTimeoutMs: number;
}

export type AgenticProgress =
  | { readonly kind: 'step'; readonly session: Session; readonly interaction: Interaction }
  | {
      readonly kind: 'recorded';
      readonly session: Session;
      readonly interaction: Interaction;
      readonly status: InteractionResultInput['status'];
    }
  | { readonly kind: 'text'; readonly sessionId: string; readonly text: string }
  | { readonly kind: 'ended'; readonly outcome: AgenticOutcome };

export interface AgenticOptions {
  readonly engine: SessionEngine;
  readonly store: SessionStore;
  /** Runs a shell command line (runShellCommand in production); must never reject. */
  readonly executeShell: (options: ShellCommandOptions) => Promise<ProcessResult>;
  readonly claude: ClaudeProvider;
  readonly budgets: AgenticBudgets;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: AgenticProgress) => void;
  /** Children of a spawn command run this many at a time (default 2). */
  readonly childConcurrency?: number;
  /** Where commands run when the session has no working directory. */
  readonly defaultWorkingDir: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Overrides the provider's model. */
  readonly model?: string;
  readonly allowRunCommand?: boolean;
  /** Most model turns per Claude step. */
  readonly maxTurns?: number;
  /** A child session's own signal (so one child can be paused alone); combined with the parent's. */
  readonly signalFor?: (sessionId: string) => AbortSignal;
}

export type AgenticEndReason =
  | 'finished' // complete, failed or cancelled
  | 'stopped' // paused or interrupted (by request, an API error, or a child)
  | 'awaiting_input'
  | 'awaiting_review' // a review gate: Approve or Request Changes, then run again
  | 'waiting_for_children'
  | 'budget' // a budget was reached: the session was paused
  | 'aborted'; // the signal: the running command was recorded `cancelled`

export interface AgenticOutcome {
  readonly reason: AgenticEndReason;
  readonly session: Session;
  readonly steps: number;
  readonly detail?: string;
  /** Set when a Claude step's error paused the session. */
  readonly agentError?: AgentError;
}

export const AGENTIC_EVENT = {
  budgetExceeded: 'budget.exceeded',
  agentText: 'agent.text',
  agentInit: 'agent.init',
  agentError: 'agent.error',
  toolCall: 'tool.call',
  toolResult: 'tool.result',
  usage: 'usage',
} as const;

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

interface ExecutedStep {
  result: InteractionResultInput;
  agentError?: AgentError;
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

async function executeClaude(
  session: Session,
  interaction: Interaction,
  options: AgenticOptions,
  signal: AbortSignal,
): Promise<ExecutedStep> {
  const { store, claude } = options;
  const provider = claude.id;
  const system = typeof interaction.command.metadata.system === 'string' ? interaction.command.metadata.system : undefined;
  // A workflow step's model, timeoutSeconds and maxTurns win over the settings.
  const stepOptions = stepOptionsOf(interaction.command.metadata);
  const model = stepOptions.model ?? options.model;
  const maxTurns = stepOptions.maxTurns ?? options.maxTurns;
  const timeoutMs = stepTimeoutMs(stepOptions, options.budgets.stepTimeoutMs);
  const timeoutSource =
    stepOptions.timeoutMs !== undefined
      ? `the step's timeoutSeconds of step "${interaction.command.step}"`
      : 'sessionLedger.stepTimeoutSeconds';
  const { conversationId, resume } = await ensureConversation(session, options, system);
  const stored = store.conversations.get(conversationId);
  const storedMessages = stored ? store.conversations.messages(conversationId, { limit: 100_000 }) : [];
  const history = storedMessages.map((m) => ({ role: m.role, content: m.content }) as ConversationMessage);
  const run = await store.runs.start({
    sessionId: session.id,
    interactionId: interaction.id,
    provider,
    model: model ?? null,
    // What was asked for (the run's model becomes the one that answered) and the phase served.
    modelAlias: model ?? null,
    phase: commandPhaseOf(interaction.command),
    conversationId,
  });

  // Callbacks are synchronous; the store's writes are chained so they land in order.
  let writes: Promise<unknown> = Promise.resolve();
  const write = (work: () => Promise<unknown>): void => {
    writes = writes.then(work).catch(() => undefined);
  };
  const event = (type: string, payload: JsonValue, toolName: string | null = null): void =>
    write(() =>
      store.events.append({
        id: randomUUID(),
        sessionId: session.id,
        interactionId: interaction.id,
        runId: run.id,
        type,
        toolName,
        payload,
      }),
    );
  let usage: TokenUsage = ZERO_USAGE;
  let costUsd = 0;
  let costUnknown = false;
  let storedCount = history.length;
  const countTurn = (turnUsage: TokenUsage, cost: Cost, model: string): void => {
    usage = addUsage(usage, turnUsage);
    if ('unknown' in cost) costUnknown = true;
    else costUsd += cost.usd;
    const snapshot = { ...usage, costUsd: roundUsd(costUsd), costUnknown };
    write(() => store.runs.update(run.id, { ...snapshot, model }));
  };

  const timeoutSignal = timeoutMs !== undefined ? AbortSignal.timeout(timeoutMs) : undefined;
  const stepSignal = timeoutSignal ? AbortSignal.any([signal, timeoutSignal]) : signal;
  const result = await claude.run(
    {
      prompt: interaction.command.command,
      conversationId,
      resume,
      history,
      model,
      systemPrompt: system,
      workingDir: session.workingDir ?? options.defaultWorkingDir,
      maxTurns,
      allowRunCommand: options.allowRunCommand ?? false,
    },
    stepSignal,
    {
      onText: (text) => {
        event(AGENTIC_EVENT.agentText, { text });
        options.onProgress?.({ kind: 'text', sessionId: session.id, text });
      },
      onEvent: (agentEvent) => recordAgentEvent(agentEvent, event, countTurn),
      onHistory: (messages) => {
        const fresh = messages.slice(storedCount);
        storedCount = messages.length;
        for (const message of fresh) {
          write(() =>
            store.conversations.appendMessage({
              conversationId,
              role: message.role === 'assistant' ? 'assistant' : 'user',
              content: message.content as JsonValue,
              runId: run.id,
            }),
          );
        }
      },
    },
  );
  // The CLI reports usage only as a whole; the API provider's usage events already carried it.
  if (provider === 'claude-code-cli' && usage.inputTokens + usage.outputTokens === 0) {
    countTurn(result.usage, result.cost, result.model);
  }
  await writes;
  const timedOut = result.status === 'cancelled' && !signal.aborted && (timeoutSignal?.aborted ?? false);
  // A step that ran out of time is stopped and handled like an API error: the session pauses.
  const failure = timedOut ? stepTimeoutError(timeoutMs ?? 0, timeoutSource) : result.error;
  const runStatus = timedOut ? 'error' : result.status;
  const errorMessage = failure ? `${failure.message} ${failure.action}` : null;
  await store.runs.update(run.id, {
    status: runStatus,
    model: result.model,
    conversationId: result.conversationId,
    ...usage,
    costUsd: roundUsd(costUsd),
    costUnknown,
    error: errorMessage,
  });
  if (failure) {
    await store.events.append({
      id: randomUUID(),
      sessionId: session.id,
      interactionId: interaction.id,
      runId: run.id,
      type: AGENTIC_EVENT.agentError,
      payload: { kind: failure.kind, message: failure.message, action: failure.action, status: failure.status ?? null },
    });
  }
  const data: JsonObject = {
    runId: run.id,
    conversationId: result.conversationId,
    model: result.model,
    turns: result.turns,
    usage: { ...usage },
    costUsd: costUnknown ? null : roundUsd(costUsd),
    costUnknown,
  };
  if (result.status === 'ok') {
    return { result: { status: 'ok', output: result.finalText, durationMs: result.durationMs, data } };
  }
  if (result.status === 'cancelled' && !timedOut) {
    return {
      result: {
        status: 'cancelled',
        output: result.finalText || null,
        errorMessage: 'The Claude step was cancelled.',
        durationMs: result.durationMs,
        data,
      },
    };
  }
  // An API or CLI error, or the step timeout: the message is recorded on the interaction and the session pauses.
  const agentError = failure ?? { kind: 'unknown', message: 'The Claude step failed.', action: 'Resume the session.', transient: false };
  return {
    agentError,
    result: {
      status: 'cancelled',
      output: result.finalText || null,
      errorMessage: `${agentError.message} ${agentError.action}`,
      durationMs: result.durationMs,
      data,
    },
  };
}

function recordAgentEvent(
  agentEvent: AgentEvent,
  event: (type: string, payload: JsonValue, toolName?: string | null) => void,
  countTurn: (usage: TokenUsage, cost: Cost, model: string) => void,
): void {
  switch (agentEvent.type) {
    case 'agent.init':
      event(AGENTIC_EVENT.agentInit, { conversationId: agentEvent.conversationId, model: agentEvent.model, tools: agentEvent.tools });
      return;
    case 'tool.call':
      event(AGENTIC_EVENT.toolCall, { toolUseId: agentEvent.toolUseId, input: agentEvent.input as JsonValue }, agentEvent.toolName);
      return;
    case 'tool.result':
      event(
        AGENTIC_EVENT.toolResult,
        { toolUseId: agentEvent.toolUseId, isError: agentEvent.isError, content: agentEvent.content },
        agentEvent.toolName,
      );
      return;
    case 'usage': {
      const cost = 'unknown' in agentEvent.cost ? null : agentEvent.cost.usd;
      // pricedAtBaseRate: a prompt over 200K tokens of a model without long-context rates in the table (the cost may be too low).
      const payload: { [key: string]: JsonValue } = {
        turn: agentEvent.turn,
        model: agentEvent.model,
        ...agentEvent.usage,
        costUsd: cost,
        costUnknown: cost === null,
      };
      if ('pricedAtBaseRate' in agentEvent.cost && agentEvent.cost.pricedAtBaseRate) payload.pricedAtBaseRate = true;
      event(AGENTIC_EVENT.usage, payload);
      countTurn(agentEvent.usage, agentEvent.cost, agentEvent.model);
      return;
    }
  }
}

/** The session's conversation id: created (and stored on the session) the first time, resumed after. */
async function ensureConversation(
  session: Session,
  options: AgenticOptions,
  system: string | undefined,
): Promise<{ conversationId: string; resume: boolean }> {
  const { store, engine, claude } = options;
  const current = engine.getSession(session.id);
  let conversationId = current.externalConversationId;
  let resume = true;
  if (!conversationId) {
    conversationId = randomUUID();
    resume = false;
    await store.sessions.update(session.id, { externalConversationId: conversationId });
  }
  if (!store.conversations.get(conversationId)) {
    await store.conversations.create({
      id: conversationId,
      sessionId: session.id,
      provider: claude.id,
      model: options.model ?? null,
      system: system ?? null,
    });
  }
  return { conversationId, resume };
}

/** The step timeout as an error that says how long the step had and what to do. */
function stepTimeoutError(timeoutMs: number, source: string): AgentError {
  return {
    kind: 'timeout',
    message: `The Claude step did not finish within ${describeDuration(timeoutMs)} (${source}) and was stopped.`,
    action: `Resume the session to run the step again, or raise ${source === 'sessionLedger.stepTimeoutSeconds' ? 'sessionLedger.stepTimeoutSeconds (0: no limit)' : 'timeoutSeconds in the workflow file'} if the step needs longer.`,
    transient: true,
  };
}

function describeDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const seconds = Math.round(ms / 100) / 10;
  return seconds >= 120 && seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`;
}
