import * as vscode from 'vscode';
import type { Session } from '../../core/model/session';
import type { SessionStatus } from '../../core/model/sessionStatus';
import type { CommandDeps } from './types';
import { UserFacingError } from '../userFacingError';
import { sessionDescription, statusPresentation } from '../sessionPresentation';

interface SessionPick extends vscode.QuickPickItem {
  session: Session;
}

function pickItem(s: Session, activeId: string | undefined): SessionPick {
  return {
    label: `$(${statusPresentation[s.status].icon}) ${s.title}`,
    description: `${s.id === activeId ? vscode.l10n.t('active · ') : ''}${sessionDescription(s)}`,
    detail: s.intention || undefined,
    session: s,
  };
}

/** Quick pick over sessions, matched on title, type/phase and intention. */
export async function pickSession(
  deps: CommandDeps,
  options: { title: string; statuses?: readonly SessionStatus[]; deleted?: 'exclude' | 'only' },
): Promise<Session | undefined> {
  const sessions = deps.store.sessions.list({
    status: options.statuses && [...options.statuses],
    deleted: options.deleted ?? 'exclude',
    limit: 5000,
  });
  if (sessions.length === 0) {
    void vscode.window.showInformationMessage(
      options.deleted === 'only'
        ? vscode.l10n.t('There are no deleted sessions to restore.')
        : vscode.l10n.t('There is no session for this yet. Create one with "Session Ledger: New Session".'),
    );
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    sessions.map((s) => pickItem(s, deps.active.id)),
    {
      title: options.title,
      placeHolder: vscode.l10n.t('Type to filter by title, type, phase or goal'),
      matchOnDescription: true,
      matchOnDetail: true,
    },
  );
  return picked?.session;
}

/**
 * The session a command acts on: the tree item or id it was given, else the active session,
 * else one the person picks. `undefined` when the person cancelled.
 */
export async function sessionFromArgument(
  deps: CommandDeps,
  arg: unknown,
  options: { title: string; statuses?: readonly SessionStatus[]; preferActive?: boolean },
): Promise<Session | undefined> {
  let id: string | undefined;
  if (typeof arg === 'string') id = arg;
  else if (arg && typeof arg === 'object' && 'kind' in arg && (arg as { kind: unknown }).kind === 'session') {
    id = (arg as unknown as { session: Session }).session.id;
  } else if (options.preferActive !== false) id = deps.active.id;
  if (id) {
    const session = deps.store.sessions.get(id);
    if (!session) {
      throw new UserFacingError(
        vscode.l10n.t('Session {0} does not exist (it may have been deleted). Pick another in the Sessions view.', id),
      );
    }
    if (options.statuses && !options.statuses.includes(session.status) && typeof arg !== 'string' && !arg) {
      // The active session does not qualify: let the person pick one that does.
      return pickSession(deps, options);
    }
    return session;
  }
  return pickSession(deps, options);
}
