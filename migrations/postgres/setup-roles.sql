-- Session Ledger team ledger: one-time setup by an admin, as a role that may create roles and
-- owns the database (e.g. `psql "$ADMIN_URL" -f setup-roles.sql`). Then connect Session Ledger
-- once with the admin's connection string, which applies migrations/postgres/NNNN_*.sql, and add
-- people and projects as in migrations/postgres/README.md. Safe to run again.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'session_ledger_member') THEN
    CREATE ROLE session_ledger_member NOLOGIN;
  END IF;
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO session_ledger_member', current_database());
END $$;
GRANT USAGE ON SCHEMA public TO session_ledger_member;
-- Re-grant on tables that already exist (a database set up before the role existed).
DO $$
BEGIN
  IF to_regclass('public.sessions') IS NOT NULL THEN
    GRANT SELECT ON projects, project_members, daily_usage, session_summary, session_ledger_migrations TO session_ledger_member;
    GRANT SELECT, INSERT, UPDATE ON sessions, interactions, events, runs, conversations, artifacts, notes TO session_ledger_member;
  END IF;
END $$;
