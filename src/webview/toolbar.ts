import { h, icon } from './dom';
import { COMMAND_KINDS, NO_FILTER, RESULT_STATUSES, toggled, type TimelineFilter } from './filter';
import { kindPresentation, resultPresentation } from './presentation';

/** The filter toggles (by kind and by status) and the step count. */
export class FilterToolbar {
  readonly el = h('div', { className: 'toolbar', role: 'toolbar', 'aria-label': 'Filter steps' });
  private readonly countEl = h('span', { className: 'count', 'aria-live': 'polite' });
  private current: TimelineFilter = NO_FILTER;

  /** @param changed called after a toggle was pressed, with the new filter */
  constructor(private readonly changed: (filter: TimelineFilter) => void) {
    this.el.addEventListener('click', (e) => this.onClick(e));
  }

  get filter(): TimelineFilter {
    return this.current;
  }

  /** Shows `filter` (redraws the toggles). */
  setFilter(filter: TimelineFilter): void {
    this.current = filter;
    this.render();
  }

  /** `12 steps`, `3 of 12 steps`, with `(loading 200 of 10000)` while pages arrive. */
  setCount(shown: number, loaded: number, loading: { total: number } | undefined): void {
    const more = loading ? ` (loading ${loaded} of ${loading.total})` : '';
    this.countEl.textContent = (shown === loaded ? `${loaded} steps` : `${shown} of ${loaded} steps`) + more;
  }

  private render(): void {
    const toggle = (group: 'kind' | 'status', value: string, label: string, iconName: string, pressed: boolean) =>
      h('button', { className: 'toggle', 'data-filter': group, 'data-value': value, 'aria-pressed': String(pressed), title: `Show ${label} steps` }, icon(iconName), label);
    this.el.replaceChildren(
      icon('filter'),
      h(
        'span',
        { className: 'group', role: 'group', 'aria-label': 'Kind' },
        ...COMMAND_KINDS.map((k) => toggle('kind', k, kindPresentation[k].label, kindPresentation[k].icon, this.current.kinds.has(k))),
      ),
      h(
        'span',
        { className: 'group', role: 'group', 'aria-label': 'Status' },
        ...RESULT_STATUSES.map((s) => toggle('status', s, resultPresentation[s].label, resultPresentation[s].icon.split(' ')[0]!, this.current.statuses.has(s))),
      ),
      this.countEl,
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
