import type { Session } from '../model/session';

/** The system prompt every Claude step starts with: the session's goal, success criteria and constraints. */
export function goalSystemPrompt(session: Pick<Session, 'title' | 'intention' | 'successCriteria' | 'constraints'>): string {
  const lines = [`You are working in the session "${session.title}".`, '', `Goal: ${session.intention}`];
  if (session.successCriteria.length > 0) {
    lines.push('', 'Success criteria:', ...session.successCriteria.map((criterion) => `- ${criterion}`));
  }
  if (session.constraints.length > 0) {
    lines.push('', 'Constraints:', ...session.constraints.map((constraint) => `- ${constraint}`));
  }
  return lines.join('\n');
}

/** Joins the goal prompt with a step's own system instructions. */
export function composeSystemPrompt(session: Session, stepSystem: string | undefined): string {
  const goal = goalSystemPrompt(session);
  return stepSystem === undefined || stepSystem.trim() === '' ? goal : `${goal}\n\n${stepSystem}`;
}
