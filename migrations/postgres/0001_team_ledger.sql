-- Session Ledger team ledger: the PostgreSQL schema (PostgreSQL 14 or newer).
-- Applied by the extension (src/core/sync/pgMigrations.ts) in order, under an advisory lock, each
-- recorded in session_ledger_migrations. Never edit this file once shipped: add 0002_….sql.
--
-- Columns mirror the local ledger's (migrations/*.sql): timestamps are integer milliseconds since
-- the epoch (interactions.command_at: microseconds), JSON columns hold JSON text. Every row also
-- carries who owns it (owner_role: the PostgreSQL role that wrote it; owner_person, owner_machine),
-- its project, and tx_id, the transaction that last wrote it (what other ledgers pull by).

CREATE TABLE projects (
  id         TEXT PRIMARY KEY,
  name       TEXT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Which roles belong to which projects: a role reads only its projects and writes only into them.
-- Maintained by an admin (see migrations/postgres/README.md); members can read their own rows.
CREATE TABLE project_members (
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  role_name  NAME NOT NULL,
  PRIMARY KEY (project_id, role_name)
);

CREATE TABLE sessions (
  id                       TEXT PRIMARY KEY,
  project_id               TEXT NOT NULL REFERENCES projects(id),
  owner_role               NAME NOT NULL DEFAULT current_user,
  owner_person             TEXT NOT NULL,
  owner_machine            TEXT NOT NULL,
  tx_id                    XID8 NOT NULL DEFAULT pg_current_xact_id(),
  parent_session_id        TEXT,
  type                     TEXT NOT NULL,
  title                    TEXT NOT NULL,
  slug                     TEXT NOT NULL,
  intention                TEXT NOT NULL,
  success_criteria         TEXT NOT NULL,
  constraints              TEXT NOT NULL,
  agent                    TEXT NOT NULL,
  provider                 TEXT NOT NULL,
  environment              TEXT NOT NULL,
  execution_mode           TEXT NOT NULL,
  status                   TEXT NOT NULL,
  phase                    TEXT,
  state                    TEXT NOT NULL,
  external_conversation_id TEXT,
  working_dir              TEXT,
  workspace_folder         TEXT,
  tags                     TEXT NOT NULL,
  summary                  TEXT,
  total_cost_usd           DOUBLE PRECISION NOT NULL,
  cost_unknown             INTEGER NOT NULL,
  input_tokens             BIGINT NOT NULL,
  output_tokens            BIGINT NOT NULL,
  cache_creation_tokens    BIGINT NOT NULL,
  cache_creation_1h_tokens BIGINT NOT NULL,
  cache_read_tokens        BIGINT NOT NULL,
  interaction_count        INTEGER NOT NULL,
  event_count              INTEGER NOT NULL,
  last_event_seq           INTEGER NOT NULL,
  last_event_at            BIGINT,
  created_at               BIGINT NOT NULL,
  updated_at               BIGINT NOT NULL,
  ended_at                 BIGINT,
  deleted_at               BIGINT
);
CREATE INDEX sessions_tx ON sessions(tx_id);
CREATE INDEX sessions_project_created ON sessions(project_id, created_at);
CREATE INDEX sessions_person_created ON sessions(owner_person, created_at);
CREATE INDEX sessions_type ON sessions(type);

CREATE TABLE interactions (
  id               TEXT PRIMARY KEY,
  session_id       TEXT NOT NULL REFERENCES sessions(id),
  project_id       TEXT NOT NULL,
  owner_role       NAME NOT NULL DEFAULT current_user,
  tx_id            XID8 NOT NULL DEFAULT pg_current_xact_id(),
  seq              INTEGER NOT NULL,
  step             TEXT NOT NULL,
  command_kind     TEXT NOT NULL,
  command          TEXT NOT NULL,
  command_metadata TEXT NOT NULL,
  command_at       BIGINT NOT NULL,
  result_status    TEXT NOT NULL,
  exit_code        INTEGER,
  output           TEXT,
  result_data      TEXT,
  error_message    TEXT,
  duration_ms      DOUBLE PRECISION,
  completed_at     BIGINT,
  UNIQUE (session_id, seq)
);
CREATE INDEX interactions_tx ON interactions(tx_id);

CREATE TABLE events (
  id             TEXT PRIMARY KEY,
  session_id     TEXT NOT NULL REFERENCES sessions(id),
  project_id     TEXT NOT NULL,
  owner_role     NAME NOT NULL DEFAULT current_user,
  tx_id          XID8 NOT NULL DEFAULT pg_current_xact_id(),
  seq            INTEGER NOT NULL,
  interaction_id TEXT,
  run_id         TEXT,
  type           TEXT NOT NULL,
  tool_name      TEXT,
  payload        TEXT NOT NULL,
  correlation_id TEXT,
  ts             BIGINT NOT NULL,
  UNIQUE (session_id, seq)
);
CREATE INDEX events_tx ON events(tx_id);
CREATE INDEX events_project_type_ts ON events(project_id, type, ts);

CREATE TABLE runs (
  id                       TEXT PRIMARY KEY,
  session_id               TEXT NOT NULL REFERENCES sessions(id),
  project_id               TEXT NOT NULL,
  owner_role               NAME NOT NULL DEFAULT current_user,
  tx_id                    XID8 NOT NULL DEFAULT pg_current_xact_id(),
  interaction_id           TEXT,
  provider                 TEXT NOT NULL,
  model                    TEXT,
  conversation_id          TEXT,
  status                   TEXT NOT NULL,
  input_tokens             BIGINT NOT NULL,
  output_tokens            BIGINT NOT NULL,
  cache_creation_tokens    BIGINT NOT NULL,
  cache_creation_1h_tokens BIGINT NOT NULL,
  cache_read_tokens        BIGINT NOT NULL,
  cost_usd                 DOUBLE PRECISION NOT NULL,
  cost_unknown             INTEGER NOT NULL,
  started_at               BIGINT NOT NULL,
  ended_at                 BIGINT,
  error                    TEXT
);
CREATE INDEX runs_tx ON runs(tx_id);
CREATE INDEX runs_session ON runs(session_id);
CREATE INDEX runs_project_model_started ON runs(project_id, model, started_at);

CREATE TABLE conversations (
  id            TEXT PRIMARY KEY,
  session_id    TEXT NOT NULL REFERENCES sessions(id),
  project_id    TEXT NOT NULL,
  owner_role    NAME NOT NULL DEFAULT current_user,
  tx_id         XID8 NOT NULL DEFAULT pg_current_xact_id(),
  provider      TEXT NOT NULL,
  model         TEXT,
  system        TEXT,
  message_count INTEGER NOT NULL,
  created_at    BIGINT NOT NULL,
  updated_at    BIGINT NOT NULL
);
CREATE INDEX conversations_tx ON conversations(tx_id);

-- Artifacts' metadata only (content stays on the machine that made it).
CREATE TABLE artifacts (
  id           TEXT PRIMARY KEY,
  session_id   TEXT NOT NULL REFERENCES sessions(id),
  project_id   TEXT NOT NULL,
  owner_role   NAME NOT NULL DEFAULT current_user,
  tx_id        XID8 NOT NULL DEFAULT pg_current_xact_id(),
  key          TEXT NOT NULL,
  kind         TEXT NOT NULL,
  content_type TEXT NOT NULL,
  byte_size    BIGINT NOT NULL,
  sha256       TEXT NOT NULL,
  path         TEXT,
  created_at   BIGINT NOT NULL,
  deleted_at   BIGINT
);
CREATE INDEX artifacts_tx ON artifacts(tx_id);

CREATE TABLE notes (
  id              TEXT PRIMARY KEY,
  session_id      TEXT NOT NULL REFERENCES sessions(id),
  project_id      TEXT NOT NULL,
  owner_role      NAME NOT NULL DEFAULT current_user,
  tx_id           XID8 NOT NULL DEFAULT pg_current_xact_id(),
  kind            TEXT NOT NULL,
  content         TEXT NOT NULL,
  interaction_seq INTEGER,
  created_at      BIGINT NOT NULL
);
CREATE INDEX notes_tx ON notes(tx_id);

-- Live: every write tells listeners which project and machine changed (NOTIFY collapses repeats
-- within a transaction). Other ledgers LISTEN on session_ledger_changes and pull.
CREATE FUNCTION session_ledger_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('session_ledger_changes', NEW.project_id);
  RETURN NULL;
END $$;
CREATE TRIGGER sessions_notify AFTER INSERT OR UPDATE ON sessions FOR EACH ROW EXECUTE FUNCTION session_ledger_notify();
CREATE TRIGGER events_notify AFTER INSERT OR UPDATE ON events FOR EACH ROW EXECUTE FUNCTION session_ledger_notify();

-- Row-level security: a role reads the rows of the projects it is a member of, and inserts or
-- updates only rows it owns (owner_role = current_user) in those projects; child rows only in
-- sessions it owns. The tables' owner (the admin who ran the migrations) is not subject to them.
-- SECURITY DEFINER (they read tables the policies protect), so the role is passed in: inside them
-- current_user is their owner.
CREATE FUNCTION session_ledger_is_member(project TEXT, member NAME) RETURNS BOOLEAN LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT EXISTS (SELECT 1 FROM public.project_members m WHERE m.project_id = project AND m.role_name = member)
$$;
CREATE FUNCTION session_ledger_owns_session(session TEXT, member NAME) RETURNS BOOLEAN LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT EXISTS (SELECT 1 FROM public.sessions s WHERE s.id = session AND s.owner_role = member)
$$;
REVOKE ALL ON FUNCTION session_ledger_is_member(TEXT, NAME), session_ledger_owns_session(TEXT, NAME) FROM PUBLIC;

ALTER TABLE project_members ENABLE ROW LEVEL SECURITY;
CREATE POLICY project_members_own ON project_members FOR SELECT USING (role_name = current_user);
ALTER TABLE projects ENABLE ROW LEVEL SECURITY;
CREATE POLICY projects_member ON projects FOR SELECT USING (session_ledger_is_member(id, current_user));

ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
CREATE POLICY sessions_read ON sessions FOR SELECT USING (session_ledger_is_member(project_id, current_user));
CREATE POLICY sessions_insert ON sessions FOR INSERT WITH CHECK (owner_role = current_user AND session_ledger_is_member(project_id, current_user));
CREATE POLICY sessions_update ON sessions FOR UPDATE USING (owner_role = current_user)
  WITH CHECK (owner_role = current_user AND session_ledger_is_member(project_id, current_user));

DO $$
DECLARE t TEXT;
BEGIN
  FOREACH t IN ARRAY ARRAY['interactions', 'events', 'runs', 'conversations', 'artifacts', 'notes'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON %I FOR SELECT USING (session_ledger_is_member(project_id, current_user))', t || '_read', t);
    EXECUTE format('CREATE POLICY %I ON %I FOR INSERT WITH CHECK (owner_role = current_user AND session_ledger_is_member(project_id, current_user) AND session_ledger_owns_session(session_id, current_user))', t || '_insert', t);
    EXECUTE format('CREATE POLICY %I ON %I FOR UPDATE USING (owner_role = current_user) WITH CHECK (owner_role = current_user AND session_ledger_is_member(project_id, current_user) AND session_ledger_owns_session(session_id, current_user))', t || '_update', t);
  END LOOP;
END $$;

-- Views for dashboards (Grafana, Metabase). A view runs with its owner's rights (PostgreSQL 14 has
-- no security_invoker), so each one filters to the querying role's projects itself.
-- daily_usage: one row per project, person, UTC day and model: runs, tokens by kind, cost.
CREATE VIEW daily_usage AS
SELECT r.project_id,
       s.owner_person AS person,
       (to_timestamp(r.started_at / 1000.0) AT TIME ZONE 'UTC')::date AS day,
       coalesce(r.model, '(unknown)') AS model,
       count(*) AS runs,
       sum(r.input_tokens) AS input_tokens,
       sum(r.output_tokens) AS output_tokens,
       sum(r.cache_creation_tokens) AS cache_creation_tokens,
       sum(r.cache_creation_1h_tokens) AS cache_creation_1h_tokens,
       sum(r.cache_read_tokens) AS cache_read_tokens,
       sum(r.cost_usd) AS cost_usd,
       bool_or(r.cost_unknown = 1) AS cost_is_lower_bound
FROM runs r JOIN sessions s ON s.id = r.session_id
WHERE session_ledger_is_member(r.project_id, current_user)
GROUP BY 1, 2, 3, 4;

-- session_summary: one row per session with its owner, project, type, status, totals and times.
CREATE VIEW session_summary AS
SELECT s.id, s.project_id, s.owner_person AS person, s.owner_machine AS machine, s.type, s.title, s.status,
       s.interaction_count, s.event_count,
       s.input_tokens, s.output_tokens, s.cache_creation_tokens + s.cache_creation_1h_tokens AS cache_write_tokens, s.cache_read_tokens,
       s.total_cost_usd AS cost_usd, s.cost_unknown = 1 AS cost_is_lower_bound,
       to_timestamp(s.created_at / 1000.0) AS created_at,
       to_timestamp(s.updated_at / 1000.0) AS updated_at,
       CASE WHEN s.ended_at IS NULL THEN NULL ELSE to_timestamp(s.ended_at / 1000.0) END AS ended_at,
       s.deleted_at IS NOT NULL AS deleted
FROM sessions s
WHERE session_ledger_is_member(s.project_id, current_user);

-- What members may do (setup-roles.sql creates the group role session_ledger_member first).
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'session_ledger_member') THEN
    GRANT SELECT ON projects, project_members, daily_usage, session_summary TO session_ledger_member;
    GRANT SELECT, INSERT, UPDATE ON sessions, interactions, events, runs, conversations, artifacts, notes TO session_ledger_member;
    GRANT SELECT ON session_ledger_migrations TO session_ledger_member;
    GRANT EXECUTE ON FUNCTION session_ledger_is_member(TEXT, NAME), session_ledger_owns_session(TEXT, NAME) TO session_ledger_member;
  END IF;
END $$;
