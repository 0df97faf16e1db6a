import * as vscode from 'vscode';
import type { Session, SessionListFilter } from '../core/model/session';
import { SESSION_STATUSES, type SessionStatus } from '../core/model/sessionStatus';
import type { SessionStore } from '../core/store/SessionStore';
import { isPinned } from '../core/ledger/retention';
import { searchLedger } from '../core/ledger/search';
import type { ActiveSession } from './ActiveSession';
import { CommandId } from './commandIds';
import { DisposableOwner } from './lifecycle';
import {
  goalStateMark,
  importantNotesMark,
  sessionDescription,
  sessionTooltip,
  statusIcon,
  statusPresentation,
} from './sessionPresentation';
import type { TeamTreeView } from './teamLedger/treeScope';
import type { SessionFilters } from './sessionFilters';

export type SessionTreeNode =
  | { kind: 'group'; status: SessionStatus }
  | { kind: 'session'; session: Session }
  | { kind: 'more'; status: SessionStatus; shown: number; total: number };

/** How many top-level sessions a group shows before a "Show more" row; each click adds as many. */
export const SESSION_PAGE_SIZE = 200;

/**
 * The Sessions tree: status groups (empty ones hidden) of top-level sessions, newest first and
 * paged, with child sessions nested under their parent. A thin view over the store: it
 * refreshes on the store's change events and queries lazily when VS Code asks.
 */
export class SessionTreeProvider extends DisposableOwner implements vscode.TreeDataProvider<SessionTreeNode> {
  private readonly _onDidChangeTreeData = this.register(new vscode.EventEmitter<SessionTreeNode | undefined>());
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;
  private readonly pages = new Map<SessionStatus, number>();
  private refreshTimer: NodeJS.Timeout | undefined;
  private filterText: string | undefined;
  /** Top-level sessions matching the filter, newest first; computed once per redraw. */
  private filterMatches: Session[] | undefined;
  /** Events waiting to be indexed for search are being indexed (in slices) before the filter searches them. */
  private indexing: Promise<void> | undefined;
  private indexFailed = false;

  constructor(
    private readonly store: SessionStore,
    private readonly active: ActiveSession,
    /** Sessions running a step now (terminal or background) get a spinning icon. */
    private readonly running?: { isRunning(sessionId: string): boolean; readonly onDidChangeRunning: vscode.Event<unknown> },
  ) {
    super();
    if (running) this.register(running.onDidChangeRunning(() => this.scheduleRefresh()));
    this.register(store.onDidChange(() => this.scheduleRefresh()));
    this.register(active.onDidChange(() => this.scheduleRefresh()));
    this.register({ dispose: () => clearTimeout(this.refreshTimer) });
  }

  /** The type / tag / mode / created / owner filters (sessionFilters.ts), combined with the text filter. */
  private filters: SessionFilters | undefined;

  useFilters(filters: SessionFilters): void {
    this.filters = filters;
    this.register(filters.onDidChange(() => this.refresh()));
    this.refresh();
  }

  /** With a team ledger: the mine / everyone's switch, and who owns a pulled session (teamLedger/treeScope.ts). */
  private teamView: TeamTreeView | undefined;

  useTeamView(view: TeamTreeView): void {
    this.teamView = view;
    this.register(view.onDidChange(() => this.refresh()));
    this.refresh();
  }

  /** Coalesces bursts of store commits into one redraw. */
  private scheduleRefresh(): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => this.refresh(), 30);
  }

  refresh(): void {
    this.filterMatches = undefined;
    this._onDidChangeTreeData.fire(undefined);
  }

  /**
   * Says in the view's header when the ledger is read-only (another window or process holds it),
   * and clears it when this window takes the ledger over.
   */
  showAccessIn(view: { description?: string; message?: string }): void {
    let shown: string | undefined;
    const update = (): void => {
      const text = readOnlyDescription(this.store);
      view.description = text;
      // package.json's menus hide the actions that would write while the ledger is read-only.
      void vscode.commands.executeCommand('setContext', 'sessionLedger.readOnly', this.store.readOnly);
      // The description is not drawn while the view is alone in its container (its header merged into
      // the container's title, as by default): the message above the tree always is. A filter's message is left alone.
      if (text !== undefined) view.message = text;
      else if (shown !== undefined && view.message === shown) view.message = undefined;
      shown = text;
    };
    update();
    this.register(this.store.onDidChangeAccess(update));
  }

  /**
   * Shows only sessions whose title, intention, summary or slug contain `text`, or that full-text
   * search finds (in steps, outputs, Claude text, events; a hit in a child shows its top-level
   * session). Undefined clears.
   */
  setFilter(text: string | undefined): void {
    this.filterText = text?.trim() || undefined;
    void vscode.commands.executeCommand('setContext', 'sessionLedger.treeFiltered', this.filterText !== undefined);
    this.refresh();
  }

  get filter(): string | undefined {
    return this.filterText;
  }

  showMore(status: SessionStatus): void {
    this.pages.set(status, (this.pages.get(status) ?? 1) + 1);
    this.refresh();
  }

  getChildren(node?: SessionTreeNode): SessionTreeNode[] {
    if (!node) {
      return SESSION_STATUSES.filter((status) => this.countTopLevel(status) > 0).map((status) => ({ kind: 'group', status }));
    }
    if (node.kind === 'group') {
      const total = this.countTopLevel(node.status);
      const limit = (this.pages.get(node.status) ?? 1) * SESSION_PAGE_SIZE;
      const sessions = this.filterText
        ? this.matches()
            .filter((s) => s.status === node.status)
            .slice(0, limit)
        : this.store.sessions.list({ status: node.status, parentSessionId: null, limit, ...this.queryFilter() });
      const nodes: SessionTreeNode[] = sessions.map((session) => ({ kind: 'session', session }));
      if (total > sessions.length) nodes.push({ kind: 'more', status: node.status, shown: sessions.length, total });
      return nodes;
    }
    if (node.kind === 'session') {
      return this.store.sessions.children(node.session.id).map((session) => ({ kind: 'session', session }));
    }
    return [];
  }

  getParent(node: SessionTreeNode): SessionTreeNode | undefined {
    if (node.kind !== 'session') return node.kind === 'more' ? { kind: 'group', status: node.status } : undefined;
    const parentId = node.session.parentSessionId;
    const parent = parentId ? this.store.sessions.get(parentId) : undefined;
    return parent ? { kind: 'session', session: parent } : { kind: 'group', status: node.session.status };
  }

  getTreeItem(node: SessionTreeNode): vscode.TreeItem {
    switch (node.kind) {
      case 'group': {
        const count = this.countTopLevel(node.status);
        const item = new vscode.TreeItem(statusPresentation[node.status].group, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `group:${node.status}`;
        item.description = String(count);
        item.contextValue = `group.${node.status}`;
        item.iconPath = statusIcon(node.status);
        return item;
      }
      case 'more': {
        const item = new vscode.TreeItem(
          vscode.l10n.t('Show more ({0} of {1})', node.shown, node.total),
          vscode.TreeItemCollapsibleState.None,
        );
        item.id = `more:${node.status}`;
        item.iconPath = new vscode.ThemeIcon('ellipsis');
        item.command = { command: CommandId.showMoreSessions, title: vscode.l10n.t('Show more'), arguments: [node.status] };
        return item;
      }
      case 'session':
        return this.sessionItem(node.session);
    }
  }

  private sessionItem(s: Session): vscode.TreeItem {
    const isActive = this.active.id === s.id;
    const hasChildren = this.store.sessions.count({ parentSessionId: s.id }) > 0;
    const item = new vscode.TreeItem(
      s.title,
      hasChildren ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
    );
    item.id = `session:${s.id}`;
    const pinned = isPinned(s);
    const importantNotes = this.store.notes.list(s.id).filter((n) => n.important);
    item.description =
      (isActive ? '● ' : '') +
      importantNotesMark(importantNotes.length) +
      goalStateMark(s) +
      (pinned ? vscode.l10n.t('pinned · ') : '') +
      sessionDescription(s);
    const previous = s.followsSessionId ? this.store.sessions.get(s.followsSessionId) : undefined;
    item.tooltip = sessionTooltip(s, isActive, importantNotes, { previous, next: this.store.sessions.followUps(s.id) });
    const owner = this.teamView?.ownerOf(s.id);
    if (owner) {
      // A teammate's (or another machine's) session pulled from the team ledger: read-only here.
      item.description = `${owner.person} · ${item.description}`;
      item.tooltip.appendMarkdown(
        `\n\n$(cloud) ${vscode.l10n.t('From the team ledger: {0} on {1}. Read-only here: only its owner can change it.', owner.person, owner.machine)}`,
      );
    }
    const running = this.running?.isRunning(s.id) ?? false;
    item.iconPath = running ? new vscode.ThemeIcon('sync~spin') : statusIcon(s.status);
    // session.<status>[.current][.pinned][.pulled]: package.json's view/item/context menus match on it.
    item.contextValue = `session.${s.status}${isActive ? '.current' : ''}${pinned ? '.pinned' : ''}${owner ? '.pulled' : ''}`;
    item.accessibilityInformation = {
      label: [
        s.title,
        s.status,
        ...(isActive ? [vscode.l10n.t('active session')] : []),
        ...(pinned ? [vscode.l10n.t('pinned')] : []),
        sessionDescription(s),
      ].join(', '),
    };
    item.command = { command: CommandId.openTimeline, title: vscode.l10n.t('Open Timeline'), arguments: [s.id] };
    return item;
  }

  /** The tree's query conditions besides status and text: the team scope, then the type / tag / mode / created / owner filters. */
  private queryFilter(): SessionListFilter {
    return { ...this.teamView?.filter, ...this.filters?.listFilter };
  }

  private countTopLevel(status: SessionStatus): number {
    if (this.filterText) return this.matches().filter((s) => s.status === status).length;
    return this.store.sessions.count({ status, parentSessionId: null, ...this.queryFilter() });
  }

  private indexThenRefresh(): void {
    this.indexing ??= Promise.resolve(
      vscode.window.withProgress({ location: { viewId: 'sessionLedger.sessions' } }, () => this.store.sql.whenSearchable()),
    ).then(
      () => {
        this.indexing = undefined;
        // Still waiting (more imported meanwhile, or the store closing): the next refresh tries again.
        if (!this.store.sql.searchPending) this.refresh();
      },
      () => {
        this.indexing = undefined;
        this.indexFailed = true; // the search itself indexes what waits from now on, and reports a failure
        this.refresh();
      },
    );
  }

  private matches(): Session[] {
    if (this.filterMatches) return this.filterMatches;
    const text = this.filterText ?? '';
    const found = new Map(
      this.store.sessions.list({ parentSessionId: null, text, limit: 10_000, ...this.queryFilter() }).map((s) => [s.id, s]),
    );
    // Search hits must also pass the type / tag / mode / created / owner filters.
    const allowed = this.filters?.active
      ? new Set(this.store.sessions.list({ parentSessionId: null, limit: 10_000, ...this.queryFilter() }).map((s) => s.id))
      : undefined;
    const mineOnly = this.teamView?.filter.owner === 'me';
    // Events an import left to be indexed: index them in slices (a search would do it all at once, on this thread),
    // showing what matches without them meanwhile; the view refreshes when they are searchable.
    const searchable = this.indexFailed || !this.store.sql.searchPending;
    if (!searchable) this.indexThenRefresh();
    // (Sessions and steps have their own index, always up to date: searching them reads nothing that waits.)
    const kinds = searchable ? undefined : (['session', 'interaction'] as const);
    for (const hit of searchLedger(this.store.sql, text, { limitPerKind: 500, ...(kinds ? { kinds } : {}) })) {
      let session = this.store.sessions.get(hit.sessionId);
      for (let depth = 0; session?.parentSessionId && depth < 50; depth++) session = this.store.sessions.get(session.parentSessionId);
      if (mineOnly && session && this.teamView?.ownerOf(session.id)) continue;
      if (allowed && session && !allowed.has(session.id)) continue;
      if (session && session.deletedAt === null && !found.has(session.id)) found.set(session.id, session);
    }
    this.filterMatches = [...found.values()].sort((a, b) => b.updatedAt - a.updatedAt);
    return this.filterMatches;
  }
}

/** The Sessions view's header text while the ledger is read-only; undefined when this window writes. */
export function readOnlyDescription(store: Pick<SessionStore, 'readOnly' | 'holder'>): string | undefined {
  if (!store.readOnly) return undefined;
  return store.holder && store.holder.pid > 0
    ? vscode.l10n.t('Read-only — ledger open in another window (pid {0})', store.holder.pid)
    : vscode.l10n.t('Read-only — ledger open in another window');
}
