import type { SessionStore } from '../../core/store/SessionStore';
import { assertSessionWritable } from '../../core/sync/ownership';
import { CommandId } from '../commandIds';

/**
 * Commands that change the session they are given (or the active one). On a session pulled from
 * the team ledger they are refused before they start — nothing runs, no terminal opens — with the
 * store's own message (PulledSessionError: whose it is, on which machine, what to do instead).
 */
const WRITES_TO_SESSION: ReadonlySet<string> = new Set<string>([
  CommandId.nextStep,
  CommandId.pauseSession,
  CommandId.resumeSession,
  CommandId.cancelSession,
  CommandId.completeSession,
  CommandId.editGoal,
  CommandId.checkProgress,
  CommandId.approveReview,
  CommandId.requestReviewChanges,
  CommandId.addNote,
  CommandId.renameSession,
  CommandId.deleteSession,
  CommandId.pinSession,
  CommandId.unpinSession,
  CommandId.editTags,
  CommandId.checkProgress,
  CommandId.approveReview,
  CommandId.requestReviewChanges,
]);

/** The session id a command argument names: an id, or a tree node `{ kind: 'session', session }`. */
function argumentSessionId(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (arg && typeof arg === 'object' && (arg as { kind?: unknown }).kind === 'session') {
    const id = (arg as { session?: { id?: unknown } }).session?.id;
    return typeof id === 'string' ? id : undefined;
  }
  return undefined;
}

/** Throws PulledSessionError when `commandId` would change a pulled (read-only) session. */
export function refuseWriteToPulledSession(
  store: Pick<SessionStore, 'sql'>,
  commandId: string,
  args: readonly unknown[],
  activeId: string | undefined,
): void {
  if (!WRITES_TO_SESSION.has(commandId)) return;
  const id = argumentSessionId(args[0]) ?? (args[0] === undefined ? activeId : undefined);
  if (id === undefined) return;
  assertSessionWritable({ get: (sql, params) => store.sql.all(sql, params)[0] }, id);
}
