import type { EventRow, InteractionDetail, InteractionRow } from '../protocol/timelineModel';
import { h } from './dom';
import { applyFilter, NO_FILTER, type TimelineFilter } from './filter';
import { t } from './l10n';
import { EventPager } from './pager';
import type { RequestClient } from './rpc';
import { buildRow, type Loadable } from './rowView';
import { buildOffsets, rowAt, scrollToReveal, visibleWindow } from './virtualList';

/** Height of a collapsed row; must match `.row-summary` in timeline.css. */
export const ROW_HEIGHT = 28;
const OVERSCAN = 8;

export interface RowListDeps {
  readonly requests: RequestClient;
  /** Asks for a render on the next frame (and, with `report`, a render report after it). */
  scheduleRender(report?: boolean): void;
  reportError(message: string): void;
  /** The rows shown or loaded changed: `shown` of `loaded`, `loading` while pages arrive. */
  counted(shown: number, loaded: number, loading: { total: number } | undefined): void;
}

/**
 * The steps: a virtualised, filterable list of interaction rows that expand to their detail and
 * events, with keyboard navigation (a tree of rows). It owns the rows the extension sent.
 */
export class RowList {
  readonly el = h('div', { className: 'list' });
  private readonly spacerEl = h('div', { className: 'spacer', role: 'tree', 'aria-label': t('Steps') });
  /** Says what the last copy put on the clipboard (seen, and read out by screen readers). */
  readonly copyStatusEl = h('p', { className: 'copy-status', role: 'status' });
  private readonly emptyEl = h('p', { className: 'empty', hidden: true }, t('No steps match the filters.'));
  private rows: InteractionRow[] = [];
  private readonly indexById = new Map<string, number>();
  private filter: TimelineFilter = NO_FILTER;
  private shown: InteractionRow[] = [];
  private offsets: Float64Array = new Float64Array(1);
  private readonly measured = new Map<string, number>();
  private readonly expanded = new Set<string>();
  private readonly details = new Map<string, Loadable<InteractionDetail>>();
  private readonly events = new Map<string, EventPager>();
  private readonly versions = new Map<string, number>();
  private readonly mounted = new Map<string, { el: HTMLElement; version: number }>();
  private focusedId: string | undefined;
  /** Interactions of the session, some maybe still loading. */
  private total = 0;
  private pagesPending = false;

  constructor(private readonly deps: RowListDeps) {
    this.el.append(this.spacerEl, this.emptyEl);
    this.el.addEventListener('scroll', () => deps.scheduleRender(), { passive: true });
    this.spacerEl.addEventListener('click', (e) => this.onClick(e));
    this.spacerEl.addEventListener('keydown', (e) => this.onKeyDown(e));
  }

  get loadedRows(): number {
    return this.rows.length;
  }

  get totalRows(): number {
    return Math.max(this.total, this.rows.length);
  }

  /** Whether pages of the snapshot are still arriving. */
  get loading(): boolean {
    return this.pagesPending;
  }

  get renderedRows(): number {
    return this.mounted.size;
  }

  /** The seq of the step row that has (or last had) keyboard focus. */
  get focusedSeq(): number | null {
    return (this.focusedId !== undefined ? this.rows[this.indexById.get(this.focusedId) ?? -1]?.seq : undefined) ?? null;
  }

  get scrollTop(): number {
    return this.el.scrollTop;
  }

  set scrollTop(value: number) {
    this.el.scrollTop = value;
  }

  get viewportHeight(): number {
    return this.el.clientHeight;
  }

  get contentHeight(): number {
    return this.offsets[this.offsets.length - 1]!;
  }

  hasSeq(seq: number): boolean {
    return this.rows.some((r) => r.seq === seq);
  }

  /** A snapshot's first page: everything else (expanded rows, loaded details) is forgotten. */
  reset(rows: InteractionRow[], total: number, filter: TimelineFilter): void {
    this.total = total;
    this.pagesPending = rows.length < total;
    this.rows = rows;
    this.indexById.clear();
    rows.forEach((row, i) => this.indexById.set(row.id, i));
    for (const { el } of this.mounted.values()) el.remove();
    this.mounted.clear();
    this.measured.clear();
    this.details.clear();
    this.events.clear();
    this.expanded.clear();
    this.setFilter(filter);
  }

  /** A further page of the snapshot's rows. */
  addPage(rows: readonly InteractionRow[], done: boolean): void {
    for (const row of rows) {
      if (this.indexById.has(row.id)) continue;
      this.indexById.set(row.id, this.rows.length);
      this.rows.push(row);
    }
    this.pagesPending = !done;
    this.total = Math.max(this.total, this.rows.length);
    this.refilter();
  }

  /** A new row (appended) or a changed one (replaced); the list follows new rows when scrolled to the bottom. */
  upsert(row: InteractionRow): void {
    const index = this.indexById.get(row.id);
    const atBottom = this.isScrolledToBottom();
    if (index === undefined) {
      this.indexById.set(row.id, this.rows.length);
      this.rows.push(row);
    } else {
      const before = this.rows[index]!;
      this.rows[index] = row;
      const detail = this.details.get(row.id);
      if (detail && (before.status !== row.status || before.hasOutput !== row.hasOutput)) {
        this.details.delete(row.id);
        if (this.expanded.has(row.id)) this.loadDetail(row.id);
      }
    }
    this.bump(row.id);
    this.refilter();
    if (atBottom) this.el.scrollTop = this.contentHeight;
    this.deps.scheduleRender(true);
  }

  /** A live event of a step: shown when that step's events are open and it comes next. */
  appendEvent(interactionId: string, event: EventRow): void {
    if (!this.events.get(interactionId)?.append(event)) return;
    this.bump(interactionId);
    this.deps.scheduleRender();
  }

  /** Shows only the rows `filter` lets through. */
  setFilter(filter: TimelineFilter): void {
    this.filter = filter;
    this.refilter();
  }

  /** A filter the person chose: the row at the top stays at the top when it is still shown. */
  changeFilter(filter: TimelineFilter): void {
    const topRow = this.shown[rowAt(this.offsets, this.el.scrollTop)]?.id;
    this.setFilter(filter);
    const keep = topRow ? this.indexOfShown(topRow) : -1;
    this.el.scrollTop = keep >= 0 ? this.offsets[keep]! : 0;
    this.deps.scheduleRender(true);
  }

  /** Whether the row `seq` exists but the filter hides it. */
  filtersOut(seq: number): boolean {
    return !this.shown.some((r) => r.seq === seq) && this.hasSeq(seq);
  }

  /** Expands the row `seq`, scrolls it to the top and gives it keyboard focus. */
  focusSeq(seq: number): void {
    const index = this.shown.findIndex((r) => r.seq === seq);
    if (index < 0) return;
    this.toggle(this.shown[index]!.id, true);
    this.focusedId = this.shown[index]!.id;
    this.el.scrollTop = this.offsets[index]!;
    this.render();
    this.mounted.get(this.focusedId)?.el.focus({ preventScroll: true });
  }

  /** Mounts the rows in the window, unmounts the rest, and re-measures expanded rows. */
  render(): { visible: number } {
    let visible = 0;
    for (let pass = 0; pass < 3; pass++) {
      const viewport = this.el.clientHeight || window.innerHeight;
      const win = visibleWindow(this.offsets, this.el.scrollTop, viewport, OVERSCAN);
      visible = win.visible;
      const keep = new Set<string>();
      const focusedMounted = this.focusedId !== undefined && this.indexOfShown(this.focusedId, win.start, win.end) >= 0;
      for (let i = win.start; i < win.end; i++) {
        const row = this.shown[i]!;
        keep.add(row.id);
        const version = this.versions.get(row.id) ?? 0;
        let entry = this.mounted.get(row.id);
        if (!entry || entry.version !== version) {
          const el = buildRow(row, {
            expanded: this.expanded.has(row.id),
            detail: this.details.get(row.id),
            events: this.events.get(row.id),
          });
          const hadFocus = entry !== undefined && entry.el.contains(document.activeElement);
          if (entry) entry.el.replaceWith(el);
          else this.spacerEl.append(el);
          entry = { el, version };
          this.mounted.set(row.id, entry);
          if (hadFocus) el.focus({ preventScroll: true });
        }
        const el = entry.el;
        el.style.transform = `translateY(${this.offsets[i]}px)`;
        el.setAttribute('aria-posinset', String(i + 1));
        el.setAttribute('aria-setsize', String(this.shown.length));
        el.tabIndex = row.id === this.focusedId || (!focusedMounted && i === win.start) ? 0 : -1;
      }
      for (const [id, { el }] of this.mounted) {
        if (!keep.has(id)) {
          el.remove();
          this.mounted.delete(id);
        }
      }
      // Expanded rows are taller than ROW_HEIGHT: measure them, and lay out again if that changed.
      let changed = false;
      for (const id of this.expanded) {
        const entry = this.mounted.get(id);
        if (!entry) continue;
        const height = entry.el.offsetHeight;
        if (height > 0 && this.measured.get(id) !== height) {
          this.measured.set(id, height);
          changed = true;
        }
      }
      if (!changed) break;
      this.relayout();
    }
    return { visible };
  }

  // ---- data -------------------------------------------------------------------------------

  private bump(id: string): void {
    this.versions.set(id, (this.versions.get(id) ?? 0) + 1);
  }

  private refilter(): void {
    this.shown = applyFilter(this.rows, this.filter);
    this.relayout();
  }

  private relayout(): void {
    this.offsets = buildOffsets(this.shown.length, (i) => this.measured.get(this.shown[i]!.id) ?? ROW_HEIGHT);
    this.spacerEl.style.height = `${this.offsets[this.shown.length]}px`;
    this.emptyEl.hidden = this.shown.length > 0 || this.rows.length === 0;
    this.deps.counted(this.shown.length, this.rows.length, this.pagesPending ? { total: this.total } : undefined);
  }

  private loadDetail(id: string): void {
    this.details.set(id, { state: 'loading' });
    this.deps.requests
      .request('loadDetail', { interactionId: id })
      .then(
        (value) => this.details.set(id, { state: 'loaded', value }),
        (error: Error) => this.details.set(id, { state: 'failed', error: error.message }),
      )
      .finally(() => {
        this.bump(id);
        this.deps.scheduleRender();
      });
  }

  private loadEvents(id: string): void {
    let pager = this.events.get(id);
    if (!pager) {
      pager = new EventPager(
        (after) => this.deps.requests.request('loadEvents', { interactionId: id, after }),
        (error) => this.deps.reportError(`loading events failed: ${error.message}`),
      );
      this.events.set(id, pager);
    }
    void pager.loadMore()?.then(() => {
      this.bump(id);
      this.deps.scheduleRender();
    });
  }

  // ---- interaction ------------------------------------------------------------------------

  private isScrolledToBottom(): boolean {
    const total = this.contentHeight;
    return total > 0 && this.el.scrollTop + this.el.clientHeight >= total - 4;
  }

  private indexOfShown(id: string, from = 0, to = this.shown.length): number {
    for (let i = from; i < to; i++) if (this.shown[i]!.id === id) return i;
    return -1;
  }

  private toggle(id: string, expand = !this.expanded.has(id)): void {
    if (expand === this.expanded.has(id)) return;
    if (expand) {
      this.expanded.add(id);
      if (!this.details.has(id)) this.loadDetail(id);
    } else {
      this.expanded.delete(id);
      this.measured.delete(id);
    }
    this.bump(id);
    this.relayout();
    this.render();
  }

  private focusIndex(index: number): void {
    if (this.shown.length === 0) return;
    const i = Math.max(0, Math.min(this.shown.length - 1, index));
    const id = this.shown[i]!.id;
    this.focusedId = id;
    this.el.scrollTop = scrollToReveal(this.offsets, i, this.el.scrollTop, this.el.clientHeight);
    this.render();
    this.mounted.get(id)?.el.focus({ preventScroll: true });
  }

  private onClick(e: MouseEvent): void {
    const rowEl = (e.target as HTMLElement | null)?.closest<HTMLElement>('.row') ?? undefined;
    const id = rowEl?.dataset.id;
    if (!rowEl || !id) return;
    this.focusedId = id;
    const action = (e.target as HTMLElement).closest<HTMLElement>('[data-action]')?.dataset.action;
    if (action === 'copy-command' || action === 'copy-output') {
      const what = action === 'copy-command' ? 'command' : 'output';
      const seq = this.rows[this.indexById.get(id) ?? -1]?.seq;
      this.copyStatusEl.textContent = '';
      this.deps.requests.request('copy', { interactionId: id, what }).then(
        ({ copiedChars }) =>
          (this.copyStatusEl.textContent =
            what === 'command'
              ? t('Copied the command of step #{0} ({1} characters).', seq ?? '', copiedChars)
              : t('Copied the output of step #{0} ({1} characters).', seq ?? '', copiedChars)),
        (error: Error) => this.deps.reportError(`copy failed: ${error.message}`),
      );
    } else if (action === 'load-events') {
      this.loadEvents(id);
    } else if ((e.target as HTMLElement).closest('.row-summary')) {
      this.toggle(id);
      this.mounted.get(id)?.el.focus({ preventScroll: true });
    }
  }

  private onKeyDown(e: KeyboardEvent): void {
    const rowEl = e.target as HTMLElement;
    if (!rowEl.classList.contains('row')) return; // keys inside a row's buttons keep their meaning
    const id = rowEl.dataset.id!;
    const index = this.indexOfShown(id);
    const page = Math.max(1, Math.floor(this.el.clientHeight / ROW_HEIGHT) - 1);
    const moves: Record<string, () => void> = {
      ArrowDown: () => this.focusIndex(index + 1),
      ArrowUp: () => this.focusIndex(index - 1),
      PageDown: () => this.focusIndex(index + page),
      PageUp: () => this.focusIndex(index - page),
      Home: () => this.focusIndex(0),
      End: () => this.focusIndex(this.shown.length - 1),
      Enter: () => this.toggle(id),
      ' ': () => this.toggle(id),
      ArrowRight: () => this.toggle(id, true),
      ArrowLeft: () => this.toggle(id, false),
    };
    const move = moves[e.key];
    if (!move) return;
    e.preventDefault();
    move();
    if (e.key === 'Enter' || e.key === ' ' || e.key.startsWith('ArrowL') || e.key.startsWith('ArrowR')) {
      this.mounted.get(id)?.el.focus({ preventScroll: true });
    }
  }
}
