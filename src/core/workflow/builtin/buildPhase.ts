import type { Session } from '../../model/session';
import { tailOf } from '../../../protocol/displayText';
import type { StepBehaviour, StepContext, WorkflowSettings } from '../StepBehaviour';
import { claudeAnswerOf, failureText, shellPassed } from './claudeResult';
import { buildPrompt } from './prompts';
import { failWith, moveTo, readNumber, readOptions, readPhaseState, readString, withPhaseState, type PhaseTarget } from './phaseState';

export const BUILD_PHASE = 'build';

/** The test command of a session: its start option, else the setting. */
export function testCommandOf(session: Session, settings: WorkflowSettings): string | undefined {
  const fromOptions = readOptions(session).testCommand;
  return typeof fromOptions === 'string' && fromOptions.trim() !== '' ? fromOptions : settings.testCommand;
}

function maxAttemptsOf(session: Session, context: StepContext): number {
  const fromOptions = readOptions(session).maxBuildAttempts;
  return typeof fromOptions === 'number' ? fromOptions : context.settings.maxBuildAttempts;
}

/**
 * Build: a Claude step implements the plan, then the test command runs as a shell step. Failing
 * tests send the failing output back to Claude, up to the maximum number of build attempts.
 * Without a test command the phase ends after the Claude step.
 */
export function createBuildPhase(next: PhaseTarget): StepBehaviour {
  return {
    async getCommand(session, _history, context) {
      const own = readPhaseState(session, BUILD_PHASE);
      const testCommand = testCommandOf(session, context.settings);
      if (readString(own, 'awaiting') === 'test' && testCommand !== undefined) {
        return { step: 'test', kind: 'shell', command: testCommand };
      }
      const attempt = readNumber(own, 'attempts') + 1;
      return { step: 'build', kind: 'claude', command: await buildPrompt(session, context, readString(own, 'lastFailure'), attempt) };
    },
    handleResult(session, interaction, result, context) {
      const own = readPhaseState(session, BUILD_PHASE);
      if (interaction.command.step === 'build') {
        const answer = claudeAnswerOf(result);
        if ('error' in answer) {
          return failWith(`The build step failed: ${answer.error}`, session.state);
        }
        const attempts = readNumber(own, 'attempts') + 1;
        if (testCommandOf(session, context.settings) === undefined) {
          return moveTo(next, withPhaseState(session, BUILD_PHASE, { attempts }), {
            notes: ['No test command is configured, so the build was not tested.'],
          });
        }
        return { state: withPhaseState(session, BUILD_PHASE, { attempts, awaiting: 'test' }), phase: BUILD_PHASE };
      }
      const attempts = readNumber(own, 'attempts');
      if (shellPassed(result)) {
        return moveTo(next, withPhaseState(session, BUILD_PHASE, { attempts }));
      }
      const failure = failureText(result);
      const state = withPhaseState(session, BUILD_PHASE, {
        attempts,
        awaiting: 'build',
        lastFailure: tailOf(failure, context.settings.outputTailChars),
      });
      const maxAttempts = maxAttemptsOf(session, context);
      if (attempts >= maxAttempts) {
        return failWith(
          `The tests still fail after ${attempts} build attempt${attempts === 1 ? '' : 's'} (the limit is ${maxAttempts}).`,
          state,
        );
      }
      return { state, phase: BUILD_PHASE };
    },
  };
}
