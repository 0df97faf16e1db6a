import { z } from 'zod';
import { ExecutionModeSchema, type SessionListFilter } from '../model/session';

/**
 * The Sessions tree's filters beside its text filter (issue 15 item 7): type, tag, mode, when
 * created and owner. Kept per workspace; all given ones must match (and the text filter too).
 */
export const SessionFilterStateSchema = z
  .object({
    type: z.string().min(1).optional(),
    tag: z.string().min(1).optional(),
    mode: ExecutionModeSchema.optional(),
    /** Created in the last N days (today counts as one), or between two dates (`YYYY-MM-DD`, both included). */
    created: z
      .union([
        z.object({ lastDays: z.number().int().positive().max(36_500) }).strict(),
        z
          .object({
            from: z
              .string()
              .regex(/^\d{4}-\d{2}-\d{2}$/)
              .optional(),
            to: z
              .string()
              .regex(/^\d{4}-\d{2}-\d{2}$/)
              .optional(),
          })
          .strict(),
      ])
      .optional(),
    /** `me`: sessions made here; otherwise the person who owns a pulled team session. */
    owner: z.string().min(1).optional(),
  })
  .strict();
export type SessionFilterState = z.infer<typeof SessionFilterStateSchema>;

/** A stored state read back: anything invalid (an older or damaged value) reads as no filter. */
export function readSessionFilterState(value: unknown): SessionFilterState {
  const parsed = SessionFilterStateSchema.safeParse(value ?? {});
  return parsed.success ? parsed.data : {};
}

export function isFilterActive(state: SessionFilterState): boolean {
  return Object.values(state).some((value) => value !== undefined);
}

function localDayStart(date: string): number {
  const [y = NaN, m = NaN, d = NaN] = date.split('-').map(Number);
  return new Date(y, m - 1, d).getTime();
}

/** The store's list filter for this state (local days; `now` for "the last N days"). */
export function toListFilter(
  state: SessionFilterState,
  now: number,
): Pick<SessionListFilter, 'type' | 'tag' | 'executionMode' | 'createdFrom' | 'createdBefore' | 'owner'> {
  const filter: ReturnType<typeof toListFilter> = {};
  if (state.type) filter.type = state.type;
  if (state.tag) filter.tag = state.tag;
  if (state.mode) filter.executionMode = state.mode;
  if (state.owner) filter.owner = state.owner;
  const created = state.created;
  if (created && 'lastDays' in created) {
    const today = new Date(now);
    today.setHours(0, 0, 0, 0);
    today.setDate(today.getDate() - (created.lastDays - 1));
    filter.createdFrom = today.getTime();
  } else if (created) {
    if (created.from) filter.createdFrom = localDayStart(created.from);
    if (created.to) {
      const next = new Date(localDayStart(created.to));
      next.setDate(next.getDate() + 1);
      filter.createdBefore = next.getTime();
    }
  }
  return filter;
}

/** `type freeform · tag release · manual · last 7 days · owner me`, or '' for none. */
export function describeSessionFilter(state: SessionFilterState): string {
  const parts: string[] = [];
  if (state.type) parts.push(`type ${state.type}`);
  if (state.tag) parts.push(`tag ${state.tag}`);
  if (state.mode) parts.push(state.mode);
  const created = state.created;
  if (created && 'lastDays' in created) parts.push(created.lastDays === 1 ? 'today' : `last ${created.lastDays} days`);
  else if (created && (created.from || created.to)) parts.push(`created ${created.from ?? '…'} to ${created.to ?? '…'}`);
  if (state.owner) parts.push(state.owner === 'me' ? 'mine' : `owner ${state.owner}`);
  return parts.join(' · ');
}
