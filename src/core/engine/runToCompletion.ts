import type { Interaction, InteractionResultInput } from '../model/interaction';
import type { Session } from '../model/session';
import { isTerminalSessionStatus } from '../model/sessionStatus';
import type { SessionEngine } from './SessionEngine';
import { describeError } from '../../protocol/describeError';

/** Runs one command (a shell subprocess, a Claude call…) and reports its result. Never records anything itself. */
export interface CommandExecutor {
  execute(session: Session, interaction: Interaction, signal: AbortSignal): Promise<InteractionResultInput>;
}

export interface RunToCompletionOptions {
  /** Commands this run may execute for the session (each child session has its own budget). Default 100. */
  readonly maxSteps?: number;
  readonly signal?: AbortSignal;
  /** Child sessions of a spawn command run this many at a time. Default 2. */
  readonly childConcurrency?: number;
}

export type RunEndReason =
  /** The session ended: complete, failed or cancelled. */
  | 'finished'
  /** The session is paused or interrupted. */
  | 'stopped'
  | 'awaiting_input'
  /** A review gate waits for Approve or Request Changes. */
  | 'awaiting_review'
  /** A spawn command waits for children that did not end in this run. */
  | 'waiting_for_children'
  | 'max_steps'
  | 'aborted';

export interface RunOutcome {
  readonly reason: RunEndReason;
  readonly session: Session;
  readonly steps: number;
}

const DEFAULT_MAX_STEPS = 100;
const DEFAULT_CHILD_CONCURRENCY = 2;

/**
 * The agentic loop: next command → execute → record result, until the session ends, stops, needs
 * the person, or a budget or the signal says stop. Spawn commands run their child sessions with
 * the same loop (a few at a time); the engine records the spawn's result when the last child ends.
 */
export async function runToCompletion(
  engine: SessionEngine,
  executor: CommandExecutor,
  sessionId: string,
  options: RunToCompletionOptions = {},
): Promise<RunOutcome> {
  const maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
  const signal = options.signal ?? new AbortController().signal;
  let steps = 0;
  let lastSpawnId: string | undefined;
  for (;;) {
    // Checked before `next`, so a run that stops leaves no new command pending.
    const current = engine.getSession(sessionId);
    if (!isTerminalSessionStatus(current.status) && (signal.aborted || steps >= maxSteps)) {
      return { reason: signal.aborted ? 'aborted' : 'max_steps', session: current, steps };
    }
    const next = await engine.next(sessionId);
    if (next.kind === 'stopped') {
      return { reason: isTerminalSessionStatus(next.session.status) ? 'finished' : 'stopped', session: next.session, steps };
    }
    if (next.kind === 'awaiting_input') {
      return { reason: 'awaiting_input', session: next.session, steps };
    }
    if (next.kind === 'awaiting_review') {
      return { reason: 'awaiting_review', session: next.session, steps };
    }
    const { interaction, session } = next;
    if (interaction.command.kind === 'spawn_sessions') {
      if (lastSpawnId === interaction.id) {
        return { reason: 'waiting_for_children', session, steps };
      }
      lastSpawnId = interaction.id;
      await runChildren(engine, executor, interaction, options);
      steps++;
      continue;
    }
    const result = await executeSafely(executor, session, interaction, signal);
    await engine.recordResult(sessionId, interaction.id, result);
    steps++;
  }
}

async function executeSafely(
  executor: CommandExecutor,
  session: Session,
  interaction: Interaction,
  signal: AbortSignal,
): Promise<InteractionResultInput> {
  const startedAt = Date.now();
  try {
    return await executor.execute(session, interaction, signal);
  } catch (error) {
    const message = describeError(error);
    return { status: signal.aborted ? 'cancelled' : 'error', errorMessage: message, durationMs: Date.now() - startedAt };
  }
}

async function runChildren(
  engine: SessionEngine,
  executor: CommandExecutor,
  spawn: Interaction,
  options: RunToCompletionOptions,
): Promise<void> {
  const childIds = Array.isArray(spawn.command.metadata.childSessionIds) ? spawn.command.metadata.childSessionIds.map(String) : [];
  const queue = [...childIds];
  const worker = async (): Promise<void> => {
    for (let childId = queue.shift(); childId !== undefined; childId = queue.shift()) {
      await runToCompletion(engine, executor, childId, options);
    }
  };
  const concurrency = Math.max(1, options.childConcurrency ?? DEFAULT_CHILD_CONCURRENCY);
  await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
}
