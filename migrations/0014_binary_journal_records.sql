-- From this schema on, the store writes its journal records in binary ('SLJ2' records: the
-- statements' strings as their UTF-8 bytes, not JSON-escaped again; see
-- src/core/store/journalRecord.ts). This migration changes no table: it is the fence. A version
-- that knows fewer migrations refuses a ledger at this schema and leaves it untouched
-- (StoreVersionError), instead of reading a binary record as damage and setting the journal's
-- tail aside. Its own record, and every one before it, is JSON. Never edit this file once
-- shipped: add a new numbered migration.
INSERT INTO ledger_meta (key, value) VALUES ('journal.record_format', 'binary')
  ON CONFLICT (key) DO UPDATE SET value = excluded.value;
