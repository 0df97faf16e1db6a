import type { HostMessage, RenderedReport, TimelineViewState, WebviewMessage } from '../protocol/timelineMessages';
import { TimelineViewStateSchema } from '../protocol/timelineMessages';
import type { ArtifactLink, EventRow, InteractionDetail, InteractionRow, SessionHeader } from '../protocol/timelineModel';
import { SESSION_ACTIONS, sessionActionsFor, type SessionAction } from '../protocol/sessionActions';
import { h, icon } from './dom';
import { COMMAND_KINDS, NO_FILTER, RESULT_STATUSES, applyFilter, filterFromState, toggled, type TimelineFilter } from './filter';
import { formatCount, formatDuration, formatTokenBreakdown, formatUsd, totalTokens } from './format';
import { renderMarkdown } from './markdown';
import { kindPresentation, resultPresentation, sessionActionPresentation, sessionStatusPresentation } from './presentation';
import { RequestClient } from './rpc';
import { buildOffsets, rowAt, scrollToReveal, visibleWindow } from './virtualList';

/** Height of a collapsed row; must match `.row-summary` in timeline.css. */
export const ROW_HEIGHT = 28;
const OVERSCAN = 8;

/** What the view needs from its host page: the VS Code webview API, or a stub in the bench. */
export interface ViewHost {
  post(message: WebviewMessage): void;
  getState(): unknown;
  setState(state: TimelineViewState): void;
}

type Loadable<T> = { state: 'loading' } | { state: 'loaded'; value: T } | { state: 'failed'; error: string };
interface EventsState {
  events: EventRow[];
  hasMore: boolean;
  loading: boolean;
}

type Handlers = { [T in HostMessage['type']]: (message: Extract<HostMessage, { type: T }>, receivedAt: number) => void };

/**
 * The timeline UI: a session header, artifact links, filters and a virtualised list of
 * interactions. It owns view state only; the data arrives in messages from the extension.
 */
export class TimelineView {
  private session: SessionHeader | undefined;
  private rows: InteractionRow[] = [];
  private readonly indexById = new Map<string, number>();
  private artifacts: ArtifactLink[] = [];
  private filter: TimelineFilter = NO_FILTER;
  private shown: InteractionRow[] = [];
  private offsets: Float64Array = new Float64Array(1);
  private readonly measured = new Map<string, number>();
  private readonly expanded = new Set<string>();
  private readonly details = new Map<string, Loadable<InteractionDetail>>();
  private readonly events = new Map<string, EventsState>();
  /** The session's own events (outside any interaction); undefined while that section is collapsed. */
  private sessionEvents: EventsState | undefined;
  private readonly versions = new Map<string, number>();
  private readonly mounted = new Map<string, { el: HTMLElement; version: number }>();
  private focusedId: string | undefined;
  /** Interactions of the session, some maybe still loading. */
  private totalRows = 0;
  private loading = false;
  /** A saved scroll position or a requested focus waiting for its rows to arrive. */
  private pendingScrollTop: number | undefined;
  private pendingFocusSeq: number | undefined;
  private renderQueued = false;
  private reportQueued = false;
  private readonly requests: RequestClient;
  /** The session action whose request has not been answered yet: every action button is disabled meanwhile. */
  private actionInFlight: SessionAction | undefined;
  /** An action button that had focus when the buttons were disabled: focus returns to it after. */
  private refocusAction: string | undefined;

  private readonly headerEl = h('header', { className: 'session-header' });
  private readonly artifactsEl = h('nav', { className: 'artifacts', 'aria-label': 'Artifacts' });
  private readonly sessionEventsEl = h('section', { className: 'session-events', 'aria-label': 'Session events' });
  private readonly toolbarEl = h('div', { className: 'toolbar', role: 'toolbar', 'aria-label': 'Filter steps' });
  private readonly countEl = h('span', { className: 'count', 'aria-live': 'polite' });
  private readonly listEl = h('div', { className: 'list' });
  private readonly spacerEl = h('div', { className: 'spacer', role: 'tree', 'aria-label': 'Steps' });
  private readonly emptyEl = h('p', { className: 'empty', hidden: true }, 'No steps match the filters.');

  constructor(
    private readonly root: HTMLElement,
    private readonly host: ViewHost,
  ) {
    this.requests = new RequestClient((m) => host.post(m));
    this.listEl.append(this.spacerEl, this.emptyEl);
    root.replaceChildren(this.headerEl, this.artifactsEl, this.sessionEventsEl, this.toolbarEl, this.listEl);
    this.listEl.addEventListener('scroll', () => this.onScroll(), { passive: true });
    this.spacerEl.addEventListener('click', (e) => this.onRowsClick(e));
    this.spacerEl.addEventListener('keydown', (e) => this.onRowsKeyDown(e));
    this.headerEl.addEventListener('click', (e) => this.onHeaderClick(e));
    this.artifactsEl.addEventListener('click', (e) => this.onArtifactClick(e));
    this.sessionEventsEl.addEventListener('click', (e) => this.onSessionEventsClick(e));
    this.toolbarEl.addEventListener('click', (e) => this.onToolbarClick(e));
    window.addEventListener('resize', () => this.scheduleRender());
  }

  /** Handles a validated message from the extension. */
  receive(message: HostMessage, receivedAt: number): void {
    (this.handlers[message.type] as (m: HostMessage, t: number) => void)(message, receivedAt);
  }

  private readonly handlers: Handlers = {
    snapshot: (m, receivedAt) => {
      this.session = m.session;
      this.artifacts = m.artifacts;
      this.totalRows = m.totalInteractions;
      this.loading = m.interactions.length < m.totalInteractions;
      this.setRows(m.interactions);
      const saved = TimelineViewStateSchema.safeParse(this.host.getState());
      const state = saved.success && saved.data.sessionId === m.session.id ? saved.data : undefined;
      this.filter = state ? filterFromState(state.kinds, state.statuses) : NO_FILTER;
      this.pendingScrollTop = state && state.scrollTop > 0 ? state.scrollTop : undefined;
      this.pendingFocusSeq = m.focusInteractionSeq ?? undefined;
      this.renderHeader();
      this.renderArtifacts();
      // A session with no steps (e.g. one Claude Code hooks recorded) has only its own events to show.
      this.sessionEvents = undefined;
      if (m.totalInteractions === 0) this.loadSessionEvents(receivedAt);
      else this.renderSessionEvents();
      this.renderToolbar();
      this.applyFilter();
      this.listEl.scrollTop = 0;
      this.root.removeAttribute('aria-busy');
      this.restorePending();
      this.report(this.render().visible, receivedAt);
      this.saveState();
    },
    interactionsLoaded: (m, receivedAt) => {
      for (const row of m.interactions) {
        if (this.indexById.has(row.id)) continue;
        this.indexById.set(row.id, this.rows.length);
        this.rows.push(row);
      }
      this.loading = !m.done;
      this.totalRows = Math.max(this.totalRows, this.rows.length);
      this.applyFilter();
      this.restorePending();
      if (m.done) {
        this.report(this.render().visible, receivedAt);
      } else {
        this.scheduleRender();
      }
    },
    sessionUpdated: (m, receivedAt) => {
      const statusChanged = this.session?.status !== m.session.status;
      this.session = m.session;
      this.renderHeader();
      if (statusChanged) this.report(this.render().visible, receivedAt); // tests wait for the header to follow
    },
    interactionUpdated: (m) => {
      const row = m.interaction;
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
      this.applyFilter();
      if (atBottom) this.listEl.scrollTop = this.offsets[this.offsets.length - 1]!;
      this.scheduleRender(true);
    },
    eventAppended: (m, receivedAt) => {
      const id = m.event.interactionId;
      if (id === null) {
        const state = this.sessionEvents;
        const last = state?.events[state.events.length - 1];
        if (!state || state.loading || state.hasMore || (last && m.event.seq <= last.seq)) return; // the next page brings it
        state.events.push(m.event);
        this.renderSessionEvents();
        this.report(this.render().visible, receivedAt);
        return;
      }
      const state = this.events.get(id);
      if (!state || state.loading) return;
      const last = state.events[state.events.length - 1];
      if (!last || m.event.seq > last.seq) {
        state.events.push(m.event);
        this.bump(id);
        this.scheduleRender();
      }
    },
    artifactsUpdated: (m) => {
      this.artifacts = m.artifacts;
      this.renderArtifacts();
    },
    focusInteraction: (m, receivedAt) => {
      this.pendingFocusSeq = m.seq;
      this.restorePending();
      this.report(this.render().visible, receivedAt);
    },
    response: (m) => this.requests.settle(m),
  };

  // ---- data -------------------------------------------------------------------------------

  private setRows(rows: InteractionRow[]): void {
    this.rows = rows;
    this.indexById.clear();
    rows.forEach((row, i) => this.indexById.set(row.id, i));
    for (const { el } of this.mounted.values()) el.remove();
    this.mounted.clear();
    this.measured.clear();
    this.details.clear();
    this.events.clear();
    this.expanded.clear();
  }

  private bump(id: string): void {
    this.versions.set(id, (this.versions.get(id) ?? 0) + 1);
  }

  private applyFilter(): void {
    this.shown = applyFilter(this.rows, this.filter);
    this.relayout();
  }

  private relayout(): void {
    this.offsets = buildOffsets(this.shown.length, (i) => this.measured.get(this.shown[i]!.id) ?? ROW_HEIGHT);
    this.spacerEl.style.height = `${this.offsets[this.shown.length]}px`;
    this.emptyEl.hidden = this.shown.length > 0 || this.rows.length === 0;
    const loading = this.loading ? ` (loading ${this.rows.length} of ${this.totalRows})` : '';
    this.countEl.textContent =
      (this.shown.length === this.rows.length ? `${this.rows.length} steps` : `${this.shown.length} of ${this.rows.length} steps`) + loading;
  }

  private loadDetail(id: string): void {
    this.details.set(id, { state: 'loading' });
    this.requests.request('loadDetail', { interactionId: id }).then(
      (value) => this.details.set(id, { state: 'loaded', value }),
      (error: Error) => this.details.set(id, { state: 'failed', error: error.message }),
    ).finally(() => {
      this.bump(id);
      this.scheduleRender();
    });
  }

  private loadEvents(id: string): void {
    const state = this.events.get(id) ?? { events: [], hasMore: false, loading: false };
    if (state.loading) return;
    state.loading = true;
    this.events.set(id, state);
    const after = state.events[state.events.length - 1]?.seq ?? 0;
    this.requests.request('loadEvents', { interactionId: id, after }).then(
      (page) => {
        const last = state.events[state.events.length - 1]?.seq ?? 0;
        state.events.push(...page.events.filter((e) => e.seq > last));
        state.hasMore = page.hasMore;
      },
      (error: Error) => this.reportError(`loading events failed: ${error.message}`),
    ).finally(() => {
      state.loading = false;
      this.bump(id);
      this.scheduleRender();
    });
  }

  private loadSessionEvents(since = performance.now()): void {
    const state = this.sessionEvents ?? { events: [], hasMore: false, loading: false };
    if (state.loading) return;
    state.loading = true;
    this.sessionEvents = state;
    this.renderSessionEvents();
    const after = state.events[state.events.length - 1]?.seq ?? 0;
    this.requests.request('loadSessionEvents', { after }).then(
      (page) => {
        const last = state.events[state.events.length - 1]?.seq ?? 0;
        state.events.push(...page.events.filter((e) => e.seq > last));
        state.hasMore = page.hasMore;
      },
      (error: Error) => this.reportError(`loading the session's events failed: ${error.message}`),
    ).finally(() => {
      state.loading = false;
      if (this.sessionEvents !== state) return; // collapsed (or a new snapshot) meanwhile
      this.renderSessionEvents();
      this.report(this.render().visible, since);
    });
  }

  // ---- view state ---------------------------------------------------------------------------

  private saveState(): void {
    if (!this.session) return;
    this.host.setState({
      sessionId: this.session.id,
      scrollTop: this.pendingScrollTop ?? this.listEl.scrollTop,
      kinds: [...this.filter.kinds],
      statuses: [...this.filter.statuses],
    });
  }

  /** Tells the extension what is on screen (tests and the bench wait for this). */
  private report(visibleRows: number, since: number): void {
    this.host.post({
      type: 'rendered',
      totalRows: Math.max(this.totalRows, this.rows.length),
      loadedRows: this.rows.length,
      visibleRows,
      renderedRows: this.mounted.size,
      renderMs: Math.max(0, performance.now() - since),
      header: this.renderedHeader(),
      focusedSeq: (this.focusedId !== undefined ? this.rows[this.indexById.get(this.focusedId) ?? -1]?.seq : undefined) ?? null,
      sessionEvents: this.sessionEvents ? this.sessionEventsEl.querySelectorAll('.events > li').length : null,
    });
  }

  /** The header as it is in the DOM: its status badge and action buttons (checked by the extension's schema). */
  private renderedHeader(): RenderedReport['header'] {
    const status = this.headerEl.querySelector<HTMLElement>('[data-status]')?.dataset.status;
    if (status === undefined) return null;
    const actions = [...this.headerEl.querySelectorAll<HTMLElement>('[data-session-action]')].map((b) => b.dataset.sessionAction);
    return { status, actions } as RenderedReport['header'];
  }

  /** Applies a saved scroll position or a requested focus once the rows they need have arrived. */
  private restorePending(): void {
    if (this.pendingFocusSeq !== undefined) {
      const seq = this.pendingFocusSeq;
      if (this.rows.some((r) => r.seq === seq) || !this.loading) {
        this.pendingFocusSeq = undefined;
        this.pendingScrollTop = undefined;
        this.focusSeq(seq);
      }
      return;
    }
    if (this.pendingScrollTop !== undefined) {
      const total = this.offsets[this.offsets.length - 1]!;
      this.listEl.scrollTop = this.pendingScrollTop;
      if (!this.loading || total >= this.pendingScrollTop + this.listEl.clientHeight) this.pendingScrollTop = undefined;
    }
  }

  private isScrolledToBottom(): boolean {
    const total = this.offsets[this.offsets.length - 1]!;
    return total > 0 && this.listEl.scrollTop + this.listEl.clientHeight >= total - 4;
  }

  private onScroll(): void {
    this.scheduleRender();
  }

  private scheduleRender(report = false): void {
    this.reportQueued ||= report;
    if (this.renderQueued) return;
    this.renderQueued = true;
    requestAnimationFrame(() => {
      this.renderQueued = false;
      const started = performance.now();
      const { visible } = this.render();
      this.saveState();
      if (this.reportQueued) {
        this.reportQueued = false;
        this.report(visible, started);
      }
    });
  }

  // ---- rendering ----------------------------------------------------------------------------

  /** Mounts the rows in the window, unmounts the rest, and re-measures expanded rows. */
  private render(): { visible: number } {
    let visible = 0;
    for (let pass = 0; pass < 3; pass++) {
      const viewport = this.listEl.clientHeight || window.innerHeight;
      const win = visibleWindow(this.offsets, this.listEl.scrollTop, viewport, OVERSCAN);
      visible = win.visible;
      const keep = new Set<string>();
      const focusedMounted = this.focusedId !== undefined && this.indexOfShown(this.focusedId, win.start, win.end) >= 0;
      for (let i = win.start; i < win.end; i++) {
        const row = this.shown[i]!;
        keep.add(row.id);
        const version = this.versions.get(row.id) ?? 0;
        let entry = this.mounted.get(row.id);
        if (!entry || entry.version !== version) {
          const el = this.buildRow(row);
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

  private indexOfShown(id: string, from = 0, to = this.shown.length): number {
    for (let i = from; i < to; i++) if (this.shown[i]!.id === id) return i;
    return -1;
  }

  private renderHeader(): void {
    const s = this.session;
    if (!s) return;
    const status = sessionStatusPresentation[s.status];
    const tokens = totalTokens(s.tokens);
    const children: (Node | null)[] = [
      h(
        'div',
        { className: 'title-line' },
        h('h1', {}, s.title),
        h('span', { className: `badge session-${s.status}`, title: `Status: ${status.label}`, 'data-status': s.status }, icon(status.icon), status.label),
        s.phase ? h('span', { className: 'badge', title: 'Phase' }, icon('milestone'), s.phase) : null,
        this.buildSessionActions(s.status),
      ),
      s.intention ? h('p', { className: 'intention' }, s.intention) : null,
      s.successCriteria.length
        ? h('div', { className: 'criteria' }, h('h2', {}, 'Success criteria'), h('ul', {}, ...s.successCriteria.map((c) => h('li', {}, c))))
        : null,
      h(
        'dl',
        { className: 'facts' },
        ...fact('Type', s.type),
        ...fact('Mode', s.executionMode),
        ...fact('Steps', String(s.interactionCount)),
        ...fact('Cost', formatUsd(s.costUsd)),
        ...fact(
          'Tokens',
          tokens === 0 ? '0' : formatTokenBreakdown(s.tokens),
        ),
        ...(s.conversationId ? fact('Conversation', s.conversationId) : []),
      ),
    ];
    const active = document.activeElement as HTMLElement | null;
    const focusLost = !active || active === document.body;
    const focused = active?.closest<HTMLElement>('[data-session-action]')?.dataset.sessionAction ?? (focusLost ? this.refocusAction : undefined);
    this.refocusAction = undefined;
    this.headerEl.replaceChildren(...children.filter((c): c is Node => c !== null));
    if (focused !== undefined) {
      // Keep keyboard focus in the header: on the same action, or on the first one left (Pause → Resume).
      // A disabled button cannot hold focus: remember it until the buttons are enabled again.
      const buttons = [...this.headerEl.querySelectorAll<HTMLButtonElement>('[data-session-action]')];
      const target = buttons.find((b) => b.dataset.sessionAction === focused) ?? buttons[0];
      if (target && !target.disabled) target.focus();
      else if (target) this.refocusAction = focused;
    }
  }

  /** Buttons for the actions that apply to the session's status (none once it has ended). */
  private buildSessionActions(status: SessionHeader['status']): HTMLElement | null {
    const actions = sessionActionsFor(status);
    if (actions.length === 0) return null;
    const busy = this.actionInFlight !== undefined;
    return h(
      'span',
      { className: 'session-actions', role: 'group', 'aria-label': 'Session actions', 'aria-busy': busy ? 'true' : undefined },
      ...actions.map((action) => {
        const p = sessionActionPresentation[action];
        return h(
          'button',
          { className: 'action session-action', type: 'button', 'data-session-action': action, 'aria-label': p.description, title: p.description, disabled: busy },
          icon(action === this.actionInFlight ? 'loading' : p.icon, action === this.actionInFlight ? 'codicon-modifier-spin' : ''),
          p.label,
        );
      }),
    );
  }

  private renderArtifacts(): void {
    this.artifactsEl.hidden = this.artifacts.length === 0;
    this.artifactsEl.replaceChildren(
      h('span', { className: 'label' }, 'Artifacts'),
      ...this.artifacts.map((a) =>
        h(
          'button',
          { className: 'link', 'data-artifact': a.id, title: a.path ?? `${a.kind} (inline)` },
          icon(a.path ? 'file' : 'note'),
          a.path ?? a.key,
        ),
      ),
    );
  }

  /** The session's own events: a toggle, and when open the list with paging. */
  private renderSessionEvents(): void {
    const state = this.sessionEvents;
    const open = state !== undefined;
    // Re-rendering replaces the buttons: keep keyboard focus in the section (on its toggle).
    const hadFocus = this.sessionEventsEl.contains(document.activeElement);
    this.sessionEventsEl.replaceChildren(
      h(
        'button',
        { className: 'link', type: 'button', 'data-action': 'toggle-session-events', 'aria-expanded': String(open), title: 'Events recorded outside any step, such as Claude Code hooks' },
        icon(open ? 'chevron-down' : 'chevron-right'),
        'Session events',
      ),
      ...(state ? this.buildEventList(state, 'load-session-events', 'No events outside the steps.') : []).filter((n): n is Node => n !== null),
    );
    if (hadFocus) this.sessionEventsEl.querySelector<HTMLElement>('[data-action]')?.focus();
  }

  /** An event list with its loading state and a "Load more" button that carries `moreAction`. */
  private buildEventList(state: EventsState, moreAction: string, emptyText: string): (Node | null)[] {
    return [
      h(
        'ul',
        { className: 'events', 'aria-label': 'Events' },
        ...state.events.map((e) =>
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
      state.loading ? h('p', { className: 'muted' }, 'Loading events…') : state.events.length === 0 ? h('p', { className: 'muted' }, emptyText) : null,
      state.hasMore && !state.loading ? h('button', { className: 'action', type: 'button', 'data-action': moreAction }, 'Load more events') : null,
    ];
  }

  private onSessionEventsClick(e: MouseEvent): void {
    const action = (e.target as HTMLElement).closest<HTMLElement>('[data-action]')?.dataset.action;
    if (action === 'toggle-session-events') {
      if (this.sessionEvents) {
        this.sessionEvents = undefined;
        this.renderSessionEvents();
        this.report(this.render().visible, performance.now());
      } else {
        this.loadSessionEvents();
      }
    } else if (action === 'load-session-events') {
      this.loadSessionEvents();
    }
  }

  private renderToolbar(): void {
    const toggle = (group: 'kind' | 'status', value: string, label: string, iconName: string, pressed: boolean) =>
      h('button', { className: 'toggle', 'data-filter': group, 'data-value': value, 'aria-pressed': String(pressed), title: `Show ${label} steps` }, icon(iconName), label);
    this.toolbarEl.replaceChildren(
      icon('filter'),
      h('span', { className: 'group', role: 'group', 'aria-label': 'Kind' }, ...COMMAND_KINDS.map((k) => toggle('kind', k, kindPresentation[k].label, kindPresentation[k].icon, this.filter.kinds.has(k)))),
      h(
        'span',
        { className: 'group', role: 'group', 'aria-label': 'Status' },
        ...RESULT_STATUSES.map((s) => toggle('status', s, resultPresentation[s].label, resultPresentation[s].icon.split(' ')[0]!, this.filter.statuses.has(s))),
      ),
      this.countEl,
    );
  }

  private buildRow(row: InteractionRow): HTMLElement {
    const expanded = this.expanded.has(row.id);
    const kind = kindPresentation[row.kind];
    const status = resultPresentation[row.status];
    const tokens = row.tokens ? totalTokens(row.tokens) : 0;
    const summary = h(
      'div',
      { className: 'row-summary' },
      icon(expanded ? 'chevron-down' : 'chevron-right', 'chevron'),
      h('span', { className: 'kind', title: kind.label }, icon(kind.icon)),
      h('span', { className: 'seq' }, `#${row.seq}`),
      h('span', { className: 'command', title: row.command }, firstLine(row.command)),
      h('span', { className: `status status-${row.status}`, title: status.label }, icon(status.icon), h('span', { className: 'status-label' }, status.label)),
      h('span', { className: `exit${row.exitCode === null || row.exitCode === 0 ? '' : ' exit-nonzero'}`, title: 'Exit code' }, row.exitCode !== null ? `exit ${row.exitCode}` : ''),
      h('span', { className: 'metric duration', title: 'Duration' }, row.durationMs !== null ? formatDuration(row.durationMs) : ''),
      h('span', { className: 'metric tokens', title: row.tokens && tokens > 0 ? `Tokens: ${formatTokenBreakdown(row.tokens)}` : 'Tokens' }, tokens > 0 ? `${formatCount(tokens)} tok` : ''),
      h('span', { className: 'metric cost', title: 'Cost' }, row.costUsd !== null && row.costUsd > 0 ? formatUsd(row.costUsd) : ''),
    );
    const el = h(
      'div',
      {
        className: `row${expanded ? ' expanded' : ''}`,
        role: 'treeitem',
        'aria-level': 1,
        'aria-expanded': String(expanded),
        'aria-label': `Step ${row.seq}, ${kind.label}, ${status.label}: ${firstLine(row.command)}`,
        'data-id': row.id,
        tabindex: -1,
      },
      summary,
    );
    if (expanded) el.append(this.buildDetail(row));
    return el;
  }

  private buildDetail(row: InteractionRow): HTMLElement {
    const detail = this.details.get(row.id);
    const loaded = detail?.state === 'loaded' ? detail.value : undefined;
    const events = this.events.get(row.id);
    const parts: (Node | null)[] = [
      h(
        'div',
        { className: 'actions' },
        h('button', { className: 'action', 'data-action': 'copy-command', title: 'Copy the command' }, icon('copy'), 'Copy command'),
        row.hasOutput ? h('button', { className: 'action', 'data-action': 'copy-output', title: 'Copy the output' }, icon('copy'), 'Copy output') : null,
        h('span', { className: 'step-name', title: 'Step' }, row.step),
        h('time', { className: 'when' }, new Date(row.startedAt).toLocaleString()),
      ),
      h('pre', { className: 'command-text' }, loaded?.command ?? row.command, loaded?.commandTruncated || (!loaded && row.commandTruncated) ? '\n…' : ''),
    ];
    const error = loaded?.errorMessage ?? row.errorMessage;
    if (error) parts.push(h('p', { className: 'error-message' }, icon('error'), error));
    if (detail?.state === 'loading') parts.push(h('p', { className: 'muted' }, icon('loading', 'codicon-modifier-spin'), 'Loading…'));
    if (detail?.state === 'failed') parts.push(h('p', { className: 'error-message' }, `Could not load the output: ${detail.error}`));
    if (loaded?.output) {
      const omitted = loaded.outputOmittedChars > 0 ? h('p', { className: 'muted' }, `… ${formatCount(loaded.outputOmittedChars)} earlier characters not shown`) : null;
      if (loaded.outputFormat === 'markdown') {
        const md = h('div', { className: 'markdown' });
        md.innerHTML = renderMarkdown(loaded.output); // sanitised: see markdown.ts
        parts.push(omitted, md);
      } else {
        parts.push(omitted, h('pre', { className: 'output' }, loaded.output));
      }
    }
    if (!events) {
      parts.push(h('button', { className: 'action', 'data-action': 'load-events' }, icon('symbol-event'), 'Show events'));
    } else {
      parts.push(...this.buildEventList(events, 'load-events', 'No events.'));
    }
    return h('div', { className: 'row-detail' }, ...parts);
  }

  // ---- interaction ------------------------------------------------------------------------

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
    this.listEl.scrollTop = scrollToReveal(this.offsets, i, this.listEl.scrollTop, this.listEl.clientHeight);
    this.render();
    this.mounted.get(id)?.el.focus({ preventScroll: true });
  }

  private focusSeq(seq: number): void {
    let index = this.shown.findIndex((r) => r.seq === seq);
    if (index < 0 && this.rows.some((r) => r.seq === seq)) {
      this.filter = NO_FILTER; // the row is filtered out: show everything
      this.renderToolbar();
      this.applyFilter();
      index = this.shown.findIndex((r) => r.seq === seq);
    }
    if (index < 0) return;
    this.toggle(this.shown[index]!.id, true);
    this.focusedId = this.shown[index]!.id;
    this.listEl.scrollTop = this.offsets[index]!;
    this.render();
    this.mounted.get(this.focusedId)?.el.focus({ preventScroll: true });
  }

  private rowOf(target: EventTarget | null): HTMLElement | undefined {
    return (target as HTMLElement | null)?.closest<HTMLElement>('.row') ?? undefined;
  }

  private onRowsClick(e: MouseEvent): void {
    const rowEl = this.rowOf(e.target);
    const id = rowEl?.dataset.id;
    if (!rowEl || !id) return;
    this.focusedId = id;
    const action = (e.target as HTMLElement).closest<HTMLElement>('[data-action]')?.dataset.action;
    if (action === 'copy-command' || action === 'copy-output') {
      this.requests.request('copy', { interactionId: id, what: action === 'copy-command' ? 'command' : 'output' }).catch((error: Error) => this.reportError(`copy failed: ${error.message}`));
    } else if (action === 'load-events') {
      this.loadEvents(id);
    } else if ((e.target as HTMLElement).closest('.row-summary')) {
      this.toggle(id);
      this.mounted.get(id)?.el.focus({ preventScroll: true });
    }
  }

  private onRowsKeyDown(e: KeyboardEvent): void {
    const rowEl = e.target as HTMLElement;
    if (!rowEl.classList.contains('row')) return; // keys inside a row's buttons keep their meaning
    const id = rowEl.dataset.id!;
    const index = this.indexOfShown(id);
    const page = Math.max(1, Math.floor(this.listEl.clientHeight / ROW_HEIGHT) - 1);
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

  private onHeaderClick(e: MouseEvent): void {
    const value = (e.target as HTMLElement).closest<HTMLButtonElement>('[data-session-action]')?.dataset.sessionAction;
    const action = SESSION_ACTIONS.find((a) => a === value);
    if (!action || this.actionInFlight !== undefined) return;
    this.actionInFlight = action;
    this.renderHeader();
    this.requests
      .request('runSessionAction', { action })
      .catch((error: Error) => this.reportError(`${sessionActionPresentation[action].label} failed: ${error.message}`))
      .finally(() => {
        this.actionInFlight = undefined;
        this.renderHeader();
      });
  }

  private onArtifactClick(e: MouseEvent): void {
    const id = (e.target as HTMLElement).closest<HTMLElement>('[data-artifact]')?.dataset.artifact;
    if (id) this.requests.request('openArtifact', { artifactId: id }).catch((error: Error) => this.reportError(`opening the artifact failed: ${error.message}`));
  }

  private onToolbarClick(e: MouseEvent): void {
    const button = (e.target as HTMLElement).closest<HTMLElement>('[data-filter]');
    if (!button) return;
    const value = button.dataset.value!;
    this.filter =
      button.dataset.filter === 'kind'
        ? { ...this.filter, kinds: toggled(this.filter.kinds, value as never) }
        : { ...this.filter, statuses: toggled(this.filter.statuses, value as never) };
    button.setAttribute('aria-pressed', String(button.getAttribute('aria-pressed') !== 'true'));
    const topRow = this.shown[rowAt(this.offsets, this.listEl.scrollTop)]?.id;
    this.applyFilter();
    const keep = topRow ? this.indexOfShown(topRow) : -1;
    this.listEl.scrollTop = keep >= 0 ? this.offsets[keep]! : 0;
    this.scheduleRender(true);
  }

  private reportError(message: string): void {
    this.host.post({ type: 'log', level: 'warn', message });
  }
}

function fact(term: string, value: string): HTMLElement[] {
  return [h('dt', {}, term), h('dd', {}, value)];
}

function firstLine(text: string): string {
  const newline = text.indexOf('\n');
  return newline < 0 ? text : `${text.slice(0, newline)} …`;
}
