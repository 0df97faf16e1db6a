-- Cache writes are priced by their TTL: 1-hour writes cost more than 5-minute ones. Runs and
-- sessions keep, beside the total of cache-write tokens (cache_creation_tokens, unchanged), the
-- part written with the 1-hour TTL. Rows from before have 0: they were priced at the 5-minute rate.
ALTER TABLE runs ADD COLUMN cache_creation_1h_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN cache_creation_1h_tokens INTEGER NOT NULL DEFAULT 0;
