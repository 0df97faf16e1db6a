-- Progress you can check, review gates and agents per phase (issue 15 items 2, 10 and 8).
--
-- sessions.progress: the latest Check Progress, as JSON (NULL until the first check):
--   { "checkedAt": ms, "checkedBy": "person" | "claude",
--     "criteria": [{ "kind": "success" | "completion", "criterion": text,
--                    "status": "met" | "not_met" | "unknown", "evidence": text }] }
-- Every check is also a `session.progress_checked` event (the history; searchable through the event index).
--
-- artifacts.review_state: NULL for an artifact that needs no review; 'provisional' while a review
-- gate waits on it, then 'approved' or 'changes_requested'. reviewed_by / reviewed_at say who
-- decided and when; review_comment is what a person asked to change (it goes into the next prompt).
--
-- runs.phase: the phase (agent type) the run served: spec, plan, build, docs, research, fix, a
-- workflow step id… runs.model_alias: the model asked for (a step's `model`, the setting), where
-- runs.model is the model that answered.
ALTER TABLE sessions ADD COLUMN progress TEXT;

ALTER TABLE artifacts ADD COLUMN review_state TEXT;
ALTER TABLE artifacts ADD COLUMN reviewed_by TEXT;
ALTER TABLE artifacts ADD COLUMN reviewed_at INTEGER;
ALTER TABLE artifacts ADD COLUMN review_comment TEXT;

ALTER TABLE runs ADD COLUMN phase TEXT;
ALTER TABLE runs ADD COLUMN model_alias TEXT;
