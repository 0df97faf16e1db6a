import type { AgentError } from '../agent/agentError';
import type { ClaudeProvider } from '../agent/claudeProvider';
import type { ShellCommandOptions } from '../exec/runShellCommand';
import type { ProcessResult } from '../exec/runProcess';
import type { Interaction, InteractionResultInput } from '../model/interaction';
import type { Session } from '../model/session';
import type { SessionStore } from '../store/SessionStore';
import type { SessionEngine } from './SessionEngine';

/** Options, progress and outcome types of the agentic loop (agenticLoop.ts). */

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

export interface ExecutedStep {
  result: InteractionResultInput;
  agentError?: AgentError;
}
