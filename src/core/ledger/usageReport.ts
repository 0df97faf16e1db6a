import { PricingTable, ZERO_USAGE } from '../agent/pricing';
import type { SqlReader } from '../store/ports';
import { usageResponseRows, usageRunRows, type UsageScope } from '../store/queries/usageQueries';

/**
 * Usage (tokens and cost) of the whole ledger, by day, model and session type, plus the top
 * sessions, for the "Show Usage" view and its CSV export.
 *
 * The unit of usage is one API response where it is known, else one run:
 * - imported Claude Code turns record a `claude.usage` event per API response (already
 *   de-duplicated by message id + request id); those events are counted, with their own model and
 *   time (a turn that mixes models, e.g. a Haiku sub-agent inside a Sonnet turn, is split right);
 * - every other run (Anthropic API, headless CLI) is counted as a whole, at its start time.
 * So the totals equal the sum of the runs' totals. Deleted sessions are left out, and so are the
 * copies pulled from the team ledger: this is the usage of the sessions made here (the team view
 * counts everyone's).
 *
 * Costs are as recorded (priced when the usage was recorded); Recompute Costs re-prices them with
 * the current table. Cache writes are counted in total (`cacheCreationTokens`) and by TTL: the
 * 1-hour part (`cacheCreation1hTokens`) costs more than the 5-minute rest.
 */

export interface UsageTotals {
  inputTokens: number;
  outputTokens: number;
  /** All cache writes; `cacheCreation1hTokens` of them with the 1-hour TTL, the rest 5-minute ones. */
  cacheCreationTokens: number;
  cacheCreation1hTokens: number;
  cacheReadTokens: number;
  costUsd: number;
  /** API responses (or runs) counted. */
  requests: number;
  /** Of those, the ones of a model without a known price: their tokens count, their cost is not in `costUsd`. */
  unpricedRequests: number;
}

export interface UsageRow extends UsageTotals {
  key: string;
}

export interface TopSession extends UsageTotals {
  sessionId: string;
  title: string;
  type: string;
}

export interface UsageReport {
  generatedAt: number;
  /** The pricing table the costs are meant to follow (its date and source). */
  pricing: { effectiveDate: string; source: string };
  total: UsageTotals;
  /** Day (`YYYY-MM-DD`, UTC), oldest first. */
  byDay: UsageRow[];
  /** Model, most expensive first. */
  byModel: UsageRow[];
  /** Session type (workflow id), most expensive first. */
  bySessionType: UsageRow[];
  /** The phase (agent type) a run served (spec, plan, build, …; `unknown` for runs recorded without one), most expensive first. */
  byPhase: UsageRow[];
  topSessions: TopSession[];
}

interface UsageUnit {
  sessionId: string;
  title: string;
  type: string;
  model: string;
  phase: string;
  at: number;
  totals: UsageTotals;
}

const emptyTotals = (): UsageTotals => ({
  ...ZERO_USAGE,
  costUsd: 0,
  requests: 0,
  unpricedRequests: 0,
});

function add(into: UsageTotals, from: UsageTotals): void {
  into.inputTokens += from.inputTokens;
  into.outputTokens += from.outputTokens;
  into.cacheCreationTokens += from.cacheCreationTokens;
  into.cacheCreation1hTokens += from.cacheCreation1hTokens;
  into.cacheReadTokens += from.cacheReadTokens;
  into.costUsd += from.costUsd;
  into.requests += from.requests;
  into.unpricedRequests += from.unpricedRequests;
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** `YYYY-MM-DD` of a millisecond time, in UTC (stable across machines). */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * A response's usage event may be revised by a later line of the same response (event
 * `cc:usage:<key>:r<n>`, payload `revision: n`): the highest revision is the counted figure.
 * Returns the response's identity and the event's revision.
 */
export function responseRevision(eventId: string, payload: Record<string, unknown>): { key: string; revision: number } {
  // Imported responses are named by their event id (`cc:usage:<key>` and its revisions `:r<n>`),
  // also those recorded by versions that wrote no `key` in the payload.
  const imported = /^cc:usage:(.*?)(?::r(\d+))?$/.exec(eventId);
  if (imported) return { key: imported[1]!, revision: imported[2] ? Number(imported[2]) : 0 };
  const key = typeof payload.key === 'string' ? payload.key : eventId.replace(/:r\d+$/, '');
  const revision = typeof payload.revision === 'number' && Number.isInteger(payload.revision) ? payload.revision : 0;
  return { key, revision };
}

/** The units of usage; `pulled: true` counts the sessions pulled from the team ledger too. */
function units(db: SqlReader, options: UsageScope = {}): UsageUnit[] {
  const result: UsageUnit[] = [];
  const runsWithResponses = new Set<string>();
  const rows = usageResponseRows(db, options);
  // The latest revision of each response.
  const latest = new Map<string, { row: (typeof rows)[number]; payload: Record<string, unknown>; revision: number }>();
  for (const row of rows) {
    if (row.runId !== null) runsWithResponses.add(String(row.runId));
    let payload: Record<string, unknown> = {};
    try {
      payload = JSON.parse(String(row.payload)) as Record<string, unknown>;
    } catch {
      // a damaged payload counts as zero
    }
    if (payload.model === '<synthetic>') continue; // Claude Code's own error lines (stored by earlier versions): no request was billed
    const { key, revision } = responseRevision(String(row.id), payload);
    const seen = latest.get(`${String(row.sessionId)}\n${key}`);
    if (!seen || revision > seen.revision) latest.set(`${String(row.sessionId)}\n${key}`, { row, payload, revision });
  }
  for (const { row, payload } of latest.values()) {
    result.push({
      sessionId: String(row.sessionId),
      title: String(row.title),
      type: String(row.type),
      model: typeof payload.model === 'string' ? payload.model : 'unknown',
      phase: row.phase === null || row.phase === undefined ? 'unknown' : String(row.phase),
      at: num(row.ts),
      totals: {
        inputTokens: num(payload.inputTokens),
        outputTokens: num(payload.outputTokens),
        cacheCreationTokens: num(payload.cacheCreationTokens),
        cacheCreation1hTokens: num(payload.cacheCreation1hTokens),
        cacheReadTokens: num(payload.cacheReadTokens),
        costUsd: num(payload.costUsd),
        requests: 1,
        // Recorded without a price (null), not priced at zero.
        unpricedRequests: payload.costUsd === null ? 1 : 0,
      },
    });
  }
  const runs = usageRunRows(db, options);
  for (const row of runs) {
    if (runsWithResponses.has(String(row.id))) continue;
    const totals = {
      inputTokens: num(row.inputTokens),
      outputTokens: num(row.outputTokens),
      cacheCreationTokens: num(row.cacheCreationTokens),
      cacheCreation1hTokens: num(row.cacheCreation1hTokens),
      cacheReadTokens: num(row.cacheReadTokens),
      costUsd: num(row.costUsd),
      requests: 1,
      unpricedRequests: num(row.costUnknown) ? 1 : 0,
    };
    if (totals.inputTokens + totals.outputTokens + totals.cacheCreationTokens + totals.cacheReadTokens === 0 && totals.costUsd === 0)
      continue;
    result.push({
      sessionId: String(row.sessionId),
      title: String(row.title),
      type: String(row.type),
      model: row.model === null ? 'unknown' : String(row.model),
      phase: row.phase === null ? 'unknown' : String(row.phase),
      at: num(row.at),
      totals,
    });
  }
  return result;
}

function groupBy(list: UsageUnit[], key: (u: UsageUnit) => string): Map<string, UsageTotals> {
  const groups = new Map<string, UsageTotals>();
  for (const u of list) {
    const k = key(u);
    const t = groups.get(k) ?? emptyTotals();
    add(t, u.totals);
    groups.set(k, t);
  }
  return groups;
}

const rows = (groups: Map<string, UsageTotals>): UsageRow[] => [...groups].map(([key, t]) => ({ key, ...t }));
const byCost = (a: UsageTotals & { key?: string }, b: UsageTotals & { key?: string }) =>
  b.costUsd - a.costUsd || b.outputTokens - a.outputTokens;

/** The pieces to merge reports with (all workspaces on this machine: see core/ledger/machineUsage.ts). */
export { emptyTotals as emptyUsageTotals, add as addUsageTotals, byCost as byUsageCost };
/** The units of usage (responses, else runs) with their session, for other groupings (the team view: core/sync/teamUsage.ts). */
export { units as usageUnits, type UsageUnit };

export function buildUsageReport(db: SqlReader, options: { topSessions?: number; now?: number; pricing?: PricingTable } = {}): UsageReport {
  const { effectiveDate, source } = (options.pricing ?? PricingTable.builtIn()).info;
  const list = units(db);
  const total = emptyTotals();
  list.forEach((u) => add(total, u.totals));
  const sessions = new Map<string, TopSession>();
  for (const u of list) {
    const s = sessions.get(u.sessionId) ?? { sessionId: u.sessionId, title: u.title, type: u.type, ...emptyTotals() };
    add(s, u.totals);
    sessions.set(u.sessionId, s);
  }
  return {
    generatedAt: options.now ?? Date.now(),
    pricing: { effectiveDate, source },
    total,
    byDay: rows(groupBy(list, (u) => utcDay(u.at))).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
    byModel: rows(groupBy(list, (u) => u.model)).sort(byCost),
    bySessionType: rows(groupBy(list, (u) => u.type)).sort(byCost),
    byPhase: rows(groupBy(list, (u) => u.phase)).sort(byCost),
    topSessions: [...sessions.values()].sort(byCost).slice(0, options.topSessions ?? 20),
  };
}

/** `cache_creation_tokens` is every cache write (as before); the two after it split it by TTL. */
const CSV_HEADER = [
  'section',
  'key',
  'title',
  'input_tokens',
  'output_tokens',
  'cache_creation_tokens',
  'cache_write_5m_tokens',
  'cache_write_1h_tokens',
  'cache_read_tokens',
  'cost_usd',
  'requests',
  'unpriced_requests',
];

/** RFC 4180 field: quoted when it holds a comma, quote or line break; formula-looking text is defused. */
function csvField(value: string | number): string {
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The report as CSV: one row per day, model, session type, phase, top session and (all workspaces) project, then the total. */
export function usageReportToCsv(report: UsageReport & { byProject?: readonly (UsageRow & { name: string })[] }): string {
  const line = (section: string, key: string, title: string, t: UsageTotals) =>
    [
      section,
      key,
      title,
      t.inputTokens,
      t.outputTokens,
      t.cacheCreationTokens,
      t.cacheCreationTokens - t.cacheCreation1hTokens,
      t.cacheCreation1hTokens,
      t.cacheReadTokens,
      Number(t.costUsd.toFixed(6)),
      t.requests,
      t.unpricedRequests,
    ]
      .map(csvField)
      .join(',');
  return (
    [
      CSV_HEADER.join(','),
      ...report.byDay.map((r) => line('day', r.key, '', r)),
      ...report.byModel.map((r) => line('model', r.key, '', r)),
      ...report.bySessionType.map((r) => line('session_type', r.key, '', r)),
      ...report.byPhase.map((r) => line('phase', r.key, '', r)),
      ...report.topSessions.map((s) => line('session', s.sessionId, s.title, s)),
      ...(report.byProject ?? []).map((p) => line('project', p.key, p.name, p)),
      line('total', '', '', report.total),
    ].join('\r\n') + '\r\n'
  );
}
