import { z } from 'zod';
import type { StepBehaviour } from '../StepBehaviour';
import { claudeAnswerOf } from './claudeResult';
import { PhasedSessionType } from './PhasedSessionType';

const CONVERSATION_PHASE = 'conversation';

const conversation: StepBehaviour = {
  getCommand(_session, _history, context) {
    if (context.input === undefined || context.input.trim() === '') {
      return { kind: 'await_input', message: 'Type the next prompt for Claude.' };
    }
    return { step: CONVERSATION_PHASE, kind: 'claude', command: context.input, metadata: { continueConversation: true } };
  },
  handleResult(session, _interaction, result) {
    const answer = claudeAnswerOf(result);
    const notes = 'error' in answer ? [`Claude did not answer: ${answer.error}`] : [];
    return { state: session.state, phase: CONVERSATION_PHASE, notes };
  },
};

/** `freeform`: one Claude conversation the person drives prompt by prompt, and ends when they choose. */
export const freeformSessionType = new PhasedSessionType({
  id: 'freeform',
  label: 'Freeform conversation',
  description: 'One Claude conversation, prompt by prompt; you decide when it is done.',
  mirrorsStateFile: false,
  optionsSchema: z.object({}).strict(),
  phases: { [CONVERSATION_PHASE]: conversation },
  firstPhase: () => CONVERSATION_PHASE,
});
