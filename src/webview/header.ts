import type { RenderedReport } from '../protocol/timelineMessages';
import type { ReadOnlyAccess, SessionHeader } from '../protocol/timelineModel';
import { SESSION_ACTIONS, sessionActionsFor, type SessionAction } from '../protocol/sessionActions';
import { h, icon } from './dom';
import { formatTokenBreakdown, formatUsd, totalTokens } from '../protocol/presentation';
import { t } from './l10n';
import { sessionActionPresentation, sessionStatusPresentation } from './presentation';
import { listSection, notesSection, outcomeSection, procedureSection } from './notes';
import { planSection } from './planSection';
import { GOAL_ACTIONS, phasesSection, progressSection, reviewSection, type GoalAction, type GoalButtonState } from './progress';

export interface SessionHeaderDeps {
  /** Runs a session action in the extension; settles when it has answered. */
  runAction(action: SessionAction): Promise<unknown>;
  /** Runs Check Progress, Approve or Request Changes in the extension; settles when it has answered. */
  runGoalAction(action: GoalAction): Promise<unknown>;
  reportError(message: string): void;
}

/** The session header: title, status, phase, read-only badge, the session actions and the facts. */
export class SessionHeaderView {
  readonly el = h('header', { className: 'session-header' });
  private session: SessionHeader | undefined;
  private readOnly: ReadOnlyAccess | null = null;
  /** The session action whose request has not been answered yet: every action button is disabled meanwhile. */
  private actionInFlight: SessionAction | undefined;
  /** An action button that had focus when the buttons were disabled: focus returns to it after. */
  private refocusAction: string | undefined;
  /** The goal button (Check Progress, Approve, Request Changes) whose request has not been answered yet. */
  private goalActionInFlight: GoalAction | undefined;

  constructor(private readonly deps: SessionHeaderDeps) {
    this.el.addEventListener('click', (e) => this.onClick(e));
  }

  get status(): SessionHeader['status'] | undefined {
    return this.session?.status;
  }

  /** Shows `session` (and whether the ledger is read-only here, when given). */
  show(session: SessionHeader, readOnly: ReadOnlyAccess | null = this.readOnly): void {
    this.session = session;
    this.readOnly = readOnly;
    this.render();
  }

  setReadOnly(readOnly: ReadOnlyAccess | null): void {
    this.readOnly = readOnly;
    this.render();
  }

  /** The header as it is in the DOM: its status badge and action buttons (checked by the extension's schema). */
  rendered(): RenderedReport['header'] {
    const status = this.el.querySelector<HTMLElement>('[data-status]')?.dataset.status;
    if (status === undefined) return null;
    const actions = [...this.el.querySelectorAll<HTMLElement>('[data-session-action]')].map((b) => b.dataset.sessionAction);
    const readOnly = this.el.querySelector<HTMLElement>('[data-read-only]')?.textContent ?? undefined;
    // What the goal, outcome and notes sections show: `<what>: <text>` per element.
    const shown = [...this.el.querySelectorAll<HTMLElement>('[data-shown]')].map((e) =>
      `${e.dataset.shown}: ${e.textContent ?? ''}`.slice(0, 2_000),
    );
    // The buttons shown but disabled because the ledger is read-only here.
    const locked = [...this.el.querySelectorAll<HTMLElement>('[data-locked]')].map((b) => b.dataset.sessionAction ?? b.dataset.goalAction);
    const report = readOnly === undefined ? { status, actions } : { status, actions, readOnly, lockedActions: locked };
    return (shown.length ? { ...report, shown } : report) as RenderedReport['header'];
  }

  private render(): void {
    const s = this.session;
    if (!s) return;
    const status = sessionStatusPresentation[s.status];
    const tokens = totalTokens(s.tokens);
    const readOnly = this.readOnly;
    const readOnlyText = readOnly ? (readOnly.holder ? t('Read-only — {0}', readOnly.holder) : t('Read-only')) : '';
    const children: (Node | null)[] = [
      h(
        'div',
        { className: 'title-line' },
        h('h1', {}, s.title),
        h(
          'span',
          { className: `badge session-${s.status}`, title: t('Status: {0}', t(status.label)), 'data-status': s.status },
          icon(status.icon),
          t(status.label),
        ),
        s.phase ? h('span', { className: 'badge', title: t('Phase') }, icon('milestone'), s.phase) : null,
        readOnly
          ? h(
              'span',
              {
                className: 'badge read-only',
                'data-read-only': '',
                title: t('Another window or process writes this ledger; this window shows it as it changes.'),
              },
              icon('lock'),
              readOnlyText,
            )
          : null,
        this.buildActions(s.status),
      ),
      s.intention ? h('p', { className: 'intention' }, s.intention) : null,
      planSection(s),
      listSection(t('Success criteria'), 'success', s.successCriteria),
      listSection(t('Completion criteria'), 'completion-criterion', s.completionCriteria),
      reviewSection(s.reviewGate, this.goalButtonState()),
      progressSection(s.progress, s.successCriteria.length + s.completionCriteria.length > 0, this.goalButtonState()),
      listSection(t('Constraints'), 'constraint', s.constraints),
      procedureSection(s.procedureNotes),
      outcomeSection(s.outcome, s.summary),
      notesSection(s.notes),
      phasesSection(s.phases),
      h(
        'dl',
        { className: 'facts' },
        ...fact(t('Type'), s.type),
        ...fact(t('Mode'), s.executionMode),
        ...fact(t('Steps'), String(s.interactionCount)),
        ...fact(t('Cost'), formatUsd(s.costUsd)),
        ...fact(t('Tokens'), tokens === 0 ? '0' : formatTokenBreakdown(s.tokens)),
        ...(s.conversationId ? fact(t('Conversation'), s.conversationId) : []),
      ),
    ];
    const active = document.activeElement as HTMLElement | null;
    const focusLost = !active || active === document.body;
    const focused =
      active?.closest<HTMLElement>('[data-session-action]')?.dataset.sessionAction ?? (focusLost ? this.refocusAction : undefined);
    this.refocusAction = undefined;
    this.el.replaceChildren(...children.filter((c): c is Node => c !== null));
    if (focused !== undefined) {
      // Keep keyboard focus in the header: on the same action, or on the first one left (Pause → Resume).
      // A disabled button cannot hold focus: remember it until the buttons are enabled again.
      const buttons = [...this.el.querySelectorAll<HTMLButtonElement>('[data-session-action]')];
      const target = buttons.find((b) => b.dataset.sessionAction === focused) ?? buttons[0];
      if (target && !target.disabled) target.focus();
      else if (target) this.refocusAction = focused;
    }
  }

  /**
   * Why the buttons that change the session cannot work here, when they cannot: the ledger is
   * read-only in this window (another one writes it). They stay in view, disabled, with this as their tooltip.
   */
  private lockedReason(): string | undefined {
    return this.readOnly
      ? t('Read-only here: another window or process writes this ledger. Use that window to change the session.')
      : undefined;
  }

  private goalButtonState(): GoalButtonState {
    return { busy: this.goalActionInFlight !== undefined, lockedReason: this.lockedReason() };
  }

  /** Buttons for the actions that apply to the session's status (none once it has ended). */
  private buildActions(status: SessionHeader['status']): HTMLElement | null {
    const actions = sessionActionsFor(status);
    if (actions.length === 0) return null;
    const busy = this.actionInFlight !== undefined;
    const locked = this.lockedReason();
    return h(
      'span',
      { className: 'session-actions', role: 'group', 'aria-label': t('Session actions'), 'aria-busy': busy ? 'true' : undefined },
      ...actions.map((action) => {
        const p = sessionActionPresentation[action];
        return h(
          'button',
          {
            className: 'action session-action',
            type: 'button',
            'data-session-action': action,
            'aria-label': t(p.description),
            title: locked ?? t(p.description),
            disabled: busy || locked !== undefined,
            'data-locked': locked !== undefined,
          },
          icon(action === this.actionInFlight ? 'loading' : p.icon, action === this.actionInFlight ? 'codicon-modifier-spin' : ''),
          t(p.label),
        );
      }),
    );
  }

  private onGoalClick(e: MouseEvent): boolean {
    const value = (e.target as HTMLElement).closest<HTMLButtonElement>('[data-goal-action]')?.dataset.goalAction;
    const action = GOAL_ACTIONS.find((a) => a === value);
    if (!action) return false;
    if (this.goalActionInFlight !== undefined || this.readOnly) return true;
    this.goalActionInFlight = action;
    this.render();
    this.deps
      .runGoalAction(action)
      .catch((error: Error) => this.deps.reportError(error.message))
      .finally(() => {
        this.goalActionInFlight = undefined;
        this.render();
      });
    return true;
  }

  private onClick(e: MouseEvent): void {
    if (this.onGoalClick(e)) return;
    const value = (e.target as HTMLElement).closest<HTMLButtonElement>('[data-session-action]')?.dataset.sessionAction;
    const action = SESSION_ACTIONS.find((a) => a === value);
    if (!action || this.actionInFlight !== undefined || this.readOnly) return;
    this.actionInFlight = action;
    this.render();
    this.deps
      .runAction(action)
      .catch((error: Error) => this.deps.reportError(`${sessionActionPresentation[action].label} failed: ${error.message}`))
      .finally(() => {
        this.actionInFlight = undefined;
        this.render();
      });
  }
}

function fact(term: string, value: string): HTMLElement[] {
  return [h('dt', {}, term), h('dd', {}, value)];
}
