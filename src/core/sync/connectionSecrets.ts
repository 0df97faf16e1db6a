/**
 * The team ledger's connection string is a secret (it usually holds a password): it lives in
 * SecretStorage only, and no message, log line or error raised by src/core/sync may contain it or
 * its password. Every error this module's callers raise passes through {@link redactConnection}.
 */

const REDACTED = '[REDACTED:connection]';
/** A PostgreSQL URL anywhere in a text (`postgres://…`, `postgresql://…`), up to whitespace or a quote. */
const URL_PATTERN = /postgres(?:ql)?:\/\/[^\s"'<>]+/gi;
/** `password=…` in a key/value connection string (quoted or not). */
const KEYWORD_PASSWORD = /\bpassword\s*=\s*(?:'(?:[^'\\]|\\.)*'|"[^"]*"|[^\s]+)/gi;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The password of a URL-style or key/value connection string, if any. */
export function connectionPassword(connectionString: string): string | undefined {
  try {
    const url = new URL(connectionString);
    if (url.password) return decodeURIComponent(url.password);
  } catch {
    // not a URL: try the key/value form
  }
  const match = /\bpassword\s*=\s*(?:'((?:[^'\\]|\\.)*)'|"([^"]*)"|([^\s]+))/i.exec(connectionString);
  const value = match ? (match[1] ?? match[2] ?? match[3]) : undefined;
  return value || undefined;
}

/**
 * `text` with the connection string, its password (raw and URL-encoded) and any PostgreSQL URL or
 * `password=` setting replaced by a marker.
 */
export function redactConnection(text: string, connectionString?: string): string {
  let out = text;
  if (connectionString) {
    out = out.split(connectionString).join(REDACTED);
    const password = connectionPassword(connectionString);
    if (password && password.length >= 3) {
      for (const form of new Set([password, encodeURIComponent(password)]))
        out = out.replace(new RegExp(escapeRegExp(form), 'g'), REDACTED);
    }
  }
  return out.replace(URL_PATTERN, REDACTED).replace(KEYWORD_PASSWORD, `password=${REDACTED}`);
}

/** An error of the team ledger, its message free of the connection string. */
export class TeamLedgerError extends Error {
  constructor(
    message: string,
    /** The PostgreSQL error code (SQLSTATE) of the cause, when there was one. */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'TeamLedgerError';
  }
}

/**
 * Wraps any error (a `pg` error, a socket error) as a {@link TeamLedgerError} saying what was being
 * done, with every trace of the connection string removed from the message. The original error is
 * not attached (its fields may hold connection parameters).
 */
export function teamLedgerError(doing: string, error: unknown, connectionString?: string): TeamLedgerError {
  if (error instanceof TeamLedgerError) return error;
  const cause = error as { message?: unknown; code?: unknown } | undefined;
  const message = typeof cause?.message === 'string' ? cause.message : String(error);
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  return new TeamLedgerError(redactConnection(`Team ledger: could not ${doing}: ${message}`, connectionString), code);
}

/** The `pg` pool settings for a connection string (`sslmode` and the other libpq parameters are honoured by `pg`'s parser). */
export function teamPoolConfig(connectionString: string): {
  connectionString: string;
  max: number;
  connectionTimeoutMillis: number;
  idleTimeoutMillis: number;
  application_name: string;
} {
  return { connectionString, max: 4, connectionTimeoutMillis: 10_000, idleTimeoutMillis: 30_000, application_name: 'session-ledger' };
}
