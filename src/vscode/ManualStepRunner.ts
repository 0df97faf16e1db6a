import * as vscode from 'vscode';
import type { Interaction, InteractionResultInput } from '../core/model/interaction';
import type { Session } from '../core/model/session';
import type { SessionEngine } from '../core/engine/SessionEngine';
import type { SessionStore } from '../core/store/SessionStore';
import type { Logger } from './logger';
import type { TerminalRunner } from './TerminalRunner';
import { UserFacingError } from './userFacingError';
import type { ClaudeStepUsage } from './ClaudeCodeHistory';
import { describeError } from '../protocol/describeError';

/** Records a manual Claude step's tokens and cost from its transcript (ClaudeCodeHistory). */
export interface ManualClaudeUsage {
  afterManualClaudeStep(session: Session, interaction: Interaction): Promise<ClaudeStepUsage>;
}

/** What one Next Step did. */
export type StepRun =
  | { kind: 'ran'; interaction: Interaction; result: InteractionResultInput; session: Session }
  | { kind: 'spawned'; interaction: Interaction; session: Session; children: number }
  | { kind: 'cancelled' };

const whyStopped: Record<Session['status'], string> = {
  active: '',
  planned: 'is planned: start it first',
  paused: 'is paused: resume it first',
  interrupted: 'was interrupted: resume it first',
  complete: 'is complete',
  failed: 'has failed; start a new session to try again',
  cancelled: 'was cancelled',
};

/**
 * Manual mode: asks the engine for a session's next command, runs it in the session's terminal
 * and records the result, so the engine moves on. The engine decides; this only executes. (Which
 * sessions run a step now: RunningSessions.)
 */
export class ManualStepRunner {
  constructor(
    private readonly engine: SessionEngine,
    private readonly store: SessionStore,
    private readonly terminal: TerminalRunner,
    private readonly log: Logger,
    private readonly claudeUsage?: ManualClaudeUsage,
  ) {}

  /** Interrupts a manual step running in the session's terminal. */
  interrupt(sessionId: string): void {
    this.terminal.interrupt(sessionId);
  }

  async nextStep(sessionId: string, askInput: (message: string) => Thenable<string | undefined>): Promise<StepRun> {
    let next = await this.engine.next(sessionId);
    if (next.kind === 'awaiting_input') {
      const input = await askInput(next.message);
      if (input === undefined || !input.trim()) return { kind: 'cancelled' };
      next = await this.engine.next(sessionId, { input });
    }
    if (next.kind === 'stopped') {
      throw new UserFacingError(`"${next.session.title}" ${whyStopped[next.session.status]}.`);
    }
    if (next.kind === 'awaiting_input') return { kind: 'cancelled' };
    if (next.kind === 'awaiting_review') {
      throw new UserFacingError(
        vscode.l10n.t(
          '"{0}" waits for the review of its {1} step: Approve or Request Changes in its timeline first.',
          next.session.title,
          next.gate.step,
        ),
      );
    }
    const { interaction, session } = next;
    if (interaction.command.kind === 'spawn_sessions') {
      const children = this.store.sessions.children(session.id).length;
      return { kind: 'spawned', interaction, session, children };
    }
    this.log.info(`running step ${interaction.seq} (${interaction.command.step}) of ${session.id} in the terminal`);
    const history = this.store.interactions.list(session.id, { limit: 10_000 });
    const conversationStarted = history.some(
      (i) => i.command.kind === 'claude' && i.seq < interaction.seq && i.result.status !== 'pending',
    );
    let result: InteractionResultInput;
    try {
      result = await this.terminal.run({
        session,
        interaction,
        conversationStarted,
        ensureConversationId: async (id) => {
          await this.store.sessions.update(session.id, { externalConversationId: id });
        },
      });
    } catch (error) {
      // The command never ran (no claude, terminal gone): record that, so the step can be retried.
      result = { status: 'error', errorMessage: describeError(error) };
      await this.engine.recordResult(session.id, interaction.id, result);
      throw error;
    }
    this.log.info(`step ${interaction.seq} of ${session.id} ended in the terminal: ${result.status}`);
    if (interaction.command.kind === 'claude' && this.claudeUsage) result = await this.withClaudeUsage(session, interaction, result);
    const after = await this.engine.recordResult(session.id, interaction.id, result);
    return { kind: 'ran', interaction, result, session: after };
  }

  /** A Claude step's tokens and cost come from its transcript; the result says what was recorded, or why nothing was. */
  private async withClaudeUsage(
    session: Session,
    interaction: Interaction,
    result: InteractionResultInput,
  ): Promise<InteractionResultInput> {
    try {
      const usage = await this.claudeUsage!.afterManualClaudeStep(this.store.sessions.get(session.id) ?? session, interaction);
      const data = result.data && typeof result.data === 'object' && !Array.isArray(result.data) ? result.data : {};
      return { ...result, data: { ...data, claudeUsage: { ...usage } } };
    } catch (error) {
      this.log.error(`recording the usage of Claude step ${interaction.seq} of ${session.id} failed`, error);
      return result;
    }
  }
}
