import { z } from 'zod';
import type { SessionStatus } from './sharedModel';

/** What the timeline header can do to its session; each runs the extension's command of the same name. */
export const SESSION_ACTIONS = ['start', 'nextStep', 'pause', 'resume', 'complete', 'cancel', 'followUp'] as const;
export const SessionActionSchema = z.enum(SESSION_ACTIONS);
export type SessionAction = z.infer<typeof SessionActionSchema>;

/** The statuses each action applies to (the same rules as the status bar's Session Actions menu). */
export const sessionActionStatuses: Readonly<Record<SessionAction, readonly SessionStatus[]>> = {
  /** Start Session: a planned session becomes active. */
  start: ['planned'],
  nextStep: ['active'],
  pause: ['active'],
  resume: ['paused', 'interrupted'],
  /** Complete Session (with its outcome): wherever Cancel applies. */
  complete: ['active', 'paused', 'interrupted'],
  cancel: ['active', 'paused', 'interrupted', 'planned'],
  /** Start Follow-up Session: once a session has ended. */
  followUp: ['complete', 'failed', 'cancelled'],
};

/** The actions that apply to a session with this status, in the order the header shows them. */
export function sessionActionsFor(status: SessionStatus): SessionAction[] {
  return SESSION_ACTIONS.filter((action) => sessionActionStatuses[action].includes(status));
}
