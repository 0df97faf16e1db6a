-- Team ledger change capture only while it is on (see src/core/store/syncCapture.ts).
--
-- 0009's triggers fired on every insert and update of every ledger and asked each time whether
-- capture was on (ledger_meta 'sync.capture'); SQLite runs a trigger's program to evaluate its WHEN,
-- which cost a ledger that never shares about a quarter of each event insert. They are dropped here.
-- The replicator creates them (without that question) in the transaction that turns capture on, and
-- for a ledger whose capture is already on the store creates them again right after this script, in
-- the same transaction. Never edit this file once shipped: add a new numbered migration.
DROP TRIGGER IF EXISTS sync_outbox_sessions_insert;
DROP TRIGGER IF EXISTS sync_outbox_sessions_update;
DROP TRIGGER IF EXISTS sync_outbox_interactions_insert;
DROP TRIGGER IF EXISTS sync_outbox_interactions_update;
DROP TRIGGER IF EXISTS sync_outbox_events_insert;
DROP TRIGGER IF EXISTS sync_outbox_events_update;
DROP TRIGGER IF EXISTS sync_outbox_runs_insert;
DROP TRIGGER IF EXISTS sync_outbox_runs_update;
DROP TRIGGER IF EXISTS sync_outbox_conversations_insert;
DROP TRIGGER IF EXISTS sync_outbox_conversations_update;
DROP TRIGGER IF EXISTS sync_outbox_artifacts_insert;
DROP TRIGGER IF EXISTS sync_outbox_artifacts_update;
DROP TRIGGER IF EXISTS sync_outbox_notes_insert;
DROP TRIGGER IF EXISTS sync_outbox_notes_update;
