/** How long `deactivate()` waits for the store's close (final snapshot, lock released) before the extension host moves on. */
export const STORE_CLOSE_LIMIT_MS = 5_000;

/**
 * Closes `store`, waiting at most `limitMs`: 'closed' when the close (final snapshot, lock released)
 * finished in time, 'timed-out' when it did not — the close goes on, and the journal, which holds
 * every acknowledged change, stays the source of truth should the process end first. A close that
 * fails rejects.
 */
export async function closeWithin(store: { close(): Promise<void> }, limitMs = STORE_CLOSE_LIMIT_MS): Promise<'closed' | 'timed-out'> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timed-out'>((resolve) => {
    timer = setTimeout(() => resolve('timed-out'), limitMs);
  });
  try {
    return await Promise.race([store.close().then(() => 'closed' as const), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
