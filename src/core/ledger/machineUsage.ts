import * as path from 'node:path';
import { PricingTable } from '../agent/pricing';
import type { SqlReader } from '../store/ports';
import {
  addUsageTotals,
  buildUsageReport,
  byUsageCost,
  emptyUsageTotals,
  type TopSession,
  type UsageReport,
  type UsageRow,
} from './usageReport';
import { LedgerUnreadableError, type LedgerReader } from '../store/ledgerReader';
import type { RegisteredLedger } from '../store/ledgerRegistry';
import { canonicalFolderPath } from '../store/projectIdentity';

/**
 * Usage of every ledger on this machine ("Show Usage" → all workspaces): what people use ccusage
 * for, by project, day, model and session type. The ledgers are those in the ledger registry (every
 * window registers its project's ledger), each read once and strictly read-only (see LedgerReader:
 * no lock taken, nothing written into its folder), its report built by the same buildUsageReport as
 * this workspace's, then merged. Figures are de-duplicated: a ledger registered twice (the same
 * ledger id, or the same folder) counts once, and this window's ledger is read from its open store,
 * never a second time from disk. A ledger that cannot be read is left out and listed with the reason.
 */

/** The project a ledger belongs to, as shown. */
export interface UsageProject {
  /** The folder's name. */
  readonly name: string;
  /** The folder's canonical path ('' for a window without a folder). */
  readonly path: string;
}

/** A project's usage; `key` is its path. */
export interface ProjectUsageRow extends UsageRow {
  name: string;
  /** Ledgers counted for it (two when a window kept its own besides the registered one). */
  ledgers: number;
  /** Whether it is this window's project. */
  current: boolean;
}

export interface MachineTopSession extends TopSession {
  project: string;
  projectPath: string;
  /** In this window's ledger (its timeline can be opened here). */
  current: boolean;
}

/** A registered ledger left out of the figures. */
export interface UnreadLedger {
  readonly directory: string;
  readonly project: UsageProject;
  readonly reason: string;
}

export interface MachineUsageReport extends UsageReport {
  topSessions: MachineTopSession[];
  /** Most expensive first. */
  byProject: ProjectUsageRow[];
  /** Ledgers whose figures are in it (this window's included). */
  ledgersCounted: number;
  unread: UnreadLedger[];
}

/** This window's ledger: where it is and whose it is (its figures come from its open store). */
export interface CurrentLedgerPlace {
  readonly directory: string;
  readonly ledgerId?: string;
  /** Its project folder's canonical path; undefined without a folder. */
  readonly canonicalPath?: string;
}

/** This window's ledger, read from its open store. */
export interface CurrentLedger extends CurrentLedgerPlace {
  readonly sql: SqlReader;
}

export interface ReportOptions {
  /** Top sessions kept (default 20). */
  readonly topSessions?: number;
  readonly now?: number;
  readonly pricing?: PricingTable;
}

export interface OtherLedgersOptions extends ReportOptions {
  /** The registry's entries (LedgerRegistry.read().ledgers). */
  readonly ledgers: readonly RegisteredLedger[];
  /** This window's ledger: not read from disk (its figures come from its open store). */
  readonly current?: CurrentLedgerPlace;
  readonly reader: Pick<LedgerReader, 'read'>;
}

export interface MachineUsageOptions extends OtherLedgersOptions {
  readonly current?: CurrentLedger;
}

/** A ledger's own report, labelled with its project. */
export interface CountedLedger {
  readonly project: UsageProject;
  readonly current: boolean;
  readonly report: UsageReport;
}

/** The other ledgers as read at one time: their reports, and those that could not be read. */
export interface OtherLedgers {
  readonly counted: readonly CountedLedger[];
  readonly unread: readonly UnreadLedger[];
  readonly readAt: number;
}

const DEFAULT_TOP_SESSIONS = 20;

export function usageProject(canonicalPath: string | undefined): UsageProject {
  if (!canonicalPath) return { name: 'No folder open', path: '' };
  return { name: path.basename(canonicalPath) || canonicalPath, path: canonicalPath };
}

/**
 * Reads every registered ledger but this window's, one at a time (each closed before the next), and
 * builds each one's report. A ledger named twice (the same folder, or the same ledger id — the
 * registry's or the one the ledger holds) is counted once: the latest registration's.
 */
export async function readOtherLedgers(options: OtherLedgersOptions): Promise<OtherLedgers> {
  const reportOptions = reportOptionsOf(options);
  const counted: CountedLedger[] = [];
  const unread: UnreadLedger[] = [];
  const seenDirectories = new Set<string>();
  const seenIds = new Set<string>();
  if (options.current) {
    seenDirectories.add(canonicalFolderPath(options.current.directory));
    if (options.current.ledgerId) seenIds.add(options.current.ledgerId);
  }
  const entries = [...options.ledgers].sort((a, b) => b.registeredAt - a.registeredAt);
  for (const entry of entries) {
    const directory = canonicalFolderPath(entry.directory);
    if (seenDirectories.has(directory) || seenIds.has(entry.ledgerId)) continue;
    const project = usageProject(entry.canonicalPath);
    let read: { report: UsageReport; ledgerId: string | undefined };
    try {
      read = await options.reader.read(entry.directory, (ledger) => ({
        report: buildUsageReport(ledger.database, reportOptions),
        ledgerId: ledger.identity.ledgerId,
      }));
    } catch (error) {
      unread.push({
        directory: entry.directory,
        project,
        reason: error instanceof LedgerUnreadableError ? error.reason : (error as Error).message,
      });
      continue;
    }
    seenDirectories.add(directory);
    // The id the ledger itself holds decides (a registry entry may name a copy of a ledger already counted).
    if (read.ledgerId !== undefined && seenIds.has(read.ledgerId)) continue;
    seenIds.add(entry.ledgerId);
    if (read.ledgerId !== undefined) seenIds.add(read.ledgerId);
    counted.push({ project, current: false, report: read.report });
  }
  return { counted, unread, readAt: options.now ?? Date.now() };
}

/** This window's report (from its open store) merged with the other ledgers' (as read by {@link readOtherLedgers}). */
export function machineUsageReport(
  current: CurrentLedger | undefined,
  others: OtherLedgers,
  options: ReportOptions = {},
): MachineUsageReport {
  const reportOptions = reportOptionsOf(options);
  const ledgers = current
    ? [
        { project: usageProject(current.canonicalPath), current: true, report: buildUsageReport(current.sql, reportOptions) },
        ...others.counted,
      ]
    : others.counted;
  const { effectiveDate, source } = (options.pricing ?? PricingTable.builtIn()).info;
  return {
    generatedAt: options.now ?? Date.now(),
    pricing: { effectiveDate, source },
    ...merge(ledgers, reportOptions.topSessions),
    unread: [...others.unread],
  };
}

/** {@link readOtherLedgers}, then {@link machineUsageReport}. */
export async function buildMachineUsageReport(options: MachineUsageOptions): Promise<MachineUsageReport> {
  return machineUsageReport(options.current, await readOtherLedgers(options), options);
}

function reportOptionsOf(options: ReportOptions): { topSessions: number; now?: number; pricing?: PricingTable } {
  return { topSessions: options.topSessions ?? DEFAULT_TOP_SESSIONS, now: options.now, pricing: options.pricing };
}

function merge(ledgers: readonly CountedLedger[], topSessions: number): Omit<MachineUsageReport, 'generatedAt' | 'pricing' | 'unread'> {
  const total = emptyUsageTotals();
  const byDay = new Map<string, UsageRow>();
  const byModel = new Map<string, UsageRow>();
  const byType = new Map<string, UsageRow>();
  const byPhase = new Map<string, UsageRow>();
  const byProject = new Map<string, ProjectUsageRow>();
  const sessions: MachineTopSession[] = [];
  const into = (groups: Map<string, UsageRow>, rows: readonly UsageRow[]) => {
    for (const row of rows) {
      const group = groups.get(row.key) ?? { key: row.key, ...emptyUsageTotals() };
      addUsageTotals(group, row);
      groups.set(row.key, group);
    }
  };
  for (const { project, current, report } of ledgers) {
    addUsageTotals(total, report.total);
    into(byDay, report.byDay);
    into(byModel, report.byModel);
    into(byType, report.bySessionType);
    into(byPhase, report.byPhase);
    const row = byProject.get(project.path) ?? { key: project.path, name: project.name, ledgers: 0, current: false, ...emptyUsageTotals() };
    addUsageTotals(row, report.total);
    row.ledgers++;
    row.current ||= current;
    byProject.set(project.path, row);
    sessions.push(...report.topSessions.map((s) => ({ ...s, project: project.name, projectPath: project.path, current })));
  }
  return {
    total,
    byDay: [...byDay.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
    byModel: [...byModel.values()].sort(byUsageCost),
    bySessionType: [...byType.values()].sort(byUsageCost),
    byPhase: [...byPhase.values()].sort(byUsageCost),
    // Each ledger's own top N holds every session of the merged top N.
    topSessions: sessions.sort(byUsageCost).slice(0, topSessions),
    byProject: [...byProject.values()].sort(byUsageCost),
    ledgersCounted: ledgers.length,
  };
}
