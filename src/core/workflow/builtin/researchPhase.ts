import type { StepBehaviour } from '../StepBehaviour';
import { claudeAnswerOf } from './claudeResult';
import { failWith, moveTo, readNumber, readOptions, readPhaseState, withPhaseState, type PhaseTarget } from './phaseState';
import { researchPrompt } from './prompts';

export const RESEARCH_PHASE = 'research';

/** Rounds of Claude research, each saved as `research/round-<n>.md`. */
export function createResearchPhase(next: PhaseTarget): StepBehaviour {
  return {
    async getCommand(session, _history, context) {
      const round = readNumber(readPhaseState(session, RESEARCH_PHASE), 'rounds') + 1;
      return { step: RESEARCH_PHASE, kind: 'claude', command: await researchPrompt(session, context, round) };
    },
    handleResult(session, _interaction, result) {
      const answer = claudeAnswerOf(result);
      if ('error' in answer) {
        return failWith(`The research step failed: ${answer.error}`, session.state);
      }
      const round = readNumber(readPhaseState(session, RESEARCH_PHASE), 'rounds') + 1;
      const state = withPhaseState(session, RESEARCH_PHASE, { rounds: round });
      const file = {
        name: `research/round-${round}.md`,
        content: `${answer.answer.trimEnd()}\n`,
        artifactKey: `research/round-${round}`,
        artifactKind: 'research',
        contentType: 'text/markdown',
      };
      const wanted = readOptions(session).researchRounds;
      const rounds = typeof wanted === 'number' ? wanted : 1;
      return round < rounds ? { state, phase: RESEARCH_PHASE, files: [file] } : moveTo(next, state, { files: [file] });
    },
  };
}
