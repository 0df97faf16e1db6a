import type { GoalAction } from '../protocol/goalActions';
import type { PhaseRunsView, ProgressView, ReviewGateView } from '../protocol/timelineModel';
import { h, icon } from './dom';
import { formatUsd } from '../protocol/presentation';
import { t } from './l10n';

/*
 * Check Progress (the checklist), the review gate (Approve / Request Changes) and the runs grouped
 * by phase, in the timeline header. Buttons carry `data-goal-action`; the header runs them. Elements
 * that show stored values carry `data-shown` (the header reports them; tests check them).
 */

export { GOAL_ACTIONS, type GoalAction } from '../protocol/goalActions';

const STATUS = {
  met: { icon: 'pass-filled', label: 'Met' },
  not_met: { icon: 'circle-slash', label: 'Not met' },
  unknown: { icon: 'question', label: 'Unknown' },
} as const;

/** Whether the goal buttons can be pressed: not while one runs, nor where the ledger is read-only (the reason is their tooltip). */
export interface GoalButtonState {
  busy: boolean;
  lockedReason: string | undefined;
}

function goalButton(action: GoalAction, iconName: string, label: string, description: string, state: GoalButtonState): HTMLElement {
  const locked = state.lockedReason !== undefined;
  return h(
    'button',
    {
      className: 'action goal-action',
      type: 'button',
      'data-goal-action': action,
      'aria-label': description,
      title: state.lockedReason ?? description,
      disabled: state.busy || locked,
      'data-locked': locked,
    },
    icon(iconName),
    label,
  );
}

/**
 * The latest Check Progress as a checklist (each criterion with its status and evidence) and the
 * Check Progress button; before the first check, only the button (when there are criteria).
 */
export function progressSection(progress: ProgressView | null, hasCriteria: boolean, buttons: GoalButtonState): HTMLElement | null {
  if (!hasCriteria && progress === null) return null;
  const button = goalButton(
    'checkProgress',
    'checklist',
    t('Check Progress'),
    t('Judge each criterion: tick them yourself or ask Claude'),
    buttons,
  );
  if (progress === null) {
    return h(
      'div',
      { className: 'criteria progress' },
      h('h2', {}, t('Progress')),
      h('p', { className: 'muted' }, t('Not checked yet.'), ' ', button),
    );
  }
  const met = progress.criteria.filter((c) => c.status === 'met').length;
  const by = progress.checkedBy === 'claude' ? t('checked by Claude') : t('checked by a person');
  return h(
    'div',
    { className: 'criteria progress' },
    h(
      'h2',
      {},
      h('span', { 'data-shown': 'progress' }, t('Progress {0}/{1}', met, progress.criteria.length)),
      ' ',
      h('span', { className: 'outcome-by', title: new Date(progress.checkedAt).toLocaleString() }, by),
      ' ',
      button,
    ),
    h(
      'ul',
      { className: 'checklist' },
      ...progress.criteria.map((c) => {
        const status = STATUS[c.status];
        return h(
          'li',
          { className: `check check-${c.status}`, 'data-shown': `check:${c.status}`, title: t(status.label) },
          icon(status.icon),
          h('span', { className: 'check-criterion' }, c.criterion),
          c.kind === 'completion' ? h('span', { className: 'badge' }, t('completion')) : null,
          c.evidence.trim() ? h('span', { className: 'check-evidence' }, ' — ', c.evidence) : null,
        );
      }),
    ),
  );
}

/** The review gate: clearly marked, with Approve and Request Changes. */
export function reviewSection(gate: ReviewGateView | null, buttons: GoalButtonState): HTMLElement | null {
  if (gate === null) return null;
  return h(
    'div',
    { className: 'review-gate', role: 'status', 'data-review-gate': gate.step },
    h('h2', {}, icon('eye'), t('Waiting for your review')),
    h(
      'p',
      { 'data-shown': 'review' },
      t('The answer of the {0} step (#{1}) waits for approval before the session goes on.', gate.step, gate.seq),
      gate.artifactKeys.length ? ` ${t('Artifacts: {0}', gate.artifactKeys.join(', '))}` : '',
    ),
    h(
      'span',
      { className: 'session-actions', role: 'group', 'aria-label': t('Review') },
      goalButton('approve', 'pass', t('Approve'), t('Approve this answer; the session goes on'), buttons),
      goalButton(
        'requestChanges',
        'comment',
        t('Request Changes'),
        t('Ask for changes: the step is asked again with your comment'),
        buttons,
      ),
    ),
  );
}

/** The session's runs grouped by the phase (agent type) they served. */
export function phasesSection(phases: readonly PhaseRunsView[]): HTMLElement | null {
  if (phases.length === 0) return null;
  return h(
    'div',
    { className: 'criteria phases' },
    h('h2', {}, t('Runs by phase')),
    h(
      'ul',
      {},
      ...phases.map((p) => {
        const models = p.modelAliases.length ? t('asked for {0}', p.modelAliases.join(', ')) : '';
        const used = p.models.length ? p.models.join(', ') : '';
        const steps = p.seqs.length ? t('steps {0}', p.seqs.map((s) => `#${s}`).join(' ')) : '';
        return h(
          'li',
          { 'data-shown': `phase:${p.phase}` },
          h('span', { className: 'badge' }, icon('milestone'), p.phase),
          ' ',
          [t('{0} runs', p.runs), used, models, `${formatUsd(p.costUsd)}${p.costUnknown ? '+' : ''}`, steps].filter(Boolean).join(' · '),
        );
      }),
    ),
  );
}
