-- The full-text indexes of events and interactions read their text from the rows themselves
-- (FTS4 external content) instead of keeping a second copy of it: 0002's tables stored every
-- payload, command and output twice, about a third of a large store's file (which is loaded
-- whole, snapshotted whole and copied whole as it grows). Search, snippets and per-session
-- search work as before.
-- FTS4 reads an external-content row by column name, so the one-token session key 0002 indexed
-- becomes a virtual generated column (computed when read, never stored).
-- An external-content index must drop a row's terms BEFORE the row changes or goes (it reads the
-- old text to know which terms to remove), and add them AFTER it is written.
-- Never edit this file once shipped: add a new numbered migration.

DROP TRIGGER search_events_insert;
DROP TRIGGER search_events_update;
DROP TRIGGER search_events_delete;
DROP TABLE search_events;
DROP TRIGGER search_interactions_insert;
DROP TRIGGER search_interactions_update;
DROP TRIGGER search_interactions_delete;
DROP TABLE search_interactions;

ALTER TABLE events ADD COLUMN session_key TEXT GENERATED ALWAYS AS ('s' || replace(session_id, '-', '')) VIRTUAL;
ALTER TABLE interactions ADD COLUMN session_key TEXT GENERATED ALWAYS AS ('s' || replace(session_id, '-', '')) VIRTUAL;

CREATE VIRTUAL TABLE search_events USING fts4(content="events", session_key, type, tool_name, payload, tokenize=unicode61 "remove_diacritics=2");
CREATE VIRTUAL TABLE search_interactions USING fts4(content="interactions", session_key, command, output, error_message, tokenize=unicode61 "remove_diacritics=2");

CREATE TRIGGER search_events_after_insert AFTER INSERT ON events BEGIN
  INSERT INTO search_events (docid, session_key, type, tool_name, payload)
  VALUES (new.rowid, 's' || replace(new.session_id, '-', ''), new.type, new.tool_name, new.payload);
END;
CREATE TRIGGER search_events_before_update BEFORE UPDATE OF session_id, type, tool_name, payload ON events BEGIN
  DELETE FROM search_events WHERE docid = old.rowid;
END;
CREATE TRIGGER search_events_after_update AFTER UPDATE OF session_id, type, tool_name, payload ON events BEGIN
  INSERT INTO search_events (docid, session_key, type, tool_name, payload)
  VALUES (new.rowid, 's' || replace(new.session_id, '-', ''), new.type, new.tool_name, new.payload);
END;
CREATE TRIGGER search_events_before_delete BEFORE DELETE ON events BEGIN
  DELETE FROM search_events WHERE docid = old.rowid;
END;

CREATE TRIGGER search_interactions_after_insert AFTER INSERT ON interactions BEGIN
  INSERT INTO search_interactions (docid, session_key, command, output, error_message)
  VALUES (new.rowid, 's' || replace(new.session_id, '-', ''), new.command, new.output, new.error_message);
END;
CREATE TRIGGER search_interactions_before_update BEFORE UPDATE OF session_id, command, output, error_message ON interactions BEGIN
  DELETE FROM search_interactions WHERE docid = old.rowid;
END;
CREATE TRIGGER search_interactions_after_update AFTER UPDATE OF session_id, command, output, error_message ON interactions BEGIN
  INSERT INTO search_interactions (docid, session_key, command, output, error_message)
  VALUES (new.rowid, 's' || replace(new.session_id, '-', ''), new.command, new.output, new.error_message);
END;
CREATE TRIGGER search_interactions_before_delete BEFORE DELETE ON interactions BEGIN
  DELETE FROM search_interactions WHERE docid = old.rowid;
END;

INSERT INTO search_events (search_events) VALUES ('rebuild');
INSERT INTO search_interactions (search_interactions) VALUES ('rebuild');
