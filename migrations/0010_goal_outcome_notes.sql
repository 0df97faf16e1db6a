-- Goals you can track (issue 15): the rest of a session's goal, its outcome, and notes people flag.
--
-- sessions.completion_criteria: JSON array of strings, like success_criteria (when the session is
-- done, as opposed to whether it went well). sessions.procedure_notes: free text on how to work.
-- The outcome (recorded by Complete Session, or proposed by Claude at the end of an agentic
-- session): outcome_at is NULL until there is one; rating 1-5, completion percent 0-100,
-- needs_follow_up 0/1, follow-up notes and the suggested next session as text, and who recorded it
-- ('person' or 'claude'). The summary stays in sessions.summary.
-- notes.important / notes.follow_up: flags a person sets on a note (0/1).
ALTER TABLE sessions ADD COLUMN completion_criteria TEXT NOT NULL DEFAULT '[]';
ALTER TABLE sessions ADD COLUMN procedure_notes TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN outcome_rating INTEGER;
ALTER TABLE sessions ADD COLUMN outcome_completion_percent INTEGER;
ALTER TABLE sessions ADD COLUMN outcome_needs_follow_up INTEGER;
ALTER TABLE sessions ADD COLUMN outcome_follow_up_notes TEXT;
ALTER TABLE sessions ADD COLUMN outcome_next_session TEXT;
ALTER TABLE sessions ADD COLUMN outcome_recorded_by TEXT;
ALTER TABLE sessions ADD COLUMN outcome_at INTEGER;

ALTER TABLE notes ADD COLUMN important INTEGER NOT NULL DEFAULT 0;
ALTER TABLE notes ADD COLUMN follow_up INTEGER NOT NULL DEFAULT 0;
