import { LineSplitter } from '../exec/lineSplitter';
import { OutputTail } from '../exec/outputTail';
import { runProcess, type ProcessResult } from '../exec/runProcess';
import { ACTIONS, agentError, maxTurnsError, type AgentError } from './agentError';
import type { ClaudeProvider, ClaudeRunCallbacks, ClaudeRunRequest, ClaudeRunResult, ClaudeRunStatus } from './claudeProvider';
import { contentBlocksOf, parseStreamJsonLine, toolResultText, type CliLine, type CliResultLine } from './claudeStreamJson';
import { cacheWritesOf, ZERO_USAGE, type Cost } from './pricing';
import type { TokenUsage } from '../model/session';
import { TextBatcher } from './textBatcher';

export interface ClaudeCliProviderOptions {
  /** Path or name (looked up on PATH) of the Claude Code CLI. Defaults to `claude`. */
  executable?: string;
  /** Environment of the CLI (defaults to this process's). */
  env?: NodeJS.ProcessEnv;
  /** `--model`, unless the request names one. */
  model?: string;
  /** `--permission-mode` (e.g. `acceptEdits`); headless runs cannot ask for permission. */
  permissionMode?: string;
  /** `--allowedTools` (e.g. `Read`, `Edit`, `Bash(npm test:*)`). */
  allowedTools?: string[];
  /** Appended to the command line as they are. */
  extraArgs?: string[];
  /** Ends the CLI (and its process tree) after this long. */
  timeoutMs?: number;
  killGraceMs?: number;
  textBatchIntervalMs?: number;
  textBatchMaxChars?: number;
}

export const CLAUDE_CLI_INSTALL_HINT =
  'Install Claude Code (npm install -g @anthropic-ai/claude-code), set the Claude executable path setting, or switch the provider to anthropic-api.';

/**
 * Claude through the Claude Code CLI in headless mode (`claude -p --output-format stream-json
 * --verbose`). A new conversation is started with `--session-id <uuid>` and continued with
 * `--resume <uuid>`, so the conversation id is known before the CLI starts. The prompt goes on stdin.
 */
export class ClaudeCliProvider implements ClaudeProvider {
  readonly id = 'claude-code-cli' as const;

  constructor(private readonly options: ClaudeCliProviderOptions = {}) {}

  /** The arguments for a request (exposed for the terminal runner and for tests). */
  argsFor(request: ClaudeRunRequest): string[] {
    const args = ['-p', '--output-format', 'stream-json', '--verbose'];
    args.push(request.resume ? '--resume' : '--session-id', request.conversationId);
    const model = request.model ?? this.options.model;
    if (model) args.push('--model', model);
    if (request.maxTurns !== undefined) args.push('--max-turns', String(request.maxTurns));
    if (request.systemPrompt) args.push('--append-system-prompt', request.systemPrompt);
    if (this.options.permissionMode) args.push('--permission-mode', this.options.permissionMode);
    if (this.options.allowedTools?.length) args.push('--allowedTools', this.options.allowedTools.join(','));
    if (!request.allowRunCommand) args.push('--disallowedTools', 'Bash');
    args.push(...(this.options.extraArgs ?? []));
    return args;
  }

  async run(request: ClaudeRunRequest, signal: AbortSignal, callbacks: ClaudeRunCallbacks = {}): Promise<ClaudeRunResult> {
    const executable = this.options.executable ?? 'claude';
    const batcher = new TextBatcher((text) => callbacks.onText?.(text), this.options.textBatchIntervalMs, this.options.textBatchMaxChars);
    const state: RunState = {
      conversationId: request.conversationId,
      model: request.model ?? this.options.model ?? 'unknown',
      finalText: '',
      toolNames: new Map(),
      result: undefined,
    };
    const lines = new LineSplitter((line) => {
      const parsed = parseStreamJsonLine(line);
      if (parsed) handleLine(parsed, state, batcher, callbacks);
    });

    const stderr = new OutputTail(8 * 1024);
    const processResult = await runProcess({
      file: executable,
      args: this.argsFor(request),
      cwd: request.workingDir,
      env: this.options.env,
      stdin: request.prompt,
      signal,
      timeoutMs: this.options.timeoutMs,
      killGraceMs: this.options.killGraceMs,
      maxOutputBytes: 64 * 1024,
      onStdout: (text) => lines.push(text),
      onStderr: (text) => stderr.append(Buffer.from(text)),
    });
    lines.end();
    batcher.flush();

    const summary = summarise(state.result);
    const outcome = outcomeOf(processResult, state.result, stderr.text(), executable, this.options.timeoutMs);
    if (summary.usage !== ZERO_USAGE || 'usd' in summary.cost) {
      callbacks.onEvent?.({ type: 'usage', turn: summary.turns, model: state.model, usage: summary.usage, cost: summary.cost });
    }
    return {
      status: outcome.status,
      provider: this.id,
      conversationId: state.conversationId,
      model: state.model,
      finalText: state.result?.result ?? state.finalText,
      history: [],
      usage: summary.usage,
      cost: summary.cost,
      turns: summary.turns,
      stopReason: state.result?.subtype,
      durationMs: processResult.durationMs,
      ...(outcome.error ? { error: outcome.error } : {}),
    };
  }
}

interface RunState {
  conversationId: string;
  model: string;
  finalText: string;
  toolNames: Map<string, string>;
  result: CliResultLine | undefined;
}

function handleLine(line: CliLine, state: RunState, batcher: TextBatcher, callbacks: ClaudeRunCallbacks): void {
  switch (line.type) {
    case 'system':
      state.conversationId = line.session_id;
      if (line.model) state.model = line.model;
      callbacks.onEvent?.({ type: 'agent.init', conversationId: line.session_id, model: state.model, tools: line.tools ?? [] });
      return;
    case 'assistant': {
      if (line.message.model) state.model = line.message.model;
      const texts: string[] = [];
      for (const block of contentBlocksOf(line.message)) {
        if (block.type === 'text' && block.text) {
          texts.push(block.text);
          batcher.append(block.text);
        } else if (block.type === 'tool_use' && block.id) {
          batcher.flush();
          state.toolNames.set(block.id, block.name ?? 'unknown');
          callbacks.onEvent?.({ type: 'tool.call', toolUseId: block.id, toolName: block.name ?? 'unknown', input: block.input });
        }
      }
      if (texts.length > 0) state.finalText = texts.join('');
      return;
    }
    case 'user':
      for (const block of contentBlocksOf(line.message)) {
        if (block.type !== 'tool_result' || !block.tool_use_id) continue;
        callbacks.onEvent?.({
          type: 'tool.result',
          toolUseId: block.tool_use_id,
          toolName: state.toolNames.get(block.tool_use_id) ?? 'unknown',
          isError: block.is_error ?? false,
          content: toolResultText(block.content),
        });
      }
      return;
    case 'result':
      state.result = line;
      if (line.session_id) state.conversationId = line.session_id;
      return;
  }
}

function summarise(result: CliResultLine | undefined): { usage: TokenUsage; cost: Cost; turns: number } {
  if (!result) return { usage: ZERO_USAGE, cost: { unknown: true }, turns: 0 };
  const usage: TokenUsage = {
    inputTokens: result.usage?.input_tokens ?? 0,
    outputTokens: result.usage?.output_tokens ?? 0,
    ...cacheWritesOf(result.usage ?? {}),
    cacheReadTokens: result.usage?.cache_read_input_tokens ?? 0,
  };
  // The CLI prices its own run (it knows the models it used); without that figure the cost is unknown.
  const cost: Cost = result.total_cost_usd !== undefined ? { usd: result.total_cost_usd } : { unknown: true };
  return { usage, cost, turns: result.num_turns ?? 0 };
}

function outcomeOf(
  process: ProcessResult,
  result: CliResultLine | undefined,
  stderr: string,
  executable: string,
  timeoutMs: number | undefined,
): { status: ClaudeRunStatus; error?: AgentError } {
  if (process.outcome === 'cancelled') return { status: 'cancelled' };
  if (process.outcome === 'spawn_error') {
    const error =
      process.errorCode === 'ENOENT'
        ? agentError('cli_missing', `The Claude Code CLI "${executable}" was not found.`, CLAUDE_CLI_INSTALL_HINT, false)
        : agentError(
            'cli_failed',
            `The Claude Code CLI "${executable}" could not be started: ${process.errorMessage}`,
            CLAUDE_CLI_INSTALL_HINT,
            false,
          );
    return { status: 'error', error };
  }
  if (process.outcome === 'timeout') {
    const message = `The Claude Code CLI did not finish within ${timeoutMs} ms and was stopped.`;
    return {
      status: 'error',
      error: agentError('timeout', message, 'Resume the session to continue, or raise the step time limit.', true),
    };
  }
  if (result && !result.is_error && result.subtype === 'success') return { status: 'ok' };
  if (result?.subtype === 'error_max_turns') {
    return { status: 'error', error: maxTurnsError(`Claude Code used all its turns (${result.num_turns ?? '?'}) without finishing.`) };
  }
  const detail = result?.result ?? lastLines(stderr);
  return { status: 'error', error: classifyCliFailure(detail, process.exitCode) };
}

function classifyCliFailure(detail: string, exitCode: number | null): AgentError {
  const message = `Claude Code failed${exitCode !== null ? ` (exit ${exitCode})` : ''}: ${detail || 'no output'}`;
  if (/\b401\b|invalid api key|\/login|not logged in/i.test(detail)) {
    return agentError('auth', message, 'Log in by running `claude` in a terminal (/login), then resume the session.', false);
  }
  if (/\b429\b|rate limit/i.test(detail)) return agentError('rate_limit', message, ACTIONS.waitThenResume, true);
  if (/\b529\b|overloaded/i.test(detail)) return agentError('overloaded', message, ACTIONS.resumeInMinutes, true);
  return agentError('cli_failed', message, 'See the step output for the CLI\u2019s message, then resume the session.', false);
}

function lastLines(output: string, count = 5): string {
  return output.trim().split('\n').slice(-count).join('\n');
}
