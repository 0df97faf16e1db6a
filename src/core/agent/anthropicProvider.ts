import Anthropic from '@anthropic-ai/sdk';
import type { Message, ToolResultBlockParam, ToolUseBlock, Usage } from '@anthropic-ai/sdk/resources/messages';
import { classifyAnthropicError, isAbortError, maxTurnsError, missingApiKeyError, type AgentError } from './agentError';
import type {
  ClaudeProvider,
  ClaudeRunCallbacks,
  ClaudeRunRequest,
  ClaudeRunResult,
  ClaudeRunStatus,
  ConversationMessage,
} from './claudeProvider';
import { appendPrompt, textOf, toContentParams } from './conversationHistory';
import { addCosts, addUsage, cacheWritesOf, PricingTable, ZERO_USAGE, type Cost } from './pricing';
import type { TokenUsage } from '../model/session';
import { TextBatcher } from './textBatcher';
import { WorkspaceTools } from './tools/workspaceTools';

export interface AnthropicProviderOptions {
  /** The API key, or a function that reads it when a run starts (from SecretStorage). Never logged. */
  apiKey: string | undefined | (() => string | undefined | Promise<string | undefined>);
  /** Defaults to the SDK's (https://api.anthropic.com, or ANTHROPIC_BASE_URL). */
  baseURL?: string;
  /** Model used when the request names none. */
  model: string;
  maxTokens?: number;
  /** Defaults to the built-in table. */
  pricing?: PricingTable;
  /** Per HTTP request (default 10 minutes). */
  requestTimeoutMs?: number;
  /** Turns per run when the request sets none (default 25). */
  defaultMaxTurns?: number;
  textBatchIntervalMs?: number;
  textBatchMaxChars?: number;
  /** Environment and timeout of the run_command tool. */
  commandEnv?: NodeJS.ProcessEnv;
  commandTimeoutMs?: number;
}

const DEFAULT_MAX_TOKENS = 8192;
const DEFAULT_MAX_TURNS = 25;
const INTERRUPTED_TOOL = 'Cancelled before this tool ran.';

/**
 * Claude through the Anthropic Messages API: streamed, with an agent loop over workspace tools.
 * The SDK does not retry (maxRetries 0): a failed request ends the step with a classified error.
 */
export class AnthropicProvider implements ClaudeProvider {
  readonly id = 'anthropic-api' as const;

  constructor(private readonly options: AnthropicProviderOptions) {}

  async run(request: ClaudeRunRequest, signal: AbortSignal, callbacks: ClaudeRunCallbacks = {}): Promise<ClaudeRunResult> {
    const startedAt = Date.now();
    const pricing = this.options.pricing ?? PricingTable.builtIn();
    const maxTurns = request.maxTurns ?? this.options.defaultMaxTurns ?? DEFAULT_MAX_TURNS;
    const tools = new WorkspaceTools({
      root: request.workingDir,
      allowRunCommand: request.allowRunCommand ?? false,
      env: this.options.commandEnv,
      commandTimeoutMs: this.options.commandTimeoutMs,
    });
    const batcher = new TextBatcher((text) => callbacks.onText?.(text), this.options.textBatchIntervalMs, this.options.textBatchMaxChars);

    const messages = appendPrompt(request.history ?? [], request.prompt);
    let committed: ConversationMessage[] = [...(request.history ?? [])];
    const commit = (): void => {
      committed = [...messages];
      callbacks.onHistory?.(committed);
    };
    let model = request.model ?? this.options.model;
    let usage: TokenUsage = ZERO_USAGE;
    let cost: Cost = { usd: 0 };
    let turns = 0;
    let finalText = '';
    const finish = (status: ClaudeRunStatus, fields: { stopReason?: string; error?: AgentError } = {}): ClaudeRunResult => {
      batcher.flush();
      return {
        status,
        provider: this.id,
        conversationId: request.conversationId,
        model,
        finalText,
        history: committed,
        usage,
        cost,
        turns,
        durationMs: Date.now() - startedAt,
        ...fields,
      };
    };

    const apiKey = await this.readApiKey();
    if (!apiKey) return finish('error', { error: missingApiKeyError() });
    if (signal.aborted) return finish('cancelled');
    const client = new Anthropic({
      apiKey,
      baseURL: this.options.baseURL,
      maxRetries: 0,
      timeout: this.options.requestTimeoutMs,
    });
    callbacks.onEvent?.({
      type: 'agent.init',
      conversationId: request.conversationId,
      model,
      tools: tools.definitions().map((tool) => tool.name),
    });

    try {
      for (;;) {
        if (turns >= maxTurns) {
          return finish('error', { error: maxTurnsError(`Claude used all ${maxTurns} turns of this step without finishing.`) });
        }
        const stream = client.messages.stream(
          {
            model,
            max_tokens: this.options.maxTokens ?? DEFAULT_MAX_TOKENS,
            messages,
            tools: tools.definitions(),
            ...(request.systemPrompt ? { system: request.systemPrompt } : {}),
          },
          { signal },
        );
        stream.on('text', (delta) => batcher.append(delta));
        const message: Message = await stream.finalMessage();
        batcher.flush();
        turns++;
        model = message.model || model;
        const turnUsage = usageOf(message.usage);
        const turnCost = pricing.costOf(model, turnUsage);
        usage = addUsage(usage, turnUsage);
        cost = addCosts(cost, turnCost);
        callbacks.onEvent?.({ type: 'usage', turn: turns, model, usage: turnUsage, cost: turnCost });

        messages.push({ role: 'assistant', content: toContentParams(message.content) });
        finalText = textOf(message.content);
        const toolUses = message.content.filter((block): block is ToolUseBlock => block.type === 'tool_use');
        if (message.stop_reason !== 'tool_use' || toolUses.length === 0) {
          commit();
          return finish('ok', { stopReason: message.stop_reason ?? undefined });
        }
        messages.push({ role: 'user', content: await this.runTools(toolUses, tools, signal, callbacks) });
        commit();
        if (signal.aborted) return finish('cancelled');
      }
    } catch (error) {
      if (signal.aborted || isAbortError(error)) return finish('cancelled');
      return finish('error', { error: classifyAnthropicError(error, client.baseURL) });
    }
  }

  private async runTools(
    toolUses: readonly ToolUseBlock[],
    tools: WorkspaceTools,
    signal: AbortSignal,
    callbacks: ClaudeRunCallbacks,
  ): Promise<ToolResultBlockParam[]> {
    const results: ToolResultBlockParam[] = [];
    for (const call of toolUses) {
      if (signal.aborted) {
        results.push({ type: 'tool_result', tool_use_id: call.id, content: INTERRUPTED_TOOL, is_error: true });
        continue;
      }
      callbacks.onEvent?.({ type: 'tool.call', toolUseId: call.id, toolName: call.name, input: call.input });
      const outcome = await tools.execute(call.name, call.input, signal);
      callbacks.onEvent?.({
        type: 'tool.result',
        toolUseId: call.id,
        toolName: call.name,
        isError: outcome.isError,
        content: outcome.content,
      });
      results.push({ type: 'tool_result', tool_use_id: call.id, content: outcome.content, is_error: outcome.isError });
    }
    return results;
  }

  private async readApiKey(): Promise<string | undefined> {
    const { apiKey } = this.options;
    const key = typeof apiKey === 'function' ? await apiKey() : apiKey;
    return key?.trim() || undefined;
  }
}

function usageOf(usage: Usage): TokenUsage {
  return {
    inputTokens: usage.input_tokens ?? 0,
    outputTokens: usage.output_tokens ?? 0,
    ...cacheWritesOf(usage),
    cacheReadTokens: usage.cache_read_input_tokens ?? 0,
  };
}
