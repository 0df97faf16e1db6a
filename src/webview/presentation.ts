import type { CommandKind, ResultStatus, SessionStatus } from '../protocol/sharedModel';
import { sessionStatusIcon } from '../protocol/presentation';
import type { SessionAction } from '../protocol/sessionActions';
import type { TimelineString } from '../protocol/webviewStrings';

/*
 * Labels are keys of the page's strings (the English message): show them with `t(label)`, the
 * text the extension translated.
 */

/** Codicon and label of each command kind. */
export const kindPresentation: Record<CommandKind, { icon: string; label: TimelineString }> = {
  shell: { icon: 'terminal', label: 'Shell' },
  claude: { icon: 'sparkle', label: 'Claude' },
  spawn_sessions: { icon: 'type-hierarchy-sub', label: 'Spawn' },
};

/** Codicon of each result status (the CSS colours them by `status-<name>`). */
export const resultPresentation: Record<ResultStatus, { icon: string; label: TimelineString }> = {
  pending: { icon: 'loading codicon-modifier-spin', label: 'Running' },
  ok: { icon: 'pass', label: 'OK' },
  error: { icon: 'error', label: 'Error' },
  cancelled: { icon: 'circle-slash', label: 'Cancelled' },
  interrupted: { icon: 'warning', label: 'Interrupted' },
};

/** Codicon (the one the extension shows too) and label of each session status. */
export const sessionStatusPresentation: Record<SessionStatus, { icon: string; label: TimelineString }> = {
  active: { icon: sessionStatusIcon.active.icon, label: 'Active' },
  planned: { icon: sessionStatusIcon.planned.icon, label: 'Planned' },
  paused: { icon: sessionStatusIcon.paused.icon, label: 'Paused' },
  interrupted: { icon: sessionStatusIcon.interrupted.icon, label: 'Interrupted' },
  complete: { icon: sessionStatusIcon.complete.icon, label: 'Complete' },
  failed: { icon: sessionStatusIcon.failed.icon, label: 'Failed' },
  cancelled: { icon: sessionStatusIcon.cancelled.icon, label: 'Cancelled' },
};

/** Codicon, label and spoken description of each session action button in the header. */
export const sessionActionPresentation: Record<SessionAction, { icon: string; label: TimelineString; description: TimelineString }> = {
  start: { icon: 'play', label: 'Start', description: 'Start this planned session' },
  nextStep: { icon: 'debug-continue', label: 'Next Step', description: 'Run the next step of this session' },
  pause: { icon: 'debug-pause', label: 'Pause', description: 'Pause this session' },
  resume: { icon: 'debug-start', label: 'Resume', description: 'Resume this session' },
  complete: { icon: 'pass', label: 'Complete', description: 'Complete this session and record its outcome' },
  cancel: { icon: 'debug-stop', label: 'Cancel', description: 'Cancel this session (asks first)' },
  followUp: { icon: 'arrow-right', label: 'Start Follow-up', description: 'Start a follow-up session from its suggested next session' },
};
