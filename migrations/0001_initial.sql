-- Session Ledger: initial schema (see DESIGN.md "Data model").
-- Timestamps are integer milliseconds since the epoch, except interactions.command_at (microseconds).
-- JSON columns hold JSON text. Never edit this file once shipped: add a new numbered migration.

CREATE TABLE sessions (
  id                       TEXT PRIMARY KEY NOT NULL,
  parent_session_id        TEXT REFERENCES sessions(id),
  type                     TEXT NOT NULL,
  title                    TEXT NOT NULL,
  slug                     TEXT NOT NULL,
  intention                TEXT NOT NULL,
  success_criteria         TEXT NOT NULL DEFAULT '[]',
  constraints              TEXT NOT NULL DEFAULT '[]',
  agent                    TEXT NOT NULL,
  provider                 TEXT NOT NULL,
  environment              TEXT NOT NULL,
  execution_mode           TEXT NOT NULL,
  status                   TEXT NOT NULL,
  phase                    TEXT,
  state                    TEXT NOT NULL DEFAULT '{}',
  external_conversation_id TEXT,
  working_dir              TEXT,
  workspace_folder         TEXT,
  tags                     TEXT NOT NULL DEFAULT '[]',
  summary                  TEXT,
  total_cost_usd           REAL NOT NULL DEFAULT 0,
  input_tokens             INTEGER NOT NULL DEFAULT 0,
  output_tokens            INTEGER NOT NULL DEFAULT 0,
  cache_creation_tokens    INTEGER NOT NULL DEFAULT 0,
  cache_read_tokens        INTEGER NOT NULL DEFAULT 0,
  interaction_count        INTEGER NOT NULL DEFAULT 0,
  event_count              INTEGER NOT NULL DEFAULT 0,
  last_event_at            INTEGER,
  created_at               INTEGER NOT NULL,
  updated_at               INTEGER NOT NULL,
  ended_at                 INTEGER,
  deleted_at               INTEGER
);
CREATE INDEX sessions_status ON sessions(status);
CREATE INDEX sessions_parent ON sessions(parent_session_id);
CREATE INDEX sessions_updated_at ON sessions(updated_at);

CREATE TABLE interactions (
  id               TEXT PRIMARY KEY NOT NULL,
  session_id       TEXT NOT NULL REFERENCES sessions(id),
  seq              INTEGER NOT NULL,
  step             TEXT NOT NULL,
  command_kind     TEXT NOT NULL,
  command          TEXT NOT NULL,
  command_metadata TEXT NOT NULL DEFAULT '{}',
  command_at       INTEGER NOT NULL,
  result_status    TEXT NOT NULL DEFAULT 'pending',
  exit_code        INTEGER,
  output           TEXT,
  result_data      TEXT,
  error_message    TEXT,
  duration_ms      REAL,
  completed_at     INTEGER,
  UNIQUE (session_id, seq)
);
CREATE INDEX interactions_pending ON interactions(result_status) WHERE result_status = 'pending';

CREATE TABLE events (
  id             TEXT PRIMARY KEY NOT NULL,
  session_id     TEXT NOT NULL REFERENCES sessions(id),
  seq            INTEGER NOT NULL,
  interaction_id TEXT,
  run_id         TEXT,
  type           TEXT NOT NULL,
  tool_name      TEXT,
  payload        TEXT NOT NULL DEFAULT 'null',
  correlation_id TEXT,
  ts             INTEGER NOT NULL,
  UNIQUE (session_id, seq)
);
CREATE INDEX events_interaction ON events(interaction_id) WHERE interaction_id IS NOT NULL;
CREATE INDEX events_run ON events(run_id) WHERE run_id IS NOT NULL;

CREATE TABLE runs (
  id                    TEXT PRIMARY KEY NOT NULL,
  session_id            TEXT NOT NULL REFERENCES sessions(id),
  interaction_id        TEXT,
  provider              TEXT NOT NULL,
  model                 TEXT,
  conversation_id       TEXT,
  status                TEXT NOT NULL,
  input_tokens          INTEGER NOT NULL DEFAULT 0,
  output_tokens         INTEGER NOT NULL DEFAULT 0,
  cache_creation_tokens INTEGER NOT NULL DEFAULT 0,
  cache_read_tokens     INTEGER NOT NULL DEFAULT 0,
  cost_usd              REAL NOT NULL DEFAULT 0,
  started_at            INTEGER NOT NULL,
  ended_at              INTEGER,
  error                 TEXT
);
CREATE INDEX runs_session ON runs(session_id);
CREATE INDEX runs_interaction ON runs(interaction_id) WHERE interaction_id IS NOT NULL;

CREATE TABLE conversations (
  id            TEXT PRIMARY KEY NOT NULL,
  session_id    TEXT NOT NULL REFERENCES sessions(id),
  provider      TEXT NOT NULL,
  model         TEXT,
  system        TEXT,
  message_count INTEGER NOT NULL DEFAULT 0,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);
CREATE INDEX conversations_session ON conversations(session_id);

CREATE TABLE messages (
  id              TEXT PRIMARY KEY NOT NULL,
  conversation_id TEXT NOT NULL REFERENCES conversations(id),
  seq             INTEGER NOT NULL,
  role            TEXT NOT NULL,
  content         TEXT NOT NULL,
  run_id          TEXT,
  created_at      INTEGER NOT NULL,
  UNIQUE (conversation_id, seq)
);

CREATE TABLE artifacts (
  id           TEXT PRIMARY KEY NOT NULL,
  session_id   TEXT NOT NULL REFERENCES sessions(id),
  key          TEXT NOT NULL,
  kind         TEXT NOT NULL,
  content_type TEXT NOT NULL,
  byte_size    INTEGER NOT NULL,
  sha256       TEXT NOT NULL,
  path         TEXT,
  content      TEXT,
  created_at   INTEGER NOT NULL,
  deleted_at   INTEGER
);
CREATE INDEX artifacts_session_key ON artifacts(session_id, key);

CREATE TABLE notes (
  id              TEXT PRIMARY KEY NOT NULL,
  session_id      TEXT NOT NULL REFERENCES sessions(id),
  kind            TEXT NOT NULL,
  content         TEXT NOT NULL,
  interaction_seq INTEGER,
  created_at      INTEGER NOT NULL
);
CREATE INDEX notes_session ON notes(session_id);
