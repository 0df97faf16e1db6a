import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildUsageReport, usageReportToCsv, type UsageReport, type UsageRow } from '../../core/ledger/usageReport';
import type { SqlReader } from '../../core/store/ports';
import { machineUsageReport, readOtherLedgers } from '../../core/ledger/machineUsage';
import { LedgerReader } from '../../core/store/ledgerReader';
import { LedgerRegistry, samePath } from '../../core/store/ledgerRegistry';
import { readLedgerIdentity } from '../../core/store/projectIdentity';
import { EXIT, usageError } from '../cliError';
import { stringOption, type Command, type CommandContext } from '../command';
import { formatCount, formatUsd, table } from '../format';
import { registryFiles } from '../ledgerAccess';

const GROUPINGS = ['day', 'model', 'type', 'project'] as const;
type Grouping = (typeof GROUPINGS)[number];

/** `--since`: a date (YYYY-MM-DD, UTC midnight) or a span back from now (`7d`, `12h`). */
export function parseSince(value: string, now: number): number {
  const span = /^(\d+)([dh])$/.exec(value);
  if (span) return now - Number(span[1]) * (span[2] === 'd' ? 86_400_000 : 3_600_000);
  if (/^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`))) return Date.parse(`${value}T00:00:00Z`);
  throw usageError(`--since must be a date (YYYY-MM-DD) or a span like 7d or 12h (got "${value}").`, 'usage');
}

/**
 * The ledger's rows as the usage report reads them, without those before `since`: the report's
 * queries name each unit's time `ts` (a usage event) or `at` (a run), and the report counts what it
 * is given. (A test checks --since against both kinds.)
 */
function since(db: SqlReader, from: number | undefined): SqlReader {
  if (from === undefined) return db;
  return {
    all: (sql, params) =>
      db.all(sql, params).filter((row) => {
        const at = row.ts ?? row.at;
        return typeof at !== 'number' || at >= from;
      }),
  };
}

function rowsOf(report: UsageReport & { byProject?: (UsageRow & { name: string })[] }, by: Grouping): (UsageRow & { name?: string })[] {
  switch (by) {
    case 'day':
      return report.byDay;
    case 'model':
      return report.byModel;
    case 'type':
      return report.bySessionType;
    case 'project':
      return report.byProject ?? [];
  }
}

export const usageCommand: Command = {
  name: 'usage',
  summary: 'Tokens and cost by day, model, session type or project',
  usage: 'session-ledger usage [--by day|model|type|project] [--since <date|7d>] [--json|--csv]',
  help: `Options:
  --by <grouping>  day (default, oldest first), model, type (session type), or project
                   (every ledger in the registry: all projects on this machine)
  --since <when>   only usage from this UTC date (YYYY-MM-DD) or this long ago (7d, 12h)
  --csv            the report as CSV (every section, as "Show Usage" exports it)

Costs are as recorded; a model without a price makes a total a lower bound (shown ≥).`,
  options: { by: { type: 'string' }, since: { type: 'string' }, csv: { type: 'boolean' } },
  positionals: { min: 0, max: 0 },
  async run(context: CommandContext): Promise<number> {
    const by = (stringOption(context.values, 'by') ?? 'day') as Grouping;
    if (!GROUPINGS.includes(by)) throw usageError(`--by must be one of ${GROUPINGS.join(', ')} (got "${by}").`, 'usage');
    if (context.values.json && context.values.csv) throw usageError('--json and --csv cannot be combined.', 'usage');
    const sinceValue = stringOption(context.values, 'since');
    const from = sinceValue === undefined ? undefined : parseSince(sinceValue, context.now);
    const { store, directory } = await context.openLedger(false);
    let report: UsageReport & { byProject?: (UsageRow & { name: string })[] };
    let unread: { directory: string; reason: string }[] = [];
    if (by === 'project') {
      const { files } = registryFiles({ registry: stringOption(context.values, 'registry'), cwd: context.cwd, env: context.env });
      const ledgers = files.flatMap((file) => new LedgerRegistry(file).read().ledgers);
      const realReader = await LedgerReader.create({ wasmPath: wasmPathBeside() });
      const reader = {
        read: <T>(dir: string, work: Parameters<LedgerReader['read']>[1]) =>
          realReader.read(dir, (ledger) => work({ ...ledger, database: since(ledger.database, from) as typeof ledger.database }) as T),
      };
      const identity = readLedgerIdentity(store);
      // A ledger not stamped with its project (older, or opened with --ledger) is named by its registry entry.
      const canonicalPath = identity.canonicalPath ?? ledgers.find((l) => samePath(l.directory, directory))?.canonicalPath;
      const current = { directory, ledgerId: identity.ledgerId, canonicalPath, sql: since(store.sql, from) };
      const others = await readOtherLedgers({ ledgers, current, reader, now: context.now });
      const machine = machineUsageReport(current, others, { now: context.now });
      report = { ...machine, byProject: machine.byProject.map((p) => ({ ...p, key: p.key || '(no folder)' })) };
      unread = machine.unread.map((u) => ({ directory: u.directory, reason: u.reason }));
    } else {
      report = buildUsageReport(since(store.sql, from), { now: context.now });
    }
    const rows = rowsOf(report, by);
    if (context.values.csv) {
      context.out(usageReportToCsv(report));
    } else if (context.values.json) {
      const data = {
        by,
        since: from === undefined ? null : new Date(from).toISOString(),
        generatedAt: new Date(report.generatedAt).toISOString(),
        pricing: report.pricing,
        rows,
        total: report.total,
        ...(by === 'project' ? { unread } : {}),
      };
      context.out(JSON.stringify(data, null, 2) + '\n');
    } else if (rows.length === 0) {
      context.err(`No usage recorded${from === undefined ? '' : ` since ${new Date(from).toISOString().slice(0, 10)}`}.\n`);
    } else {
      const s = context.style;
      const line = (key: string, t: UsageRow) => [
        key,
        formatCount(t.requests),
        formatCount(t.inputTokens),
        formatCount(t.outputTokens),
        formatCount(t.cacheCreationTokens),
        formatCount(t.cacheReadTokens),
        formatUsd(t.costUsd, t.unpricedRequests > 0),
      ];
      const head = [by === 'type' ? 'TYPE' : by.toUpperCase(), 'REQUESTS', 'INPUT', 'OUTPUT', 'CACHE WRITE', 'CACHE READ', 'COST'].map(
        s.bold,
      );
      const body = rows.map((r) => line(by === 'project' ? `${r.name ?? r.key}` : r.key, r));
      context.out(table([head, ...body, line(s.bold('total'), { key: 'total', ...report.total })], new Set([1, 2, 3, 4, 5, 6])) + '\n');
    }
    for (const u of unread) context.err(`Left out ${u.directory}: ${u.reason}\n`);
    return EXIT.ok;
  },
};

/** The sql.js wasm the store uses: beside the bundle (dist/), else the package's. */
function wasmPathBeside(): string {
  const bundled = path.join(__dirname, 'sql-wasm.wasm');
  const packaged = 'sql.js/dist/sql-wasm.wasm';
  return fs.existsSync(bundled) ? bundled : require.resolve(packaged);
}
