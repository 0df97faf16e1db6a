/**
 * Retention (opt-in): a pure planner that returns a dry-run report the person confirms, and an
 * apply function that executes exactly that plan — nothing is ever deleted silently.
 *
 * - Completed sessions (`complete | failed | cancelled`) that ended more than `maxAgeDays` ago are
 *   soft-deleted (recoverable).
 * - Sessions soft-deleted more than `hardDeleteAfterDays` ago are hard-deleted with all their
 *   records (the grace period).
 * - Events of noisy types (`pruneEventTypes`, exact or `prefix.*`) are removed from completed
 *   sessions that ended more than `pruneEventsAfterDays` ago.
 * - Exempt: `active`, `paused` and `interrupted` sessions, pinned sessions (tag `pinned`), and a
 *   session whose child sessions are not deleted with it.
 */
import type { Session } from '../model/session';
import { isTerminalSessionStatus } from '../model/sessionStatus';
import type { SqlReader, SqlWriter, TransactionalStore } from '../store/ports';
import { eventTypeCounts, hardDeleteSession, pruneSessionEvents } from '../store/queries/retentionQueries';

export const PINNED_TAG = 'pinned';
const DAY_MS = 24 * 60 * 60 * 1000;

/** A pinned session is kept by retention, whatever its age. */
export function isPinned(session: Pick<Session, 'tags'>): boolean {
  return session.tags.includes(PINNED_TAG);
}

/** The tags with the pin added or removed; the other tags keep their order. */
export function withPinned(tags: readonly string[], pinned: boolean): string[] {
  const others = tags.filter((tag) => tag !== PINNED_TAG);
  return pinned ? [...others, PINNED_TAG] : others;
}

export interface RetentionPolicy {
  /** Soft-delete completed sessions older than this (by end time). Undefined: never. */
  maxAgeDays?: number;
  /** Hard-delete sessions soft-deleted longer ago than this. Undefined: never. */
  hardDeleteAfterDays?: number;
  /** Event types to prune: exact (`hook.PreToolUse`) or a prefix pattern (`claude.thinking*`, `hook.*`). */
  pruneEventTypes?: readonly string[];
  /** Prune only in completed sessions that ended longer ago than this. Default 0. */
  pruneEventsAfterDays?: number;
}

/** Per session: number of events per prunable type, and the session's last event seq when counted. */
export type EventTypeCounts = ReadonlyMap<string, { readonly byType: Readonly<Record<string, number>>; readonly lastSeq: number }>;

export interface PlannedSession {
  sessionId: string;
  title: string;
  status: Session['status'];
  /** The time the rule measured from (ended, or deleted). */
  since: number;
}

export interface PlannedPrune {
  sessionId: string;
  title: string;
  /** Type → number of events to remove. */
  types: Record<string, number>;
  count: number;
  /** Only events up to this seq are removed: the ones that existed when the plan was made. */
  throughSeq: number;
}

export interface RetentionPlan {
  now: number;
  policy: RetentionPolicy;
  softDelete: PlannedSession[];
  hardDelete: PlannedSession[];
  pruneEvents: PlannedPrune[];
  exempt: { sessionId: string; title: string; reason: string }[];
}

/**
 * Event types that hold figures or links the ledger reads again, never pruned whatever the
 * patterns say: per-response usage (the usage report, Recompute Costs and re-imports count
 * responses by them; pruned, a re-read transcript would count every response again) and the
 * tool calls sub-agents are linked to.
 */
export const NEVER_PRUNED_EVENT_TYPES: ReadonlySet<string> = new Set(['claude.usage', 'usage', 'claude.tool_use', 'claude.costState']);

export function matchesEventType(type: string, patterns: readonly string[]): boolean {
  if (NEVER_PRUNED_EVENT_TYPES.has(type)) return false;
  return patterns.some((p) => (p.endsWith('*') ? type.startsWith(p.slice(0, -1)) : type === p));
}

function ownExemption(session: Session): string | undefined {
  if (!isTerminalSessionStatus(session.status)) return `status ${session.status}`;
  if (isPinned(session)) return 'pinned';
  return undefined;
}

/**
 * Splits candidates into those to delete and those exempt. A session is kept when its own state
 * exempts it or when one of its children is kept (repeated until stable, for deeper trees).
 */
function resolveDeletions(
  candidates: readonly Session[],
  alreadyGone: ReadonlySet<string>,
  children: ReadonlyMap<string, Session[]>,
): { deleting: Session[]; exempt: { session: Session; reason: string }[] } {
  const exempt = new Map<string, string>();
  for (const s of candidates) {
    const reason = ownExemption(s);
    if (reason) exempt.set(s.id, reason);
  }
  const candidateIds = new Set(candidates.map((s) => s.id));
  const deleted = (id: string) => alreadyGone.has(id) || (candidateIds.has(id) && !exempt.has(id));
  for (let changed = true; changed;) {
    changed = false;
    for (const s of candidates) {
      if (exempt.has(s.id)) continue;
      const kept = (children.get(s.id) ?? []).filter((c) => !deleted(c.id));
      if (kept.length > 0) {
        exempt.set(s.id, `${kept.length} child session(s) are kept`);
        changed = true;
      }
    }
  }
  return {
    deleting: candidates.filter((s) => !exempt.has(s.id)),
    exempt: candidates.filter((s) => exempt.has(s.id)).map((s) => ({ session: s, reason: exempt.get(s.id)! })),
  };
}

/** Pure: what retention would do now. `sessions` must include soft-deleted ones. */
export function planRetention(
  policy: RetentionPolicy,
  sessions: readonly Session[],
  eventCounts: EventTypeCounts,
  now: number,
): RetentionPlan {
  const plan: RetentionPlan = { now, policy, softDelete: [], hardDelete: [], pruneEvents: [], exempt: [] };
  const children = new Map<string, Session[]>();
  for (const s of sessions) if (s.parentSessionId) children.set(s.parentSessionId, [...(children.get(s.parentSessionId) ?? []), s]);
  const olderThan = (time: number | null, days: number | undefined) => days !== undefined && time !== null && now - time > days * DAY_MS;
  const entry = (s: Session, since: number): PlannedSession => ({ sessionId: s.id, title: s.title, status: s.status, since });

  const addExempt = (items: { session: Session; reason: string }[]) =>
    plan.exempt.push(...items.map(({ session, reason }) => ({ sessionId: session.id, title: session.title, reason })));

  const trashed = sessions.filter((s) => s.deletedAt !== null);
  const hard = resolveDeletions(
    trashed.filter((s) => olderThan(s.deletedAt, policy.hardDeleteAfterDays)),
    new Set(),
    children,
  );
  // Children before their parents: a row's parent_session_id must not point at a removed row.
  const byId = new Map(sessions.map((s) => [s.id, s]));
  const depth = (s: Session) => {
    let d = 0;
    for (let p = s.parentSessionId; p && d < 1000; p = byId.get(p)?.parentSessionId ?? null) d++;
    return d;
  };
  plan.hardDelete = [...hard.deleting].sort((a, b) => depth(b) - depth(a)).map((s) => entry(s, s.deletedAt!));
  addExempt(hard.exempt);

  const live = sessions.filter((s) => s.deletedAt === null);
  const ended = (s: Session) => s.endedAt ?? s.updatedAt;
  const soft = resolveDeletions(
    live.filter((s) => olderThan(ended(s), policy.maxAgeDays)),
    new Set(trashed.map((s) => s.id)),
    children,
  );
  plan.softDelete = soft.deleting.map((s) => entry(s, ended(s)));
  addExempt(soft.exempt);

  const patterns = policy.pruneEventTypes ?? [];
  if (patterns.length > 0) {
    for (const s of live) {
      if (!isTerminalSessionStatus(s.status) || isPinned(s)) continue;
      if (!olderThan(ended(s), policy.pruneEventsAfterDays ?? 0)) continue;
      const counted = eventCounts.get(s.id);
      const types = Object.fromEntries(
        Object.entries(counted?.byType ?? {}).filter(([type, n]) => n > 0 && matchesEventType(type, patterns)),
      );
      const count = Object.values(types).reduce((a, b) => a + b, 0);
      if (counted && count > 0) plan.pruneEvents.push({ sessionId: s.id, title: s.title, types, count, throughSeq: counted.lastSeq });
    }
  }
  return plan;
}

/** A person-readable dry-run report of the plan. */
export function describeRetentionPlan(plan: RetentionPlan): string {
  const day = (t: number) => new Date(t).toISOString().slice(0, 10);
  const lines = [`Retention dry run (${day(plan.now)})`];
  const section = (title: string, items: string[]) => lines.push('', `${title}: ${items.length}`, ...items.map((i) => `  - ${i}`));
  section(
    'Move to trash (soft delete)',
    plan.softDelete.map((s) => `${s.title} (${s.status}, ended ${day(s.since)})`),
  );
  section(
    'Delete permanently (in trash since)',
    plan.hardDelete.map((s) => `${s.title} (${day(s.since)})`),
  );
  section(
    'Prune events',
    plan.pruneEvents.map(
      (p) =>
        `${p.title}: ${Object.entries(p.types)
          .map(([t, n]) => `${n} ${t}`)
          .join(', ')}`,
    ),
  );
  section(
    'Kept (exempt)',
    plan.exempt.map((e) => `${e.title}: ${e.reason}`),
  );
  lines.push('', `Never pruned (they hold usage figures and sub-agent links): ${[...NEVER_PRUNED_EVENT_TYPES].join(', ')}.`);
  return lines.join('\n');
}

/** Per-session counts of the event types a policy prunes. */
export function countPrunableEvents(db: SqlReader, patterns: readonly string[]): EventTypeCounts {
  const counts = new Map<string, { byType: Record<string, number>; lastSeq: number }>();
  if (patterns.length === 0) return counts;
  for (const row of eventTypeCounts(db)) {
    const entry = counts.get(row.sessionId) ?? { byType: {}, lastSeq: 0 };
    entry.lastSeq = Math.max(entry.lastSeq, row.lastSeq);
    if (matchesEventType(row.type, patterns)) entry.byType[row.type] = row.count;
    counts.set(row.sessionId, entry);
  }
  return counts;
}

export interface RetentionResult {
  softDeleted: number;
  hardDeleted: number;
  eventsPruned: number;
}

/**
 * Executes exactly `plan` in one transaction: the sessions and event types it lists, nothing
 * else. A session whose state changed since planning (restored, resumed, pinned) is skipped.
 */
export async function applyRetentionPlan(store: TransactionalStore, db: SqlWriter, plan: RetentionPlan): Promise<RetentionResult> {
  return store.transaction((tx) => {
    const result: RetentionResult = { softDeleted: 0, hardDeleted: 0, eventsPruned: 0 };
    const unchanged = (id: string, deleted: boolean) => {
      const s = tx.sessions.get(id);
      return s !== undefined && (s.deletedAt !== null) === deleted && isTerminalSessionStatus(s.status) && !isPinned(s);
    };
    for (const p of plan.pruneEvents) {
      if (!unchanged(p.sessionId, false)) continue;
      pruneSessionEvents(db, p.sessionId, Object.keys(p.types), p.throughSeq);
      for (const n of Object.values(p.types)) result.eventsPruned += n;
    }
    for (const s of plan.softDelete) {
      if (!unchanged(s.sessionId, false)) continue;
      tx.sessions.softDelete(s.sessionId);
      result.softDeleted++;
    }
    for (const s of plan.hardDelete) {
      if (!unchanged(s.sessionId, true)) continue;
      hardDeleteSession(db, s.sessionId);
      result.hardDeleted++;
    }
    return result;
  });
}
