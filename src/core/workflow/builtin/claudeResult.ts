import type { InteractionResultInput } from '../../model/interaction';

/** A Claude step's answer, or why there is none. */
export function claudeAnswerOf(result: InteractionResultInput): { answer: string } | { error: string } {
  if (result.status !== 'ok') {
    return { error: result.errorMessage ?? `the command ended with status "${result.status}"` };
  }
  const answer = result.output ?? '';
  return answer.trim() === '' ? { error: 'Claude gave an empty answer' } : { answer };
}

/** A shell step passed when it ran and exited 0. */
export function shellPassed(result: InteractionResultInput): boolean {
  return result.status === 'ok' && (result.exitCode ?? 0) === 0;
}

/** The text to show Claude about a failed command, from its output or error. */
export function failureText(result: InteractionResultInput): string {
  const parts = [`exit code: ${result.exitCode ?? 'none'}`];
  if (result.errorMessage) {
    parts.push(`error: ${result.errorMessage}`);
  }
  parts.push(result.output ?? '(no output)');
  return parts.join('\n');
}
