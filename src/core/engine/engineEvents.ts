/** Event types the engine appends to a session's log. */
export const ENGINE_EVENT = {
  sessionStarted: 'session.started',
  statusChanged: 'status.changed',
  phaseChanged: 'phase.changed',
  commandIssued: 'command.issued',
  resultRecorded: 'result.recorded',
  artifactRecorded: 'artifact.recorded',
  childrenSpawned: 'children.spawned',
  summaryRecorded: 'summary.recorded',
  /** Edit Goal: `{ before, after, fields }` (the goal fields, and the names of those that changed). */
  goalEdited: 'session.goal_edited',
  /** Complete Session, or Claude's proposal at the end: `{ summary, outcome, previous }`. */
  outcomeRecorded: 'session.outcome_recorded',
} as const;

export type EngineEventType = (typeof ENGINE_EVENT)[keyof typeof ENGINE_EVENT];
