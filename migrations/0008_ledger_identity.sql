-- A ledger can say whose it is: its id (a UUID chosen when it is first stamped), the canonical
-- path of the folder it belongs to, and what survives a move of that folder (the git remote and
-- the folder's path inside the repository). Written through the store's journalled write path
-- (ledgerMetaRepository), never by this script, so every value replays exactly as written.
CREATE TABLE ledger_meta (
  key TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL
);
