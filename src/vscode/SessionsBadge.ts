import * as vscode from 'vscode';
import type { Session } from '../core/model/session';
import type { SessionStore } from '../core/store/SessionStore';
import type { ActiveSession } from './ActiveSession';
import { DisposableOwner } from './lifecycle';
import { countActivity, presentBadge, type ActivityCounts } from './sessionActivity';

/** At most this many active sessions are looked at (the store's largest page). */
const MAX_ACTIVE_SESSIONS = 10_000;

/**
 * The Sessions view's badge: how many sessions are running or waiting for the person. Counted
 * with the status bar's own function ({@link countActivity} over `sessionActivity`), from every
 * active session and the status bar's session; refreshed when a session record changes, the
 * active session changes or a runner starts or stops.
 */
export class SessionsBadge extends DisposableOwner {
  private current: ActivityCounts = { running: 0, waiting: 0 };

  constructor(
    private readonly view: Pick<vscode.TreeView<unknown>, 'badge'>,
    private readonly store: SessionStore,
    private readonly active: ActiveSession,
    private readonly isRunning: (sessionId: string) => boolean,
    onDidChangeRunning: vscode.Event<unknown>,
  ) {
    super();
    this.register(store.onDidChange((change) => change.kinds.includes('session') && this.update()));
    this.register(active.onDidChange(() => this.update()));
    this.register(onDidChangeRunning(() => this.update()));
    this.update();
  }

  /** What the badge counts now. */
  get counts(): ActivityCounts {
    return this.current;
  }

  /** The badge as the view holds it (tests read it back from the real TreeView). */
  get shown(): vscode.ViewBadge | undefined {
    return this.view.badge;
  }

  update(): void {
    const candidates: Session[] = this.store.sessions.list({ status: 'active', limit: MAX_ACTIVE_SESSIONS });
    const shown = this.active.id ? this.store.sessions.get(this.active.id) : undefined;
    if (shown) candidates.push(shown);
    this.current = countActivity(candidates, this.isRunning);
    const badge = presentBadge(this.current, vscode.l10n);
    this.view.badge = badge && { value: badge.value, tooltip: badge.tooltip };
  }
}
