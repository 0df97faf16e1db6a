import type { SessionStatus } from '../../protocol/sharedModel';

export { SESSION_STATUSES, SessionStatusSchema, type SessionStatus } from '../../protocol/sharedModel';

/**
 * The allowed session status transitions — the ONE place they are defined. Every status change
 * in the store goes through {@link assertSessionTransition}.
 *
 * - `active ⇄ paused`; a running session ends as `complete | failed | cancelled`;
 * - `interrupted` is what a session whose runner died (window closed, crash) is found as at the
 *   next start; it can be resumed (`active`) or given up (`failed | cancelled`);
 * - `complete`, `failed` and `cancelled` are terminal;
 * - `planned` (Plan Session) has not started: Start makes it `active`, or it is given up (`cancelled`).
 */
export const SESSION_STATUS_TRANSITIONS: Readonly<Record<SessionStatus, readonly SessionStatus[]>> = {
  active: ['paused', 'interrupted', 'complete', 'failed', 'cancelled'],
  planned: ['active', 'cancelled'],
  paused: ['active', 'interrupted', 'failed', 'cancelled'],
  interrupted: ['active', 'failed', 'cancelled'],
  complete: [],
  failed: [],
  cancelled: [],
};

/** Statuses after which a session never runs again; entering one sets `endedAt`. */
export const TERMINAL_SESSION_STATUSES: readonly SessionStatus[] = ['complete', 'failed', 'cancelled'];

export function isTerminalSessionStatus(status: SessionStatus): boolean {
  return TERMINAL_SESSION_STATUSES.includes(status);
}

export function canTransitionSession(from: SessionStatus, to: SessionStatus): boolean {
  return from === to || SESSION_STATUS_TRANSITIONS[from].includes(to);
}

export class IllegalSessionTransitionError extends Error {
  constructor(
    readonly from: SessionStatus,
    readonly to: SessionStatus,
    readonly sessionId?: string,
  ) {
    const allowed = SESSION_STATUS_TRANSITIONS[from];
    super(
      `Illegal session status transition from "${from}" to "${to}"` +
        (sessionId ? ` (session ${sessionId})` : '') +
        `; from "${from}" a session may go to ${allowed.length ? allowed.map((s) => `"${s}"`).join(', ') : 'nothing (it is terminal)'}.`,
    );
    this.name = 'IllegalSessionTransitionError';
  }
}

/** Throws {@link IllegalSessionTransitionError} (naming both states) unless `from → to` is allowed. Same-status is a no-op. */
export function assertSessionTransition(from: SessionStatus, to: SessionStatus, sessionId?: string): void {
  if (!canTransitionSession(from, to)) {
    throw new IllegalSessionTransitionError(from, to, sessionId);
  }
}
