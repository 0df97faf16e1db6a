import type { MessageParam } from '@anthropic-ai/sdk/resources/messages';
import type { Provider } from '../model/session';
import type { AgentError } from './agentError';
import type { Cost } from './pricing';
import type { TokenUsage } from '../model/session';

/** One message of a stored Anthropic conversation (JSON-serialisable; stored as-is). */
export type ConversationMessage = MessageParam;

/** What the background runner asks of Claude for one step. */
export interface ClaudeRunRequest {
  prompt: string;
  /**
   * The conversation id. Anthropic API: the caller's id for the stored history. Claude Code CLI:
   * the CLI session id (a uuid), passed as `--session-id` when new and `--resume` when resuming.
   */
  conversationId: string;
  /** True when the conversation already exists (CLI: `--resume`). */
  resume: boolean;
  /** Anthropic API: the stored messages of the conversation so far (empty or absent when new). */
  history?: readonly ConversationMessage[];
  /** Overrides the provider's default model. */
  model?: string;
  systemPrompt?: string;
  /** The folder the tools are confined to (API) or the CLI's cwd. */
  workingDir: string;
  /** Most model turns (API requests, or the CLI's `--max-turns`) before the step ends. */
  maxTurns?: number;
  /** Offer the `run_command` tool (API provider). Refused when false. */
  allowRunCommand?: boolean;
}

/** Everything observable during a run, reported as it happens (goes into the event log). */
export type AgentEvent =
  | { type: 'agent.init'; conversationId: string; model: string; tools: string[] }
  | { type: 'tool.call'; toolUseId: string; toolName: string; input: unknown }
  | { type: 'tool.result'; toolUseId: string; toolName: string; isError: boolean; content: string }
  /** Usage of one API response (API provider) or of the whole run (CLI `result` line). */
  | { type: 'usage'; turn: number; model: string; usage: TokenUsage; cost: Cost };

export interface ClaudeRunCallbacks {
  /** Assistant text, batched (not one call per token). */
  onText?(text: string): void;
  onEvent?(event: AgentEvent): void;
  /**
   * API provider: the conversation after each completed message, so the caller can store it and
   * a crash loses at most the message in flight.
   */
  onHistory?(messages: readonly ConversationMessage[]): void;
}

export type ClaudeRunStatus = 'ok' | 'error' | 'cancelled';

export interface ClaudeRunResult {
  status: ClaudeRunStatus;
  provider: Provider;
  conversationId: string;
  model: string;
  /** The assistant's text of the last message. */
  finalText: string;
  /** API provider: the whole conversation, completed messages only, ready to store. CLI: empty. */
  history: ConversationMessage[];
  usage: TokenUsage;
  cost: Cost;
  /** Model turns taken. */
  turns: number;
  stopReason?: string;
  /** Set when status is `error`. */
  error?: AgentError;
  durationMs: number;
}

/**
 * A way to run Claude. `run` never rejects: API failures, a missing executable, cancellation and
 * budget exhaustion all come back as a result with a status and, for errors, a classified error.
 */
export interface ClaudeProvider {
  readonly id: Provider;
  run(request: ClaudeRunRequest, signal: AbortSignal, callbacks?: ClaudeRunCallbacks): Promise<ClaudeRunResult>;
}
