import { h, icon } from './dom';
import { COMMAND_KINDS, NO_FILTER, RESULT_STATUSES, toggled, type TimelineFilter } from './filter';
import { t } from './l10n';
import { kindPresentation, resultPresentation } from './presentation';

/** The filter box (text in the command or step name), the filter toggles (by kind and by status) and the step count. */
export class FilterToolbar {
  readonly el = h('div', { className: 'toolbar', role: 'search', 'aria-label': t('Filter steps') });
  /** Kept across renders, so typing is never interrupted by a redraw of the toggles. */
  private readonly textEl = h('input', {
    className: 'filter-text',
    type: 'search',
    placeholder: t('Filter steps'),
    title: t('Show the steps whose command or step name contains this text'),
    'aria-label': t('Filter steps by command or step name'),
  });
  /** The toggles, redrawn on each change; the box and the count around them stay put. */
  private readonly togglesEl = h('span', { className: 'toggles' });
  private readonly countEl = h('span', { className: 'count', role: 'status', 'aria-live': 'polite' });
  private current: TimelineFilter = NO_FILTER;

  /** @param changed called after a toggle was pressed or the filter text changed, with the new filter */
  constructor(private readonly changed: (filter: TimelineFilter) => void) {
    this.el.addEventListener('click', (e) => this.onClick(e));
    this.el.append(icon('filter'), this.textEl, this.togglesEl, this.countEl);
    this.textEl.addEventListener('input', () => {
      this.current = { ...this.current, text: this.textEl.value };
      this.changed(this.current);
    });
  }

  get filter(): TimelineFilter {
    return this.current;
  }

  /** Shows `filter` (redraws the toggles). */
  setFilter(filter: TimelineFilter): void {
    this.current = filter;
    if (this.textEl.value !== (filter.text ?? '')) this.textEl.value = filter.text ?? '';
    this.render();
  }

  /** `12 steps`, `3 of 12 steps`, with `(loading 200 of 10000)` while pages arrive. */
  setCount(shown: number, loaded: number, loading: { total: number } | undefined): void {
    const more = loading ? t(' (loading {0} of {1})', loaded, loading.total) : '';
    this.countEl.textContent = (shown === loaded ? t('{0} steps', loaded) : t('{0} of {1} steps', shown, loaded)) + more;
  }

  private render(): void {
    const toggle = (group: 'kind' | 'status', value: string, label: string, iconName: string, pressed: boolean) =>
      h(
        'button',
        {
          className: 'toggle',
          'data-filter': group,
          'data-value': value,
          'aria-pressed': String(pressed),
          title: t('Show {0} steps', label),
        },
        icon(iconName),
        label,
      );
    this.togglesEl.replaceChildren(
      h(
        'span',
        { className: 'group', role: 'group', 'aria-label': t('Kind') },
        ...COMMAND_KINDS.map((k) => toggle('kind', k, t(kindPresentation[k].label), kindPresentation[k].icon, this.current.kinds.has(k))),
      ),
      h(
        'span',
        { className: 'group', role: 'group', 'aria-label': t('Status') },
        ...RESULT_STATUSES.map((s) =>
          toggle('status', s, t(resultPresentation[s].label), resultPresentation[s].icon.split(' ')[0]!, this.current.statuses.has(s)),
        ),
      ),
    );
  }

  private onClick(e: MouseEvent): void {
    const button = (e.target as HTMLElement).closest<HTMLElement>('[data-filter]');
    if (!button) return;
    const value = button.dataset.value!;
    this.current =
      button.dataset.filter === 'kind'
        ? { ...this.current, kinds: toggled(this.current.kinds, value as never) }
        : { ...this.current, statuses: toggled(this.current.statuses, value as never) };
    button.setAttribute('aria-pressed', String(button.getAttribute('aria-pressed') !== 'true'));
    this.changed(this.current);
  }
}
