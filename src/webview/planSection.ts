import type { LinkedSessionView, SessionHeader } from '../protocol/timelineModel';
import { formatMinutes } from '../protocol/sessionDurations';
import { h, icon } from './dom';
import { t } from './l10n';
import { sessionStatusPresentation } from './presentation';

/*
 * The timeline header's plan and chain (issue 15 items 4, 5, 7): tags, when a planned session is
 * scheduled, its expected duration beside the actual one, and the sessions it follows and that
 * follow it. Elements showing a stored value carry `data-shown` (the header reports them).
 */

function linked(session: LinkedSessionView, shown: string): HTMLElement {
  const status = sessionStatusPresentation[session.status];
  return h(
    'span',
    { className: 'linked-session', 'data-shown': shown, title: t('Status: {0}', t(status.label)) },
    icon(status.icon),
    session.title,
  );
}

function localTime(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** The section, or nothing when the session has no tags, plan, durations or chain. */
export function planSection(s: SessionHeader): HTMLElement | null {
  const lines: (HTMLElement | null)[] = [];
  if (s.tags.length) {
    lines.push(
      h(
        'p',
        { className: 'tags', 'aria-label': t('Tags') },
        icon('tag'),
        ...s.tags.map((tag) => h('span', { className: 'badge tag', 'data-shown': 'tag' }, tag)),
      ),
    );
  }
  const timing: HTMLElement[] = [];
  if (s.scheduledAt !== null) {
    timing.push(
      h('span', { className: 'badge', 'data-shown': 'scheduled' }, icon('calendar'), t('Scheduled {0}', localTime(s.scheduledAt))),
    );
  }
  if (s.expectedMinutes !== null) {
    timing.push(
      h('span', { className: 'badge', 'data-shown': 'expected' }, icon('watch'), t('Expected {0}', formatMinutes(s.expectedMinutes))),
    );
  }
  if (s.actualMinutes !== null) {
    timing.push(h('span', { className: 'badge', 'data-shown': 'actual' }, icon('clock'), t('Actual {0}', formatMinutes(s.actualMinutes))));
  }
  if (timing.length) lines.push(h('p', { className: 'timing' }, ...timing));
  if (s.previous)
    lines.push(h('p', { className: 'chain' }, h('span', { className: 'chain-label' }, t('Follows: ')), linked(s.previous, 'previous')));
  if (s.next.length) {
    lines.push(
      h('p', { className: 'chain' }, h('span', { className: 'chain-label' }, t('Followed by: ')), ...s.next.map((n) => linked(n, 'next'))),
    );
  }
  const shown = lines.filter((line): line is HTMLElement => line !== null);
  return shown.length ? h('div', { className: 'plan-chain' }, ...shown) : null;
}
