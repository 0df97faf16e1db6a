import type { HostMessage, TimelineViewState, WebviewMessage } from '../protocol/timelineMessages';
import { TimelineViewStateSchema } from '../protocol/timelineMessages';
import { ArtifactLinksView } from './artifacts';
import { SessionEventsSection } from './eventsSection';
import { filterFromState, NO_FILTER } from './filter';
import { SessionHeaderView } from './header';
import { RowList } from './rowList';
import { RequestClient } from './rpc';
import { FilterToolbar } from './toolbar';

/** What the view needs from its host page: the VS Code webview API, or a stub in the bench. */
export interface ViewHost {
  post(message: WebviewMessage): void;
  getState(): unknown;
  setState(state: TimelineViewState): void;
}

/** The messages the view handles: all but `init`, which the page's entry point handles (it builds the view). */
type ViewMessage = Exclude<HostMessage, { type: 'init' }>;
type Handlers = { [T in ViewMessage['type']]: (message: Extract<ViewMessage, { type: T }>, receivedAt: number) => void };

/**
 * The timeline UI: the session header, artifact links, the session's own events, the filter
 * toolbar and the list of steps. It routes the extension's messages to those parts, keeps the
 * view state (`setState`) and reports each render; the data arrives in messages from the extension.
 */
export class TimelineView {
  private sessionId: string | undefined;
  /** A saved scroll position or a requested focus waiting for its rows to arrive. */
  private pendingScrollTop: number | undefined;
  private pendingFocusSeq: number | undefined;
  private renderQueued = false;
  private reportQueued = false;
  private readonly requests: RequestClient;
  private readonly header: SessionHeaderView;
  private readonly artifacts: ArtifactLinksView;
  private readonly sessionEvents: SessionEventsSection;
  private readonly toolbar: FilterToolbar;
  private readonly rows: RowList;

  constructor(
    private readonly root: HTMLElement,
    private readonly host: ViewHost,
  ) {
    this.requests = new RequestClient((m) => host.post(m));
    const reportError = (message: string) => this.reportError(message);
    this.header = new SessionHeaderView({
      runAction: (action) => this.requests.request('runSessionAction', { action }),
      runGoalAction: (action) => this.requests.request('runGoalAction', { action }),
      reportError,
    });
    this.artifacts = new ArtifactLinksView((artifactId) =>
      this.requests
        .request('openArtifact', { artifactId })
        .catch((error: Error) => this.reportError(`opening the artifact failed: ${error.message}`)),
    );
    this.sessionEvents = new SessionEventsSection({
      fetchPage: (after) => this.requests.request('loadSessionEvents', { after }),
      reportError,
      rendered: (since) => this.report(this.rows.render().visible, since),
    });
    this.toolbar = new FilterToolbar((filter) => this.rows.changeFilter(filter));
    this.rows = new RowList({
      requests: this.requests,
      scheduleRender: (report) => this.scheduleRender(report),
      reportError,
      counted: (shown, loaded, loading) => this.toolbar.setCount(shown, loaded, loading),
    });
    root.replaceChildren(this.header.el, this.artifacts.el, this.sessionEvents.el, this.toolbar.el, this.rows.el, this.rows.copyStatusEl);
    window.addEventListener('resize', () => this.scheduleRender());
  }

  /** Handles a validated message from the extension. */
  receive(message: ViewMessage, receivedAt: number): void {
    (this.handlers[message.type] as (m: ViewMessage, t: number) => void)(message, receivedAt);
  }

  private readonly handlers: Handlers = {
    snapshot: (m, receivedAt) => {
      const sameSession = this.sessionId === m.session.id;
      this.sessionId = m.session.id;
      const saved = TimelineViewStateSchema.safeParse(this.host.getState());
      const state = saved.success && saved.data.sessionId === m.session.id ? saved.data : undefined;
      // The text in the filter box stays while the session does (it is not part of the saved view state).
      const filter = {
        ...(state ? filterFromState(state.kinds, state.statuses) : NO_FILTER),
        text: sameSession ? this.toolbar.filter.text : undefined,
      };
      this.rows.reset(m.interactions, m.totalInteractions, filter);
      this.pendingScrollTop = state && state.scrollTop > 0 ? state.scrollTop : undefined;
      this.pendingFocusSeq = m.focusInteractionSeq ?? undefined;
      this.header.show(m.session, m.readOnly ?? null);
      this.artifacts.show(m.artifacts);
      // A session with no steps (e.g. one Claude Code hooks recorded) has only its own events to show.
      this.sessionEvents.reset(m.totalInteractions === 0, receivedAt);
      this.toolbar.setFilter(filter);
      this.rows.scrollTop = 0;
      this.root.removeAttribute('aria-busy');
      this.restorePending();
      this.report(this.rows.render().visible, receivedAt);
      this.saveState();
    },
    interactionsLoaded: (m, receivedAt) => {
      this.rows.addPage(m.interactions, m.done);
      this.restorePending();
      if (m.done) {
        this.report(this.rows.render().visible, receivedAt);
      } else {
        this.scheduleRender();
      }
    },
    sessionUpdated: (m, receivedAt) => {
      const statusChanged = this.header.status !== m.session.status;
      const shownBefore = this.header.rendered()?.shown?.join('\n');
      this.header.show(m.session);
      // Tests wait for the header to follow: its status, and what its goal, outcome and notes sections show.
      if (statusChanged || this.header.rendered()?.shown?.join('\n') !== shownBefore) this.report(this.rows.render().visible, receivedAt);
    },
    interactionUpdated: (m) => this.rows.upsert(m.interaction),
    eventAppended: (m, receivedAt) => {
      const id = m.event.interactionId;
      if (id !== null) {
        this.rows.appendEvent(id, m.event);
      } else if (this.sessionEvents.append(m.event)) {
        this.report(this.rows.render().visible, receivedAt);
      }
    },
    artifactsUpdated: (m) => this.artifacts.show(m.artifacts),
    focusInteraction: (m, receivedAt) => {
      this.pendingFocusSeq = m.seq;
      this.restorePending();
      this.report(this.rows.render().visible, receivedAt);
    },
    accessChanged: (m, receivedAt) => {
      this.header.setReadOnly(m.readOnly);
      this.report(this.rows.render().visible, receivedAt);
    },
    response: (m) => this.requests.settle(m),
  };

  private saveState(): void {
    if (this.sessionId === undefined) return;
    const filter = this.toolbar.filter;
    this.host.setState({
      sessionId: this.sessionId,
      scrollTop: this.pendingScrollTop ?? this.rows.scrollTop,
      kinds: [...filter.kinds],
      statuses: [...filter.statuses],
    });
  }

  /** Tells the extension what is on screen (tests and the bench wait for this). */
  private report(visibleRows: number, since: number): void {
    this.host.post({
      type: 'rendered',
      totalRows: this.rows.totalRows,
      loadedRows: this.rows.loadedRows,
      visibleRows,
      renderedRows: this.rows.renderedRows,
      renderMs: Math.max(0, performance.now() - since),
      header: this.header.rendered(),
      focusedSeq: this.rows.focusedSeq,
      sessionEvents: this.sessionEvents.renderedCount,
    });
  }

  /** Applies a saved scroll position or a requested focus once the rows they need have arrived. */
  private restorePending(): void {
    if (this.pendingFocusSeq !== undefined) {
      const seq = this.pendingFocusSeq;
      if (this.rows.hasSeq(seq) || !this.rows.loading) {
        this.pendingFocusSeq = undefined;
        this.pendingScrollTop = undefined;
        this.focusSeq(seq);
      }
      return;
    }
    if (this.pendingScrollTop !== undefined) {
      const total = this.rows.contentHeight;
      this.rows.scrollTop = this.pendingScrollTop;
      if (!this.rows.loading || total >= this.pendingScrollTop + this.rows.viewportHeight) this.pendingScrollTop = undefined;
    }
  }

  private focusSeq(seq: number): void {
    if (this.rows.filtersOut(seq)) {
      // The row is filtered out: show everything.
      this.toolbar.setFilter(NO_FILTER);
      this.rows.setFilter(NO_FILTER);
    }
    this.rows.focusSeq(seq);
  }

  private scheduleRender(report = false): void {
    this.reportQueued ||= report;
    if (this.renderQueued) return;
    this.renderQueued = true;
    requestAnimationFrame(() => {
      this.renderQueued = false;
      const started = performance.now();
      const { visible } = this.rows.render();
      this.saveState();
      if (this.reportQueued) {
        this.reportQueued = false;
        this.report(visible, started);
      }
    });
  }

  private reportError(message: string): void {
    this.host.post({ type: 'log', level: 'warn', message });
  }
}
