import { addUsageTotals, byUsageCost, emptyUsageTotals, usageUnits, type UsageRow, type UsageTotals } from '../ledger/usageReport';
import type { SqlReader } from '../store/ports';

/*
 * Show Usage's team view: the usage this ledger holds — this machine's sessions and the read-only
 * copies pulled from the team ledger — by person and by project. Counted exactly as the usage
 * report counts (core/ledger/usageReport.ts: one API response where known, else one run).
 */

export interface TeamUsage {
  /** Person (the owner of a pulled session; this ledger's person for sessions made here), most expensive first. */
  readonly byPerson: (UsageRow & { sessions: number; you: boolean })[];
  /** Project id on the team server (its normalised git remote), most expensive first. */
  readonly byProject: (UsageRow & { sessions: number; current: boolean })[];
  /** Sessions counted that were pulled from the team ledger. */
  readonly pulledSessions: number;
}

export interface TeamUsageOptions {
  /** Who sessions made here belong to. */
  readonly person: string;
  /** This workspace's project on the team server. */
  readonly projectId: string;
  /** The project of each pulled session (from the server); a pulled session not in it is this project's (the default pull scope). */
  readonly projectOf?: ReadonlyMap<string, string>;
}

/** Ids of pulled sessions (what the caller asks the server the project of, when pulling all projects). */
export function pulledSessionIds(db: SqlReader): string[] {
  return db.all('SELECT id FROM sessions WHERE sync_origin IS NOT NULL').map((row) => String(row.id));
}

export function teamUsage(db: SqlReader, options: TeamUsageOptions): TeamUsage {
  const owners = new Map<string, string>();
  for (const row of db.all('SELECT id, owner_person FROM sessions WHERE sync_origin IS NOT NULL'))
    owners.set(String(row.id), row.owner_person === null ? '(unknown)' : String(row.owner_person));
  const persons = new Map<string, { totals: UsageTotals; sessions: Set<string> }>();
  const projects = new Map<string, { totals: UsageTotals; sessions: Set<string> }>();
  const pulled = new Set<string>();
  const into = (groups: typeof persons, key: string, sessionId: string, totals: UsageTotals): void => {
    const group = groups.get(key) ?? { totals: emptyUsageTotals(), sessions: new Set<string>() };
    addUsageTotals(group.totals, totals);
    group.sessions.add(sessionId);
    groups.set(key, group);
  };
  for (const unit of usageUnits(db, { pulled: true })) {
    const owner = owners.get(unit.sessionId);
    if (owner !== undefined) pulled.add(unit.sessionId);
    into(persons, owner ?? options.person, unit.sessionId, unit.totals);
    const project = owner === undefined ? options.projectId : (options.projectOf?.get(unit.sessionId) ?? options.projectId);
    into(projects, project, unit.sessionId, unit.totals);
  }
  const rows = <T>(groups: typeof persons, extra: (key: string) => T) =>
    [...groups].map(([key, group]) => ({ key, ...group.totals, sessions: group.sessions.size, ...extra(key) })).sort(byUsageCost);
  return {
    byPerson: rows(persons, (key) => ({ you: key === options.person })),
    byProject: rows(projects, (key) => ({ current: key === options.projectId })),
    pulledSessions: pulled.size,
  };
}
