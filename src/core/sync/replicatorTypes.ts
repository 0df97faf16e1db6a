import type { Pool } from 'pg';
import type { SyncStore } from '../store/ports';
import type { Redactor } from '../ledger/redaction';

/** What is shared from this workspace: nothing (default), every session, or only sessions marked Share. */
export type SharingMode = 'off' | 'all' | 'shared';
export type SyncState = 'synced' | 'pending' | 'offline' | 'error' | 'off';

export interface SyncStatus {
  readonly state: SyncState;
  /** Outbox rows not yet on the server. */
  readonly pending: number;
  /** Why the last push or pull failed (connection string redacted). */
  readonly error?: string;
}

export interface ReplicatorOptions {
  readonly store: SyncStore;
  readonly pool: Pool;
  /** Only to scrub it from error messages. */
  readonly connectionString?: string;
  /** Who and where: stamped on every session pushed from here. */
  readonly person: string;
  readonly machine: string;
  /** The project's id on the server (see {@link teamProjectId}). */
  readonly projectId: string;
  readonly sharing: SharingMode;
  readonly redactor?: Redactor;
  /** Pull every project this role may read, not only this one. */
  readonly allProjects?: boolean;
  /**
   * Pull only sessions updated within this many days (0 or unset: no bound), so a large team's
   * history does not flood a laptop. A session older than that arrives whole once it changes again.
   */
  readonly pullMaxAgeDays?: number;
  /** The clock, for tests of the age bound (default Date.now). */
  readonly now?: () => number;
  /** Outbox rows per push batch (default 5,000). */
  readonly batchSize?: number;
  /** Rows per pull page (default 5,000). */
  readonly pageSize?: number;
  /** The slow poll behind LISTEN/NOTIFY (default 60 s). */
  readonly pollMs?: number;
}
