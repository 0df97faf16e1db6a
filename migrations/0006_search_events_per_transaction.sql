-- Events are indexed for search by one statement at the end of each transaction that added events
-- (the store runs it, and runs it again when it replays the transaction from its journal; see
-- LedgerDatabase.indexEventsFrom), no longer by a trigger per row. FTS4 flushes its pending terms into a new index segment at every statement
-- savepoint, so the trigger wrote (and later merged) one segment per event; one INSERT … SELECT per
-- transaction writes one segment for the whole transaction.
--
-- An event is indexed exactly when it has a row in search_events_docsize (FTS4 writes it with the
-- event's terms). The triggers below keep indexed events in step when they change; an event added
-- in the current transaction is indexed, as it is then, at the transaction's end (or by the update
-- trigger if it changes first: the end-of-transaction statement skips events already indexed).
DROP TRIGGER search_events_after_insert;
DROP TRIGGER search_events_before_update;
DROP TRIGGER search_events_after_update;
DROP TRIGGER search_events_before_delete;

CREATE TRIGGER search_events_before_update BEFORE UPDATE OF session_id, type, tool_name, payload ON events
WHEN EXISTS (SELECT 1 FROM search_events_docsize WHERE docid = old.rowid) BEGIN
  DELETE FROM search_events WHERE docid = old.rowid;
END;
CREATE TRIGGER search_events_after_update AFTER UPDATE OF session_id, type, tool_name, payload ON events
WHEN NOT EXISTS (SELECT 1 FROM search_events_docsize WHERE docid = new.rowid) BEGIN
  INSERT INTO search_events (docid, session_key, type, tool_name, payload)
  VALUES (new.rowid, 's' || replace(new.session_id, '-', ''), new.type, new.tool_name, new.payload);
END;
CREATE TRIGGER search_events_before_delete BEFORE DELETE ON events
WHEN EXISTS (SELECT 1 FROM search_events_docsize WHERE docid = old.rowid) BEGIN
  DELETE FROM search_events WHERE docid = old.rowid;
END;
