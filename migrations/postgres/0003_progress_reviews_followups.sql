-- The columns of local migrations 0011_progress_reviews_phases.sql and 0012_followups_plans_tags.sql,
-- so they replicate: a session's latest Check Progress (JSON text), the session it follows up,
-- when a planned session is meant to start, how long it is expected to take and when it started;
-- artifacts' review state (who decided, when, the comment); the phase a run served and the model
-- alias asked for. Same representation as the local ledger (times: integer milliseconds).
-- follows_session_id has no foreign key here (like parent_session_id): the session followed may
-- not be shared.
ALTER TABLE sessions
  ADD COLUMN progress           TEXT,
  ADD COLUMN follows_session_id TEXT,
  ADD COLUMN scheduled_at       BIGINT,
  ADD COLUMN expected_minutes   INTEGER,
  ADD COLUMN started_at         BIGINT;
UPDATE sessions SET started_at = created_at;

ALTER TABLE artifacts
  ADD COLUMN review_state   TEXT,
  ADD COLUMN reviewed_by    TEXT,
  ADD COLUMN reviewed_at    BIGINT,
  ADD COLUMN review_comment TEXT;

ALTER TABLE runs
  ADD COLUMN phase       TEXT,
  ADD COLUMN model_alias TEXT;
