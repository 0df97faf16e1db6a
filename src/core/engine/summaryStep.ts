import type { Interaction } from '../model/interaction';
import type { StepBehaviour } from '../workflow/StepBehaviour';
import { claudeAnswerOf } from '../workflow/builtin/claudeResult';
import { tailOf } from '../workflow/outputTail';

/** The engine's own phase that asks Claude for a summary once a session's work is complete. */
export const SUMMARY_PHASE = 'summary';
/** `state.summary`: `pending` while the summary step runs. */
export const SUMMARY_STATE_KEY = 'summaryStep';

const SUMMARY_HISTORY_LIMIT = 40;
const SUMMARY_OUTPUT_CHARS = 600;

function describe(interaction: Interaction): string {
  const output = interaction.result.output === null ? '' : `\n${tailOf(interaction.result.output, SUMMARY_OUTPUT_CHARS)}`;
  return `#${interaction.seq} ${interaction.command.step} (${interaction.command.kind}, ${interaction.result.status}): ${interaction.command.command.slice(0, 200)}${output}`;
}

export const summaryStep: StepBehaviour = {
  getCommand(_session, history) {
    const steps = history.slice(-SUMMARY_HISTORY_LIMIT).map(describe).join('\n\n');
    return {
      step: SUMMARY_PHASE,
      kind: 'claude',
      command:
        'The session is complete. Write a short summary for the record: what was done, the outcome against ' +
        `the success criteria, and anything left open.\n\nSteps:\n${steps}`,
    };
  },
  handleResult(session, _interaction, result) {
    const answer = claudeAnswerOf(result);
    const state = { ...session.state, [SUMMARY_STATE_KEY]: 'done' };
    return 'error' in answer
      ? { state, status: 'complete', notes: [`No summary: ${answer.error}`] }
      : { state, status: 'complete', summary: answer.answer.trim() };
  },
};
