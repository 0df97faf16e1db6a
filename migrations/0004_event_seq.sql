-- The last event seq claimed per session, kept apart from event_count (the number of events, as
-- the UI shows it). Retention pruning and ledger import lower or recount event_count, so claiming
-- the next seq as event_count + 1 could collide with a surviving event; claiming it as
-- last_event_seq + 1 never does, and never reuses a pruned event's seq (a reader paging with
-- "after" misses nothing). Never edit this file once shipped: add a new numbered migration.

ALTER TABLE sessions ADD COLUMN last_event_seq INTEGER NOT NULL DEFAULT 0;
UPDATE sessions SET
  last_event_seq = max(event_count, coalesce((SELECT max(seq) FROM events WHERE events.session_id = sessions.id), 0)),
  event_count = (SELECT count(*) FROM events WHERE events.session_id = sessions.id);
