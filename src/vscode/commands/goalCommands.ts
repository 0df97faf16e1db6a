import * as vscode from 'vscode';
import { z } from 'zod';
import { SessionGoalSchema, SessionOutcomeInputSchema, type Session, type SessionOutcomeInput } from '../../core/model/session';
import { isTerminalSessionStatus } from '../../core/model/sessionStatus';
import { parseWith } from '../../core/model/validation';
import { sessionActionStatuses } from '../../protocol/sessionActions';
import { askList } from '../listInput';
import type { RunDeps } from './runCommands';
import { sessionFromArgument } from './sessionArgument';
import { UserFacingError } from '../userFacingError';

/** Edit Goal and Complete Session: a session's goal fields and its outcome. */

type GoalField = 'intention' | 'successCriteria' | 'completionCriteria' | 'constraints' | 'procedureNotes';
/** A list field's name and what one of its items is called (translated when asked, not when the module loads). */
function listField(field: Exclude<GoalField, 'intention' | 'procedureNotes'>): { label: string; item: string } {
  switch (field) {
    case 'successCriteria':
      return { label: vscode.l10n.t('Success criteria'), item: vscode.l10n.t('success criterion') };
    case 'completionCriteria':
      return { label: vscode.l10n.t('Completion criteria'), item: vscode.l10n.t('completion criterion') };
    case 'constraints':
      return { label: vscode.l10n.t('Constraints'), item: vscode.l10n.t('constraint') };
  }
}

/**
 * Edit Goal: the goal, success and completion criteria, constraints and procedure notes, one field
 * at a time until Done. Each change is recorded (a `session.goal_edited` event with before and
 * after). Code may pass the edit as the second argument (no prompts): `{ completionCriteria: [...] }`.
 */
export async function editGoal(deps: RunDeps, arg?: unknown, edit?: unknown): Promise<void> {
  const session = await sessionFromArgument(deps, arg, { title: vscode.l10n.t('Edit Goal'), preferActive: true });
  if (!session) return;
  if (isEditObject(edit)) {
    await deps.engine.editGoal(session.id, parseWith(SessionGoalSchema.partial(), edit, 'Edit Goal argument'));
    return;
  }
  for (let current = deps.engine.getSession(session.id); ; current = deps.engine.getSession(session.id)) {
    const field = await pickGoalField(current);
    if (field === undefined) return;
    const value = await askGoalField(current, field);
    if (value === undefined) continue;
    await deps.engine.editGoal(session.id, { [field]: value });
    void vscode.window.setStatusBarMessage(vscode.l10n.t('Goal of "{0}" updated', current.title), 3000);
  }
}

function isEditObject(value: unknown): value is Record<string, unknown> {
  // A menu passes the selected tree items (an array) as the second argument: never an edit.
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !('kind' in value);
}

async function pickGoalField(session: Session): Promise<GoalField | undefined> {
  const none = vscode.l10n.t('none');
  const count = (items: readonly string[]) => (items.length ? items.join(' · ') : none);
  const picks: (vscode.QuickPickItem & { field?: GoalField })[] = [
    { label: `$(target) ${vscode.l10n.t('Goal')}`, detail: session.intention || none, field: 'intention' },
    { label: `$(pass) ${vscode.l10n.t('Success criteria')}`, detail: count(session.successCriteria), field: 'successCriteria' },
    {
      label: `$(checklist) ${vscode.l10n.t('Completion criteria')}`,
      detail: count(session.completionCriteria),
      field: 'completionCriteria',
    },
    { label: `$(shield) ${vscode.l10n.t('Constraints')}`, detail: count(session.constraints), field: 'constraints' },
    { label: `$(book) ${vscode.l10n.t('Procedure notes')}`, detail: session.procedureNotes || none, field: 'procedureNotes' },
    { label: `$(check) ${vscode.l10n.t('Done')}` },
  ];
  const picked = await vscode.window.showQuickPick(picks, {
    title: vscode.l10n.t('Edit Goal — {0}', session.title),
    placeHolder: vscode.l10n.t('Pick a field to edit (Escape or Done when finished)'),
    ignoreFocusOut: true,
  });
  return picked?.field;
}

async function askGoalField(session: Session, field: GoalField): Promise<string | string[] | undefined> {
  if (field === 'intention' || field === 'procedureNotes') {
    const value = await vscode.window.showInputBox({
      title: vscode.l10n.t('Edit Goal — {0}', field === 'intention' ? vscode.l10n.t('goal') : vscode.l10n.t('procedure notes')),
      value: session[field],
      prompt:
        field === 'intention'
          ? vscode.l10n.t('What should this session achieve? Every Claude step sees it.')
          : vscode.l10n.t('How to work (conventions, steps to follow); empty clears them.'),
      ignoreFocusOut: true,
      validateInput: (v) => (field === 'intention' && !v.trim() ? vscode.l10n.t('A session needs a goal.') : undefined),
    });
    return value === undefined ? undefined : value.trim();
  }
  const { label, item } = listField(field);
  return askList({ title: vscode.l10n.t('Edit Goal — {0}', label), itemName: item, initial: session[field] });
}

/**
 * Complete Session: asks for the outcome — summary, success rating 1–5, completion %, whether it
 * needs follow-up (and notes), a suggested next session — stops its runs and completes it. On a
 * session that has ended, it corrects the recorded outcome. Code may pass the outcome as the
 * second argument (no prompts).
 */
export async function completeSession(deps: RunDeps, arg?: unknown, outcome?: unknown): Promise<void> {
  const session = await sessionFromArgument(deps, arg, {
    title: vscode.l10n.t('Complete Session'),
    statuses: [...sessionActionStatuses.complete, 'complete'],
  });
  if (!session) return;
  const input = isEditObject(outcome)
    ? parseWith(SessionOutcomeInputSchema, outcome, 'Complete Session argument')
    : await askOutcome(session);
  if (input === undefined) return;
  if (!isTerminalSessionStatus(session.status)) {
    if (deps.running.isRunning(session.id)) {
      throw new UserFacingError(
        vscode.l10n.t(
          '"{0}" is running a step in its terminal. Wait for it to finish (or press Ctrl+C there), then complete it.',
          session.title,
        ),
      );
    }
    await deps.background.stopTree(session.id);
  } else if (session.status !== 'complete') {
    throw new UserFacingError(
      vscode.l10n.t('"{0}" is {1}; only active, paused, interrupted or complete sessions take an outcome.', session.title, session.status),
    );
  }
  const completed = await deps.engine.completeWithOutcome(session.id, input);
  void vscode.window.setStatusBarMessage(
    `$(pass) ${vscode.l10n.t('"{0}" complete — {1}/5, {2} %', completed.title, input.rating, input.completionPercent)}`,
    5000,
  );
}

const PercentSchema = z.coerce.number().int().min(0).max(100);

async function askOutcome(session: Session): Promise<SessionOutcomeInput | undefined> {
  const previous = session.outcome;
  const summary = await vscode.window.showInputBox({
    title: vscode.l10n.t('Complete "{0}" ({1}/5): summary', session.title, 1),
    prompt: vscode.l10n.t('What was done, and how it went against the criteria.'),
    value: session.summary ?? '',
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('Write a short summary (it is shown in the tree and the timeline).')),
  });
  if (summary === undefined) return undefined;
  const ratings = [5, 4, 3, 2, 1].map((rating) => ({
    label: `${'★'.repeat(rating)}${'☆'.repeat(5 - rating)}  ${rating}`,
    description: [
      '',
      vscode.l10n.t('not met'),
      vscode.l10n.t('partly met'),
      vscode.l10n.t('mostly met'),
      vscode.l10n.t('met'),
      vscode.l10n.t('met fully'),
    ][rating],
    rating,
    picked: previous?.rating === rating,
  }));
  const rating = await vscode.window.showQuickPick(ratings, {
    title: vscode.l10n.t('Complete "{0}" ({1}/5): success rating', session.title, 2),
    placeHolder: vscode.l10n.t('How well was the goal met?'),
    ignoreFocusOut: true,
  });
  if (rating === undefined) return undefined;
  const percent = await vscode.window.showInputBox({
    title: vscode.l10n.t('Complete "{0}" ({1}/5): completion', session.title, 3),
    prompt: vscode.l10n.t('How much of the goal is done, 0 to 100 (%).'),
    value: String(previous?.completionPercent ?? 100),
    ignoreFocusOut: true,
    validateInput: (v) => (PercentSchema.safeParse(v.trim()).success ? undefined : vscode.l10n.t('A whole number from 0 to 100.')),
  });
  if (percent === undefined) return undefined;
  const followUp = await vscode.window.showQuickPick(
    [
      { label: vscode.l10n.t('No follow-up needed'), needs: false },
      { label: vscode.l10n.t('Needs follow-up…'), description: vscode.l10n.t('say what is left'), needs: true },
    ],
    { title: vscode.l10n.t('Complete "{0}" ({1}/5): follow-up', session.title, 4), ignoreFocusOut: true },
  );
  if (followUp === undefined) return undefined;
  let followUpNotes = '';
  if (followUp.needs) {
    const notes = await vscode.window.showInputBox({
      title: vscode.l10n.t('Complete "{0}" ({1}/5): follow-up notes', session.title, 4),
      prompt: vscode.l10n.t('What is left to do?'),
      value: previous?.followUpNotes ?? '',
      ignoreFocusOut: true,
    });
    if (notes === undefined) return undefined;
    followUpNotes = notes.trim();
  }
  const next = await vscode.window.showInputBox({
    title: vscode.l10n.t('Complete "{0}" ({1}/5): next session (optional)', session.title, 5),
    prompt: vscode.l10n.t('The goal of a session to run next, if any (empty: none).'),
    value: previous?.nextSessionSuggestion ?? '',
    ignoreFocusOut: true,
  });
  if (next === undefined) return undefined;
  return {
    summary: summary.trim(),
    rating: rating.rating,
    completionPercent: PercentSchema.parse(percent.trim()),
    needsFollowUp: followUp.needs,
    followUpNotes,
    nextSessionSuggestion: next.trim(),
  };
}
