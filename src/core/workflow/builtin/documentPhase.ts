import type { Session } from '../../model/session';
import type { StepBehaviour, StepContext } from '../StepBehaviour';
import { claudeAnswerOf } from './claudeResult';
import { approvalOf, failWith, moveTo, type PhaseTarget } from './phaseState';

export interface DocumentPhaseOptions {
  /** Step name, also the phase name. */
  readonly step: string;
  readonly fileName: string;
  readonly artifactKind: string;
  readonly next: PhaseTarget;
  readonly buildPrompt: (session: Session, context: StepContext) => Promise<string>;
  /** The answer passes a review gate (see `approvalOf`). */
  readonly reviewed?: boolean;
}

/** A Claude step whose answer becomes a Markdown file in the session folder (spec.md, docs.md). */
export function createDocumentPhase(options: DocumentPhaseOptions): StepBehaviour {
  return {
    async getCommand(session, _history, context) {
      return { step: options.step, kind: 'claude', command: await options.buildPrompt(session, context) };
    },
    handleResult(session, _interaction, result) {
      const answer = claudeAnswerOf(result);
      if ('error' in answer) {
        return failWith(`The ${options.step} step failed: ${answer.error}`, session.state);
      }
      return moveTo(options.next, session.state, {
        ...(options.reviewed ? { approve: approvalOf(session) } : {}),
        files: [
          {
            name: options.fileName,
            content: answer.answer.endsWith('\n') ? answer.answer : `${answer.answer}\n`,
            artifactKey: options.step,
            artifactKind: options.artifactKind,
            contentType: 'text/markdown',
          },
        ],
      });
    },
  };
}
