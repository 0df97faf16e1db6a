import { randomUUID } from 'node:crypto';
import type { AgentError } from '../agent/agentError';
import type { AgentEvent, ConversationMessage } from '../agent/claudeProvider';
import { ZERO_USAGE, addUsage, roundUsd, type Cost } from '../agent/pricing';
import type { TokenUsage } from '../model/session';
import type { Interaction } from '../model/interaction';
import type { JsonObject, JsonValue } from '../model/json';
import type { Session } from '../model/session';
import { commandPhaseOf, stepOptionsOf, stepTimeoutMs } from './stepOptions';
import { AGENTIC_EVENT, type AgenticOptions, type ExecutedStep } from './agenticTypes';

/** One Claude step of the agentic loop: runs it through the provider on the session's conversation. */

export async function executeClaude(
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
