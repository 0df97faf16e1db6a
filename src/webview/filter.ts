import { CommandKindSchema, ResultStatusSchema, type CommandKind, type ResultStatus } from '../protocol/sharedModel';
import type { InteractionRow } from '../protocol/timelineModel';

export const COMMAND_KINDS: readonly CommandKind[] = CommandKindSchema.options;
export const RESULT_STATUSES: readonly ResultStatus[] = ResultStatusSchema.options;

/** Which rows to show. An empty set means "any". */
export interface TimelineFilter {
  readonly kinds: ReadonlySet<CommandKind>;
  readonly statuses: ReadonlySet<ResultStatus>;
}

export const NO_FILTER: TimelineFilter = { kinds: new Set(), statuses: new Set() };

export function matchesFilter(row: Pick<InteractionRow, 'kind' | 'status'>, filter: TimelineFilter): boolean {
  return (filter.kinds.size === 0 || filter.kinds.has(row.kind)) && (filter.statuses.size === 0 || filter.statuses.has(row.status));
}

export function applyFilter<R extends Pick<InteractionRow, 'kind' | 'status'>>(rows: readonly R[], filter: TimelineFilter): R[] {
  if (filter.kinds.size === 0 && filter.statuses.size === 0) {
    return rows.slice();
  }
  return rows.filter((row) => matchesFilter(row, filter));
}

/** A new set with `value` added, or removed if it was there. */
export function toggled<T>(set: ReadonlySet<T>, value: T): Set<T> {
  const next = new Set(set);
  if (!next.delete(value)) {
    next.add(value);
  }
  return next;
}

/** A filter from saved view state: unknown values (an older version, a bad state) are dropped. */
export function filterFromState(kinds: readonly string[], statuses: readonly string[]): TimelineFilter {
  return {
    kinds: new Set(COMMAND_KINDS.filter((k) => kinds.includes(k))),
    statuses: new Set(RESULT_STATUSES.filter((s) => statuses.includes(s))),
  };
}
