-- A run whose model has no known price keeps its tokens and says its cost is unknown, instead of
-- a made-up 0; a session with such a run says its total is a lower bound.
ALTER TABLE runs ADD COLUMN cost_unknown INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN cost_unknown INTEGER NOT NULL DEFAULT 0;
