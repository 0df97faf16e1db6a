import type { CommandKind, ResultStatus, SessionStatus } from '../protocol/sharedModel';
import type { SessionAction } from '../protocol/sessionActions';

/** Codicon and label of each command kind. */
export const kindPresentation: Record<CommandKind, { icon: string; label: string }> = {
  shell: { icon: 'terminal', label: 'Shell' },
  claude: { icon: 'sparkle', label: 'Claude' },
  spawn_sessions: { icon: 'type-hierarchy-sub', label: 'Spawn' },
};

/** Codicon of each result status (the CSS colours them by `status-<name>`). */
export const resultPresentation: Record<ResultStatus, { icon: string; label: string }> = {
  pending: { icon: 'loading codicon-modifier-spin', label: 'Running' },
  ok: { icon: 'pass', label: 'OK' },
  error: { icon: 'error', label: 'Error' },
  cancelled: { icon: 'circle-slash', label: 'Cancelled' },
  interrupted: { icon: 'warning', label: 'Interrupted' },
};

export const sessionStatusPresentation: Record<SessionStatus, { icon: string; label: string }> = {
  active: { icon: 'play-circle', label: 'Active' },
  paused: { icon: 'debug-pause', label: 'Paused' },
  interrupted: { icon: 'warning', label: 'Interrupted' },
  complete: { icon: 'pass', label: 'Complete' },
  failed: { icon: 'error', label: 'Failed' },
  cancelled: { icon: 'circle-slash', label: 'Cancelled' },
};

/** Codicon, label and spoken description of each session action button in the header. */
export const sessionActionPresentation: Record<SessionAction, { icon: string; label: string; description: string }> = {
  nextStep: { icon: 'debug-continue', label: 'Next Step', description: 'Run the next step of this session' },
  pause: { icon: 'debug-pause', label: 'Pause', description: 'Pause this session' },
  resume: { icon: 'debug-start', label: 'Resume', description: 'Resume this session' },
  complete: { icon: 'pass', label: 'Complete', description: 'Complete this session and record its outcome' },
  cancel: { icon: 'debug-stop', label: 'Cancel', description: 'Cancel this session (asks first)' },
};
