import * as vscode from 'vscode';
import type { Session } from '../core/model/session';
import type { SessionStore } from '../core/store/SessionStore';
import type { ActiveSession } from './ActiveSession';
import { CommandId } from './commandIds';
import { DisposableOwner } from './lifecycle';
import { sessionActivity, type SessionActivity } from './sessionActivity';
import { sessionCost } from './sessionPresentation';

export type StatusBarState = { kind: 'idle' } | { kind: 'session'; session: Session; activity: SessionActivity };

export interface StatusBarView {
  text: string;
  tooltip: string;
  command: string;
  warning: boolean;
}

const activityIcon: Record<SessionActivity, string> = {
  running: '$(sync~spin)',
  waiting: '$(debug-continue)',
  planned: '$(calendar)',
  paused: '$(debug-pause)',
  interrupted: '$(warning)',
  ended: '$(check)',
};

/** An ended session says how it ended: a check for complete only. */
const endedIcon: Partial<Record<Session['status'], string>> = {
  failed: '$(error)',
  cancelled: '$(circle-slash)',
};

function activityText(activity: SessionActivity): string {
  switch (activity) {
    case 'running':
      return vscode.l10n.t('running a step');
    case 'waiting':
      return vscode.l10n.t('waiting for you (Next Step)');
    case 'planned':
      return vscode.l10n.t('planned: start it to begin');
    case 'paused':
      return vscode.l10n.t('paused');
    case 'interrupted':
      return vscode.l10n.t('interrupted: resume it to go on');
    case 'ended':
      return vscode.l10n.t('ended');
  }
}

/** The one place that maps state to what the status bar shows. */
export function presentStatusBar(state: StatusBarState): StatusBarView {
  if (state.kind === 'idle') {
    return {
      text: `$(notebook) ${vscode.l10n.t('Sessions')}`,
      tooltip: vscode.l10n.t('Session Ledger: no active session. Click to open the Sessions view.'),
      command: 'workbench.view.extension.sessionLedger',
      warning: false,
    };
  }
  const s = state.session;
  const parts = [s.title.length > 40 ? `${s.title.slice(0, 39)}…` : s.title];
  if (s.phase) parts.push(s.phase);
  parts.push(`#${s.interactionCount}`);
  if (s.totalCostUsd > 0 || s.costUnknown) parts.push(sessionCost(s));
  return {
    text: `${(state.activity === 'ended' && endedIcon[s.status]) || activityIcon[state.activity]} ${parts.join(' · ')}`,
    tooltip: s.phase
      ? vscode.l10n.t(
          '{0} ({1}, {2}) — {3}. Step {4}, phase {5}, cost {6}. Click for actions.',
          s.title,
          s.type,
          s.executionMode,
          state.activity === 'ended' ? s.status : activityText(state.activity),
          s.interactionCount,
          s.phase,
          sessionCost(s),
        )
      : vscode.l10n.t(
          '{0} ({1}, {2}) — {3}. Step {4}, cost {5}. Click for actions.',
          s.title,
          s.type,
          s.executionMode,
          state.activity === 'ended' ? s.status : activityText(state.activity),
          s.interactionCount,
          sessionCost(s),
        ),
    command: CommandId.sessionActions,
    warning: state.activity === 'interrupted',
  };
}

/** Shows the active session; refreshes on store changes, active-session changes and runner activity. */
export class StatusBar extends DisposableOwner {
  private readonly item = this.register(vscode.window.createStatusBarItem('sessionLedger.status', vscode.StatusBarAlignment.Left, 50));

  constructor(
    private readonly store: SessionStore,
    private readonly active: ActiveSession,
    private readonly isRunning: (sessionId: string) => boolean,
    onDidChangeRunning: vscode.Event<unknown>,
  ) {
    super();
    this.item.name = vscode.l10n.t('Session Ledger');
    this.register(store.onDidChange(() => this.update()));
    this.register(active.onDidChange(() => this.update()));
    this.register(onDidChangeRunning(() => this.update()));
    this.update();
    this.item.show();
  }

  get view(): StatusBarView {
    return presentStatusBar(this.state());
  }

  private state(): StatusBarState {
    const id = this.active.id;
    const session = id ? this.store.sessions.get(id) : undefined;
    if (!session) return { kind: 'idle' };
    // The same function as the Sessions view's badge (SessionsBadge), so the two agree.
    return { kind: 'session', session, activity: sessionActivity(session, this.isRunning) };
  }

  update(): void {
    const view = this.view;
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
    this.item.command = view.command;
    this.item.backgroundColor = view.warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.accessibilityInformation = { label: view.tooltip };
  }
}
