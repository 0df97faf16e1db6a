import * as vscode from 'vscode';
import { AnthropicProvider } from '../core/agent/anthropicProvider';
import { ClaudeCliProvider } from '../core/agent/claudeCliProvider';
import type { ClaudeProvider } from '../core/agent/claudeProvider';
import { runAgentic, type AgenticOutcome } from '../core/engine/agenticLoop';
import type { SessionEngine } from '../core/engine/SessionEngine';
import { runShellCommand } from '../core/exec/runShellCommand';
import type { Provider, Session } from '../core/model/session';
import type { SessionStore } from '../core/store/SessionStore';
import { agenticClaudeCliOptions } from './claudeCliOptions';
import { CommandId } from './commandIds';
import type { Config } from './config';
import { DisposableOwner } from './lifecycle';
import type { Logger } from './logger';
import { ensureTrusted } from './workspaceTrust';
import { describeError } from '../protocol/describeError';

/** A session and its descendants (children not deleted), parents first. */
export function sessionTree(store: Pick<SessionStore, 'sessions'>, sessionId: string): Session[] {
  const tree: Session[] = [];
  const collect = (session: Session): void => {
    tree.push(session);
    for (const child of store.sessions.children(session.id)) collect(child);
  };
  collect(store.sessions.require(sessionId));
  return tree;
}

/** Where the Anthropic API key lives: SecretStorage only (never settings, the store, logs or exports). */
export const API_KEY_SECRET = 'sessionLedger.anthropicApiKey';

export interface BackgroundRunnerDeps {
  readonly engine: SessionEngine;
  readonly store: SessionStore;
  readonly config: Config;
  readonly secrets: vscode.SecretStorage;
  readonly log: Logger;
  /** Where commands run when a session has no working directory. */
  readonly workspaceRoot: string;
}

/**
 * Agentic mode: runs a session's loop (next → execute → record) in the background, off the UI
 * path, one loop per top-level session; its children run inside it. Pause and cancel abort the
 * loop (the signal reaches the subprocess and the API stream) before the engine changes status.
 */
export class BackgroundRunner extends DisposableOwner {
  private readonly _onDidChangeRunning = this.register(new vscode.EventEmitter<string>());
  readonly onDidChangeRunning = this._onDidChangeRunning.event;
  /** Sessions with a loop in progress: top-level ones and the children running inside them. */
  private readonly busy = new Set<string>();
  private readonly controllers = new Map<string, AbortController>();
  private readonly loops = new Map<string, Promise<AgenticOutcome | undefined>>();

  constructor(private readonly deps: BackgroundRunnerDeps) {
    super();
    this.register({ dispose: () => this.controllers.forEach((c) => c.abort()) });
  }

  isRunning(sessionId: string): boolean {
    return this.busy.has(sessionId);
  }

  /** Starts the session's loop unless one runs already; resolves when it ends (never rejects). */
  start(sessionId: string): Promise<AgenticOutcome | undefined> {
    const existing = this.loops.get(sessionId);
    if (existing) return existing;
    if (!ensureTrusted(vscode.l10n.t('Agentic mode'))) return Promise.resolve(undefined);
    const loop = this.run(sessionId).finally(() => {
      this.loops.delete(sessionId);
      this.setBusy(sessionId, false);
    });
    this.loops.set(sessionId, loop);
    return loop;
  }

  /** Aborts the session's loop (or its part of the parent's) and waits until it has stopped. */
  async stop(sessionId: string): Promise<void> {
    this.controllers.get(sessionId)?.abort();
    await this.loops.get(sessionId);
    while (this.busy.has(sessionId)) {
      await new Promise<void>((resolve) => {
        const sub = this.onDidChangeRunning(() => (sub.dispose(), resolve()));
      });
    }
  }

  /**
   * Stops the loops of a session and of its descendants (an agentic parent's children run inside
   * its loop and stop with it; those of a manual parent run in loops of their own).
   */
  async stopTree(sessionId: string): Promise<void> {
    await Promise.all(sessionTree(this.deps.store, sessionId).map((s) => this.stop(s.id)));
  }

  /**
   * Starts the loops an agentic session of this tree needs now that it is active again (after
   * Resume): one per top-level runner, so children go on inside their parent's loop.
   */
  startTree(sessionId: string): void {
    const active = sessionTree(this.deps.store, sessionId).filter((s) => s.executionMode === 'agentic' && s.status === 'active');
    for (const root of new Set(active.map((s) => this.rootOf(s.id)))) void this.start(root);
  }

  /** The top-level session whose loop runs this one (a child runs inside its parent's loop). */
  rootOf(sessionId: string): string {
    let session = this.deps.store.sessions.require(sessionId);
    while (session.parentSessionId) {
      const parent = this.deps.store.sessions.get(session.parentSessionId);
      if (!parent || parent.status !== 'active' || parent.executionMode !== 'agentic') break;
      session = parent;
    }
    return session.id;
  }

  private async run(sessionId: string): Promise<AgenticOutcome | undefined> {
    const { engine, store, config, log } = this.deps;
    const settings = config.value;
    const session = engine.getSession(sessionId);
    this.setBusy(sessionId, true);
    log.info(`agentic run of ${sessionId} (${session.type}) starts`);
    try {
      const outcome = await runAgentic(sessionId, {
        engine,
        store,
        executeShell: runShellCommand,
        claude: this.providerFor(session.provider ?? settings.provider),
        budgets: { maxSteps: settings.maxSteps, maxCostUsd: settings.maxCostUsd, stepTimeoutMs: settings.stepTimeoutSeconds * 1000 },
        signal: this.controllerFor(sessionId).signal,
        signalFor: (id) => this.controllerFor(id).signal,
        childConcurrency: settings.childConcurrency,
        defaultWorkingDir: this.deps.workspaceRoot,
        env: process.env,
        model: settings.model,
        allowRunCommand: settings.allowRunCommand && vscode.workspace.isTrusted,
        onProgress: (progress) => {
          if (progress.kind === 'step') {
            this.setBusy(progress.session.id, true);
          } else if (progress.kind === 'ended') {
            this.controllers.delete(progress.outcome.session.id);
            if (progress.outcome.session.id !== sessionId) this.setBusy(progress.outcome.session.id, false);
          }
        },
      });
      log.info(
        `agentic run of ${sessionId} ended: ${outcome.reason} (${outcome.session.status}) after ${outcome.steps} step(s)${outcome.detail ? `: ${outcome.detail}` : ''}`,
      );
      this.report(outcome);
      return outcome;
    } catch (error) {
      log.error(`agentic run of ${sessionId} failed`, error);
      void vscode.window.showErrorMessage(
        vscode.l10n.t('Session Ledger: the agentic run of "{0}" stopped: {1}', session.title, describeError(error)),
      );
      return undefined;
    } finally {
      this.controllers.delete(sessionId);
    }
  }

  private report(outcome: AgenticOutcome): void {
    const { title } = outcome.session;
    if (outcome.reason === 'stopped' && outcome.agentError) {
      const setKey = vscode.l10n.t('Set Anthropic API Key');
      const showLog = vscode.l10n.t('Show Log');
      const buttons = outcome.agentError.kind === 'auth' ? [setKey, showLog] : [showLog];
      void vscode.window
        .showErrorMessage(
          vscode.l10n.t('Session Ledger: "{0}" paused. {1} {2}', title, outcome.agentError.message, outcome.agentError.action),
          ...buttons,
        )
        .then((choice) => {
          if (choice === setKey) void vscode.commands.executeCommand(CommandId.setApiKey);
          else if (choice === showLog) void vscode.commands.executeCommand(CommandId.showLog);
        });
    } else if (outcome.reason === 'budget') {
      void vscode.window.showWarningMessage(
        vscode.l10n.t('Session Ledger: "{0}": {1} Resume it to go on.', title, outcome.detail ?? vscode.l10n.t('a budget was reached.')),
      );
    } else if (outcome.reason === 'awaiting_input') {
      void vscode.window.showInformationMessage(
        vscode.l10n.t('Session Ledger: "{0}" waits for your input. Run Next Step to give it.', title),
      );
    } else if (outcome.reason === 'awaiting_review') {
      void vscode.window.showInformationMessage(
        vscode.l10n.t(
          'Session Ledger: "{0}" waits for your review ({1}). Approve or Request Changes in its timeline.',
          title,
          outcome.detail ?? '',
        ),
      );
    }
  }

  private providerFor(provider: Provider): ClaudeProvider {
    const settings = this.deps.config.value;
    if (provider === 'claude-code-cli') {
      return new ClaudeCliProvider(agenticClaudeCliOptions(settings));
    }
    const pricing = this.deps.config.pricing;
    return new AnthropicProvider({
      apiKey: async () => this.deps.secrets.get(API_KEY_SECRET),
      baseURL: settings.anthropicBaseUrl || undefined,
      model: settings.model,
      pricing,
    });
  }

  private controllerFor(sessionId: string): AbortController {
    let controller = this.controllers.get(sessionId);
    if (!controller) {
      controller = new AbortController();
      this.controllers.set(sessionId, controller);
    }
    return controller;
  }

  private setBusy(sessionId: string, busy: boolean): void {
    if (busy === this.busy.has(sessionId)) return;
    if (busy) this.busy.add(sessionId);
    else this.busy.delete(sessionId);
    this._onDidChangeRunning.fire(sessionId);
  }
}
