import { z } from 'zod';
import { tailOf } from '../../../protocol/displayText';
import type { StepBehaviour } from '../StepBehaviour';
import { testCommandOf } from './buildPhase';
import { claudeAnswerOf, failureText, shellPassed } from './claudeResult';
import { failWith, readNumber, readOptions, readPhaseState, readString, withPhaseState } from './phaseState';
import { fixPrompt } from './prompts';
import { PhasedSessionType } from './PhasedSessionType';

const TEST_PHASE = 'test';
const FIX_PHASE = 'fix';

function requireTestCommand(testCommand: string | undefined): string {
  if (testCommand === undefined) {
    throw new Error('A test-fix session needs a test command: set the test command setting or the "testCommand" start option.');
  }
  return testCommand;
}

const testPhase: StepBehaviour = {
  getCommand(session, _history, context) {
    return { step: TEST_PHASE, kind: 'shell', command: requireTestCommand(testCommandOf(session, context.settings)) };
  },
  handleResult(session, _interaction, result, context) {
    const runs = readNumber(readPhaseState(session, TEST_PHASE), 'runs') + 1;
    if (shellPassed(result)) {
      return { state: withPhaseState(session, TEST_PHASE, { runs }), status: 'complete' };
    }
    const state = withPhaseState(session, TEST_PHASE, { runs, lastFailure: tailOf(failureText(result), context.settings.outputTailChars) });
    const wanted = readOptions(session).maxIterations;
    const maxRuns = typeof wanted === 'number' ? wanted : context.settings.maxTestFixIterations;
    if (runs >= maxRuns) {
      return failWith(`The tests still fail after ${runs} run${runs === 1 ? '' : 's'} (the limit is ${maxRuns}).`, state);
    }
    return { state, phase: FIX_PHASE };
  },
};

const fixPhase: StepBehaviour = {
  getCommand(session, _history, context) {
    const own = readPhaseState(session, TEST_PHASE);
    const testCommand = requireTestCommand(testCommandOf(session, context.settings));
    return {
      step: FIX_PHASE,
      kind: 'claude',
      command: fixPrompt(readString(own, 'lastFailure') ?? '', testCommand, readNumber(own, 'runs')),
    };
  },
  handleResult(session, _interaction, result) {
    const answer = claudeAnswerOf(result);
    return 'error' in answer
      ? failWith(`The fix step failed: ${answer.error}`, session.state)
      : { state: session.state, phase: TEST_PHASE };
  },
};

/** `test-fix`: run the tests; on failure Claude fixes with the failing output; rerun until they pass or the limit. */
export const testFixSessionType = new PhasedSessionType({
  id: 'test-fix',
  label: 'Test-fix loop',
  description: 'Runs the test command and has Claude fix failures until the tests pass.',
  mirrorsStateFile: false,
  optionsSchema: z
    .object({
      testCommand: z.string().min(1).optional(),
      maxIterations: z.number().int().positive().max(100).optional(),
    })
    .strict(),
  phases: { [TEST_PHASE]: testPhase, [FIX_PHASE]: fixPhase },
  firstPhase: () => TEST_PHASE,
  checkStart: (options, settings) => requireTestCommand(options.testCommand ?? settings.testCommand),
});
