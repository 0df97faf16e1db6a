import * as vscode from 'vscode';
import type { CommandDeps } from './types';
import { UserFacingError } from '../userFacingError';
import { pickSession, sessionFromArgument } from './sessionArgument';
import type { SessionStatus } from '../../core/model/sessionStatus';
import { isPinned, withPinned } from '../../core/ledger/retention';
import { z } from 'zod';
import { PERSON_NOTE_KINDS, type PersonNoteKind } from '../../core/model/note';
import { parseWith } from '../../core/model/validation';
import { treeFilterMessage } from '../sessionFilters';

/** Commands that look at or edit a session's record, without running anything. */

export async function setActiveSession(deps: CommandDeps, arg?: unknown): Promise<void> {
  const session = await sessionFromArgument(deps, arg, { title: vscode.l10n.t('Set Active Session'), preferActive: false });
  if (!session) return;
  await deps.active.set(session.id);
}

export async function renameSession(deps: CommandDeps, arg?: unknown): Promise<void> {
  const session = await sessionFromArgument(deps, arg, { title: vscode.l10n.t('Rename Session') });
  if (!session) return;
  const title = await vscode.window.showInputBox({
    title: vscode.l10n.t('Rename Session'),
    value: session.title,
    validateInput: (v) =>
      v.trim()
        ? v.length > 500
          ? vscode.l10n.t('A title has at most 500 characters.')
          : undefined
        : vscode.l10n.t('A title cannot be empty.'),
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
  const session = await sessionFromArgument(deps, arg, { title: vscode.l10n.t('Add Note to Session') });
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
      title: vscode.l10n.t('Add Note to "{0}"', session.title),
      prompt:
        interactionSeq === null
          ? vscode.l10n.t('The note is kept with the session.')
          : vscode.l10n.t('The note is kept with the session, at step {0}.', interactionSeq),
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('A note cannot be empty.')),
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
  void vscode.window.setStatusBarMessage(vscode.l10n.t('Note added to "{0}"', session.title), 3000);
}

function noteKindDetail(kind: PersonNoteKind): string {
  switch (kind) {
    case 'observation':
      return vscode.l10n.t('Something seen while working');
    case 'concern':
      return vscode.l10n.t('A risk or a doubt');
    case 'insight':
      return vscode.l10n.t('Something learned');
    case 'technical':
      return vscode.l10n.t('A technical detail or decision');
  }
}

async function pickNoteKind(): Promise<PersonNoteKind | undefined> {
  const picked = await vscode.window.showQuickPick(
    PERSON_NOTE_KINDS.map((noteKind) => ({ label: noteKind, description: noteKindDetail(noteKind), noteKind })),
    { title: vscode.l10n.t('Add Note: kind'), ignoreFocusOut: true },
  );
  return picked?.noteKind;
}

async function pickNoteFlags(): Promise<{ important: boolean; followUp: boolean } | undefined> {
  const picked = await vscode.window.showQuickPick(
    [
      {
        label: `$(star-full) ${vscode.l10n.t('Important')}`,
        description: vscode.l10n.t('marked in the tree and the timeline'),
        flag: 'important' as const,
      },
      { label: `$(issue-reopened) ${vscode.l10n.t('Needs follow-up')}`, flag: 'followUp' as const },
    ],
    {
      title: vscode.l10n.t('Add Note: flags (optional — Enter with none picked adds a plain note)'),
      canPickMany: true,
      ignoreFocusOut: true,
    },
  );
  if (picked === undefined) return undefined;
  return { important: picked.some((p) => p.flag === 'important'), followUp: picked.some((p) => p.flag === 'followUp') };
}

export async function deleteSession(deps: CommandDeps, arg?: unknown): Promise<void> {
  const session = await sessionFromArgument(deps, arg, { title: vscode.l10n.t('Delete Session'), preferActive: false });
  if (!session) return;
  if (deps.running.isRunning(session.id)) {
    throw new UserFacingError(vscode.l10n.t('"{0}" is running a step. Pause or cancel it before deleting it.', session.title));
  }
  const children = deps.store.sessions.children(session.id).length;
  const remove = vscode.l10n.t('Delete');
  const choice = await vscode.window.showWarningMessage(
    children
      ? vscode.l10n.t('Delete "{0}" and hide its {1} child session(s)?', session.title, children)
      : vscode.l10n.t('Delete "{0}"?', session.title),
    { modal: true, detail: vscode.l10n.t('Its history is kept: "Session Ledger: Restore Deleted Session" brings it back.') },
    remove,
  );
  if (choice !== remove) return;
  await deps.store.sessions.softDelete(session.id);
  if (deps.active.id === undefined) await deps.active.set(undefined);
}

export async function restoreSession(deps: CommandDeps, arg?: unknown): Promise<void> {
  const session =
    typeof arg === 'string'
      ? deps.store.sessions.get(arg)
      : await pickSession(deps, { title: vscode.l10n.t('Restore Deleted Session'), deleted: 'only' });
  if (!session) return;
  await deps.store.sessions.restore(session.id);
  void vscode.window.setStatusBarMessage(vscode.l10n.t('Restored "{0}"', session.title), 3000);
}

/** Pinned sessions are never cleaned up by retention (the tag retention checks). */
export function pinSession(deps: CommandDeps, arg?: unknown): Promise<void> {
  return setPinned(deps, arg, true);
}

export function unpinSession(deps: CommandDeps, arg?: unknown): Promise<void> {
  return setPinned(deps, arg, false);
}

async function setPinned(deps: CommandDeps, arg: unknown, pinned: boolean): Promise<void> {
  const session = await sessionFromArgument(deps, arg, {
    title: pinned ? vscode.l10n.t('Pin Session') : vscode.l10n.t('Unpin Session'),
    preferActive: false,
  });
  if (!session) return;
  if (isPinned(session) === pinned) {
    void vscode.window.setStatusBarMessage(
      pinned ? vscode.l10n.t('"{0}" is already pinned', session.title) : vscode.l10n.t('"{0}" is not pinned', session.title),
      3000,
    );
    return;
  }
  await deps.store.sessions.update(session.id, { tags: withPinned(session.tags, pinned) });
  void vscode.window.setStatusBarMessage(
    pinned ? vscode.l10n.t('Pinned "{0}": Clean Up History keeps it', session.title) : vscode.l10n.t('Unpinned "{0}"', session.title),
    3000,
  );
}

export async function copyConversationId(deps: CommandDeps, arg?: unknown): Promise<void> {
  const session = await sessionFromArgument(deps, arg, { title: vscode.l10n.t('Copy Conversation Id') });
  if (!session) return;
  if (!session.externalConversationId) {
    throw new UserFacingError(vscode.l10n.t('"{0}" has no conversation yet: it gets one when its first Claude step runs.', session.title));
  }
  await vscode.env.clipboard.writeText(session.externalConversationId);
  void vscode.window.setStatusBarMessage(vscode.l10n.t('Copied conversation id {0}', session.externalConversationId), 3000);
}

export function showMoreSessions(deps: CommandDeps, status: unknown): void {
  deps.tree.showMore(status as SessionStatus);
}

export function refresh(deps: CommandDeps): void {
  deps.tree.refresh();
}

export async function filterSessions(deps: CommandDeps): Promise<void> {
  const text = await vscode.window.showInputBox({
    title: vscode.l10n.t('Filter Sessions'),
    prompt: vscode.l10n.t(
      'Show only sessions that mention these words: title, goal, steps, outputs, Claude text or events (empty clears the filter).',
    ),
    value: deps.tree.filter ?? '',
  });
  if (text === undefined) return;
  deps.tree.setFilter(text);
  deps.treeView.message = treeFilterMessage(text, deps.sessionFilters);
}

/** Clears the text filter and the type / tag / mode / created / owner filters. */
export async function clearFilter(deps: CommandDeps): Promise<void> {
  deps.tree.setFilter(undefined);
  await deps.sessionFilters?.clear();
  deps.treeView.message = undefined;
}
