import * as os from 'node:os';
import * as vscode from 'vscode';
import { z } from 'zod';
import { criteriaOf, progressFraction } from '../../core/engine/progressCheck';
import { reviewGateOf } from '../../core/engine/reviewGate';
import { CriterionCheckSchema, type CriterionCheck, type Session } from '../../core/model/session';
import { isTerminalSessionStatus } from '../../core/model/sessionStatus';
import { parseWith } from '../../core/model/validation';
import { CommandId } from '../commandIds';
import type { RunDeps } from './runCommands';
import { sessionFromArgument } from './sessionArgument';
import { UserFacingError } from '../userFacingError';

/** Check Progress (each criterion met / not met / unknown) and the review gates' Approve / Request Changes. */

type CheckHow = 'person' | 'claude';

/**
 * Check Progress: the person ticks the criteria in quick picks, or Claude checks them (its answer is
 * the session's next step: run in the terminal in manual mode, in the background in agentic mode).
 * Code may pass `'person'` or `'claude'` as the second argument to skip the choice, or the checks
 * themselves (`[{ kind, criterion, status, evidence }]`) to record them without prompts.
 */
export async function checkProgress(deps: RunDeps, arg?: unknown, how?: unknown): Promise<void> {
  const session = await sessionFromArgument(deps, arg, { title: vscode.l10n.t('Check Progress'), preferActive: true });
  if (!session) return;
  if (criteriaOf(session).length === 0) {
    throw new UserFacingError(
      vscode.l10n.t('"{0}" has no success or completion criteria to check. Add some with Edit Goal first.', session.title),
    );
  }
  if (Array.isArray(how)) {
    await record(deps, session, parseWith(z.array(CriterionCheckSchema), how, 'Check Progress argument'));
    return;
  }
  const method = how === 'person' || how === 'claude' ? how : await askHow(session);
  if (method === undefined) return;
  if (method === 'claude') {
    await deps.engine.requestProgressCheck(session.id);
    const current = deps.engine.getSession(session.id);
    if (current.status !== 'active') {
      void vscode.window.showInformationMessage(
        vscode.l10n.t('Claude checks the progress of "{0}" as its next step, once it is resumed.', current.title),
      );
      return;
    }
    // The check is the session's next command: Next Step runs it (terminal or background). Not
    // awaited: a step can run for minutes, and its own progress and errors are shown by Next Step.
    void vscode.commands.executeCommand(CommandId.nextStep, session.id);
    return;
  }
  const checks = await askChecks(session);
  if (checks !== undefined) await record(deps, session, checks);
}

async function record(deps: RunDeps, session: Session, checks: readonly CriterionCheck[]): Promise<void> {
  const checked = await deps.engine.recordProgress(session.id, checks);
  const fraction = progressFraction(checked.progress);
  void vscode.window.setStatusBarMessage(
    `$(checklist) ${vscode.l10n.t('Progress of "{0}": {1}/{2} met', checked.title, fraction?.met ?? 0, fraction?.total ?? 0)}`,
    5000,
  );
  if (checked.status === 'complete' && session.status !== 'complete') {
    void vscode.window.showInformationMessage(vscode.l10n.t('"{0}" is complete: every completion criterion is met.', checked.title));
  }
}

async function askHow(session: Session): Promise<CheckHow | undefined> {
  const person = { label: `$(checklist) ${vscode.l10n.t('Tick them myself')}`, how: 'person' as const };
  if (isTerminalSessionStatus(session.status)) return 'person';
  const picked = await vscode.window.showQuickPick(
    [
      person,
      {
        label: `$(sparkle) ${vscode.l10n.t('Ask Claude')}`,
        detail: vscode.l10n.t("Claude reads the session's artifacts and recent results and judges each criterion (a step of the session)."),
        how: 'claude' as const,
      },
    ],
    { title: vscode.l10n.t('Check Progress — {0}', session.title), ignoreFocusOut: true },
  );
  return picked?.how;
}

type CriterionItem = vscode.QuickPickItem & { readonly criterionKind: CriterionCheck['kind']; readonly criterion: string };

/**
 * The person's check: tick the criteria that are met; of the others, tick those that are not met
 * (the rest stay unknown); then one optional line of evidence for what was judged.
 */
async function askChecks(session: Session): Promise<CriterionCheck[] | undefined> {
  const previous = session.progress?.criteria ?? [];
  const statusOf = (kind: string, criterion: string) => previous.find((c) => c.kind === kind && c.criterion === criterion)?.status;
  const item = (c: { kind: CriterionCheck['kind']; criterion: string }, picked: boolean): CriterionItem => ({
    label: c.criterion,
    description: c.kind === 'completion' ? vscode.l10n.t('completion criterion') : vscode.l10n.t('success criterion'),
    picked,
    criterionKind: c.kind,
    criterion: c.criterion,
  });
  const goal = criteriaOf(session);
  const met = await vscode.window.showQuickPick(
    goal.map((c) => item(c, statusOf(c.kind, c.criterion) === 'met')),
    {
      title: vscode.l10n.t('Check Progress — {0} (1/3): met', session.title),
      placeHolder: vscode.l10n.t('Tick the criteria that are met'),
      canPickMany: true,
      ignoreFocusOut: true,
    },
  );
  if (met === undefined) return undefined;
  const isMet = (c: { kind: string; criterion: string }) => met.some((m) => m.criterionKind === c.kind && m.criterion === c.criterion);
  const rest = goal.filter((c) => !isMet(c));
  let notMet: readonly CriterionItem[] = [];
  if (rest.length > 0) {
    const picked = await vscode.window.showQuickPick(
      rest.map((c) => item(c, statusOf(c.kind, c.criterion) === 'not_met')),
      {
        title: vscode.l10n.t('Check Progress — {0} (2/3): not met', session.title),
        placeHolder: vscode.l10n.t('Of the others, tick those that are not met (the rest stay unknown)'),
        canPickMany: true,
        ignoreFocusOut: true,
      },
    );
    if (picked === undefined) return undefined;
    notMet = picked;
  }
  const evidence = await vscode.window.showInputBox({
    title: vscode.l10n.t('Check Progress — {0} (3/3): evidence', session.title),
    prompt: vscode.l10n.t('What shows it (optional, one line; kept with each criterion you judged)'),
    ignoreFocusOut: true,
  });
  if (evidence === undefined) return undefined;
  const isNotMet = (c: { kind: string; criterion: string }) =>
    notMet.some((m) => m.criterionKind === c.kind && m.criterion === c.criterion);
  return goal.map((c) => {
    const status = isMet(c) ? 'met' : isNotMet(c) ? 'not_met' : 'unknown';
    return { kind: c.kind, criterion: c.criterion, status, evidence: status === 'unknown' ? '' : evidence.trim() };
  });
}

/** Who decides at a review gate: the team ledger's person when set, else the account name. */
function reviewer(deps: RunDeps): string {
  const configured = (deps.config.value as unknown as Record<string, unknown>)['teamLedger.person'];
  return typeof configured === 'string' && configured.trim() ? configured.trim() : os.userInfo().username;
}

async function gatedSession(deps: RunDeps, arg: unknown, title: string): Promise<Session | undefined> {
  const session = await sessionFromArgument(deps, arg, { title, preferActive: true });
  if (!session) return undefined;
  const gate = reviewGateOf(session);
  if (gate === undefined || isTerminalSessionStatus(session.status)) {
    throw new UserFacingError(vscode.l10n.t('"{0}" has no answer waiting for review.', session.title));
  }
  return session;
}

/** Continues an agentic session after a decision (its loop stopped at the gate). */
function goOn(deps: RunDeps, session: Session): void {
  const current = deps.engine.getSession(session.id);
  if (current.executionMode === 'agentic' && current.status === 'active' && !deps.background.isRunning(current.id)) {
    void deps.background.start(deps.background.rootOf(current.id));
  }
}

/** Approve: the answer under review (and its artifacts) is approved, and the session goes on. */
export async function approveReview(deps: RunDeps, arg?: unknown): Promise<void> {
  const session = await gatedSession(deps, arg, vscode.l10n.t('Approve'));
  if (!session) return;
  const gate = reviewGateOf(session);
  await deps.engine.approveReview(session.id, reviewer(deps));
  void vscode.window.setStatusBarMessage(
    `$(pass) ${vscode.l10n.t('Approved the {0} step of "{1}"', gate?.step ?? '', session.title)}`,
    5000,
  );
  goOn(deps, session);
}

/**
 * Request Changes: asks what to change (code may pass it as the second argument); the same step is
 * asked again with that comment in its prompt.
 */
export async function requestReviewChanges(deps: RunDeps, arg?: unknown, comment?: unknown): Promise<void> {
  const session = await gatedSession(deps, arg, vscode.l10n.t('Request Changes'));
  if (!session) return;
  const gate = reviewGateOf(session);
  const text =
    typeof comment === 'string'
      ? comment
      : await vscode.window.showInputBox({
          title: vscode.l10n.t('Request Changes — {0} ({1})', session.title, gate?.step ?? ''),
          prompt: vscode.l10n.t('What should change? Claude is asked again with this comment.'),
          ignoreFocusOut: true,
          validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('Say what to change.')),
        });
  if (text === undefined) return;
  await deps.engine.requestChanges(session.id, text, reviewer(deps));
  void vscode.window.setStatusBarMessage(
    `$(comment) ${vscode.l10n.t('Changes requested: the {0} step is asked again', gate?.step ?? '')}`,
    5000,
  );
  goOn(deps, session);
}
