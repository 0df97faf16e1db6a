import { CommandKindSchema, ResultStatusSchema, type CommandKind, type ResultStatus } from '../protocol/sharedModel';
import type { InteractionRow } from '../protocol/timelineModel';

export const COMMAND_KINDS: readonly CommandKind[] = CommandKindSchema.options;
export const RESULT_STATUSES: readonly ResultStatus[] = ResultStatusSchema.options;

/** Which rows to show. An empty set means "any"; `text` (typed in the filter box) matches the command or the step name, ignoring case. */
export interface TimelineFilter {
  readonly kinds: ReadonlySet<CommandKind>;
  readonly statuses: ReadonlySet<ResultStatus>;
  readonly text?: string;
}

type FilteredRow = Pick<InteractionRow, 'kind' | 'status'> & Partial<Pick<InteractionRow, 'command' | 'step'>>;

function matchesText(row: FilteredRow, text: string): boolean {
  const needle = text.trim().toLowerCase();
  return needle === '' || (row.command ?? '').toLowerCase().includes(needle) || (row.step ?? '').toLowerCase().includes(needle);
}

export const NO_FILTER: TimelineFilter = { kinds: new Set(), statuses: new Set() };

export function matchesFilter(row: FilteredRow, filter: TimelineFilter): boolean {
  return (
    (filter.kinds.size === 0 || filter.kinds.has(row.kind)) &&
    (filter.statuses.size === 0 || filter.statuses.has(row.status)) &&
    matchesText(row, filter.text ?? '')
  );
}

export function applyFilter<R extends FilteredRow>(rows: readonly R[], filter: TimelineFilter): R[] {
  if (filter.kinds.size === 0 && filter.statuses.size === 0 && !filter.text?.trim()) {
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
