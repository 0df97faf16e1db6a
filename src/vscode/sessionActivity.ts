import type { Session } from '../core/model/session';
import type * as vscode from 'vscode';
import { englishL10n } from './plainL10n';

/**
 * What a session asks of the person right now. The status bar (the active session) and the
 * Sessions view's badge (every session) both derive it here, so they never disagree.
 *
 * - `running`: a step runs now — a manual step in the terminal, or an agentic loop (which is
 *   busy from its first step to its last, between steps too);
 * - `waiting`: the session is `active` but nothing runs it: a manual session waits for Next Step,
 *   an agentic one for the input it asked for (or for Resume after its loop stopped);
 * - `planned`: not started yet (Start Session makes it active); it asks nothing of the person now;
 * - `paused`, `interrupted`: set aside (by the person, or by a crash; the start-up prompt offers
 *   to resume those);
 * - `ended`: complete, failed or cancelled.
 */
export type SessionActivity = 'running' | 'waiting' | 'planned' | 'paused' | 'interrupted' | 'ended';

export function sessionActivity(session: Pick<Session, 'id' | 'status'>, isRunning: (sessionId: string) => boolean): SessionActivity {
  if (isRunning(session.id)) return 'running';
  switch (session.status) {
    case 'active':
      return 'waiting';
    case 'planned':
      return 'planned';
    case 'paused':
      return 'paused';
    case 'interrupted':
      return 'interrupted';
    case 'complete':
    case 'failed':
    case 'cancelled':
      return 'ended';
  }
}

/** Sessions that are running or waiting for the person: what the view's badge counts. */
export interface ActivityCounts {
  readonly running: number;
  readonly waiting: number;
}

/**
 * Counts the running and waiting sessions among `sessions` (each once, by id). Callers pass every
 * `active` session plus the status bar's one, so a session the status bar shows as running or
 * waiting is always in the count.
 */
export function countActivity(
  sessions: Iterable<Pick<Session, 'id' | 'status'>>,
  isRunning: (sessionId: string) => boolean,
): ActivityCounts {
  const seen = new Set<string>();
  let running = 0;
  let waiting = 0;
  for (const session of sessions) {
    if (seen.has(session.id)) continue;
    seen.add(session.id);
    const activity = sessionActivity(session, isRunning);
    if (activity === 'running') running++;
    else if (activity === 'waiting') waiting++;
  }
  return { running, waiting };
}

export interface BadgeView {
  readonly value: number;
  readonly tooltip: string;
}

/** The Sessions view's badge; undefined (no badge) when nothing runs or waits. */
export function presentBadge(counts: ActivityCounts, l10n: Pick<typeof vscode.l10n, 't'> = englishL10n): BadgeView | undefined {
  const value = counts.running + counts.waiting;
  if (value === 0) return undefined;
  const parts: string[] = [];
  if (counts.running > 0) parts.push(l10n.t('{0} running', counts.running));
  if (counts.waiting > 0) parts.push(l10n.t('{0} waiting for you', counts.waiting));
  const sessions = value === 1 ? l10n.t('1 session') : l10n.t('{0} sessions', value);
  return { value, tooltip: l10n.t('{0}: {1}', sessions, parts.join(', ')) };
}
