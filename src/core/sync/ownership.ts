/**
 * Ownership of sessions in a team ledger: a session pulled from the team server (another person's,
 * or made on another machine) is a read-only copy here. The store calls
 * {@link assertSessionWritable} from every repository write (RepositoryContext.changed), inside the
 * write's transaction, so a refused write rolls back whole. Pulled rows themselves are applied by
 * the replicator with raw SQL, which does not pass through this check.
 */

/** What the check needs of the database: one indexed lookup by primary key. */
export interface OwnershipLookup {
  get(sql: string, params?: readonly (string | number | null)[]): Record<string, string | number | null> | undefined;
}

export class PulledSessionError extends Error {
  constructor(
    readonly sessionId: string,
    readonly ownerPerson: string | null,
    readonly ownerMachine: string | null,
    title: string,
  ) {
    super(
      `Session "${title}" (${sessionId}) is a read-only copy pulled from the team ledger: it belongs to ` +
        `${ownerPerson ?? 'another person'} on ${ownerMachine ?? 'another machine'}, and only its owner can change it. ` +
        'Make the change on that machine, or start a new session of your own.',
    );
    this.name = 'PulledSessionError';
  }
}

/** Whether any session is a pulled (read-only) copy: when none is, no write needs {@link assertSessionWritable}. */
export function hasPulledSessions(db: OwnershipLookup): boolean {
  try {
    return db.get('SELECT 1 AS yes FROM sessions WHERE sync_origin IS NOT NULL LIMIT 1') !== undefined;
  } catch (error) {
    // Before migration 0009 (a store not yet upgraded) every session was made here.
    if (/no such column: sync_origin\b/.test((error as Error).message)) return false;
    throw error;
  }
}

/** Throws {@link PulledSessionError} when `sessionId` is a pulled (read-only) session. */
export function assertSessionWritable(db: OwnershipLookup, sessionId: string): void {
  let row: Record<string, string | number | null> | undefined;
  try {
    row = db.get('SELECT title, owner_person, owner_machine FROM sessions WHERE id = ? AND sync_origin IS NOT NULL', [sessionId]);
  } catch (error) {
    // Before migration 0009 (a store not yet upgraded) every session was made here.
    if (/no such column: (sync_origin|owner_person|owner_machine)\b/.test((error as Error).message)) return;
    throw error;
  }
  if (!row) return;
  throw new PulledSessionError(
    sessionId,
    row.owner_person === null ? null : String(row.owner_person),
    row.owner_machine === null ? null : String(row.owner_machine),
    String(row.title),
  );
}
