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
  /** Check Progress: `{ progress, previous }` (each criterion met / not met / unknown with its evidence). */
  progressChecked: 'session.progress_checked',
  /** A review gate waits: `{ step, seq, artifactKeys }`. */
  reviewRequested: 'review.requested',
  /** `{ step, seq, artifactKeys, by }`. */
  reviewApproved: 'review.approved',
  /** `{ step, seq, artifactKeys, by, comment }`: the step is asked again with the comment. */
  reviewChangesRequested: 'review.changes_requested',
  /** Tags added or removed: `{ before, after, added, removed }`. */
  tagsChanged: 'session.tags_changed',
  /** Plan Session: `{ type, scheduledAt, expectedMinutes, followsSessionId }` (the session waits to be started). */
  sessionPlanned: 'session.planned',
} as const;

export type EngineEventType = (typeof ENGINE_EVENT)[keyof typeof ENGINE_EVENT];
