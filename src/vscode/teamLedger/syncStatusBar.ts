import * as vscode from 'vscode';
import { CommandId } from '../commandIds';
import { DisposableOwner } from '../lifecycle';
import type { TeamLedger, TeamLedgerStatus } from './TeamLedger';

export interface SyncStatusView {
  readonly visible: boolean;
  readonly text: string;
  /** Says what the state means and what to do about it. */
  readonly tooltip: string;
  readonly warning: boolean;
}

function sharingText(sharing: 'off' | 'all' | 'shared'): string {
  if (sharing === 'all') return vscode.l10n.t('every session made here is shared');
  if (sharing === 'shared') return vscode.l10n.t('only sessions marked Share are shared');
  return vscode.l10n.t('this workspace shares nothing (Choose What to Share…); teammates’ sessions are still pulled');
}

/** The one place that maps the team ledger's state to the status-bar item. */
export function presentSyncStatus(status: TeamLedgerStatus): SyncStatusView {
  const click = vscode.l10n.t('Click for team ledger actions.');
  switch (status.state) {
    case 'disconnected':
      return { visible: false, text: '', tooltip: '', warning: false };
    case 'idle':
      return { visible: true, text: '$(cloud) ' + vscode.l10n.t('Team'), tooltip: `${status.reason} ${click}`, warning: false };
    case 'connecting':
      return {
        visible: true,
        text: '$(sync~spin) ' + vscode.l10n.t('Team'),
        tooltip: vscode.l10n.t('Connecting to the team ledger…'),
        warning: false,
      };
    case 'synced':
    case 'off':
      return {
        visible: true,
        text: '$(cloud) ' + vscode.l10n.t('Synced'),
        tooltip: vscode.l10n.t('Team ledger: in sync as {0}; {1}. {2}', status.person, sharingText(status.sharing), click),
        warning: false,
      };
    case 'pending':
      return {
        visible: true,
        text: '$(cloud-upload) ' + vscode.l10n.t('{0} pending', status.pending),
        tooltip: vscode.l10n.t(
          'Team ledger: {0} change(s) waiting to be sent; they go automatically. Click to sync now or for other actions.',
          status.pending,
        ),
        warning: false,
      };
    case 'offline':
      return {
        visible: true,
        text: '$(debug-disconnect) ' + vscode.l10n.t('Offline ({0} pending)', status.pending),
        tooltip: vscode.l10n.t(
          'Team ledger: the server cannot be reached. {0} change(s) stay queued here and are sent when it is back; everything works offline. Check the network or VPN, then click to retry.',
          status.pending,
        ),
        warning: true,
      };
    case 'error':
      return {
        visible: true,
        text: '$(error) ' + vscode.l10n.t('Team sync error'),
        tooltip: vscode.l10n.t(
          '{0} Changes stay queued ({1}). Click to retry, show the log, or reconnect with another connection string.',
          status.error ?? vscode.l10n.t('Team ledger: sync failed.'),
          status.pending,
        ),
        warning: true,
      };
  }
}

/** The status-bar sync indicator: shown while a team ledger is connected; a click opens the team ledger's actions. */
export class SyncStatusBar extends DisposableOwner {
  private readonly item = this.register(vscode.window.createStatusBarItem('sessionLedger.teamSync', vscode.StatusBarAlignment.Left, 49));

  constructor(private readonly team: TeamLedger) {
    super();
    this.item.name = vscode.l10n.t('Session Ledger: Team Sync');
    this.item.command = CommandId.teamLedgerActions;
    this.register(team.onDidChangeStatus(() => this.update()));
    this.update();
  }

  get view(): SyncStatusView {
    return presentSyncStatus(this.team.status);
  }

  private update(): void {
    const view = this.view;
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
    this.item.accessibilityInformation = { label: view.tooltip };
    this.item.backgroundColor = view.warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    if (view.visible) this.item.show();
    else this.item.hide();
  }
}
