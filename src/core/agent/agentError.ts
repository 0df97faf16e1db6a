import {
	APIConnectionError,
	APIConnectionTimeoutError,
	APIError,
	APIUserAbortError,
} from '@anthropic-ai/sdk';

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

export const SET_API_KEY_ACTION = 'Run "Session Ledger: Set Anthropic API Key" and resume the session.';

export function missingApiKeyError(): AgentError {
	return { kind: 'auth', message: 'No Anthropic API key is set.', action: SET_API_KEY_ACTION, transient: false };
}

export function isAbortError(error: unknown): boolean {
	return error instanceof APIUserAbortError || (error instanceof Error && error.name === 'AbortError');
}

/** Maps an SDK (or network) error to a classified AgentError. Never includes the API key. */
export function classifyAnthropicError(error: unknown, baseURL: string): AgentError {
	if (error instanceof APIConnectionTimeoutError) {
		return {
			kind: 'timeout',
			message: `The request to Anthropic at ${baseURL} timed out.`,
			action: 'Check the network, then resume the session.',
			transient: true,
		};
	}
	if (error instanceof APIConnectionError) {
		const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
		return {
			kind: 'network',
			message: `Could not reach Anthropic at ${baseURL}${cause}.`,
			action: 'Check the network connection or proxy, then resume the session.',
			transient: true,
		};
	}
	if (error instanceof APIError) {
		const detail = error.apiMessage ?? error.message;
		const requestId = error.requestID ?? undefined;
		const base = { status: error.status, requestId };
		const type = error.type ?? errorTypeOf(error.error);
		if (error.status === 401 || type === 'authentication_error') {
			return { ...base, kind: 'auth', message: `Anthropic rejected the API key (401): ${detail}`, action: SET_API_KEY_ACTION, transient: false };
		}
		if (error.status === 403 || type === 'permission_error') {
			return {
				...base,
				kind: 'permission',
				message: `The API key may not use this model or resource (403): ${detail}`,
				action: 'Check the key\u2019s workspace and model access in the Anthropic Console, or choose another model.',
				transient: false,
			};
		}
		if (error.status === 429 || type === 'rate_limit_error') {
			const retryAfter = error.headers?.get('retry-after');
			return {
				...base,
				kind: 'rate_limit',
				message: `Anthropic rate limit reached (429)${retryAfter ? `; retry after ${retryAfter} s` : ''}: ${detail}`,
				action: 'Wait, then resume the session; lower the child-session concurrency if this repeats.',
				transient: true,
			};
		}
		if (error.status === 529 || type === 'overloaded_error') {
			return {
				...base,
				kind: 'overloaded',
				message: `Anthropic is overloaded${error.status ? ` (${error.status})` : ''}: ${detail}`,
				action: 'Resume the session in a few minutes.',
				transient: true,
			};
		}
		if ((error.status !== undefined && error.status >= 500) || type === 'api_error') {
			return {
				...base,
				kind: 'server',
				message: `Anthropic server error${error.status ? ` (${error.status})` : ''}: ${detail}`,
				action: 'Resume the session later; check status.anthropic.com if it persists.',
				transient: true,
			};
		}
		if (error.status !== undefined && error.status >= 400) {
			return {
				...base,
				kind: 'bad_request',
				message: `Anthropic rejected the request (${error.status}): ${detail}`,
				action: error.status === 404 ? 'Check the model setting.' : 'Check the model and prompt settings.',
				transient: false,
			};
		}
	}
	const message = error instanceof Error ? error.message : String(error);
	return { kind: 'unknown', message: `Claude step failed: ${message}`, action: 'See the Session Ledger log for details.', transient: false };
}

function errorTypeOf(body: unknown): string | null {
	if (typeof body !== 'object' || body === null) return null;
	const inner = (body as { error?: { type?: unknown } }).error;
	return typeof inner?.type === 'string' ? inner.type : null;
}
