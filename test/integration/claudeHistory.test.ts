import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { importedSessionId } from '../../src/core/claudeCode/claudeSessions';
import type { LedgerImportReport } from '../../src/core/ledger/ledgerImport';
import { claudeProjectDir } from '../../src/core/claudeCode/transcriptFiles';
import type { TranscriptImportReport } from '../../src/core/claudeCode/transcriptImportReport';
import { planRetentionNow, searchItems } from '../../src/vscode/commands/historyCommands';
import { applyRetentionPlan } from '../../src/core/ledger/retention';
import type { SessionLedgerApi } from '../../src/extension';
import { activateExtension, extensionId, waitFor, within } from './helpers';

/*
 * Claude Code history and the ledger as a whole in the extension host: transcript import, search,
 * Show Usage, export and import, retention. Each test imports the transcripts it needs itself
 * (re-importing adds nothing), so any one of them runs alone. Hooks: claudeHooks.test.ts.
 */

/** The transcript fixture with a Sonnet and a Haiku turn (test/fixtures/claudeCode/transcripts), in two parts. */
const MAIN = '5e551017-0000-4000-8000-00000000000a';

/**
 * Runs a quick-pick command with the query 'zanzibar delimiter', accepts the selected item (as a
 * person pressing Enter; retried until the quick pick is up) and returns the timeline tab it opened.
 */
async function pickAndOpen(command: string, tabLabel: string): Promise<vscode.Tab> {
  const tabOf = () =>
    vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.label === tabLabel);
  assert.equal(tabOf(), undefined, `${tabLabel} is not open yet`);
  const done = vscode.commands.executeCommand(command, 'zanzibar delimiter');
  const tab = await waitFor(`${command}: the timeline tab of the picked item`, async () => {
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    await new Promise((r) => setTimeout(r, 200));
    return tabOf();
  });
  await done;
  return tab;
}

describe('Claude Code history and the ledger in the extension host', () => {
  let api: SessionLedgerApi;
  let workspace: string;
  let fixturesDir: string;

  /** Imports the whole MAIN transcript (both parts) with Import Claude Code History, from a CLAUDE_CONFIG_DIR of its own. */
  async function importMainTranscript(): Promise<void> {
    const configDir = mkdtempSync(join(tmpdir(), 'claude-config-main-'));
    try {
      const projectDir = claudeProjectDir(workspace, configDir);
      mkdirSync(projectDir, { recursive: true });
      const target = join(projectDir, `${MAIN}.jsonl`);
      copyFileSync(join(fixturesDir, `${MAIN}.part1.jsonl`), target);
      appendFileSync(target, readFileSync(join(fixturesDir, `${MAIN}.part2.jsonl`)));
      await vscode.commands.executeCommand('sessionLedger.importClaudeHistory', { configDir });
      assert.ok(api.store.sessions.get(importedSessionId(MAIN)), 'the transcript is in the ledger');
    } finally {
      rmSync(configDir, { recursive: true, force: true });
    }
  }

  before(async () => {
    api = await activateExtension();
    workspace = vscode.workspace.workspaceFolders![0].uri.fsPath;
    // The repo's fixtures (the test bundle runs from out/test/integration).
    fixturesDir = join(vscode.extensions.getExtension(extensionId)!.extensionPath, 'test', 'fixtures', 'claudeCode', 'transcripts');
  });

  it('imports Claude Code transcripts from CLAUDE_CONFIG_DIR incrementally, and finds them with search and the tree filter', async () => {
    const configDir = mkdtempSync(join(tmpdir(), 'claude-config-it-'));
    try {
      const projectDir = claudeProjectDir(workspace, configDir);
      mkdirSync(projectDir, { recursive: true });
      const target = join(projectDir, `${MAIN}.jsonl`);
      copyFileSync(join(fixturesDir, `${MAIN}.part1.jsonl`), target);

      const first = (await vscode.commands.executeCommand('sessionLedger.importClaudeHistory', { configDir })) as TranscriptImportReport;
      assert.equal(first.filesRead, 1);
      const session = api.store.sessions.require(importedSessionId(MAIN));
      assert.equal(session.externalConversationId, MAIN);
      assert.equal(api.store.interactions.list(session.id).length, 2);

      appendFileSync(target, readFileSync(join(fixturesDir, `${MAIN}.part2.jsonl`)));
      const second = (await vscode.commands.executeCommand('sessionLedger.importClaudeHistory', { configDir })) as TranscriptImportReport;
      assert.equal(second.createdSessionIds.length, 0);
      const updated = api.store.sessions.require(session.id);
      // Hand-checked in test/unit/claudeCode/transcriptImport.test.ts: usage counted once per API response.
      assert.deepEqual(
        [updated.inputTokens, updated.outputTokens, updated.cacheCreationTokens, updated.cacheReadTokens],
        [38, 241, 180, 9100],
      );
      assert.ok(Math.abs(updated.totalCostUsd - 0.006336) < 1e-9, `cost ${updated.totalCostUsd}`);
      // The reply of the turn the appended part continued is whole; the session is dated by its lines.
      assert.equal(
        api.store.interactions.getBySeq(session.id, 2)?.result.output,
        'Adding a delimiter option.\n\nThe delimiter option is in place.',
      );
      assert.equal(updated.endedAt, Date.parse('2026-03-01T10:00:21.000Z'));

      const third = (await vscode.commands.executeCommand('sessionLedger.importClaudeHistory', { configDir })) as TranscriptImportReport;
      assert.equal(third.filesSkipped, 1, 'an unchanged file is skipped');
      assert.equal(third.interactionsAdded + third.eventsAdded, 0);

      // Full-text search: a word only in a prompt (not the title) finds the step.
      const items = searchItems(api, 'zanzib');
      const hit = items.find((i) => i.hit.sessionId === session.id && i.hit.kind === 'interaction');
      assert.ok(hit, `search hits: ${JSON.stringify(items.map((i) => i.hit))}`);
      assert.equal(hit.hit.interactionSeq, 2);

      // The tree filter uses search too.
      api.tree.setFilter('zanzibar');
      const shown = api.tree.getChildren().flatMap((group) => api.tree.getChildren(group));
      assert.ok(
        shown.some((n) => n.kind === 'session' && n.session.id === session.id),
        'the imported session is shown by the filter',
      );
      assert.ok(!shown.some((n) => n.kind === 'session' && n.session.title === 'Hooked Claude session'));
      api.tree.setFilter(undefined);

      // Events an import leaves to be indexed for search (a bulk commit, like its chunks): the filter indexes them in
      // slices first (a search would index them all at once on the extension host's thread), then shows what they match.
      const bulkWord = async (word: string) => {
        const event = { id: `it-bulk-${word}`, sessionId: session.id, type: 'claude.text', payload: { text: `a ${word} here` } };
        await api.store.commit((tx) => void tx.events.append(event)).durable;
        assert.equal(api.store.sql.searchPending, true, 'a bulk commit leaves its events to the indexer');
      };
      await bulkWord('quetzalcoatl');
      const indexed = new Promise<void>((resolve) => {
        const listening = api.tree.onDidChangeTreeData(() => {
          if (api.store.sql.searchPending) return;
          listening.dispose();
          resolve();
        });
      });
      api.tree.setFilter('quetzalcoatl');
      api.tree.getChildren().flatMap((group) => api.tree.getChildren(group));
      await within('the filter indexed what waited, then refreshed', indexed);
      assert.ok(
        api.tree
          .getChildren()
          .flatMap((group) => api.tree.getChildren(group))
          .some((n) => n.kind === 'session' && n.session.id === session.id),
        'the session is shown once the waiting event is searchable',
      );
      api.tree.setFilter(undefined);

      // Search History: the picked hit opens the timeline at its interaction (that row is focused and open), also
      // when events wait to be indexed as it opens (it indexes them first, showing that it is busy).
      await bulkWord('axolotl');
      const hitTab = await pickAndOpen('sessionLedger.searchHistory', `Timeline: ${session.title}`);
      assert.equal(api.store.sql.searchPending, false);
      const hitPanel = api.timelines.get(session.id);
      assert.ok(hitPanel, 'the extension tracks the panel the command opened');
      await within(
        'the timeline focused on the hit',
        hitPanel.test.whenRendered((r) => r.focusedSeq === 2),
      );
      await vscode.window.tabGroups.close(hitTab);

      // Find Session searches history too: the word is only in a prompt, not in any title or goal.
      await vscode.window.tabGroups.close(await pickAndOpen('sessionLedger.findSession', `Timeline: ${session.title}`));
    } finally {
      rmSync(configDir, { recursive: true, force: true });
    }
  });

  it('imports transcripts under a status-bar progress indicator, as at startup (importTranscriptsOnStartup)', async () => {
    const UNPRICED = '5e551017-0000-4000-8000-00000000000b';
    const configDir = mkdtempSync(join(tmpdir(), 'claude-config-window-'));
    try {
      const projectDir = claudeProjectDir(workspace, configDir);
      mkdirSync(projectDir, { recursive: true });
      copyFileSync(join(fixturesDir, `${UNPRICED}.jsonl`), join(projectDir, `${UNPRICED}.jsonl`));
      const report = await within(
        'the status-bar import',
        Promise.resolve(api.claudeHistory.importTranscriptsWithProgress(vscode.ProgressLocation.Window, { configDir })),
      );
      assert.equal(report.cancelled, false);
      assert.equal(report.filesRead, 1);
      assert.ok(api.store.sessions.get(importedSessionId(UNPRICED)), 'the transcript was imported');
    } finally {
      rmSync(configDir, { recursive: true, force: true });
    }
  });

  it('Show Usage opens a strict-CSP webview that renders the report: chart bars, models, top sessions', async () => {
    await importMainTranscript();
    const panel = (await vscode.commands.executeCommand('sessionLedger.showUsage')) as {
      panel: vscode.WebviewPanel;
      test: {
        whenRendered(
          p?: (r: { days: number; models: number; sessions: number; bars: number }) => boolean,
        ): Promise<{ days: number; models: number; sessions: number; bars: number }>;
      };
      dispose(): void;
    };
    assert.equal(panel.panel.viewType, 'sessionLedger.usage');
    assert.match(panel.panel.webview.html, /default-src 'none'; style-src [^;]+; img-src [^;]+; script-src 'nonce-[A-Za-z0-9+/=]{16,}'/);
    // The MAIN transcript has Sonnet and Haiku responses: at least two models.
    const rendered = await within(
      'the usage render',
      panel.test.whenRendered((r) => r.models >= 2),
    );
    assert.ok(rendered.bars >= 1 && rendered.bars === Math.min(rendered.days, 60), JSON.stringify(rendered));
    assert.ok(rendered.sessions >= 1);
    panel.dispose();
  });

  it('exports every session to JSON and re-imports it idempotently', async () => {
    await importMainTranscript();
    const dir = mkdtempSync(join(tmpdir(), 'ledger-export-it-'));
    try {
      const file = join(dir, 'all.json');
      await vscode.commands.executeCommand('sessionLedger.exportAllSessions', file);
      const exported = JSON.parse(readFileSync(file, 'utf8')) as { format: string; sessions: { id: string }[] };
      assert.equal(exported.format, 'session-ledger');
      assert.ok(exported.sessions.some((s) => s.id === importedSessionId(MAIN)));
      const report = (await vscode.commands.executeCommand('sessionLedger.importSessions', file)) as LedgerImportReport;
      assert.equal(report.sessionsAdded, 0);
      assert.equal(report.recordsAdded, 0, 'nothing duplicated');
      assert.ok(report.recordsUnchanged > 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('redacts your own secret patterns from exports (sessionLedger.redaction.extraPatterns) and keeps paths relative unless asked', async () => {
    const config = vscode.workspace.getConfiguration('sessionLedger');
    const folder = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    const inside = join(folder, 'src', 'deploy-target.ts');
    const session = await api.store.sessions.create({
      type: 'test-fix',
      title: 'Export settings',
      intention: 'x',
      workspaceFolder: folder,
    });
    await api.store.events.append({
      id: randomUUID(),
      sessionId: session.id,
      type: 'hook.PreToolUse',
      payload: { tool_input: { command: `deploy --token corp-ABCDEF0123456789 --file ${inside}` } },
    });
    const dir = mkdtempSync(join(tmpdir(), 'ledger-export-settings-'));
    await config.update('redaction.extraPatterns', ['corp-[A-Z0-9]{16}'], vscode.ConfigurationTarget.Workspace);
    try {
      await waitFor('the redaction setting', () => (api.config.value['redaction.extraPatterns'].length === 1 ? true : undefined));
      const file = join(dir, 'redacted.json');
      await vscode.commands.executeCommand('sessionLedger.exportAllSessions', file);
      const text = readFileSync(file, 'utf8');
      assert.ok(text.includes('Export settings'), 'the session is exported');
      assert.ok(!text.includes('corp-ABCDEF0123456789'), 'your own pattern is redacted');
      assert.match(text, /\[REDACTED:custom\]/);
      assert.ok(!text.includes(inside), 'by default, a path inside the workspace is written relative to it');
      await config.update('export.absolutePaths', true, vscode.ConfigurationTarget.Workspace);
      await waitFor('the absolute-paths setting', () => (api.config.value['export.absolutePaths'] ? true : undefined));
      const absolute = join(dir, 'absolute.json');
      await vscode.commands.executeCommand('sessionLedger.exportAllSessions', absolute);
      assert.ok(readFileSync(absolute, 'utf8').includes(inside), 'asked for: absolute paths kept');
    } finally {
      await config.update('redaction.extraPatterns', undefined, vscode.ConfigurationTarget.Workspace);
      await config.update('export.absolutePaths', undefined, vscode.ConfigurationTarget.Workspace);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('retention is off by default; when on, its plan soft-deletes old completed sessions and later removes them, journalled through store.sql', async () => {
    const config = vscode.workspace.getConfiguration('sessionLedger');
    assert.equal(api.config.value['retention.enabled'], false, 'off by default');
    const old = await api.store.sessions.create({ type: 'test-fix', title: 'Finished long ago', intention: 'x' });
    await api.store.events.append({ id: randomUUID(), sessionId: old.id, type: 'hook.PreToolUse', payload: { n: 1 } });
    await api.store.sessions.update(old.id, { status: 'complete' });
    const running = await api.store.sessions.create({ type: 'test-fix', title: 'Still active', intention: 'x' });

    await vscode.commands.executeCommand('sessionLedger.cleanUpHistory');
    assert.equal(api.store.sessions.get(old.id)?.deletedAt, null, 'nothing is deleted while retention is off');

    await config.update('retention.enabled', true, vscode.ConfigurationTarget.Workspace);
    await config.update('retention.pruneEventTypes', ['hook.*'], vscode.ConfigurationTarget.Workspace);
    try {
      await waitFor('the retention settings', () => (api.config.value['retention.enabled'] ? true : undefined));
      const day = 24 * 60 * 60 * 1000;
      const plan = planRetentionNow(api, Date.now() + (api.config.value['retention.maxAgeDays'] + 1) * day);
      assert.ok(
        plan.softDelete.some((s) => s.sessionId === old.id),
        'the old completed session is planned for soft delete',
      );
      assert.ok(!plan.softDelete.some((s) => s.sessionId === running.id), 'an active session is exempt');
      assert.ok(plan.pruneEvents.some((p) => p.sessionId === old.id && p.types['hook.PreToolUse'] === 1));
      const result = await applyRetentionPlan(api.store, api.store.sql, plan);
      assert.ok(result.softDeleted >= 1 && result.eventsPruned >= 1);
      assert.notEqual(api.store.sessions.get(old.id)?.deletedAt, null, 'soft-deleted: restorable');
      assert.equal(api.store.events.list(old.id, { limit: 10 }).length, 0, 'the noisy events are pruned');

      const later = planRetentionNow(api, Date.now() + (api.config.value['retention.graceDays'] + 1) * day);
      assert.ok(
        later.hardDelete.some((s) => s.sessionId === old.id),
        'after the grace period it is planned for removal',
      );
      await applyRetentionPlan(api.store, api.store.sql, later);
      assert.equal(api.store.sessions.get(old.id), undefined, 'removed for good');
      assert.equal(api.store.sessions.get(running.id)?.deletedAt, null);
    } finally {
      await config.update('retention.enabled', undefined, vscode.ConfigurationTarget.Workspace);
      await config.update('retention.pruneEventTypes', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
});
