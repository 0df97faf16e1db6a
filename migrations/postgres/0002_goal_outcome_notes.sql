-- The goal and outcome fields of local migration 0010_goal_outcome_notes.sql, so they replicate:
-- sessions.completion_criteria (JSON array text), procedure_notes, the outcome (outcome_at NULL
-- until one is recorded; rating 1-5, completion percent 0-100, needs_follow_up 0/1, follow-up
-- notes, the suggested next session, who recorded it: 'person' or 'claude'), and the flags a
-- person sets on a note (important, follow_up: 0/1). Same representation as the local ledger.
-- Existing rows get the local defaults. The row-level-security policies and grants of 0001 cover
-- the new columns (they are per row and per table).
ALTER TABLE sessions
  ADD COLUMN completion_criteria        TEXT NOT NULL DEFAULT '[]',
  ADD COLUMN procedure_notes            TEXT NOT NULL DEFAULT '',
  ADD COLUMN outcome_rating             INTEGER,
  ADD COLUMN outcome_completion_percent INTEGER,
  ADD COLUMN outcome_needs_follow_up    INTEGER,
  ADD COLUMN outcome_follow_up_notes    TEXT,
  ADD COLUMN outcome_next_session       TEXT,
  ADD COLUMN outcome_recorded_by        TEXT,
  ADD COLUMN outcome_at                 BIGINT;

ALTER TABLE notes
  ADD COLUMN important INTEGER NOT NULL DEFAULT 0,
  ADD COLUMN follow_up INTEGER NOT NULL DEFAULT 0;

-- For pulls bounded by age (the replicator's pullMaxAgeDays: sessions updated since a time).
CREATE INDEX sessions_project_updated ON sessions(project_id, updated_at);

-- A pull pages through rows in (tx_id, id) order from a keyset position: with an index on both,
-- each page reads only its own rows (on tx_id alone every page re-read everything after the
-- cursor, evaluating the row-level-security check on each: catch-up slowed down with size).
DO $$
DECLARE t TEXT;
BEGIN
  FOREACH t IN ARRAY ARRAY['sessions', 'interactions', 'events', 'runs', 'conversations', 'artifacts', 'notes'] LOOP
    EXECUTE format('DROP INDEX IF EXISTS %I', t || '_tx');
    EXECUTE format('CREATE INDEX %I ON %I (tx_id, id)', t || '_tx_id', t);
  END LOOP;
END $$;
