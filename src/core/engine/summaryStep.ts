import type { Interaction } from '../model/interaction';
import type { JsonObject } from '../model/json';
import { SessionOutcomeInputSchema } from '../model/session';
import type { StepBehaviour } from '../workflow/StepBehaviour';
import { claudeAnswerOf } from '../workflow/builtin/claudeResult';
import { parseJsonAnswer } from '../workflow/jsonAnswer';
import { tailOf } from '../../protocol/displayText';

/** The engine's own phase that asks Claude for a summary once a session's work is complete. */
export const SUMMARY_PHASE = 'summary';
/** `state.summary`: `pending` while the summary step runs. */
export const SUMMARY_STATE_KEY = 'summaryStep';
/** `state.proposedOutcome`: Claude's proposed outcome, from the summary step to the engine (which records it and removes the key). */
export const PROPOSED_OUTCOME_STATE_KEY = 'proposedOutcome';

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
        'The session is complete. Judge its outcome for the record and answer with one JSON object only, in a ```json fence:\n' +
        '{ "summary": "what was done, the outcome against the success and completion criteria, and anything left open",\n' +
        '  "rating": 1-5 (how well the goal was met), "completionPercent": 0-100, "needsFollowUp": true or false,\n' +
        '  "followUpNotes": "what is left to do, or empty", "nextSessionSuggestion": "the goal of a next session, or empty" }' +
        `\n\nSteps:\n${steps}`,
    };
  },
  handleResult(session, _interaction, result) {
    const answer = claudeAnswerOf(result);
    const state: JsonObject = { ...session.state, [SUMMARY_STATE_KEY]: 'done' };
    if ('error' in answer) return { state, status: 'complete', notes: [`No summary: ${answer.error}`] };
    const proposal = parseJsonAnswer(answer.answer, SessionOutcomeInputSchema);
    if (!proposal.ok) {
      // An answer that is not the JSON asked for is still a summary; the outcome is left to the person.
      return {
        state,
        status: 'complete',
        summary: answer.answer.trim(),
        notes: [`Claude proposed no valid outcome (${proposal.error}); record one with Complete Session.`],
      };
    }
    const { summary, ...outcome } = proposal.value;
    return { state: { ...state, [PROPOSED_OUTCOME_STATE_KEY]: outcome }, status: 'complete', summary };
  },
};
