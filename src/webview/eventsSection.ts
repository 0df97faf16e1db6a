import type { EventRow } from '../protocol/timelineModel';
import { h, icon } from './dom';
import { buildEventList } from './eventList';
import { t } from './l10n';
import { EventPager, type EventPage } from './pager';

export interface SessionEventsDeps {
  /** The session's events with `seq > after` (outside any step). */
  fetchPage(after: number): Promise<EventPage>;
  reportError(message: string): void;
  /** The section changed what it shows: tell the extension (tests wait for it). */
  rendered(since: number): void;
}

/** The session's own events (recorded outside any step, e.g. Claude Code hooks): a toggle, and when open the list with paging. */
export class SessionEventsSection {
  readonly el = h('section', { className: 'session-events', 'aria-label': t('Session events') });
  /** Undefined while the section is collapsed. */
  private pager: EventPager | undefined;

  constructor(private readonly deps: SessionEventsDeps) {
    this.el.addEventListener('click', (e) => this.onClick(e));
  }

  /** Event rows in the DOM; null while the section is collapsed. */
  get renderedCount(): number | null {
    return this.pager ? this.el.querySelectorAll('.events > li').length : null;
  }

  /** A new snapshot: collapsed, or open and loading when the session has no steps to show instead. */
  reset(open: boolean, since: number): void {
    this.pager = undefined;
    if (open) this.load(since);
    else this.render();
  }

  /** A live event of the session's own; true when it is shown now. */
  append(event: EventRow): boolean {
    if (!this.pager?.append(event)) return false;
    this.render();
    return true;
  }

  private load(since = performance.now()): void {
    const pager =
      this.pager ??
      new EventPager(this.deps.fetchPage, (error) => this.deps.reportError(`loading the session's events failed: ${error.message}`));
    this.pager = pager;
    const loaded = pager.loadMore();
    if (!loaded) return;
    this.render();
    void loaded.then(() => {
      if (this.pager !== pager) return; // collapsed (or a new snapshot) meanwhile
      this.render();
      this.deps.rendered(since);
    });
  }

  private render(): void {
    const pager = this.pager;
    // Re-rendering replaces the buttons: keep keyboard focus in the section (on its toggle).
    const hadFocus = this.el.contains(document.activeElement);
    this.el.replaceChildren(
      h(
        'button',
        {
          className: 'link',
          type: 'button',
          'data-action': 'toggle-session-events',
          'aria-expanded': String(pager !== undefined),
          title: t('Events recorded outside any step, such as Claude Code hooks'),
        },
        icon(pager ? 'chevron-down' : 'chevron-right'),
        t('Session events'),
      ),
      ...(pager ? buildEventList(pager, 'load-session-events', t('No events outside the steps.')) : []),
    );
    if (hadFocus) this.el.querySelector<HTMLElement>('[data-action]')?.focus();
  }

  private onClick(e: MouseEvent): void {
    const action = (e.target as HTMLElement).closest<HTMLElement>('[data-action]')?.dataset.action;
    if (action === 'toggle-session-events') {
      if (this.pager) {
        this.pager = undefined;
        this.render();
        this.deps.rendered(performance.now());
      } else {
        this.load();
      }
    } else if (action === 'load-session-events') {
      this.load();
    }
  }
}
