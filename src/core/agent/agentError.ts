import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from '@anthropic-ai/sdk';
import { describeError } from '../../protocol/describeError';

export type AgentErrorKind =
  | 'auth' // 401, or no key at all
  | 'permission' // 403
  | 'rate_limit' // 429
  | 'overloaded' // 529 / overloaded_error
  | 'server' // other 5xx
  | 'network' // connection refused, DNS, reset
  | 'timeout' // request timed out
  | 'bad_request' // 400, 404, 413, 422
  | 'max_turns' // the step used all its turns
  | 'cli_missing' // `claude` executable not found
  | 'cli_failed' // the CLI exited without a result
  | 'unknown';

/** A failure that ends a Claude step: what happened, what to do, and whether trying later may help. */
export interface AgentError {
  kind: AgentErrorKind;
  message: string;
  /** What the person should do, e.g. `Set Anthropic API Key`. */
  action: string;
  /** True when the same request may succeed later (rate limit, overload, server, network). */
  transient: boolean;
  status?: number;
  requestId?: string;
}

/** What to tell the person, shared by both providers. */
export const ACTIONS = {
  setApiKey: 'Run "Session Ledger: Set Anthropic API Key" and resume the session.',
  waitThenResume: 'Wait, then resume the session; lower the child-session concurrency if this repeats.',
  resumeInMinutes: 'Resume the session in a few minutes.',
  continueOrRaiseTurns: 'Resume the session to continue, or raise the maximum turns per step.',
} as const;

export function agentError(
  kind: AgentErrorKind,
  message: string,
  action: string,
  transient: boolean,
  extra: Pick<AgentError, 'status' | 'requestId'> = {},
): AgentError {
  return { kind, message, action, transient, ...extra };
}

export function missingApiKeyError(): AgentError {
  return agentError('auth', 'No Anthropic API key is set.', ACTIONS.setApiKey, false);
}

export function maxTurnsError(message: string): AgentError {
  return agentError('max_turns', message, ACTIONS.continueOrRaiseTurns, false);
}

export function isAbortError(error: unknown): boolean {
  return error instanceof APIUserAbortError || (error instanceof Error && error.name === 'AbortError');
}

/** Maps an SDK (or network) error to a classified AgentError. Never includes the API key. */
export function classifyAnthropicError(error: unknown, baseURL: string): AgentError {
  if (error instanceof APIConnectionTimeoutError) {
    return agentError('timeout', `The request to Anthropic at ${baseURL} timed out.`, 'Check the network, then resume the session.', true);
  }
  if (error instanceof APIConnectionError) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return agentError(
      'network',
      `Could not reach Anthropic at ${baseURL}${cause}.`,
      'Check the network connection or proxy, then resume the session.',
      true,
    );
  }
  if (error instanceof APIError) return classifyApiError(error);
  const message = describeError(error);
  return agentError('unknown', `Claude step failed: ${message}`, 'See the Session Ledger log for details.', false);
}

function classifyApiError(error: APIError): AgentError {
  const { status } = error;
  const detail = error.apiMessage ?? error.message;
  const extra = { status, requestId: error.requestID ?? undefined };
  const type = error.type ?? errorTypeOf(error.error);
  const statusNote = status ? ` (${status})` : '';
  if (status === 401 || type === 'authentication_error') {
    return agentError('auth', `Anthropic rejected the API key (401): ${detail}`, ACTIONS.setApiKey, false, extra);
  }
  if (status === 403 || type === 'permission_error') {
    const action = 'Check the key\u2019s workspace and model access in the Anthropic Console, or choose another model.';
    return agentError('permission', `The API key may not use this model or resource (403): ${detail}`, action, false, extra);
  }
  if (status === 429 || type === 'rate_limit_error') {
    const retryAfter = error.headers?.get('retry-after');
    const wait = retryAfter ? `; retry after ${retryAfter} s` : '';
    return agentError('rate_limit', `Anthropic rate limit reached (429)${wait}: ${detail}`, ACTIONS.waitThenResume, true, extra);
  }
  if (status === 529 || type === 'overloaded_error') {
    return agentError('overloaded', `Anthropic is overloaded${statusNote}: ${detail}`, ACTIONS.resumeInMinutes, true, extra);
  }
  if ((status !== undefined && status >= 500) || type === 'api_error') {
    const action = 'Resume the session later; check status.anthropic.com if it persists.';
    return agentError('server', `Anthropic server error${statusNote}: ${detail}`, action, true, extra);
  }
  const action = status === 404 ? 'Check the model setting.' : 'Check the model and prompt settings.';
  return agentError('bad_request', `Anthropic rejected the request${statusNote}: ${detail}`, action, false, extra);
}

function errorTypeOf(body: unknown): string | null {
  if (typeof body !== 'object' || body === null) return null;
  const inner = (body as { error?: { type?: unknown } }).error;
  return typeof inner?.type === 'string' ? inner.type : null;
}
