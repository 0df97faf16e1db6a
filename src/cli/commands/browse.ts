import { searchLedger } from '../../core/ledger/search';
import type { Session } from '../../core/model/session';
import { SessionStatusSchema } from '../../core/model/sessionStatus';
import type { SessionStore } from '../../core/store/SessionStore';
import { sessionIdsBySlugOrIdPrefix } from '../../core/store/queries/sessionQueries';
import { CliError, EXIT, usageError } from '../cliError';
import { stringOption, type Command, type CommandContext } from '../command';
import { formatCount, formatUsd, oneLine, relativeTime, table, type Style } from '../format';
import { sessionJson } from '../jsonOutput';

/** Parses `--limit`: a positive integer, or a usage error naming the option. */
export function positiveInt(value: string | undefined, name: string, command: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw usageError(`--${name} must be a positive whole number (got "${value}").`, command);
  return n;
}

function statusText(status: string, style: Style): string {
  if (status === 'complete') return style.green(status);
  if (status === 'failed' || status === 'cancelled' || status === 'interrupted') return style.red(status);
  if (status === 'active') return style.cyan(status);
  return style.yellow(status);
}

/** A session by id, unique id prefix (at least 4 characters) or slug. Throws a CliError (exit 1) saying what was not found. */
export function resolveSession(store: SessionStore, ref: string): Session {
  const exact = store.sessions.get(ref);
  if (exact) return exact;
  const ids = sessionIdsBySlugOrIdPrefix(store.sql, ref);
  if (ids.length === 0)
    throw new CliError(`No session "${ref}" in this ledger. Run \`session-ledger list\` to see the ids and slugs.`, EXIT.failure);
  const bySlug = ids.map((id) => store.sessions.require(id)).find((s) => s.slug === ref);
  if (bySlug) return bySlug;
  if (ids.length > 1)
    throw new CliError(
      `"${ref}" matches several sessions (${ids.map((id) => id.slice(0, 8)).join(', ')}); give more of the id.`,
      EXIT.failure,
    );
  return store.sessions.require(ids[0]!); // exactly one: none and several were refused above
}

export const listCommand: Command = {
  name: 'list',
  summary: 'List sessions, newest first',
  usage: 'session-ledger list [--status <status>] [--type <type>] [--limit <n>] [--json]',
  help: `Options:
  --status <status>  only sessions in this status (${SessionStatusSchema.options.join(', ')})
  --type <type>      only sessions of this type (workflow id)
  --limit <n>        at most n sessions (default 50)

Columns: id (first 8 characters; any unique prefix works in \`show\`), status, type, title,
steps (interactions), cost, last update.`,
  options: { status: { type: 'string' }, type: { type: 'string' }, limit: { type: 'string' } },
  positionals: { min: 0, max: 0 },
  async run(context: CommandContext): Promise<number> {
    const status = stringOption(context.values, 'status');
    if (status !== undefined && !SessionStatusSchema.safeParse(status).success)
      throw usageError(`--status must be one of ${SessionStatusSchema.options.join(', ')} (got "${status}").`, 'list');
    const limit = positiveInt(stringOption(context.values, 'limit'), 'limit', 'list', 50);
    const { store, directory, readOnly, holder } = await context.openLedger(false);
    const filter = {
      ...(status ? { status: status as Session['status'] } : {}),
      ...(stringOption(context.values, 'type') ? { type: stringOption(context.values, 'type') } : {}),
    };
    const sessions = store.sessions.list({ ...filter, limit: Math.min(limit, 10_000) });
    const total = store.sessions.count(filter);
    if (context.values.json) {
      context.out(
        JSON.stringify(
          { ledger: directory, readOnly, ...(holder ? { holder } : {}), total, sessions: sessions.map(sessionJson) },
          null,
          2,
        ) + '\n',
      );
      return EXIT.ok;
    }
    if (sessions.length === 0) {
      context.err(`No sessions${status || filter.type ? ' match' : ' yet'} in ${directory}.\n`);
      return EXIT.ok;
    }
    const s = context.style;
    const rows = [
      ['ID', 'STATUS', 'TYPE', 'TITLE', 'STEPS', 'COST', 'UPDATED'].map(s.bold),
      ...sessions.map((session) => [
        s.dim(session.id.slice(0, 8)),
        statusText(session.status, s),
        session.type,
        oneLine(session.title, 60),
        String(session.interactionCount),
        formatUsd(session.totalCostUsd, session.costUnknown),
        relativeTime(session.updatedAt, context.now),
      ]),
    ];
    context.out(table(rows, new Set([4, 5])) + '\n');
    if (total > sessions.length) context.err(`${sessions.length} of ${total} sessions shown; use --limit to see more.\n`);
    if (readOnly) context.err(`(read live: the ledger is held by ${holder})\n`);
    return EXIT.ok;
  },
};

export const searchCommand: Command = {
  name: 'search',
  summary: 'Full-text search of titles, goals, commands, outputs and events',
  usage: 'session-ledger search <text> [--session <id|slug>] [--limit <n>] [--json]',
  help: `Every word must occur; the last one is a prefix ("pars" finds "parser").

Options:
  --session <id|slug>  search one session only
  --limit <n>          at most n hits of each kind (sessions, interactions, events; default 20)`,
  options: { session: { type: 'string' }, limit: { type: 'string' } },
  positionals: { min: 1, max: Infinity },
  async run(context: CommandContext): Promise<number> {
    const query = context.positionals.join(' ');
    const limit = positiveInt(stringOption(context.values, 'limit'), 'limit', 'search', 20);
    const { store } = await context.openLedger(false);
    const sessionRef = stringOption(context.values, 'session');
    const sessionId = sessionRef ? resolveSession(store, sessionRef).id : undefined;
    const hits = searchLedger(store.sql, query, { limitPerKind: limit, ...(sessionId ? { sessionId } : {}) });
    if (context.values.json) {
      context.out(JSON.stringify({ query, hits }, null, 2) + '\n');
      return EXIT.ok;
    }
    if (hits.length === 0) {
      context.err(`No matches for "${query}".\n`);
      return EXIT.ok;
    }
    const s = context.style;
    const rows = hits.map((hit) => [
      s.dim(hit.sessionId.slice(0, 8)),
      hit.kind === 'session' ? 'session' : hit.kind === 'interaction' ? `#${hit.interactionSeq}` : `event ${hit.eventSeq}`,
      oneLine(hit.sessionTitle, 40),
      relativeTime(hit.at, context.now),
      oneLine(hit.snippet, 100).replace(/\[([^\]]*)\]/g, (_, term: string) => (s.enabled ? s.bold(s.yellow(term)) : `[${term}]`)),
    ]);
    context.out(table(rows) + '\n');
    context.err(
      `${formatCount(hits.length)} hit${hits.length === 1 ? '' : 's'}${hits.length >= limit ? ` (at most ${limit} of each kind: use --limit for more)` : ''}.\n`,
    );
    return EXIT.ok;
  },
};
