import * as vscode from 'vscode';
import type { CommandDeps } from './types';
import { UserFacingError } from './types';
import { pickSession, sessionFromArgument } from './sessionArgument';
import type { SessionStatus } from '../../core/model/sessionStatus';
import { isPinned, withPinned } from '../../core/claudeCode/retention';
import { z } from 'zod';
import { PERSON_NOTE_KINDS, type PersonNoteKind } from '../../core/model/note';
import { parseWith } from '../../core/model/validation';

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

/** What code may pass to Add Note (no prompts for what it gives); `interactionSeq` ties the note to that step. */
const AddNoteArgumentSchema = z
  .object({
    content: z.string().trim().min(1).optional(),
    kind: z.enum(PERSON_NOTE_KINDS).optional(),
    important: z.boolean().optional(),
    followUp: z.boolean().optional(),
    interactionSeq: z.number().int().positive().nullable().optional(),
  })
  .strict();

/**
 * Add Note: the text, its kind (observation, concern, insight, technical) and flags (important,
 * needs follow-up). Tied to the step it was added from (`interactionSeq`), else the latest step.
 */
export async function addNote(deps: CommandDeps, arg?: unknown, options?: unknown): Promise<void> {
  const session = await sessionFromArgument(deps, arg, { title: 'Add Note to Session' });
  if (!session) return;
  // A menu passes the selected tree items (an array) as the second argument: not options.
  const given =
    typeof options === 'object' && options !== null && !Array.isArray(options)
      ? parseWith(AddNoteArgumentSchema, options, 'Add Note argument')
      : {};
  const interactionSeq =
    given.interactionSeq !== undefined ? given.interactionSeq : (deps.store.interactions.latest(session.id)?.seq ?? null);
  const content =
    given.content ??
    (await vscode.window.showInputBox({
      title: `Add Note to "${session.title}"`,
      prompt: `The note is kept with the session${interactionSeq === null ? '' : `, at step ${interactionSeq}`}.`,
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() ? undefined : 'A note cannot be empty.'),
    }));
  if (!content?.trim()) return;
  const kind = given.kind ?? (await pickNoteKind());
  if (kind === undefined) return;
  let flags = { important: given.important ?? false, followUp: given.followUp ?? false };
  if (given.important === undefined && given.followUp === undefined) {
    const picked = await pickNoteFlags();
    if (picked === undefined) return;
    flags = picked;
  }
  await deps.store.notes.add({ sessionId: session.id, kind, content: content.trim(), interactionSeq, ...flags });
  void vscode.window.setStatusBarMessage(`Note added to "${session.title}"`, 3000);
}

const NOTE_KIND_DETAIL: Readonly<Record<PersonNoteKind, string>> = {
  observation: 'Something seen while working',
  concern: 'A risk or a doubt',
  insight: 'Something learned',
  technical: 'A technical detail or decision',
};

async function pickNoteKind(): Promise<PersonNoteKind | undefined> {
  const picked = await vscode.window.showQuickPick(
    PERSON_NOTE_KINDS.map((noteKind) => ({ label: noteKind, description: NOTE_KIND_DETAIL[noteKind], noteKind })),
    { title: 'Add Note: kind', ignoreFocusOut: true },
  );
  return picked?.noteKind;
}

async function pickNoteFlags(): Promise<{ important: boolean; followUp: boolean } | undefined> {
  const picked = await vscode.window.showQuickPick(
    [
      { label: '$(star-full) Important', description: 'marked in the tree and the timeline', flag: 'important' as const },
      { label: '$(issue-reopened) Needs follow-up', flag: 'followUp' as const },
    ],
    { title: 'Add Note: flags (optional — Enter with none picked adds a plain note)', canPickMany: true, ignoreFocusOut: true },
  );
  if (picked === undefined) return undefined;
  return { important: picked.some((p) => p.flag === 'important'), followUp: picked.some((p) => p.flag === 'followUp') };
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
  void vscode.window.setStatusBarMessage(
    pinned ? `Pinned "${session.title}": Clean Up History keeps it` : `Unpinned "${session.title}"`,
    3000,
  );
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
