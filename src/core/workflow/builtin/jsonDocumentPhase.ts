import type { z } from 'zod';
import type { Session } from '../../model/session';
import type { StepBehaviour, StepContext } from '../StepBehaviour';
import { parseJsonAnswer } from '../jsonAnswer';
import { claudeAnswerOf } from './claudeResult';
import { approvalOf, failWith, moveTo, readNumber, readPhaseState, readString, withPhaseState, type PhaseTarget } from './phaseState';

/** A model gets one more try after an invalid answer; then the step fails. */
export const MAX_JSON_ANSWERS = 2;

export interface JsonDocumentPhaseOptions<S extends z.ZodType> {
  readonly step: string;
  readonly fileName: string;
  readonly artifactKind: string;
  readonly schema: S;
  /** An example of the expected JSON, shown in the prompt. */
  readonly format: string;
  readonly next: PhaseTarget;
  readonly buildPrompt: (session: Session, context: StepContext) => Promise<string>;
  /** The answer passes a review gate (see `approvalOf`). */
  readonly reviewed?: boolean;
}

/**
 * A Claude step that must answer with JSON matching `schema` (plan.json, components.json). An
 * invalid answer is re-asked once with the validation error; a second invalid answer fails the
 * session with a message naming the file and the error.
 */
export function createJsonDocumentPhase<S extends z.ZodType>(options: JsonDocumentPhaseOptions<S>): StepBehaviour {
  return {
    async getCommand(session, _history, context) {
      const rejection = readString(readPhaseState(session, options.step), 'lastError');
      const instructions = [
        await options.buildPrompt(session, context),
        '',
        `Answer with a single JSON object in a \`\`\`json fence, in this format:\n${options.format}`,
      ];
      if (rejection !== undefined) {
        instructions.push('', `Your previous answer was rejected: ${rejection}. Answer again with valid JSON only.`);
      }
      return { step: options.step, kind: 'claude', command: instructions.join('\n') };
    },
    handleResult(session, _interaction, result) {
      const answer = claudeAnswerOf(result);
      if ('error' in answer) {
        return failWith(`The ${options.step} step failed: ${answer.error}`, session.state);
      }
      const answers = readNumber(readPhaseState(session, options.step), 'answers') + 1;
      const parsed = parseJsonAnswer(answer.answer, options.schema);
      if (!parsed.ok) {
        const state = withPhaseState(session, options.step, { answers, lastError: parsed.error });
        return answers < MAX_JSON_ANSWERS
          ? { state, phase: options.step }
          : failWith(`${options.fileName} is still invalid after ${answers} answers: ${parsed.error}`, state);
      }
      // The count restarts: an answer asked again after Request Changes has its own retry.
      return moveTo(options.next, withPhaseState(session, options.step, { answers: 0 }), {
        ...(options.reviewed ? { approve: approvalOf(session) } : {}),
        files: [
          {
            name: options.fileName,
            content: `${JSON.stringify(parsed.value, null, 2)}\n`,
            artifactKey: options.step,
            artifactKind: options.artifactKind,
            contentType: 'application/json',
          },
        ],
      });
    },
  };
}
