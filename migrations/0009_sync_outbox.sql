-- Team ledger (src/core/sync): ownership of sessions and change capture for replication.
--
-- sessions.owner_person / owner_machine: who made a session pulled from the team server (NULL on
-- sessions made here: this ledger's own person and machine own them). sessions.sync_origin is NULL
-- for a session made here and 'pulled' for a read-only copy of someone else's; the store refuses
-- every repository write to a pulled session. sessions.shared marks a session for the "only
-- sessions marked Share" sharing choice.
--
-- sync_outbox: one row per inserted or updated row of a session made here, written by the triggers
-- below in the same transaction as the change (the store journals SQL statements and replays them,
-- so the triggers fire identically on replay). The replicator reads it in id order, pushes the
-- rows' current values and deletes the outbox rows only once the server has committed them.
-- Nothing is captured until the replicator turns capture on (ledger_meta key 'sync.capture'),
-- so a ledger that does not share keeps no outbox.
ALTER TABLE sessions ADD COLUMN owner_person TEXT;
ALTER TABLE sessions ADD COLUMN owner_machine TEXT;
ALTER TABLE sessions ADD COLUMN sync_origin TEXT;
ALTER TABLE sessions ADD COLUMN shared INTEGER NOT NULL DEFAULT 0;

CREATE TABLE sync_outbox (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  table_name TEXT NOT NULL,
  row_id     TEXT NOT NULL,
  session_id TEXT NOT NULL
);

CREATE TRIGGER sync_outbox_sessions_insert AFTER INSERT ON sessions
WHEN new.sync_origin IS NULL AND EXISTS (SELECT 1 FROM ledger_meta WHERE key = 'sync.capture') BEGIN
  INSERT INTO sync_outbox (table_name, row_id, session_id) VALUES ('sessions', new.id, new.id);
END;
CREATE TRIGGER sync_outbox_sessions_update AFTER UPDATE ON sessions
WHEN new.sync_origin IS NULL AND EXISTS (SELECT 1 FROM ledger_meta WHERE key = 'sync.capture') BEGIN
  INSERT INTO sync_outbox (table_name, row_id, session_id) VALUES ('sessions', new.id, new.id);
END;

CREATE TRIGGER sync_outbox_interactions_insert AFTER INSERT ON interactions
WHEN EXISTS (SELECT 1 FROM ledger_meta WHERE key = 'sync.capture') AND (SELECT sync_origin FROM sessions WHERE id = new.session_id) IS NULL BEGIN
  INSERT INTO sync_outbox (table_name, row_id, session_id) VALUES ('interactions', new.id, new.session_id);
END;
CREATE TRIGGER sync_outbox_interactions_update AFTER UPDATE ON interactions
WHEN EXISTS (SELECT 1 FROM ledger_meta WHERE key = 'sync.capture') AND (SELECT sync_origin FROM sessions WHERE id = new.session_id) IS NULL BEGIN
  INSERT INTO sync_outbox (table_name, row_id, session_id) VALUES ('interactions', new.id, new.session_id);
END;

CREATE TRIGGER sync_outbox_events_insert AFTER INSERT ON events
WHEN EXISTS (SELECT 1 FROM ledger_meta WHERE key = 'sync.capture') AND (SELECT sync_origin FROM sessions WHERE id = new.session_id) IS NULL BEGIN
  INSERT INTO sync_outbox (table_name, row_id, session_id) VALUES ('events', new.id, new.session_id);
END;
CREATE TRIGGER sync_outbox_events_update AFTER UPDATE ON events
WHEN EXISTS (SELECT 1 FROM ledger_meta WHERE key = 'sync.capture') AND (SELECT sync_origin FROM sessions WHERE id = new.session_id) IS NULL BEGIN
  INSERT INTO sync_outbox (table_name, row_id, session_id) VALUES ('events', new.id, new.session_id);
END;

CREATE TRIGGER sync_outbox_runs_insert AFTER INSERT ON runs
WHEN EXISTS (SELECT 1 FROM ledger_meta WHERE key = 'sync.capture') AND (SELECT sync_origin FROM sessions WHERE id = new.session_id) IS NULL BEGIN
  INSERT INTO sync_outbox (table_name, row_id, session_id) VALUES ('runs', new.id, new.session_id);
END;
CREATE TRIGGER sync_outbox_runs_update AFTER UPDATE ON runs
WHEN EXISTS (SELECT 1 FROM ledger_meta WHERE key = 'sync.capture') AND (SELECT sync_origin FROM sessions WHERE id = new.session_id) IS NULL BEGIN
  INSERT INTO sync_outbox (table_name, row_id, session_id) VALUES ('runs', new.id, new.session_id);
END;

CREATE TRIGGER sync_outbox_conversations_insert AFTER INSERT ON conversations
WHEN EXISTS (SELECT 1 FROM ledger_meta WHERE key = 'sync.capture') AND (SELECT sync_origin FROM sessions WHERE id = new.session_id) IS NULL BEGIN
  INSERT INTO sync_outbox (table_name, row_id, session_id) VALUES ('conversations', new.id, new.session_id);
END;
CREATE TRIGGER sync_outbox_conversations_update AFTER UPDATE ON conversations
WHEN EXISTS (SELECT 1 FROM ledger_meta WHERE key = 'sync.capture') AND (SELECT sync_origin FROM sessions WHERE id = new.session_id) IS NULL BEGIN
  INSERT INTO sync_outbox (table_name, row_id, session_id) VALUES ('conversations', new.id, new.session_id);
END;

CREATE TRIGGER sync_outbox_artifacts_insert AFTER INSERT ON artifacts
WHEN EXISTS (SELECT 1 FROM ledger_meta WHERE key = 'sync.capture') AND (SELECT sync_origin FROM sessions WHERE id = new.session_id) IS NULL BEGIN
  INSERT INTO sync_outbox (table_name, row_id, session_id) VALUES ('artifacts', new.id, new.session_id);
END;
CREATE TRIGGER sync_outbox_artifacts_update AFTER UPDATE ON artifacts
WHEN EXISTS (SELECT 1 FROM ledger_meta WHERE key = 'sync.capture') AND (SELECT sync_origin FROM sessions WHERE id = new.session_id) IS NULL BEGIN
  INSERT INTO sync_outbox (table_name, row_id, session_id) VALUES ('artifacts', new.id, new.session_id);
END;

CREATE TRIGGER sync_outbox_notes_insert AFTER INSERT ON notes
WHEN EXISTS (SELECT 1 FROM ledger_meta WHERE key = 'sync.capture') AND (SELECT sync_origin FROM sessions WHERE id = new.session_id) IS NULL BEGIN
  INSERT INTO sync_outbox (table_name, row_id, session_id) VALUES ('notes', new.id, new.session_id);
END;
CREATE TRIGGER sync_outbox_notes_update AFTER UPDATE ON notes
WHEN EXISTS (SELECT 1 FROM ledger_meta WHERE key = 'sync.capture') AND (SELECT sync_origin FROM sessions WHERE id = new.session_id) IS NULL BEGIN
  INSERT INTO sync_outbox (table_name, row_id, session_id) VALUES ('notes', new.id, new.session_id);
END;
