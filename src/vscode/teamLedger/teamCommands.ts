import * as vscode from 'vscode';
import type { SharingMode } from '../../core/sync/replicator';
import { CommandId } from '../commandIds';
import { sessionFromArgument } from '../commands/sessionArgument';
import type { CommandDeps } from '../commands/types';
import { UserFacingError } from '../userFacingError';
import type { TeamLedger } from './TeamLedger';
import type { TreeScopeState } from './treeScope';
import { describeError } from '../../protocol/describeError';

/** What the team ledger's commands need beside the common command deps. */
export interface TeamCommandDeps {
  readonly team: TeamLedger;
  readonly treeScope: TreeScopeState;
}

type Deps = CommandDeps & TeamCommandDeps;

/** A connection string as libpq takes it: a URL, or key=value settings with at least a host or database. */
export function looksLikeConnectionString(text: string): boolean {
  const value = text.trim();
  if (/^postgres(ql)?:\/\//i.test(value)) {
    try {
      new URL(value);
      return true;
    } catch {
      return false;
    }
  }
  return /\b(host|dbname|hostaddr)\s*=/.test(value);
}

function sharingItems(current: SharingMode): (vscode.QuickPickItem & { mode: SharingMode })[] {
  const items: (vscode.QuickPickItem & { mode: SharingMode })[] = [
    {
      mode: 'off',
      label: vscode.l10n.t('Share nothing'),
      detail: vscode.l10n.t('Nothing of this workspace leaves the machine; teammates’ sessions are still pulled (the default).'),
    },
    {
      mode: 'all',
      label: vscode.l10n.t('Share all sessions'),
      detail: vscode.l10n.t(
        'Every session made in this workspace is pushed (redacted: API keys, tokens and your sessionLedger.redaction.extraPatterns).',
      ),
    },
    {
      mode: 'shared',
      label: vscode.l10n.t('Share only sessions marked Share'),
      detail: vscode.l10n.t('Mark a session with "Share Session with Team"; the rest stays here.'),
    },
  ];
  return items.map((item) => (item.mode === current ? { ...item, description: vscode.l10n.t('current') } : item));
}

/** "Choose What to Share with Team…": the per-workspace sharing setting. */
export async function chooseTeamSharing(deps: Deps): Promise<SharingMode | undefined> {
  const current = deps.config.value['teamLedger.sharing'];
  const picked = await vscode.window.showQuickPick(sharingItems(current), {
    title: vscode.l10n.t('What should this workspace share with the team ledger?'),
  });
  if (!picked) return undefined;
  const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await vscode.workspace.getConfiguration('sessionLedger').update('teamLedger.sharing', picked.mode, target);
  return picked.mode;
}

/**
 * "Connect Team Ledger…": asks for the connection string (a password box), tests it — server
 * version, role, schema, TLS as its sslmode says — and only then keeps it in SecretStorage and
 * starts syncing. The string never reaches settings, the log or a message.
 */
export async function connectTeamLedger(deps: Deps): Promise<boolean> {
  const connectionString = await vscode.window.showInputBox({
    title: vscode.l10n.t('Connect Team Ledger (PostgreSQL 14 or newer)'),
    prompt: vscode.l10n.t(
      'Your own role’s connection string, e.g. postgresql://alice:…@db.example.com:5432/team_ledger?sslmode=verify-full. It is kept in VS Code’s secret storage only.',
    ),
    placeHolder: 'postgresql://user:password@host:5432/database?sslmode=verify-full',
    password: true,
    ignoreFocusOut: true,
    validateInput: (value) =>
      !value.trim() || looksLikeConnectionString(value)
        ? undefined
        : vscode.l10n.t('Expected a postgresql:// URL or libpq key=value settings (host=… dbname=… user=…).'),
  });
  if (!connectionString?.trim()) return false;
  const check = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Testing the team ledger connection…') },
    async () => {
      try {
        return await deps.team.connect(connectionString.trim());
      } catch (error) {
        // Redacted by src/core/sync (teamLedgerError): no connection string or password in it.
        throw new UserFacingError(describeError(error));
      }
    },
  );
  const tls = check.tls
    ? vscode.l10n.t('TLS on')
    : vscode.l10n.t('TLS off (add sslmode=verify-full to the connection string for a server across a network)');
  const schema =
    check.schemaVersion < check.knownSchemaVersion
      ? vscode.l10n.t(
          ' The team schema is set up or upgraded now when this role may (an admin’s); otherwise ask your admin to connect once.',
        )
      : '';
  const choice = await vscode.window.showInformationMessage(
    vscode.l10n.t('Connected to the team ledger as {0} (PostgreSQL {1}, {2}).{3}', check.role, check.serverVersion, tls, schema),
    vscode.l10n.t('Choose What to Share…'),
  );
  if (choice) await chooseTeamSharing(deps);
  return true;
}

export async function disconnectTeamLedger(deps: Deps): Promise<void> {
  if (!(await deps.team.isConnected())) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No team ledger is connected.'));
    return;
  }
  const yes = vscode.l10n.t('Disconnect');
  const choice = await vscode.window.showWarningMessage(
    vscode.l10n.t(
      'Disconnect from the team ledger? The connection string is removed from secret storage; changes not yet sent stay queued here, and pulled sessions stay (read-only).',
    ),
    { modal: true },
    yes,
  );
  if (choice !== yes) return;
  await deps.team.disconnect();
  void vscode.window.showInformationMessage(vscode.l10n.t('Disconnected from the team ledger.'));
}

export async function syncTeamLedger(deps: Deps): Promise<void> {
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Syncing the team ledger…') },
    async () => {
      try {
        return await deps.team.syncNow();
      } catch (error) {
        throw new UserFacingError(describeError(error));
      }
    },
  );
  vscode.window.setStatusBarMessage(
    vscode.l10n.t('Team ledger: {0} change(s) sent, {1} row(s) pulled.', result.pushed, result.pulled),
    4000,
  );
}

async function setShared(deps: Deps, arg: unknown, shared: boolean): Promise<void> {
  const session = await sessionFromArgument(deps, arg, {
    title: shared ? vscode.l10n.t('Share Session with Team') : vscode.l10n.t('Stop Sharing Session'),
  });
  if (!session) return;
  const owner = deps.team.ownerOf(session.id);
  if (owner) {
    throw new UserFacingError(
      vscode.l10n.t(
        '"{0}" belongs to {1} on {2}: only its owner decides whether it is shared.',
        session.title,
        owner.person,
        owner.machine,
      ),
    );
  }
  await deps.team.setShared(session.id, shared);
  const sharing = deps.config.value['teamLedger.sharing'];
  const note =
    sharing === 'shared'
      ? ''
      : sharing === 'all'
        ? vscode.l10n.t(' (This workspace shares all sessions anyway.)')
        : vscode.l10n.t(' (This workspace shares nothing until you choose "only sessions marked Share" in Choose What to Share…)');
  void vscode.window.showInformationMessage(
    (shared ? vscode.l10n.t('"{0}" is marked Share.', session.title) : vscode.l10n.t('"{0}" is no longer marked Share.', session.title)) +
      note,
  );
}

export const shareSession = (deps: Deps, arg: unknown): Promise<void> => setShared(deps, arg, true);
export const unshareSession = (deps: Deps, arg: unknown): Promise<void> => setShared(deps, arg, false);

export const showMySessions = (deps: Deps): Promise<void> => deps.treeScope.set('mine');
export const showEveryonesSessions = (deps: Deps): Promise<void> => deps.treeScope.set('everyone');

/** The status-bar item's click: what can be done about the team ledger now, the likely action first. */
export async function teamLedgerActions(deps: Deps): Promise<void> {
  const status = deps.team.status;
  type Item = vscode.QuickPickItem & { run: () => unknown };
  const items: Item[] = [];
  if (status.state === 'disconnected') {
    items.push({
      label: '$(plug) ' + vscode.l10n.t('Connect Team Ledger…'),
      run: () => vscode.commands.executeCommand(CommandId.connectTeamLedger),
    });
  } else {
    items.push({
      label: '$(sync) ' + vscode.l10n.t('Sync Now'),
      description: status.state === 'pending' || status.state === 'offline' ? vscode.l10n.t('{0} pending', status.pending) : undefined,
      run: () => vscode.commands.executeCommand(CommandId.syncTeamLedger),
    });
    items.push({
      label: '$(share) ' + vscode.l10n.t('Choose What to Share…'),
      description: deps.config.value['teamLedger.sharing'],
      run: () => vscode.commands.executeCommand(CommandId.chooseTeamSharing),
    });
    items.push(
      deps.treeScope.scope === 'mine'
        ? { label: '$(organization) ' + vscode.l10n.t('Show Everyone’s Sessions'), run: () => deps.treeScope.set('everyone') }
        : { label: '$(person) ' + vscode.l10n.t('Show Only My Sessions'), run: () => deps.treeScope.set('mine') },
    );
    items.push({
      label: '$(graph) ' + vscode.l10n.t('Show Team Usage'),
      run: () => vscode.commands.executeCommand(CommandId.showUsage, 'team'),
    });
    items.push({ label: '$(output) ' + vscode.l10n.t('Show Log'), run: () => deps.channel.show() });
    items.push({
      label: '$(plug) ' + vscode.l10n.t('Connect with Another Connection String…'),
      run: () => vscode.commands.executeCommand(CommandId.connectTeamLedger),
    });
    items.push({
      label: '$(debug-disconnect) ' + vscode.l10n.t('Disconnect Team Ledger'),
      run: () => vscode.commands.executeCommand(CommandId.disconnectTeamLedger),
    });
  }
  const picked = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Team Ledger') });
  await picked?.run();
}
