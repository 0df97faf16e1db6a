import * as vscode from 'vscode';
import type { CommandDeps } from './types';
import { UserFacingError } from './types';
import { pickSession, sessionFromArgument } from './sessionArgument';
import type { SessionStatus } from '../../core/model/sessionStatus';
import { isPinned, withPinned } from '../../core/claudeCode/retention';

/** Commands that look at or edit a session's record, without running anything. */

export async function setActiveSession(deps: CommandDeps, arg?: unknown): Promise<void> {
  const session = await sessionFromArgument(deps, arg, { title: 'Set Active Session', preferActive: false });
  if (!session) return;
  await deps.active.set(session.id);
}

export async function renameSession(deps: CommandDeps, arg?: unknown): Promise<void> {
  const session = await sessionFromArgument(deps, arg, { title: 'Rename Session' });
  if (!session) return;
  const title = await vscode.window.showInputBox({
    title: 'Rename Session',
    value: session.title,
    validateInput: (v) => (v.trim() ? (v.length > 500 ? 'A title has at most 500 characters.' : undefined) : 'A title cannot be empty.'),
  });
  if (title === undefined || title.trim() === session.title) return;
  await deps.store.sessions.update(session.id, { title: title.trim() });
}

export async function addNote(deps: CommandDeps, arg?: unknown): Promise<void> {
  const session = await sessionFromArgument(deps, arg, { title: 'Add Note to Session' });
  if (!session) return;
  const content = await vscode.window.showInputBox({
    title: `Add Note to "${session.title}"`,
    prompt: 'The note is kept with the session, tied to its latest step.',
    validateInput: (v) => (v.trim() ? undefined : 'A note cannot be empty.'),
  });
  if (!content?.trim()) return;
  const latest = deps.store.interactions.latest(session.id);
  await deps.store.notes.add({ sessionId: session.id, content: content.trim(), interactionSeq: latest?.seq ?? null });
  void vscode.window.setStatusBarMessage(`Note added to "${session.title}"`, 3000);
}

export async function deleteSession(deps: CommandDeps, arg?: unknown): Promise<void> {
  const session = await sessionFromArgument(deps, arg, { title: 'Delete Session', preferActive: false });
  if (!session) return;
  if (deps.runner.isRunning(session.id)) {
    throw new UserFacingError(`"${session.title}" is running a step. Pause or cancel it before deleting it.`);
  }
  const children = deps.store.sessions.children(session.id).length;
  const choice = await vscode.window.showWarningMessage(
    `Delete "${session.title}"${children ? ` and hide its ${children} child session(s)` : ''}?`,
    { modal: true, detail: 'Its history is kept: "Session Ledger: Restore Deleted Session" brings it back.' },
    'Delete',
  );
  if (choice !== 'Delete') return;
  await deps.store.sessions.softDelete(session.id);
  if (deps.active.id === undefined) await deps.active.set(undefined);
}

export async function restoreSession(deps: CommandDeps, arg?: unknown): Promise<void> {
  const session =
    typeof arg === 'string' ? deps.store.sessions.get(arg) : await pickSession(deps, { title: 'Restore Deleted Session', deleted: 'only' });
  if (!session) return;
  await deps.store.sessions.restore(session.id);
  void vscode.window.setStatusBarMessage(`Restored "${session.title}"`, 3000);
}

/** Pinned sessions are never cleaned up by retention (the tag retention checks). */
export function pinSession(deps: CommandDeps, arg?: unknown): Promise<void> {
  return setPinned(deps, arg, true);
}

export function unpinSession(deps: CommandDeps, arg?: unknown): Promise<void> {
  return setPinned(deps, arg, false);
}

async function setPinned(deps: CommandDeps, arg: unknown, pinned: boolean): Promise<void> {
  const session = await sessionFromArgument(deps, arg, { title: pinned ? 'Pin Session' : 'Unpin Session', preferActive: false });
  if (!session) return;
  if (isPinned(session) === pinned) {
    void vscode.window.setStatusBarMessage(`"${session.title}" is ${pinned ? 'already' : 'not'} pinned`, 3000);
    return;
  }
  await deps.store.sessions.update(session.id, { tags: withPinned(session.tags, pinned) });
  void vscode.window.setStatusBarMessage(pinned ? `Pinned "${session.title}": Clean Up History keeps it` : `Unpinned "${session.title}"`, 3000);
}

export async function copyConversationId(deps: CommandDeps, arg?: unknown): Promise<void> {
  const session = await sessionFromArgument(deps, arg, { title: 'Copy Conversation Id' });
  if (!session) return;
  if (!session.externalConversationId) {
    throw new UserFacingError(`"${session.title}" has no conversation yet: it gets one when its first Claude step runs.`);
  }
  await vscode.env.clipboard.writeText(session.externalConversationId);
  void vscode.window.setStatusBarMessage(`Copied conversation id ${session.externalConversationId}`, 3000);
}

export function showMoreSessions(deps: CommandDeps, status: unknown): void {
  deps.tree.showMore(status as SessionStatus);
}

export function refresh(deps: CommandDeps): void {
  deps.tree.refresh();
}

export async function filterSessions(deps: CommandDeps): Promise<void> {
  const text = await vscode.window.showInputBox({
    title: 'Filter Sessions',
    prompt: 'Show only sessions that mention these words: title, goal, steps, outputs, Claude text or events (empty clears the filter).',
    value: deps.tree.filter ?? '',
  });
  if (text === undefined) return;
  deps.tree.setFilter(text);
  deps.treeView.message = text.trim() ? `Filtered by "${text.trim()}"` : undefined;
}

export function clearFilter(deps: CommandDeps): void {
  deps.tree.setFilter(undefined);
  deps.treeView.message = undefined;
}
