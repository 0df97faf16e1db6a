import type { Session } from '../../model/session';
import type { StepContext } from '../StepBehaviour';
import { readNumber, readPhaseState } from './phaseState';

/** Earlier phases' artifacts, read from the session folder so a person's edits count. */
async function earlierArtifacts(context: StepContext, names: readonly string[]): Promise<string> {
  const sections: string[] = [];
  for (const name of names) {
    const content = await context.files.readText(name);
    if (content !== undefined && content.trim() !== '') {
      sections.push(`--- ${context.files.pathOf(name)} ---\n${content.trimEnd()}`);
    }
  }
  return sections.length === 0 ? '' : `\n\nEarlier work in this session:\n\n${sections.join('\n\n')}`;
}

function researchNotes(rounds: number): string[] {
  return Array.from({ length: rounds }, (_, index) => `research/round-${index + 1}.md`);
}

export async function researchPrompt(session: Session, context: StepContext, round: number): Promise<string> {
  const previous = await earlierArtifacts(context, researchNotes(round - 1));
  return (
    `Research what is needed to reach the goal "${session.intention}": the relevant code, libraries, ` +
    `prior art and open questions. Write your findings as Markdown notes (round ${round}).${previous}`
  );
}

export async function specPrompt(session: Session, context: StepContext): Promise<string> {
  const rounds = readNumber(readPhaseState(session, 'research'), 'rounds');
  const research = await earlierArtifacts(context, researchNotes(rounds));
  return (
    `Write a specification (Markdown) for: ${session.intention}\n` +
    `Cover the behaviour, interfaces, edge cases and how each success criterion will be checked.${research}`
  );
}

export async function planPrompt(session: Session, context: StepContext): Promise<string> {
  return `Write an implementation plan for: ${session.intention}${await earlierArtifacts(context, ['spec.md'])}`;
}

export async function buildPrompt(session: Session, context: StepContext, failure: string | undefined, attempt: number): Promise<string> {
  const artifacts = await earlierArtifacts(context, ['spec.md', 'plan.json']);
  if (failure === undefined) {
    return `Implement the plan for: ${session.intention}. Make the changes in the workspace.${artifacts}`;
  }
  return (
    `The tests failed after build attempt ${attempt - 1}. Fix the code so they pass.\n\n` + `Test output (tail):\n${failure}${artifacts}`
  );
}

export async function docsPrompt(session: Session, context: StepContext): Promise<string> {
  return (
    `The implementation of "${session.intention}" is done. Update the project's documentation for it and ` +
    `answer with a Markdown summary of the change for the docs.${await earlierArtifacts(context, ['spec.md', 'plan.json'])}`
  );
}

/** `failure` is already tail-capped when it is kept in the session state. */
export function fixPrompt(failure: string, testCommand: string, run: number): string {
  return (
    `The test command \`${testCommand}\` failed (run ${run}). Find the cause and fix the code so it passes.\n\n` +
    `Output (tail):\n${failure}`
  );
}

export async function componentDesignPrompt(session: Session): Promise<string> {
  return `Split "${session.intention}" into components that can be designed and built independently.`;
}
