import type { StoreChangeKind } from '../../model/change';
import type { LedgerDatabase, SqlRow, SqlValue } from '../ledgerDatabase';

/** What every repository needs: the database, the clock, id generation and change tracking. */
export interface RepositoryContext {
  readonly db: LedgerDatabase;
  /** Integer milliseconds since the epoch, from the store's clock. */
  nowMillis(): number;
  /** Integer microseconds since the epoch, from the store's clock. */
  nowMicros(): number;
  newId(): string;
  /** Notes that the current transaction changed `kind` records of `sessionId` (for `onDidChange`). */
  changed(sessionId: string, kind: StoreChangeKind): void;
}

export function toJsonText(value: unknown): string {
  return JSON.stringify(value);
}

export function fromJsonText<T>(value: SqlValue | undefined): T {
  return JSON.parse(String(value)) as T;
}

export function text(row: SqlRow, column: string): string {
  return String(row[column]);
}

export function nullableText(row: SqlRow, column: string): string | null {
  const value = row[column];
  return value === null || value === undefined ? null : String(value);
}

export function num(row: SqlRow, column: string): number {
  return Number(row[column]);
}

export function nullableNum(row: SqlRow, column: string): number | null {
  const value = row[column];
  return value === null || value === undefined ? null : Number(value);
}

/** Clamps paging options to sane defaults. */
export function page(options: { after?: number; limit?: number } | undefined, defaultLimit = 200): { after: number; limit: number } {
  const after = Math.max(0, Math.floor(options?.after ?? 0));
  const limit = Math.min(10_000, Math.max(1, Math.floor(options?.limit ?? defaultLimit)));
  return { after, limit };
}

export class NotFoundError extends Error {
  constructor(
    readonly kind: string,
    readonly id: string,
  ) {
    super(`No ${kind} with id ${id} in the session store.`);
    this.name = 'NotFoundError';
  }
}
