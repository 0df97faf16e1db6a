import * as vscode from 'vscode';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { stableUuid } from '../core/claudeCode/claudeSessions';
import type { HookCommandOptions } from '../core/claudeCode/hookProtocol';
import { installedHookScriptPath, installHookScript, type HookScriptInstall } from '../core/claudeCode/hookScriptInstall';
import {
  claudeHooksConnection,
  connectClaudeHooks,
  disconnectClaudeHooks,
  refreshClaudeHooks,
  type HookConnection,
  type SettingsFileResult,
} from '../core/claudeCode/hookSettings';
import { describeRejectedLines, ingestHookSpool, type SpoolIngestReport } from '../core/claudeCode/hookIngestion';
import { spoolExists, spoolHasUnread } from '../core/claudeCode/hookSpoolState';
import { IMPORTED_TURN_STEP } from '../core/claudeCode/transcriptApply';
import {
  describeTranscriptImport,
  importClaudeTranscripts,
  type TranscriptImportOptions,
  type TranscriptImportReport,
} from '../core/claudeCode/transcriptImport';
import { claudeConfigDir, claudeProjectDir } from '../core/claudeCode/transcriptFiles';
import { transcriptResponses, type TranscriptResponse } from '../core/claudeCode/transcriptResponses';
import { commandPhaseOf, stepOptionsOf } from '../core/engine/stepOptions';
import type { Interaction } from '../core/model/interaction';
import type { Session } from '../core/model/session';
import type { SessionStore } from '../core/store/SessionStore';
import type { Config } from './config';
import { DisposableOwner } from './lifecycle';
import type { Logger } from './logger';

export const SPOOL_FILE = 'claude-hooks.spool.jsonl';
const TRANSCRIPT_STATE_FILE = 'claude-transcripts.json';
/** Fallback poll while hooks are connected (file watchers can miss events outside the workspace). */
const INGEST_POLL_MS = 3000;
/** Claude Code's clock and ours are the same machine's; this only absorbs rounding. */
const STEP_CLOCK_SLACK_MS = 2000;
/** The hook events after which a manual Claude step's usage is read from its transcript. */
const USAGE_HOOK_EVENTS = ['hook.Stop', 'hook.SessionEnd'];
export const CONNECT_HOOKS_COMMAND = 'sessionLedger.connectClaudeHooks';
export const USAGE_UNAVAILABLE_EVENT = 'claude.usage.unavailable';

/** What a manual Claude step's transcript added up to (also kept in the step's result data). */
export interface ClaudeStepUsage {
  recorded: boolean;
  /** Why nothing was recorded (hooks not connected, no transcript). */
  reason?: string;
  transcriptPath?: string;
  responses?: number;
  inputTokens?: number;
  outputTokens?: number;
  cacheCreationTokens?: number;
  cacheCreation1hTokens?: number;
  cacheReadTokens?: number;
  costUsd?: number;
  costUnknown?: boolean;
}

export interface ClaudeCodeHistoryDeps {
  readonly store: SessionStore;
  readonly config: Config;
  readonly log: Logger;
  /** The extension's storage folder (the spool, the installed hook script and the import state live here). */
  readonly storageDir: string;
  /** The extension's install folder (`dist/hookSpool.js` is bundled there; versioned, gone after an update). */
  readonly extensionPath: string;
  /** Whether the workspace is trusted: a stale settings file is only rewritten in a trusted one. */
  readonly isTrusted?: () => boolean;
  /** The workspace folder whose `.claude/settings.local.json` and transcripts we use. */
  readonly workspaceRoot: string | undefined;
}

export interface HookRefresh {
  connection: HookConnection;
  script: HookScriptInstall;
  /** Present when stale entries were rewritten. */
  settings?: SettingsFileResult;
}

/**
 * Claude Code history in the editor: connecting the hooks of the workspace to the spool in the
 * extension's storage, ingesting the spool while connected (file watcher + poll, and once at
 * start), and importing Claude Code's transcripts. Ingests and imports are serialised: one at a time.
 *
 * The hook commands run a copy of the script in the storage folder ({@link scriptPath}), not the
 * bundled one, whose versioned folder an update removes; {@link refresh} keeps the copy and the
 * commands current at every activation.
 */
export class ClaudeCodeHistory extends DisposableOwner {
  readonly spoolPath: string;
  private readonly statePath: string;
  private watching: vscode.Disposable | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  /** Aborted on dispose (deactivation): a running import stops between chunks, its progress kept. */
  private readonly disposed = new AbortController();
  /** Size and mtime of each transcript last read for a manual step's usage. */
  private readonly transcriptStats = new Map<string, { size: number; mtimeMs: number }>();

  constructor(private readonly deps: ClaudeCodeHistoryDeps) {
    super();
    this.spoolPath = join(deps.storageDir, SPOOL_FILE);
    this.statePath = join(deps.storageDir, TRANSCRIPT_STATE_FILE);
    this.register({ dispose: () => this.stopWatching() });
    this.register({ dispose: () => this.disposed.abort() });
  }

  /** The script as bundled with this version of the extension. */
  get bundledScriptPath(): string {
    return join(this.deps.extensionPath, 'dist', 'hookSpool.js');
  }

  /** The stable copy the hook commands run: survives extension updates. */
  get scriptPath(): string {
    return installedHookScriptPath(this.deps.storageDir);
  }

  /** What our hook commands should be now. `node` from PATH, as Claude Code runs it (the extension host's execPath may be Electron). */
  get hookOptions(): HookCommandOptions {
    return { scriptPath: this.scriptPath, spoolPath: this.spoolPath, nodeCommand: 'node' };
  }

  /** Our entries in the workspace's settings: none, current, or stale ('disconnected' without a workspace or with unreadable settings). */
  get connection(): HookConnection {
    const root = this.deps.workspaceRoot;
    if (!root) return 'disconnected';
    try {
      return claudeHooksConnection(root, this.hookOptions);
    } catch {
      return 'disconnected';
    }
  }

  /** Whether our hook entries are in the workspace's settings (current or stale). */
  get connected(): boolean {
    return this.connection !== 'disconnected';
  }

  /** At activation: bring connected hooks up to date, ingest what Claude wrote while the window was closed, and watch if connected. */
  start(): void {
    try {
      this.refresh();
    } catch (e) {
      this.deps.log.error('updating the Claude Code hooks failed', e);
    }
    if (this.connected) this.startWatching();
    this.updateContext();
    if (spoolExists(this.spoolPath)) void this.ingest().catch((e) => this.deps.log.error('ingesting the hook spool failed', e));
  }

  /**
   * While connected: installs the current script at {@link scriptPath} when its content differs,
   * and rewrites our entries when they are stale (another script or spool path); others' hooks
   * are never touched. Not connected: does nothing. In an untrusted workspace the settings file
   * is left alone (the script copy is still updated).
   */
  refresh(): HookRefresh | undefined {
    const root = this.deps.workspaceRoot;
    const connection = this.connection;
    if (!root || connection === 'disconnected') return undefined;
    const script = installHookScript(this.bundledScriptPath, this.scriptPath);
    if (script !== 'unchanged') this.deps.log.info(`hook script ${script} at ${this.scriptPath}`);
    if (connection === 'current') return { connection, script };
    if (!(this.deps.isTrusted?.() ?? true)) {
      this.deps.log.warn(`the Claude Code hooks in ${root} point at an old location; trust the workspace so they can be updated`);
      return { connection, script };
    }
    const settings = refreshClaudeHooks(root, this.hookOptions);
    this.deps.log.info(`stale hooks updated in ${settings.settingsPath} (replaced ${settings.removed} of ours with ${settings.added})`);
    return { connection, script, settings };
  }

  connect(): SettingsFileResult {
    const root = this.requireWorkspace();
    mkdirSync(this.deps.storageDir, { recursive: true });
    installHookScript(this.bundledScriptPath, this.scriptPath);
    const result = connectClaudeHooks(root, this.hookOptions);
    this.deps.log.info(
      `hooks connected in ${result.settingsPath} (added ${result.added}, replaced ${result.removed})` +
        (result.backupWritten
          ? `; original backed up to ${result.backupPath}`
          : result.backupPath
            ? `; original kept in ${result.backupPath}`
            : ''),
    );
    this.startWatching();
    this.updateContext();
    return result;
  }

  async disconnect(): Promise<SettingsFileResult> {
    const root = this.requireWorkspace();
    const result = disconnectClaudeHooks(root);
    this.deps.log.info(`hooks disconnected in ${result.settingsPath} (removed ${result.removed})`);
    this.stopWatching();
    this.updateContext();
    if (spoolExists(this.spoolPath)) await this.ingest(); // what arrived before the disconnect
    return result;
  }

  /** Ingests new spool lines into the event log (idempotent). */
  ingest(): Promise<SpoolIngestReport> {
    return this.serialised(async () => {
      const report = await ingestHookSpool(this.deps.store, { spoolPath: this.spoolPath });
      if (report.ingested || report.rejected || report.createdSessionIds.length) {
        this.deps.log.info(
          `hook spool: ${report.ingested} event(s) ingested, ${report.duplicates} already stored, ${report.createdSessionIds.length} new session(s)` +
            (report.rejected
              ? `, ${report.rejected} line(s) set aside in ${report.rejectedPath}: ${describeRejectedLines(report).join('; ')}`
              : ''),
        );
      }
      if (report.ingested > 0)
        void this.recordUsageOfStoppedSteps().catch((e) => this.deps.log.error('recording the usage of a Claude step failed', e));
      return report;
    });
  }

  /** Imports the workspace's Claude Code transcripts (incremental). */
  importTranscripts(options: Pick<TranscriptImportOptions, 'configDir' | 'onProgress' | 'signal'> = {}): Promise<TranscriptImportReport> {
    const workspacePath = this.requireWorkspace();
    return this.serialised(async () => {
      mkdirSync(this.deps.storageDir, { recursive: true });
      const report = await importClaudeTranscripts(this.deps.store, {
        ...options,
        workspacePath,
        statePath: this.statePath,
        pricing: this.deps.config.pricing,
      });
      const needsLook = report.linesDamaged > 0 || report.filesFailed.length > 0 || report.subagentFilesWaiting.length > 0;
      (needsLook ? this.deps.log.warn : this.deps.log.info).call(
        this.deps.log,
        `transcripts from ${report.projectDir} (${report.filesRead} read): ${describeTranscriptImport(report)}`,
      );
      return report;
    });
  }

  /**
   * {@link importTranscripts} under a progress indicator: a notification with a Cancel button
   * (the command), or the status bar (`ProgressLocation.Window`, the import at startup).
   * Cancelling, or closing the window, stops between chunks with what was imported kept.
   */
  importTranscriptsWithProgress(
    location: vscode.ProgressLocation,
    options: Pick<TranscriptImportOptions, 'configDir'> = {},
  ): Thenable<TranscriptImportReport> {
    return vscode.window.withProgress(
      { location, title: vscode.l10n.t('Importing Claude Code history'), cancellable: true },
      async (progress, token) => {
        const cancelled = new AbortController();
        const sub = token.onCancellationRequested(() => cancelled.abort());
        let reported = 0;
        try {
          return await this.importTranscripts({
            ...options,
            signal: AbortSignal.any([cancelled.signal, this.disposed.signal]),
            onProgress: (p) => {
              const pct = p.bytesTotal ? Math.floor((100 * p.bytesDone) / p.bytesTotal) : 0;
              progress.report({
                message: vscode.l10n.t('{0}/{1} files', p.filesDone, p.filesTotal),
                increment: Math.max(0, pct - reported),
              });
              reported = Math.max(reported, pct);
            },
          });
        } finally {
          sub.dispose();
        }
      },
    );
  }

  /**
   * A manual Claude step ended (its terminal command returned): records its tokens and cost from
   * its transcript when the hooks are connected; otherwise says so in the step's timeline and
   * offers to connect them, rather than leaving the step at $0. Returns what goes into the step's
   * result data.
   */
  async afterManualClaudeStep(session: Session, interaction: Interaction): Promise<ClaudeStepUsage> {
    if (!this.connected) {
      const reason = vscode.l10n.t(
        'Tokens and cost of this Claude step are not recorded: Claude Code hooks are not connected in this workspace. Run "Session Ledger: Connect Claude Code Hooks", then the next Claude step records them (or import this conversation with "Import Claude Code History").',
      );
      const id = stableUuid(`${USAGE_UNAVAILABLE_EVENT}:${interaction.id}`);
      if (!this.deps.store.events.get(id)) {
        await this.deps.store.events.append({
          id,
          sessionId: session.id,
          interactionId: interaction.id,
          type: USAGE_UNAVAILABLE_EVENT,
          payload: { text: reason },
        });
      }
      void vscode.window
        .showInformationMessage(vscode.l10n.t('Session Ledger: {0}', reason), vscode.l10n.t('Connect Claude Code Hooks'))
        .then((choice) => {
          if (choice) void vscode.commands.executeCommand(CONNECT_HOOKS_COMMAND);
        });
      return { recorded: false, reason };
    }
    await this.ingest().catch((e) => this.deps.log.error('ingesting the hook spool failed', e));
    const usage = await this.recordClaudeStepUsage(session.id, interaction.id);
    this.deps.log.info(
      usage.recorded
        ? `Claude step ${interaction.seq} of ${session.id}: ${usage.responses} API response(s), $${usage.costUsd?.toFixed(6)} from ${usage.transcriptPath}`
        : `Claude step ${interaction.seq} of ${session.id}: no usage recorded (${usage.reason})`,
    );
    return usage;
  }

  /**
   * Reads the transcript of `sessionId`'s Claude conversation (its `externalConversationId`) and
   * sets the tokens and cost of each of the session's Claude steps on one run per step: the
   * responses written between the step's start and the next Claude step's. Cheap when the
   * transcript did not change; idempotent (the runs hold totals; each response's usage event is
   * appended once, with the id the transcript import uses, so a later import does not count it again).
   */
  recordClaudeStepUsage(sessionId: string, stepId?: string): Promise<ClaudeStepUsage> {
    return this.serialised(async () => {
      const session = this.deps.store.sessions.get(sessionId);
      const conversationId = session?.externalConversationId;
      if (!session || !conversationId) return { recorded: false, reason: 'The session has no Claude conversation.' };
      const transcriptPath = this.transcriptPathOf(session, conversationId);
      let stat: { size: number; mtimeMs: number };
      try {
        stat = statSync(transcriptPath);
      } catch {
        return { recorded: false, transcriptPath, reason: `No Claude Code transcript at ${transcriptPath}.` };
      }
      const seen = this.transcriptStats.get(transcriptPath);
      const unchanged = seen && seen.size === stat.size && seen.mtimeMs === stat.mtimeMs;
      if (!unchanged) {
        await this.applyStepUsage(session, conversationId, transcriptResponses(readFileSync(transcriptPath, 'utf8')));
        this.transcriptStats.set(transcriptPath, { size: stat.size, mtimeMs: stat.mtimeMs });
      }
      const run = stepId ? this.deps.store.runs.get(stableUuid(`claude-code-step-run:${stepId}`)) : undefined;
      if (!run) return { recorded: false, transcriptPath, reason: 'The transcript has no API response of this step yet.' };
      return {
        recorded: true,
        transcriptPath,
        responses: this.deps.store.events.list(sessionId, { interactionId: stepId, type: ['claude.usage'], limit: 10_000 }).length,
        inputTokens: run.inputTokens,
        outputTokens: run.outputTokens,
        cacheCreationTokens: run.cacheCreationTokens,
        cacheCreation1hTokens: run.cacheCreation1hTokens,
        cacheReadTokens: run.cacheReadTokens,
        costUsd: run.costUsd,
        costUnknown: run.costUnknown,
      };
    });
  }

  /** The transcript path a hook of this session reported, else where Claude Code writes it for the session's folder. */
  private transcriptPathOf(session: Session, conversationId: string): string {
    const hooks = this.deps.store.events.list(session.id, {
      type: ['hook.SessionStart', ...USAGE_HOOK_EVENTS, 'hook.UserPromptSubmit'],
      limit: 10_000,
    });
    for (let i = hooks.length - 1; i >= 0; i--) {
      const payload = hooks[i].payload as { transcript_path?: unknown; session_id?: unknown } | null;
      if (typeof payload?.transcript_path === 'string' && payload.session_id === conversationId) return payload.transcript_path;
    }
    const folder = session.workingDir ?? this.deps.workspaceRoot ?? '';
    return join(claudeProjectDir(folder, claudeConfigDir()), `${conversationId}.jsonl`);
  }

  private async applyStepUsage(session: Session, conversationId: string, responses: readonly TranscriptResponse[]): Promise<void> {
    const pricing = this.deps.config.pricing;
    await this.deps.store.transaction((tx) => {
      const steps = tx.interactions
        .list(session.id, { limit: 100_000 })
        .filter((i) => i.command.kind === 'claude' && i.command.step !== IMPORTED_TURN_STEP)
        .sort((a, b) => a.seq - b.seq);
      if (steps.length === 0) return;
      const startOf = (step: Interaction) => step.commandAtMicros / 1000 - STEP_CLOCK_SLACK_MS;
      for (const [index, step] of steps.entries()) {
        const from = startOf(step);
        const until = index + 1 < steps.length ? startOf(steps[index + 1]) : Infinity;
        const mine = responses.filter((r) => Number.isFinite(r.at) && r.at >= from && r.at < until);
        if (mine.length === 0) continue;
        const runId = stableUuid(`claude-code-step-run:${step.id}`);
        const totals = {
          inputTokens: 0,
          outputTokens: 0,
          cacheCreationTokens: 0,
          cacheCreation1hTokens: 0,
          cacheReadTokens: 0,
          costUsd: 0,
          costUnknown: false,
        };
        let model: string | null = null;
        for (const response of mine) {
          const eventId = `cc:usage:${response.key}`;
          const counted = tx.events.get(eventId);
          if (counted && counted.runId !== runId) continue; // an import counted it already, in its own run
          const cost = pricing.costOf(response.model, response.usage);
          totals.inputTokens += response.usage.inputTokens;
          totals.outputTokens += response.usage.outputTokens;
          totals.cacheCreationTokens += response.usage.cacheCreationTokens;
          totals.cacheCreation1hTokens += response.usage.cacheCreation1hTokens ?? 0;
          totals.cacheReadTokens += response.usage.cacheReadTokens;
          if ('usd' in cost) totals.costUsd += cost.usd;
          else totals.costUnknown = true;
          model = response.model;
          if (!tx.runs.get(runId)) {
            tx.runs.start({
              id: runId,
              sessionId: session.id,
              interactionId: step.id,
              provider: 'claude-code-cli',
              model,
              // The terminal's `claude` gets `--model` only from the step (else Claude Code's own default).
              modelAlias: stepOptionsOf(step.command.metadata).model ?? null,
              phase: commandPhaseOf(step.command),
              conversationId,
            });
          }
          if (!counted) {
            tx.events.append({
              id: eventId,
              sessionId: session.id,
              interactionId: step.id,
              runId,
              type: 'claude.usage',
              payload: {
                ...response.usage,
                model: response.model,
                key: response.key,
                line: response.line,
                costUsd: 'usd' in cost ? cost.usd : null,
                source: 'manual-step',
              },
              ts: response.at,
            });
          }
        }
        const run = tx.runs.get(runId);
        if (!run) continue;
        const same =
          run.inputTokens === totals.inputTokens &&
          run.outputTokens === totals.outputTokens &&
          run.cacheCreationTokens === totals.cacheCreationTokens &&
          run.cacheCreation1hTokens === totals.cacheCreation1hTokens &&
          run.cacheReadTokens === totals.cacheReadTokens &&
          Math.abs(run.costUsd - totals.costUsd) < 1e-12 &&
          run.costUnknown === totals.costUnknown &&
          run.status === 'ok';
        if (!same) tx.runs.update(runId, { status: 'ok', model, ...totals });
      }
    });
  }

  /** After an ingest: manual Claude steps still running whose Stop or SessionEnd hook arrived get their usage now. */
  private async recordUsageOfStoppedSteps(): Promise<void> {
    for (const step of this.deps.store.interactions.listPending()) {
      if (step.command.kind !== 'claude' || step.command.step === IMPORTED_TURN_STEP) continue;
      const stops = this.deps.store.events.list(step.sessionId, { interactionId: step.id, type: USAGE_HOOK_EVENTS, limit: 1 });
      if (stops.length > 0) await this.recordClaudeStepUsage(step.sessionId, step.id);
    }
  }

  private serialised<T>(work: () => Promise<T>): Promise<T> {
    const next = this.chain.then(work, work);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private requireWorkspace(): string {
    const root = this.deps.workspaceRoot;
    if (!root) throw new Error('Open a folder first: Claude Code history belongs to a workspace folder.');
    return root;
  }

  /** Menus offer Connect or Disconnect by this context key. */
  private updateContext(): void {
    void vscode.commands.executeCommand('setContext', 'sessionLedger.claudeHooksConnected', this.connected);
  }

  private startWatching(): void {
    if (this.watching || this.isDisposed) return;
    const onChange = () => {
      if (spoolHasUnread(this.spoolPath)) void this.ingest().catch((e) => this.deps.log.error('ingesting the hook spool failed', e));
    };
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(this.deps.storageDir), SPOOL_FILE));
    const timer = setInterval(onChange, INGEST_POLL_MS);
    this.watching = vscode.Disposable.from(watcher, watcher.onDidChange(onChange), watcher.onDidCreate(onChange), {
      dispose: () => clearInterval(timer),
    });
  }

  private stopWatching(): void {
    this.watching?.dispose();
    this.watching = undefined;
  }
}
