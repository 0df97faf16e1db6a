-- Follow-ups, planned sessions and tags (issue 15 items 4, 5, 7).
--
-- sessions.follows_session_id: the session this one follows up (Start Follow-up Session): a chain
-- of previous/next sessions, separate from parent/child. NULL for a session that follows none.
-- sessions.scheduled_at: when a planned session is meant to start (epoch ms), or NULL.
-- sessions.expected_minutes: how long the person expects the session to take, or NULL.
-- sessions.started_at: when the session became active (its creation, or Start of a planned
-- session); NULL while planned. The actual duration is ended_at - started_at.
-- Tags were already kept (sessions.tags, JSON array); search_session_tags indexes them for search.
-- Never edit this file once shipped: add a new numbered migration.
ALTER TABLE sessions ADD COLUMN follows_session_id TEXT REFERENCES sessions(id);
ALTER TABLE sessions ADD COLUMN scheduled_at INTEGER;
ALTER TABLE sessions ADD COLUMN expected_minutes INTEGER;
ALTER TABLE sessions ADD COLUMN started_at INTEGER;
UPDATE sessions SET started_at = created_at;
CREATE INDEX sessions_follows ON sessions(follows_session_id);

-- The tags' JSON text is indexed as it is (the tokenizer drops the brackets, quotes and commas),
-- read from the row (external content) like 0005's indexes.
CREATE VIRTUAL TABLE search_session_tags USING fts4(content="sessions", tags, tokenize=unicode61 "remove_diacritics=2");
CREATE TRIGGER search_session_tags_after_insert AFTER INSERT ON sessions BEGIN
  INSERT INTO search_session_tags (docid, tags) VALUES (new.rowid, new.tags);
END;
CREATE TRIGGER search_session_tags_before_update BEFORE UPDATE OF tags ON sessions BEGIN
  DELETE FROM search_session_tags WHERE docid = old.rowid;
END;
CREATE TRIGGER search_session_tags_after_update AFTER UPDATE OF tags ON sessions BEGIN
  INSERT INTO search_session_tags (docid, tags) VALUES (new.rowid, new.tags);
END;
CREATE TRIGGER search_session_tags_before_delete BEFORE DELETE ON sessions BEGIN
  DELETE FROM search_session_tags WHERE docid = old.rowid;
END;
INSERT INTO search_session_tags (search_session_tags) VALUES ('rebuild');
