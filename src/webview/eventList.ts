import { h, icon } from './dom';
import { t } from './l10n';
import type { EventPager } from './pager';

/** An event list with its loading state and a "Load more" button that carries `moreAction`. */
export function buildEventList(pager: EventPager, moreAction: string, emptyText: string): Node[] {
  const nodes: (Node | null)[] = [
    h(
      'ul',
      { className: 'events', 'aria-label': t('Events') },
      ...pager.events.map((e) =>
        h(
          'li',
          {},
          h('time', { title: new Date(e.ts).toLocaleString() }, new Date(e.ts).toLocaleTimeString()),
          h('span', { className: 'event-type' }, e.type),
          e.toolName ? h('span', { className: 'tool' }, icon('tools'), e.toolName) : null,
          e.summary ? h('code', { className: 'event-summary', title: e.summary }, e.summary) : null,
        ),
      ),
    ),
    pager.loading
      ? h('p', { className: 'muted' }, t('Loading events…'))
      : pager.events.length === 0
        ? h('p', { className: 'muted' }, emptyText)
        : null,
    pager.hasMore && !pager.loading
      ? h('button', { className: 'action', type: 'button', 'data-action': moreAction }, t('Load more events'))
      : null,
  ];
  return nodes.filter((n): n is Node => n !== null);
}
