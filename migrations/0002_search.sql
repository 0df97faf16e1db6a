-- Full-text search over sessions, interactions and events (issue 7, "Search").
-- The shipped sql.js build has FTS3/FTS4 but not FTS5, so this uses FTS4.
-- One FTS4 table per source table; docid = the source row's rowid, so triggers keep each index
-- in sync inside the same transaction as the write (the store code does not change).
-- `session_key` ('s' + the session id without dashes, one token) lets a search within one
-- session intersect doclists instead of filtering every match of a common word.
-- Never edit this file once shipped: add a new numbered migration.

CREATE VIRTUAL TABLE search_sessions USING fts4(title, intention, summary, tokenize=unicode61 "remove_diacritics=2");
CREATE VIRTUAL TABLE search_interactions USING fts4(session_key, command, output, error_message, tokenize=unicode61 "remove_diacritics=2");
CREATE VIRTUAL TABLE search_events USING fts4(session_key, type, tool_name, payload, tokenize=unicode61 "remove_diacritics=2");

CREATE TRIGGER search_sessions_insert AFTER INSERT ON sessions BEGIN
  INSERT INTO search_sessions (docid, title, intention, summary)
  VALUES (new.rowid, new.title, new.intention, coalesce(new.summary, ''));
END;
CREATE TRIGGER search_sessions_update AFTER UPDATE OF title, intention, summary ON sessions BEGIN
  DELETE FROM search_sessions WHERE docid = old.rowid;
  INSERT INTO search_sessions (docid, title, intention, summary)
  VALUES (new.rowid, new.title, new.intention, coalesce(new.summary, ''));
END;
CREATE TRIGGER search_sessions_delete AFTER DELETE ON sessions BEGIN
  DELETE FROM search_sessions WHERE docid = old.rowid;
END;

CREATE TRIGGER search_interactions_insert AFTER INSERT ON interactions BEGIN
  INSERT INTO search_interactions (docid, session_key, command, output, error_message)
  VALUES (new.rowid, 's' || replace(new.session_id, '-', ''), new.command, coalesce(new.output, ''), coalesce(new.error_message, ''));
END;
CREATE TRIGGER search_interactions_update AFTER UPDATE OF command, output, error_message ON interactions BEGIN
  DELETE FROM search_interactions WHERE docid = old.rowid;
  INSERT INTO search_interactions (docid, session_key, command, output, error_message)
  VALUES (new.rowid, 's' || replace(new.session_id, '-', ''), new.command, coalesce(new.output, ''), coalesce(new.error_message, ''));
END;
CREATE TRIGGER search_interactions_delete AFTER DELETE ON interactions BEGIN
  DELETE FROM search_interactions WHERE docid = old.rowid;
END;

CREATE TRIGGER search_events_insert AFTER INSERT ON events BEGIN
  INSERT INTO search_events (docid, session_key, type, tool_name, payload)
  VALUES (new.rowid, 's' || replace(new.session_id, '-', ''), new.type, coalesce(new.tool_name, ''), new.payload);
END;
CREATE TRIGGER search_events_update AFTER UPDATE OF type, tool_name, payload ON events BEGIN
  DELETE FROM search_events WHERE docid = old.rowid;
  INSERT INTO search_events (docid, session_key, type, tool_name, payload)
  VALUES (new.rowid, 's' || replace(new.session_id, '-', ''), new.type, coalesce(new.tool_name, ''), new.payload);
END;
CREATE TRIGGER search_events_delete AFTER DELETE ON events BEGIN
  DELETE FROM search_events WHERE docid = old.rowid;
END;

INSERT INTO search_sessions (docid, title, intention, summary)
  SELECT rowid, title, intention, coalesce(summary, '') FROM sessions;
INSERT INTO search_interactions (docid, session_key, command, output, error_message)
  SELECT rowid, 's' || replace(session_id, '-', ''), command, coalesce(output, ''), coalesce(error_message, '') FROM interactions;
INSERT INTO search_events (docid, session_key, type, tool_name, payload)
  SELECT rowid, 's' || replace(session_id, '-', ''), type, coalesce(tool_name, ''), payload FROM events;
