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
import { importClaudeTranscripts, type TranscriptImportOptions } from '../core/claudeCode/transcriptImport';
import { describeTranscriptImport, type TranscriptImportReport } from '../core/claudeCode/transcriptImportReport';
import { transcriptResponses } from '../core/claudeCode/transcriptResponses';
import { IMPORTED_TURN_STEP } from '../core/claudeCode/transcriptTurns';
import type { Interaction } from '../core/model/interaction';
import type { Session } from '../core/model/session';
import type { SessionStore } from '../core/store/SessionStore';
import type { Config } from './config';
import { DisposableOwner } from './lifecycle';
import { applyStepUsage, transcriptPathOf, USAGE_HOOK_EVENTS } from './claudeStepUsage';
import type { Logger } from './logger';

export const SPOOL_FILE = 'claude-hooks.spool.jsonl';
const TRANSCRIPT_STATE_FILE = 'claude-transcripts.json';
/** Fallback poll while hooks are connected (file watchers can miss events outside the workspace). */
const INGEST_POLL_MS = 3000;
export const CONNECT_HOOKS_COMMAND = 'sessionLedger.connectClaudeHooks';
export const USAGE_UNAVAILABLE_EVENT = 'claude.usage.unavailable';
export type { ClaudeStepUsage } from './claudeStepUsage';
import type { ClaudeStepUsage } from './claudeStepUsage';

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
      const transcriptPath = transcriptPathOf(this.deps.store, this.deps.workspaceRoot, session, conversationId);
      let stat: { size: number; mtimeMs: number };
      try {
        stat = statSync(transcriptPath);
      } catch {
        return { recorded: false, transcriptPath, reason: `No Claude Code transcript at ${transcriptPath}.` };
      }
      const seen = this.transcriptStats.get(transcriptPath);
      const unchanged = seen && seen.size === stat.size && seen.mtimeMs === stat.mtimeMs;
      if (!unchanged) {
        await applyStepUsage(
          this.deps.store,
          this.deps.config.pricing,
          session,
          conversationId,
          transcriptResponses(readFileSync(transcriptPath, 'utf8')),
        );
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
