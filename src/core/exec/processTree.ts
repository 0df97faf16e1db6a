/**
 * Ends a whole process group: SIGTERM now, SIGKILL after `graceMs` if anything in the group is
 * still alive. The group leader must have been spawned with `detached: true`, which makes its pid
 * the group id, so children and grandchildren (a shell's `sleep`, a test runner's workers) go too.
 * Returns a function that cancels the pending SIGKILL.
 */
export function killProcessGroup(pgid: number, graceMs: number): () => void {
  if (!signalGroup(pgid, 'SIGTERM')) return () => undefined;
  const timer = setTimeout(() => signalGroup(pgid, 'SIGKILL'), graceMs);
  timer.unref();
  return () => clearTimeout(timer);
}

/** True when the group still exists (the signal was delivered to at least one process). */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false; // ESRCH: the group is gone
  }
}
