import { roundUsd, type Cost, type PricingInfo, type PricingTable } from '../agent/pricing';
import type { TokenUsage } from '../model/session';
import type { SqlWriter, TransactionalStore } from '../store/ports';
import {
  clearRunCostUnknown,
  runCountsBySession,
  runEventRows,
  sessionCostCounters,
  sessionRunRows,
  setEventPayload,
  setRunCost,
  setSessionCost,
} from '../store/queries/costQueries';
import { responseRevision } from './usageReport';

/**
 * Recompute Costs: re-prices every stored run from its stored tokens and model with the current
 * pricing table (built-in + `sessionLedger.pricingOverrides`), after the table or the overrides
 * changed. Tokens are never touched; only costs are.
 *
 * - A run whose API responses were recorded one by one (`claude.usage` events of imported Claude
 *   Code turns, `usage` events of agentic API runs; of a revised response, its latest revision),
 *   and whose responses add up to the run's stored tokens, is priced response by response: each response has its own model and its own tier
 *   (long-context rates, or marked as priced at the base rate). Those events' `costUsd` is
 *   rewritten too, so the usage report (which counts them) agrees with the runs.
 * - Any other run (the headless CLI reports one total; older records) is priced from its totals at
 *   the base rates of its model.
 * - A run with no tokens at all keeps its cost; it loses `cost_unknown` (nothing in it is unpriced).
 * - A model without a price keeps `cost_unknown` (its cost stays the priced part, a lower bound);
 *   a run priced now (an override was added) loses it.
 *
 * Sessions' `total_cost_usd` and `cost_unknown` are set to the sums of their runs. The work runs in
 * transactions of whole sessions (about `batchSize` runs each), so a session's counters always
 * agree with its runs. Running it twice changes nothing the second time.
 */

export interface RecomputeProgress {
  runsDone: number;
  runsTotal: number;
}

export interface RecomputeOptions {
  /** Runs per transaction (whole sessions; default 500). */
  batchSize?: number;
  onProgress?(progress: RecomputeProgress): void;
  /** Checked between batches: true stops after the current one (what was done stays done and consistent). */
  isCancelled?(): boolean;
}

export interface RecomputeReport {
  /** Runs with tokens, re-priced. */
  runs: number;
  /** Sessions those runs belong to. */
  sessions: number;
  /** Runs whose cost or cost-unknown flag changed. */
  changedRuns: number;
  /** Sessions whose total or cost-unknown flag changed. */
  changedSessions: number;
  /** Per-response usage events whose cost was rewritten. */
  changedResponses: number;
  /** The sum of the runs' (priced) costs before and after. */
  totalBeforeUsd: number;
  totalAfterUsd: number;
  /** Runs whose cost stays unknown (a model without a price), and those models. */
  unpricedRuns: number;
  unpricedModels: string[];
  /** Responses over 200K prompt tokens of a model without long-context rates: priced at base rates (too low). */
  pricedAtBaseRateResponses: number;
  /** False when cancelled before the end. */
  complete: boolean;
  pricing: PricingInfo;
}

/** The per-response usage events: imported Claude Code responses and agentic API turns. */
const RESPONSE_EVENT_TYPES = ['claude.usage', 'usage'] as const;

type Row = Record<string, string | number | null>;

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0);
const sameUsd = (a: number, b: number): boolean => Math.abs(a - b) < 5e-10;

function usageOf(source: Record<string, unknown>): TokenUsage {
  return {
    inputTokens: num(source.inputTokens),
    outputTokens: num(source.outputTokens),
    cacheCreationTokens: num(source.cacheCreationTokens),
    cacheCreation1hTokens: num(source.cacheCreation1hTokens),
    cacheReadTokens: num(source.cacheReadTokens),
  };
}

function runUsage(row: Row): TokenUsage {
  return usageOf({
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    cacheCreationTokens: row.cache_creation_tokens,
    cacheCreation1hTokens: row.cache_creation_1h_tokens,
    cacheReadTokens: row.cache_read_tokens,
  });
}

const sameTotals = (a: TokenUsage, b: TokenUsage): boolean =>
  a.inputTokens === b.inputTokens &&
  a.outputTokens === b.outputTokens &&
  a.cacheCreationTokens === b.cacheCreationTokens &&
  a.cacheReadTokens === b.cacheReadTokens;

interface ResponseEvent {
  id: string;
  type: string;
  payload: Record<string, unknown>;
  model: string;
  usage: TokenUsage;
}

function parsePayload(text: unknown): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(String(text));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Re-prices every stored run; see the module comment. */
export async function recomputeCosts(
  store: TransactionalStore,
  db: SqlWriter,
  pricing: PricingTable,
  options: RecomputeOptions = {},
): Promise<RecomputeReport> {
  const batchSize = Math.max(1, options.batchSize ?? 500);
  const report: RecomputeReport = {
    runs: 0,
    sessions: 0,
    changedRuns: 0,
    changedSessions: 0,
    changedResponses: 0,
    totalBeforeUsd: 0,
    totalAfterUsd: 0,
    unpricedRuns: 0,
    unpricedModels: [],
    pricedAtBaseRateResponses: 0,
    complete: true,
    pricing: pricing.info,
  };
  const unpricedModels = new Set<string>();
  const perSession = runCountsBySession(db);
  const runsTotal = perSession.reduce((n, row) => n + row.runs, 0);
  // Whole sessions per batch, about batchSize runs each.
  const batches: string[][] = [];
  let current: string[] = [];
  let currentRuns = 0;
  for (const row of perSession) {
    current.push(row.sessionId);
    currentRuns += row.runs;
    if (currentRuns >= batchSize) {
      batches.push(current);
      current = [];
      currentRuns = 0;
    }
  }
  if (current.length) batches.push(current);

  let runsDone = 0;
  options.onProgress?.({ runsDone, runsTotal });
  for (const batch of batches) {
    if (options.isCancelled?.()) {
      report.complete = false;
      break;
    }
    runsDone += await store.transaction(() => {
      let done = 0;
      for (const sessionId of batch) done += recomputeSession(db, pricing, sessionId, report, unpricedModels);
      return done;
    });
    options.onProgress?.({ runsDone, runsTotal });
  }
  report.totalBeforeUsd = roundUsd(report.totalBeforeUsd);
  report.totalAfterUsd = roundUsd(report.totalAfterUsd);
  report.unpricedModels = [...unpricedModels].sort();
  return report;
}

/** Inside the batch's transaction: the session's runs, then its counters. Returns the runs looked at. */
function recomputeSession(
  db: SqlWriter,
  pricing: PricingTable,
  sessionId: string,
  report: RecomputeReport,
  unpricedModels: Set<string>,
): number {
  const runs = sessionRunRows(db, sessionId);
  const responsesByRun = runs.length ? responseEvents(db, sessionId) : new Map<string, ResponseEvent[]>();
  let repriced = false;
  for (const run of runs) {
    const usage = runUsage(run);
    const before = Number(run.cost_usd);
    const beforeUnknown = Number(run.cost_unknown) === 1;
    report.totalBeforeUsd += before;
    if (usage.inputTokens + usage.outputTokens + usage.cacheCreationTokens + usage.cacheReadTokens === 0) {
      report.totalAfterUsd += before;
      // Nothing in it is unpriced (a flag left by an older version after its response moved to another run).
      if (beforeUnknown) {
        clearRunCostUnknown(db, String(run.id));
        report.changedRuns++;
      }
      continue;
    }
    repriced = true;
    report.runs++;
    const runModel = run.model === null ? 'unknown' : String(run.model);
    const responses = (responsesByRun.get(String(run.id)) ?? []).map((r) => (r.model === '' ? { ...r, model: runModel } : r));
    const sums = responses.reduce<TokenUsage>(
      (sum, r) => ({
        inputTokens: sum.inputTokens + r.usage.inputTokens,
        outputTokens: sum.outputTokens + r.usage.outputTokens,
        cacheCreationTokens: sum.cacheCreationTokens + r.usage.cacheCreationTokens,
        cacheCreation1hTokens: sum.cacheCreation1hTokens + r.usage.cacheCreation1hTokens,
        cacheReadTokens: sum.cacheReadTokens + r.usage.cacheReadTokens,
      }),
      { inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheCreation1hTokens: 0, cacheReadTokens: 0 },
    );
    let priced = 0;
    let unknown = false;
    if (responses.length > 0 && sameTotals(sums, usage)) {
      for (const response of responses) {
        const cost = pricing.costOf(response.model, response.usage);
        if ('unknown' in cost) {
          unknown = true;
          unpricedModels.add(response.model);
        } else {
          priced += cost.usd;
          if (cost.pricedAtBaseRate) report.pricedAtBaseRateResponses++;
        }
        if (rewriteResponse(db, response, cost)) report.changedResponses++;
      }
    } else {
      const cost: Cost = pricing.costOfTotals(runModel, usage);
      if ('unknown' in cost) {
        unknown = true;
        unpricedModels.add(runModel);
      } else {
        priced = cost.usd;
      }
    }
    const after = roundUsd(priced);
    report.totalAfterUsd += after;
    if (unknown) report.unpricedRuns++;
    if (!sameUsd(after, before) || unknown !== beforeUnknown) {
      setRunCost(db, String(run.id), after, unknown);
      report.changedRuns++;
    }
  }
  if (runs.length === 0) return 0;
  if (repriced) report.sessions++;
  // The session's counters are the sums of its runs (as written by the runs repository).
  const session = sessionCostCounters(db, sessionId);
  if (session) {
    const total = roundUsd(session.runs.reduce((sum, run) => sum + run.costUsd, 0));
    const anyUnknown = session.runs.some((run) => run.unknown);
    if (!sameUsd(total, session.totalUsd) || anyUnknown !== session.unknown) {
      setSessionCost(db, sessionId, total, anyUnknown);
      report.changedSessions++;
    }
  }
  return runs.length;
}

/**
 * The session's per-response usage events by run: of a response revised by a later line, only
 * its latest revision (the figure its run counts). `model` is '' when the event names none.
 */
function responseEvents(db: SqlWriter, sessionId: string): Map<string, ResponseEvent[]> {
  const rows = runEventRows(db, sessionId, RESPONSE_EVENT_TYPES);
  const latest = new Map<string, { runId: string; revision: number; event: ResponseEvent }>();
  for (const row of rows) {
    const payload = parsePayload(row.payload);
    if (!payload) continue; // a damaged payload: its run falls back to pricing by totals (the sums will not match)
    const { key, revision } = responseRevision(String(row.id), payload);
    const event = {
      id: String(row.id),
      type: String(row.type),
      payload,
      model: typeof payload.model === 'string' ? payload.model : '',
      usage: usageOf(payload),
    };
    const seen = latest.get(`${event.type}\n${key}`);
    if (!seen || revision > seen.revision) latest.set(`${event.type}\n${key}`, { runId: String(row.runId), revision, event });
  }
  const byRun = new Map<string, ResponseEvent[]>();
  for (const { runId, event } of latest.values()) byRun.set(runId, [...(byRun.get(runId) ?? []), event]);
  return byRun;
}

/** Writes the response's new cost into its event when it differs; true when it did. */
function rewriteResponse(db: SqlWriter, response: ResponseEvent, cost: Cost): boolean {
  const { payload } = response;
  const costUsd = 'unknown' in cost ? null : cost.usd;
  const baseRate = 'usd' in cost && cost.pricedAtBaseRate === true;
  const oldCost = typeof payload.costUsd === 'number' ? payload.costUsd : null;
  const unchanged =
    (costUsd === null ? oldCost === null : oldCost !== null && sameUsd(oldCost, costUsd)) &&
    (payload.pricedAtBaseRate === true) === baseRate &&
    (response.type !== 'usage' || payload.costUnknown === (costUsd === null));
  if (unchanged) return false;
  const next: Record<string, unknown> = { ...payload, costUsd };
  if (response.type === 'usage') next.costUnknown = costUsd === null;
  if (baseRate) next.pricedAtBaseRate = true;
  else delete next.pricedAtBaseRate;
  setEventPayload(db, response.id, next);
  return true;
}

/** "Re-priced N runs in M sessions: total $A → $B; K runs of unpriced models (…)." */
export function describeRecompute(report: RecomputeReport): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const usd = (n: number) => `$${n.toFixed(n !== 0 && Math.abs(n) < 1 ? 4 : 2)}`;
  const parts = [
    `Re-priced ${plural(report.runs, 'run')} in ${plural(report.sessions, 'session')}: total ${usd(report.totalBeforeUsd)} → ${usd(report.totalAfterUsd)}`,
    `${report.changedRuns} changed`,
  ];
  if (report.unpricedRuns) {
    parts.push(
      `${plural(report.unpricedRuns, 'run')} of unpriced models (${report.unpricedModels.join(', ')}): their cost stays unknown; add them in "sessionLedger.pricingOverrides"`,
    );
  }
  if (report.pricedAtBaseRateResponses) {
    parts.push(
      `${plural(report.pricedAtBaseRateResponses, 'response')} over 200K prompt tokens priced at base rates (no long-context rates for the model)`,
    );
  }
  const overrides = report.pricing.overriddenModels.length ? ` with overrides for ${report.pricing.overriddenModels.join(', ')}` : '';
  const stopped = report.complete ? '' : ' Stopped before the end: run it again to finish.';
  return `${parts.join('; ')}. Prices of ${report.pricing.effectiveDate} (${report.pricing.source})${overrides}.${stopped}`;
}
