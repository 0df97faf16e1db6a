import type { Interaction, InteractionResultInput } from '../../../../src/core/model/interaction';
import type { Session } from '../../../../src/core/model/session';
import type { CommandExecutor } from '../../../../src/core/engine/runToCompletion';

export type ScriptedAnswer = InteractionResultInput | ((interaction: Interaction, session: Session) => InteractionResultInput);

export function claudeSays(text: string): InteractionResultInput {
  return { status: 'ok', output: text, durationMs: 5 };
}

export function claudeFails(message: string): InteractionResultInput {
  return { status: 'error', errorMessage: message, durationMs: 5 };
}

export function shellExits(exitCode: number, output = ''): InteractionResultInput {
  return { status: 'ok', exitCode, output, durationMs: 5 };
}

/**
 * The deterministic executor: each step name has a queue of answers, used in order; the last
 * answer repeats when the queue runs out. Every executed command is kept for assertions. A step
 * without a script is a test bug and throws.
 */
export class FakeExecutor implements CommandExecutor {
  readonly executed: Interaction[] = [];
  private readonly used = new Map<string, number>();

  constructor(private readonly script: Readonly<Record<string, readonly ScriptedAnswer[]>>) {}

  async execute(session: Session, interaction: Interaction): Promise<InteractionResultInput> {
    this.executed.push(interaction);
    const answers = this.script[interaction.command.step];
    if (answers === undefined || answers.length === 0) {
      throw new Error(`FakeExecutor has no answer for step "${interaction.command.step}"`);
    }
    const index = this.used.get(interaction.command.step) ?? 0;
    this.used.set(interaction.command.step, index + 1);
    const answer = answers[Math.min(index, answers.length - 1)];
    return typeof answer === 'function' ? answer(interaction, session) : answer;
  }

  steps(): string[] {
    return this.executed.map((interaction) => interaction.command.step);
  }
}
