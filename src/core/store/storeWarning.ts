/*
 * What the store tells its host to show, apart from the store (recovery and the read-only follower
 * produce warnings too, and SessionStore imports them).
 */

/**
 * `journal-lost`: the store's folder or journal file was deleted or replaced while open; changes
 * are refused until {@link SessionStore.rewriteHome} (offer it to the person). `journal-failed`: a
 * journal write failed (e.g. a full disk); changes are refused until the store is reopened.
 * `newer-version`: a read-only window follows a ledger a newer version upgraded; it will not take it over.
 */
export type StoreWarningKind =
  'corrupt-snapshot' | 'corrupt-journal' | 'unreplayable-journal' | 'snapshot-failed' | 'journal-lost' | 'journal-failed' | 'newer-version';

/** Something the extension must show the user. Nothing was deleted: `keptAsidePath` says where the damaged bytes are. */
export interface StoreWarning {
  readonly kind: StoreWarningKind;
  readonly message: string;
  readonly keptAsidePath?: string;
}
