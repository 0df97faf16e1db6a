import * as vscode from 'vscode';
import { SessionEngine } from '../core/engine/SessionEngine';
import type { SessionStore } from '../core/store/SessionStore';
import { NodeWorkspaceFiles } from '../core/workflow/workspaceFiles';
import { DEFAULT_WORKFLOW_SETTINGS } from '../core/workflow/StepBehaviour';
import { ActiveSession } from './ActiveSession';
import { registerCommands } from './commands';
import { Config } from './config';
import type { Logger } from './logger';
import { ManualStepRunner } from './ManualStepRunner';
import { RunningSessions } from './RunningSessions';
import { SessionTreeProvider, type SessionTreeNode } from './SessionTreeProvider';
import { StatusBar } from './StatusBar';
import { SessionsBadge } from './SessionsBadge';
import { openStore } from './storeHost';
import { TerminalRunner } from './TerminalRunner';
import { loadSessionTypes } from './workflows';
import { exportSessionToFile } from './exportSession';
import { registerTimeline, type TimelinePanels } from './timeline/registration';
import { BackgroundRunner } from './BackgroundRunner';
import { ensureTrusted } from './workspaceTrust';
import { ClaudeCodeHistory } from './ClaudeCodeHistory';
import { registerUsage } from './usage/registration';
import { registerAgentAccess, type AgentAccess } from './mcpRegistration';
import { TeamLedger } from './teamLedger/TeamLedger';
import { SyncStatusBar } from './teamLedger/syncStatusBar';
import { TreeScopeState } from './teamLedger/treeScope';
import { SessionFilters, treeFilterMessage } from './sessionFilters';

/** The extension's services, built once at activation; also what `activate` hands the tests. */
export interface Services {
  readonly store: SessionStore;
  /** Where the store lives: the ledger registered for the folder, else `<storageUri or globalStorageUri>/ledger` (see storeHost.ts). */
  readonly storeDirectory: string;
  /** The extension context's `globalStorageUri` (it holds the ledger registry). For tests. */
  readonly globalStorageUri: vscode.Uri;
  /** The extension context's `storageUri` (undefined without a folder open; the store then uses globalStorageUri). For tests. */
  readonly storageUri: vscode.Uri | undefined;
  readonly engine: SessionEngine;
  readonly active: ActiveSession;
  readonly tree: SessionTreeProvider;
  readonly runner: ManualStepRunner;
  /** Which sessions run a step now (in the terminal or in the background). */
  readonly running: RunningSessions;
  /** Agentic mode: the background loops (tests await `start`). */
  readonly background: BackgroundRunner;
  readonly statusBar: StatusBar;
  /** The Sessions view's badge: sessions running or waiting for the person (counted like the status bar). */
  readonly sessionsBadge: SessionsBadge;
  readonly config: Config;
  /** Claude Code hooks, spool ingest and transcript import. */
  readonly claudeHistory: ClaudeCodeHistory;
  /** The open timeline panels (tests reach a panel the commands opened through it). */
  readonly timelines: TimelinePanels;
  /** The MCP server definition and language-model tools offered to agents (none in an untrusted workspace). */
  readonly agentAccess: AgentAccess;
  /** The team ledger on PostgreSQL: connection (SecretStorage), replicator, status (docs/team-ledger.md). */
  readonly teamLedger: TeamLedger;
  readonly syncStatusBar: SyncStatusBar;
  /** The Sessions tree's type / tag / mode / created / owner filters (remembered per workspace). */
  readonly sessionFilters: SessionFilters;
}

export async function createServices(context: vscode.ExtensionContext, channel: vscode.LogOutputChannel, log: Logger): Promise<Services> {
  const own = <T extends vscode.Disposable>(d: T): T => (context.subscriptions.push(d), d);
  const config = own(new Config((m) => void vscode.window.showWarningMessage(vscode.l10n.t('Session Ledger: {0}', m))));
  const { store, directory } = await openStore(context, log.child('store'));
  own({ dispose: () => void store.close().catch((e) => log.error('closing the store failed', e)) });
  const workspaceRoot = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const { types, watcher } = await loadSessionTypes(workspaceRoot, log.child('workflows'));
  own(watcher);
  const engine = new SessionEngine({
    store,
    types,
    workspaceFiles: new NodeWorkspaceFiles(workspaceRoot ?? directory),
    settings: () => ({
      ...DEFAULT_WORKFLOW_SETTINGS,
      testCommand: config.value.testCommand || undefined,
      maxBuildAttempts: config.value.maxBuildAttempts,
      maxTestFixIterations: config.value.maxTestFixIterations,
      summarizeOnComplete: config.value.summarizeOnComplete,
    }),
    onBackgroundError: (error, what) => log.error(what, error),
  });
  const active = own(new ActiveSession(context.workspaceState, store));
  const terminal = own(new TerminalRunner(config, log.child('terminal')));
  const background = own(
    new BackgroundRunner({
      engine,
      store,
      config,
      secrets: context.secrets,
      log: log.child('background'),
      workspaceRoot: workspaceRoot ?? directory,
    }),
  );
  const claudeHistory = own(
    new ClaudeCodeHistory({
      store,
      config,
      log: log.child('claude-code'),
      workspaceRoot,
      storageDir: (context.storageUri ?? context.globalStorageUri).fsPath,
      extensionPath: context.extensionPath,
      isTrusted: () => vscode.workspace.isTrusted,
    }),
  );
  const runner = new ManualStepRunner(engine, store, terminal, log.child('runner'), claudeHistory);
  const running = own(new RunningSessions([terminal, background]));
  const tree = own(new SessionTreeProvider(store, active, running));
  const treeView = own(vscode.window.createTreeView('sessionLedger.sessions', { treeDataProvider: tree, showCollapseAll: true }));
  own(active.onDidChange((id) => void revealInTree(treeView, store, id)));
  tree.showAccessIn(treeView);
  const sessionFilters = own(new SessionFilters(context.workspaceState));
  tree.useFilters(sessionFilters);
  // Filters remembered from the last time: say so above the tree.
  if (sessionFilters.active) treeView.message = treeFilterMessage(undefined, sessionFilters);
  const teamLedger = own(new TeamLedger({ store, config, secrets: context.secrets, log: log.child('team') }));
  const treeScope = own(new TreeScopeState(context.workspaceState));
  tree.useTeamView({
    get filter() {
      return treeScope.filter;
    },
    ownerOf: (id) => teamLedger.ownerOf(id),
    onDidChange: treeScope.onDidChange,
  });
  const syncStatusBar = own(new SyncStatusBar(teamLedger));
  const statusBar = own(new StatusBar(store, active, (id) => running.isRunning(id), running.onDidChangeRunning));
  const sessionsBadge = own(new SessionsBadge(treeView, store, active, (id) => running.isRunning(id), running.onDidChangeRunning));
  const timelines = own(registerTimeline(context, { store, log: log.child('timeline') })).panels;
  const agentAccess = own(
    registerAgentAccess({ store, storeDirectory: directory, extensionPath: context.extensionPath, log: log.child('agents') }),
  );
  const usage = own(
    registerUsage(context, { store, log: log.child('usage'), openTimeline: async (id) => void timelines.show(id), team: teamLedger }),
  );
  own(
    registerCommands({
      channel,
      log,
      config,
      store,
      active,
      tree,
      runner,
      running,
      engine,
      background,
      secrets: context.secrets,
      treeView: treeView as vscode.TreeView<unknown>,
      sessionFilters,
      history: claudeHistory,
      openTimeline: async (id, seq) => void timelines.show(id, { focusInteractionSeq: seq }),
      exportSession: (id) =>
        exportSessionToFile(store, id, {
          extraPatterns: config.value['redaction.extraPatterns'],
          absolutePaths: config.value['export.absolutePaths'],
        }),
      showUsage: (scope) => usage.show(scope),
      team: teamLedger,
      treeScope,
    }),
  );
  void vscode.commands.executeCommand('setContext', 'sessionLedger.hasActiveSession', active.id !== undefined);
  // A read-only window (another one holds the ledger) leaves that window's runs alone until it takes the ledger over.
  if (store.readOnly) {
    own(
      store.onDidChangeAccess((access) => {
        if (!access.readOnly) void offerResumeOfInterrupted(engine, background, log);
      }),
    );
  } else void offerResumeOfInterrupted(engine, background, log);
  claudeHistory.start();
  // Syncs only when a connection string is stored ("Connect Team Ledger…"); never blocks activation.
  void teamLedger.start();
  if (config.value.importTranscriptsOnStartup && workspaceRoot && !store.readOnly) {
    // In the status bar, not a notification: nobody asked for it just now.
    void claudeHistory
      .importTranscriptsWithProgress(vscode.ProgressLocation.Window)
      .then(undefined, (e) => log.error('importing Claude Code transcripts on startup failed', e));
  }
  return {
    store,
    storeDirectory: directory,
    storageUri: context.storageUri,
    globalStorageUri: context.globalStorageUri,
    engine,
    active,
    tree,
    runner,
    running,
    background,
    statusBar,
    sessionsBadge,
    config,
    claudeHistory,
    timelines,
    agentAccess,
    teamLedger,
    syncStatusBar,
    sessionFilters,
  };
}

/** Shows the active session in the tree (expanding its parents) when the view is open. */
async function revealInTree(treeView: vscode.TreeView<SessionTreeNode>, store: SessionStore, id: string | undefined): Promise<void> {
  const session = id ? store.sessions.get(id) : undefined;
  if (!session || !treeView.visible) return;
  try {
    await treeView.reveal({ kind: 'session', session }, { select: true, focus: false, expand: false });
  } catch {
    // Not drawn yet (a refresh is pending); it is marked as active when it is.
  }
}

/**
 * Sessions whose runner died (window closed, crash) are marked interrupted and offered for resume:
 * those with a step running, and every agentic session that was still active.
 */
async function offerResumeOfInterrupted(engine: SessionEngine, background: BackgroundRunner, log: Logger): Promise<void> {
  try {
    const interrupted = await engine.interruptOrphans();
    if (interrupted.length === 0) return;
    log.warn(`${interrupted.length} session(s) were interrupted: ${interrupted.map((s) => s.id).join(', ')}`);
    const names = interrupted.map((s) => `"${s.title}"`).join(', ');
    const resume = vscode.l10n.t('Resume');
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t(
        'Session Ledger: {0} stopped when the window closed or VS Code crashed (a step was running, or an agentic run was between steps). Resume from the last recorded step?',
        names,
      ),
      resume,
      vscode.l10n.t('Later'),
    );
    if (choice !== resume) return;
    // An agentic session resumed without its loop would be active with nothing running it: it waits for trust.
    const trusted = !interrupted.some((s) => s.executionMode === 'agentic') || ensureTrusted(vscode.l10n.t('Resuming agentic sessions'));
    const resumable = interrupted.filter((s) => trusted || s.executionMode !== 'agentic');
    for (const s of resumable) await engine.resume(s.id);
    // Agentic sessions get their loop back (a child's runs inside its parent's, from the pending spawn).
    if (trusted) for (const s of resumable) background.startTree(s.id);
  } catch (error) {
    log.error('marking interrupted sessions failed', error);
  }
}
