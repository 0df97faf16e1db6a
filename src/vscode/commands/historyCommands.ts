import * as vscode from 'vscode';
import { readFile } from 'node:fs/promises';
import { ClaudeSettingsError } from '../../core/claudeCode/hookSettings';
import { describeImportProblem, LedgerImportError, parseLedgerExport } from '../../core/ledger/importValidation';
import { importLedger, type LedgerImportReport } from '../../core/ledger/ledgerImport';
import {
  applyRetentionPlan,
  countPrunableEvents,
  describeRetentionPlan,
  planRetention,
  type RetentionPlan,
  type RetentionPolicy,
} from '../../core/ledger/retention';
import { searchLedger } from '../../core/ledger/search';
import type { SearchHit } from '../../core/store/queries/searchQueries';
import { describeTranscriptImport, type TranscriptImportReport } from '../../core/claudeCode/transcriptImportReport';
import type { ClaudeCodeHistory } from '../ClaudeCodeHistory';
import { exportAllSessionsToFile } from '../exportSession';
import type { LedgerConfig } from '../config';
import { sessionDescription, statusPresentation } from '../sessionPresentation';
import { ensureTrusted } from '../workspaceTrust';
import type { CommandDeps } from './types';
import { UserFacingError } from '../userFacingError';

/** Commands over Claude Code history and the ledger as a whole: hooks, import, search, export, retention. */
export interface HistoryDeps extends CommandDeps {
  readonly history: ClaudeCodeHistory;
  openTimeline(sessionId: string, focusInteractionSeq?: number): Promise<void>;
}

/** A count with its noun, each form translated whole ("1 session", "3 sessions"). */
const count = {
  entries: (n: number) => (n === 1 ? vscode.l10n.t('1 entry') : vscode.l10n.t('{0} entries', n)),
  sessions: (n: number) => (n === 1 ? vscode.l10n.t('1 session') : vscode.l10n.t('{0} sessions', n)),
  records: (n: number) => (n === 1 ? vscode.l10n.t('1 record') : vscode.l10n.t('{0} records', n)),
  childSessions: (n: number) => (n === 1 ? vscode.l10n.t('1 child session') : vscode.l10n.t('{0} child sessions', n)),
  deletedSessions: (n: number) => (n === 1 ? vscode.l10n.t('1 deleted session') : vscode.l10n.t('{0} deleted sessions', n)),
  noisyEvents: (n: number) => (n === 1 ? vscode.l10n.t('1 noisy event') : vscode.l10n.t('{0} noisy events', n)),
};

/** An optional file argument (tests and other extensions pass one; people get a dialog). */
function uriArgument(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string' && arg) return vscode.Uri.file(arg);
  return undefined;
}

function settingsError(error: unknown): never {
  if (error instanceof ClaudeSettingsError) {
    throw new UserFacingError(vscode.l10n.t('{0} Fix the file (it was not changed) and try again.', error.message));
  }
  throw error;
}

export async function connectClaudeHooks(deps: HistoryDeps): Promise<void> {
  if (
    !ensureTrusted(
      vscode.l10n.t('Connecting Claude Code hooks'),
      vscode.l10n.t('the hooks make Claude Code run a script of this extension on every event'),
    )
  )
    return;
  let result;
  try {
    result = deps.history.connect();
  } catch (error) {
    settingsError(error);
  }
  const where = vscode.workspace.asRelativePath(result.settingsPath);
  const settingsPath = result.settingsPath;
  void vscode.window
    .showInformationMessage(
      !result.changed
        ? vscode.l10n.t('Claude Code hooks were already connected in {0}.', where)
        : result.backupPath
          ? vscode.l10n.t(
              'Claude Code hooks connected in {0} (your original file is kept beside it as a .session-ledger.bak backup). Claude Code sessions started in this workspace are now recorded.',
              where,
            )
          : vscode.l10n.t('Claude Code hooks connected in {0}. Claude Code sessions started in this workspace are now recorded.', where),
      vscode.l10n.t('Open Settings File'),
    )
    .then((choice) => (choice ? vscode.window.showTextDocument(vscode.Uri.file(settingsPath)) : undefined));
}

export async function disconnectClaudeHooks(deps: HistoryDeps): Promise<void> {
  let result;
  try {
    result = await deps.history.disconnect();
  } catch (error) {
    settingsError(error);
  }
  const where = vscode.workspace.asRelativePath(result.settingsPath);
  void vscode.window.showInformationMessage(
    result.removed > 0
      ? vscode.l10n.t('Claude Code hooks disconnected: {0} removed from {1}; other hooks were kept.', count.entries(result.removed), where)
      : vscode.l10n.t('No Session Ledger hooks were in {0}.', where),
  );
}

/** Import Claude Code History (progress, cancellable). Returns the report (for tests). */
export async function importClaudeHistory(deps: HistoryDeps, options?: unknown): Promise<TranscriptImportReport | undefined> {
  const configDir =
    typeof (options as { configDir?: unknown } | undefined)?.configDir === 'string'
      ? (options as { configDir: string }).configDir
      : undefined;
  const report = await deps.history.importTranscriptsWithProgress(vscode.ProgressLocation.Notification, { configDir });
  deps.tree.refresh();
  const needsLook = report.linesDamaged > 0 || report.subagentFilesWaiting.length > 0 || report.filesFailed.length > 0;
  void (needsLook ? vscode.window.showWarningMessage : vscode.window.showInformationMessage)(
    vscode.l10n.t('Session Ledger: {0}', describeTranscriptImport(report)),
  );
  return report;
}

interface HitItem extends vscode.QuickPickItem {
  hit: SearchHit;
}

function kindLabel(kind: SearchHit['kind']): string {
  switch (kind) {
    case 'session':
      return vscode.l10n.t('session');
    case 'interaction':
      return vscode.l10n.t('step');
    case 'event':
      return vscode.l10n.t('event');
  }
}

/** Quick-pick items for `text` (exported for tests). */
export function searchItems(deps: Pick<CommandDeps, 'store'>, text: string): HitItem[] {
  const hits = searchLedger(deps.store.sql, text, { limitPerKind: 40 });
  return hits.map((hit) => ({
    label: hit.sessionTitle,
    description: `${kindLabel(hit.kind)}${hit.interactionSeq !== null ? ` #${hit.interactionSeq}` : ''} · ${new Date(hit.at).toLocaleString()}`,
    detail: hit.snippet.replace(/\s+/g, ' ').slice(0, 300),
    alwaysShow: true,
    hit,
  }));
}

type FindItem = HitItem | (vscode.QuickPickItem & { hit?: undefined; sessionId: string });

/**
 * A quick pick over full-text search hits; the picked one opens the timeline at its interaction.
 * `base` items (Find Session's session list) are shown too and filtered by the quick pick itself.
 */
async function pickHit(deps: HistoryDeps, title: string, placeholder: string, initial: unknown, base: FindItem[] = []): Promise<void> {
  const pick = vscode.window.createQuickPick<FindItem>();
  pick.title = title;
  pick.placeholder = placeholder;
  pick.matchOnDescription = true;
  pick.matchOnDetail = true;
  pick.items = base;
  // Events an import left to be indexed would be indexed by the first search, all at once on this thread: first in slices.
  let searchable = !deps.store.sql.searchPending;
  let hidden = false;
  const update = (text: string) => {
    if (!searchable) return;
    let hits: FindItem[] = [];
    try {
      hits = searchItems(deps, text);
    } catch (error) {
      deps.log.error('search failed', error);
    }
    const separator: FindItem[] =
      base.length && hits.length
        ? [{ label: vscode.l10n.t('Found in history'), kind: vscode.QuickPickItemKind.Separator, sessionId: '' }]
        : [];
    pick.items = [...base, ...separator, ...hits];
  };
  pick.onDidChangeValue(update);
  const chosen = new Promise<FindItem | undefined>((resolve) => {
    pick.onDidAccept(() => {
      const shown = pick.selectedItems[0] ?? pick.activeItems[0];
      if (!searchable && !shown) return; // while indexing, no hit is shown yet
      // Hits just shown may not have their active row back from the workbench yet: the first hit is the one shown active.
      resolve(shown ?? pick.items.find((i) => i.hit !== undefined));
    });
    pick.onDidHide(() => {
      hidden = true;
      resolve(undefined);
    });
  });
  if (typeof initial === 'string' && initial) {
    pick.value = initial;
    update(initial);
  }
  pick.show();
  if (!searchable) {
    pick.busy = true;
    pick.placeholder = vscode.l10n.t('Indexing imported history for search…');
    await deps.store.sql.whenSearchable().catch((error: unknown) => deps.log.error('indexing for search failed', error));
    searchable = true;
    pick.busy = false;
    pick.placeholder = placeholder;
    if (!hidden) update(pick.value);
  }
  const item = await chosen;
  pick.dispose();
  if (!item) return;
  if (item.hit) await deps.openTimeline(item.hit.sessionId, item.hit.interactionSeq ?? undefined);
  else await deps.openTimeline(item.sessionId);
}

/**
 * Search History: full-text search over titles, goals, commands, outputs, Claude text and event
 * payloads. An optional string argument prefills the query.
 */
export function searchHistory(deps: HistoryDeps, initial?: unknown): Promise<void> {
  return pickHit(
    deps,
    vscode.l10n.t('Search History'),
    vscode.l10n.t('Words to find in sessions, steps, outputs, Claude text and events (the last word may be a prefix)'),
    initial,
  );
}

/** Find Session: the sessions by title, type, phase or goal, and below them what full-text search finds in their history. */
export function findSession(deps: HistoryDeps, initial?: unknown): Promise<void> {
  const sessions = deps.store.sessions.list({ deleted: 'exclude', limit: 5000 });
  if (sessions.length === 0) {
    void vscode.window.showInformationMessage(
      vscode.l10n.t('There is no session yet. Create one with "Session Ledger: New Session", or import Claude Code history.'),
    );
    return Promise.resolve();
  }
  const base: FindItem[] = sessions.map((s) => ({
    label: `$(${statusPresentation[s.status].icon}) ${s.title}`,
    description: `${s.id === deps.active.id ? vscode.l10n.t('active · ') : ''}${sessionDescription(s)}`,
    detail: s.intention || undefined,
    sessionId: s.id,
  }));
  return pickHit(
    deps,
    vscode.l10n.t('Find Session'),
    vscode.l10n.t('Type to filter sessions by title, type, phase or goal, and to search their history'),
    initial,
    base,
  );
}

/** Export All Sessions: every session (deleted ones included) to lossless JSON or readable Markdown. */
export function exportAllSessions(deps: HistoryDeps, target?: unknown): Promise<void> {
  return exportAllSessionsToFile(deps.store, uriArgument(target), {
    extraPatterns: deps.config.value['redaction.extraPatterns'],
    absolutePaths: deps.config.value['export.absolutePaths'],
  });
}

/** Import Sessions from a JSON export; returns the report (for tests). Re-importing the same file adds nothing. */
export async function importSessions(deps: HistoryDeps, source?: unknown): Promise<LedgerImportReport | undefined> {
  let uri = uriArgument(source);
  if (!uri) {
    const picked = await vscode.window.showOpenDialog({
      title: vscode.l10n.t('Import Sessions'),
      canSelectMany: false,
      filters: { [vscode.l10n.t('Session Ledger export')]: ['json'] },
    });
    uri = picked?.[0];
    if (!uri) return undefined;
  }
  const file = vscode.workspace.asRelativePath(uri);
  let report;
  try {
    const data = parseLedgerExport(await readFile(uri.fsPath, 'utf8'), file);
    // The export's own path and redaction rules: a record exported from this store and imported back is "already here".
    report = await importLedger(deps.store, data, { file, workspaceFolder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? null });
  } catch (error) {
    // Nothing of the file was written; the message names the file, the record and the field.
    if (error instanceof LedgerImportError) throw new UserFacingError(error.message);
    throw error;
  }
  deps.tree.refresh();
  const parts = [
    vscode.l10n.t('{0} added', count.sessions(report.sessionsAdded)),
    vscode.l10n.t('{0} merged', report.sessionsMerged),
    vscode.l10n.t('{0} added', count.records(report.recordsAdded)),
    vscode.l10n.t('{0} already here', report.recordsUnchanged),
  ];
  if (report.conflicts.length) {
    const shown = report.conflicts.slice(0, 3).map(describeImportProblem).join('; ');
    parts.push(
      vscode.l10n.t(
        '{0} not imported because different content with the same id or seq is stored here (kept): {1}',
        count.records(report.conflicts.length),
        `${shown}${report.conflicts.length > 3 ? '; …' : ''}`,
      ),
    );
  }
  if (report.detachedFromParent.length)
    parts.push(vscode.l10n.t('{0} imported at top level (parent missing)', count.childSessions(report.detachedFromParent.length)));
  const message = vscode.l10n.t('Session Ledger: imported {0}: {1}.', file, parts.join(', '));
  if (report.conflicts.length) void vscode.window.showWarningMessage(message);
  else void vscode.window.showInformationMessage(message);
  return report;
}

/** The retention policy of the settings (0 = rule off). */
export function retentionPolicy(config: LedgerConfig): RetentionPolicy {
  return {
    maxAgeDays: config['retention.maxAgeDays'] || undefined,
    hardDeleteAfterDays: config['retention.graceDays'] || undefined,
    pruneEventTypes: config['retention.pruneEventTypes'],
  };
}

/** Plans retention from the settings (exported for tests). */
export function planRetentionNow(deps: Pick<CommandDeps, 'store' | 'config'>, now = Date.now()): RetentionPlan {
  const policy = retentionPolicy(deps.config.value);
  return planRetention(
    policy,
    deps.store.sessions.listAll({ deleted: 'include' }),
    countPrunableEvents(deps.store.sql, policy.pruneEventTypes ?? []),
    now,
  );
}

/**
 * Clean Up History (Retention)…: opt-in. Shows the dry-run report in an untitled document, asks
 * for a modal confirmation, then applies exactly that plan. Nothing is deleted without it.
 */
export async function cleanUpHistory(deps: HistoryDeps): Promise<void> {
  if (!deps.config.value['retention.enabled']) {
    void vscode.window
      .showInformationMessage(
        vscode.l10n.t(
          'Session Ledger: retention is off. Turn on "sessionLedger.retention.enabled" and choose its limits to clean up old history; nothing is ever deleted without your confirmation.',
        ),
        vscode.l10n.t('Open Settings'),
      )
      .then((choice) => choice && vscode.commands.executeCommand('workbench.action.openSettings', 'sessionLedger.retention'));
    return;
  }
  const plan = planRetentionNow(deps);
  const pruned = plan.pruneEvents.reduce((n, p) => n + p.count, 0);
  if (plan.softDelete.length + plan.hardDelete.length + pruned === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Session Ledger: nothing to clean up under the current retention settings.'));
    return;
  }
  const document = await vscode.workspace.openTextDocument({ content: describeRetentionPlan(plan), language: 'markdown' });
  await vscode.window.showTextDocument(document, { preview: true });
  const summary = [
    plan.softDelete.length ? vscode.l10n.t('move {0} to Deleted (restorable)', count.sessions(plan.softDelete.length)) : '',
    plan.hardDelete.length ? vscode.l10n.t('permanently remove {0}', count.deletedSessions(plan.hardDelete.length)) : '',
    pruned ? vscode.l10n.t('remove {0}', count.noisyEvents(pruned)) : '',
  ].filter(Boolean);
  const apply = vscode.l10n.t('Apply');
  const choice = await vscode.window.showWarningMessage(
    vscode.l10n.t('Clean up history: {0}?', summary.join(', ')),
    { modal: true, detail: vscode.l10n.t('The dry-run report is open in the editor. Permanently removed sessions cannot be restored.') },
    apply,
  );
  if (choice !== apply) return;
  const result = await applyRetentionPlan(deps.store, deps.store.sql, plan);
  deps.tree.refresh();
  void vscode.window.showInformationMessage(
    vscode.l10n.t(
      'Session Ledger: {0} session(s) moved to Deleted, {1} removed for good, {2} event(s) pruned.',
      result.softDeleted,
      result.hardDeleted,
      result.eventsPruned,
    ),
  );
}
