import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { importedSessionId } from '../../src/core/claudeCode/claudeSessions';
import { CLAUDE_HOOK_EVENTS } from '../../src/core/claudeCode/hookProtocol';
import type { LedgerImportReport } from '../../src/core/ledger/ledgerImport';
import { claudeProjectDir } from '../../src/core/claudeCode/transcriptFiles';
import type { TranscriptImportReport } from '../../src/core/claudeCode/transcriptImport';
import type { Logger } from '../../src/vscode/logger';
import { TimelinePanels } from '../../src/vscode/timeline/registration';
import { planRetentionNow, searchItems } from '../../src/vscode/commands/historyCommands';
import { applyRetentionPlan } from '../../src/core/ledger/retention';
import type { SessionLedgerApi } from '../../src/extension';
import { activateExtension, extensionId, waitFor, within } from './helpers';
import { startFakeAnthropic } from '../fakes/fakeAnthropic';
import { makeRealClaudeHome, realClaudeToolScript, requireRealClaude, runRealClaude } from '../harness/realClaude';

const quietLog: Logger = {
  info: () => undefined,
  warn: () => undefined,
  debug: () => undefined,
  error: () => undefined,
  child: () => quietLog,
};

type HookEntry = { matcher?: string; hooks: { type: string; command: string }[] };
type ClaudeSettings = { permissions?: unknown; hooks: Record<string, HookEntry[]> };

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

/** The repo's fixtures (the test bundle runs from out/test/integration). */
const fixturesDir = (extensionPath: string) => join(extensionPath, 'test', 'fixtures', 'claudeCode');

describe('Claude Code history in the extension host', () => {
  let api: SessionLedgerApi;
  let workspace: string;
  let extensionPath: string;
  let extensionUri: vscode.Uri;
  let panels: TimelinePanels | undefined;
  const settingsPath = () => join(workspace, '.claude', 'settings.local.json');
  const readSettings = () => JSON.parse(readFileSync(settingsPath(), 'utf8')) as ClaudeSettings;

  before(async () => {
    api = await activateExtension();
    workspace = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const extension = vscode.extensions.getExtension(extensionId)!;
    extensionPath = extension.extensionPath;
    extensionUri = extension.extensionUri;
  });

  after(async () => {
    panels?.dispose();
    if (api.claudeHistory.connected) await vscode.commands.executeCommand('sessionLedger.disconnectClaudeHooks');
  });

  it('connects hooks (foreign ones kept); the REAL Claude Code CLI fires them and the events show in the session and its timeline', async function () {
    this.timeout(180_000);
    const bin = requireRealClaude(this);
    mkdirSync(join(workspace, '.claude'), { recursive: true });
    const foreign = { matcher: 'Bash', hooks: [{ type: 'command', command: 'echo foreign-hook' }] };
    writeFileSync(settingsPath(), JSON.stringify({ permissions: { allow: ['Bash(ls)'] }, hooks: { PreToolUse: [foreign] } }, null, 2));

    await vscode.commands.executeCommand('sessionLedger.connectClaudeHooks');
    const settings = readSettings();
    assert.deepEqual(settings.permissions, { allow: ['Bash(ls)'] }, 'other settings are kept');
    assert.deepEqual(settings.hooks.PreToolUse[0], foreign, 'the foreign hook is kept');
    // The hooks run a copy of the script in the extension's storage: the versioned install folder goes away on update.
    const script = api.claudeHistory.scriptPath;
    assert.ok(!script.startsWith(join(extensionPath, 'dist')), `the script copy ${script} is outside the bundled dist folder`);
    assert.deepEqual(readFileSync(script), readFileSync(join(extensionPath, 'dist', 'hookSpool.js')), 'the copy is the bundled script');
    const ours = (event: string) => settings.hooks[event]?.flatMap((g) => g.hooks).find((h) => h.command.includes(script));
    for (const event of CLAUDE_HOOK_EVENTS) assert.ok(ours(event), `our ${event} hook is in settings.local.json`);
    assert.ok(!JSON.stringify(settings).includes(join(extensionPath, 'dist')), 'no hook names the install folder');
    assert.equal(api.claudeHistory.connection, 'current');
    assert.ok(ours('PreToolUse')!.command.includes(api.claudeHistory.spoolPath), 'the hook writes to the spool in the extension storage');
    assert.equal(api.claudeHistory.connected, true);
    assert.ok(existsSync(`${settingsPath()}.session-ledger.bak`), 'the previous file is backed up');

    // The session Claude Code runs in: its conversation id is the hooks' session_id, a step is pending.
    const claudeSessionId = randomUUID();
    const session = await api.store.sessions.create({
      type: 'test-fix',
      title: 'Hooked Claude session',
      intention: 'Parse CSV',
      externalConversationId: claudeSessionId,
    });
    const step = await api.store.interactions.append({
      sessionId: session.id,
      step: 'fix',
      kind: 'claude',
      command: 'Write the CSV parser',
    });

    // The real CLI runs a turn with a Bash tool call in the workspace, where the hooks are connected.
    const fake = await startFakeAnthropic({
      idPrefix: 'hooks',
      script: realClaudeToolScript({ command: 'echo hooked-tool-output', finalText: 'The parser is written.' }),
    });
    const home = makeRealClaudeHome('claude-hooks-it-');
    let transcriptPath: string;
    try {
      const run = await runRealClaude({
        bin,
        baseUrl: fake.url,
        prompt: 'Write the CSV parser',
        cwd: workspace,
        home,
        sessionId: claudeSessionId,
        allowedTools: ['Bash(echo:*)'],
      });
      assert.equal(run.exitCode, 0, run.stderr);
      transcriptPath = run.transcriptPath;
    } finally {
      await fake.close();
    }

    // The watcher (or its poll) ingests on its own.
    const events = await waitFor(
      'the hook events in the session',
      () => {
        const list = api.store.events.list(session.id, { limit: 100 }).filter((e) => e.type.startsWith('hook.'));
        return list.some((e) => e.type === 'hook.SessionEnd') ? list : undefined;
      },
      30_000,
    );
    assert.deepEqual(
      events.map((e) => e.type),
      ['hook.SessionStart', 'hook.UserPromptSubmit', 'hook.PreToolUse', 'hook.PostToolUse', 'hook.Stop', 'hook.SessionEnd'],
    );
    assert.deepEqual(
      events.map((e) => e.toolName),
      [null, null, 'Bash', 'Bash', null, null],
    );
    assert.ok(
      events.every((e) => e.interactionId === step.id),
      'tied to the pending step',
    );
    const payloadOf = (i: number) =>
      events[i].payload as {
        prompt?: string;
        transcript_path?: string;
        tool_input?: { command?: string };
        tool_response?: { stdout?: string };
      };
    assert.equal(payloadOf(1).prompt, 'Write the CSV parser');
    assert.equal(payloadOf(2).tool_input?.command, 'echo hooked-tool-output');
    assert.equal(payloadOf(3).tool_response?.stdout, 'hooked-tool-output');
    assert.equal(payloadOf(4).transcript_path, transcriptPath);

    // The Stop hook brought the step its tokens and cost from the transcript, without any import.
    const stepRun = await waitFor('the usage of the step', () => api.store.runs.listByInteraction(step.id)[0], 15_000);
    assert.deepEqual(
      [stepRun.inputTokens, stepRun.outputTokens, stepRun.cacheCreationTokens, stepRun.cacheCreation1hTokens, stepRun.cacheReadTokens],
      [42, 65, 1700, 500, 1500],
    );
    assert.ok(stepRun.costUsd > 0);
    home.cleanup();

    // Re-ingesting adds nothing.
    const again = await api.claudeHistory.ingest();
    assert.equal(again.ingested, 0);

    // The timeline of the session renders the step; its events are what the timeline loads for it.
    panels = new TimelinePanels(extensionUri, { store: api.store, log: quietLog });
    const panel = panels.show(session.id, { focusInteractionSeq: step.seq });
    await within(
      'the timeline render',
      panel.test.whenRendered((r) => r.loadedRows === 1 && r.totalRows === 1),
    );
    assert.equal(panel.test.ready, true);
    const timelineEvents = api.store.events.list(session.id, { interactionId: step.id, after: 0, limit: 100 });
    assert.deepEqual(
      timelineEvents.map((e) => e.type).filter((t) => t.startsWith('hook.')),
      events.map((e) => e.type),
    );

    // A hook for an unknown Claude session lands in an imported session.
    const stranger = randomUUID();
    const run = spawnSync('/bin/sh', ['-c', ours('Stop')!.command], {
      input: JSON.stringify({ session_id: stranger, hook_event_name: 'Stop' }),
      encoding: 'utf8',
    });
    assert.equal(run.status, 0);
    const report = await api.claudeHistory.ingest();
    assert.equal(report.ingested, 1);
    assert.equal(api.store.sessions.get(importedSessionId(stranger))?.externalConversationId, stranger);

    await vscode.commands.executeCommand('sessionLedger.disconnectClaudeHooks');
    const after = readSettings();
    assert.deepEqual(after.hooks, { PreToolUse: [foreign] }, 'exactly our entries are removed');
    assert.equal(api.claudeHistory.connected, false);
  });

  it('at activation, rewrites hooks left by an older version (gone install folder) to the stable script copy, others untouched', async () => {
    const foreign = { matcher: 'Bash', hooks: [{ type: 'command', command: 'echo foreign-hook' }] };
    const oldScript = join(tmpdir(), 'gone', 'session-ledger-0.0.1', 'dist', 'hookSpool.js');
    const oldEntry = (event: string) => ({
      hooks: [
        { type: 'command', command: `node '${oldScript}' '${api.claudeHistory.spoolPath}' ${event} --session-ledger-hook`, timeout: 10 },
      ],
    });
    const hooks: Record<string, unknown[]> = Object.fromEntries(CLAUDE_HOOK_EVENTS.map((event) => [event, [oldEntry(event)]]));
    hooks.PreToolUse = [foreign, ...hooks.PreToolUse];
    writeFileSync(settingsPath(), JSON.stringify({ permissions: { allow: ['Bash(ls)'] }, hooks }, null, 2));
    rmSync(api.claudeHistory.scriptPath, { force: true }); // as if the storage copy were never made
    assert.equal(api.claudeHistory.connection, 'stale');

    api.claudeHistory.start(); // what activation runs
    assert.equal(api.claudeHistory.connection, 'current');
    assert.ok(existsSync(api.claudeHistory.scriptPath), 'the script copy is installed');
    const settings = readSettings();
    assert.deepEqual(settings.permissions, { allow: ['Bash(ls)'] });
    assert.deepEqual(settings.hooks.PreToolUse[0], foreign, 'the foreign hook is untouched');
    assert.ok(!JSON.stringify(settings).includes(oldScript), 'no hook names the old install folder');
    const stop = settings.hooks.Stop.flatMap((g) => g.hooks).find((h) => h.command.includes(api.claudeHistory.scriptPath))!;

    const claudeSessionId = randomUUID();
    const run = spawnSync('/bin/sh', ['-c', stop.command], {
      input: JSON.stringify({ session_id: claudeSessionId, hook_event_name: 'Stop' }),
      encoding: 'utf8',
    });
    assert.equal(run.status, 0);
    await waitFor(
      'the Stop event of the refreshed hook',
      () => (api.store.sessions.get(importedSessionId(claudeSessionId)) ? true : undefined),
      15_000,
    );
    assert.equal(api.store.events.list(importedSessionId(claudeSessionId), { limit: 10 })[0]?.type, 'hook.Stop');

    await vscode.commands.executeCommand('sessionLedger.disconnectClaudeHooks');
    assert.deepEqual(readSettings().hooks, { PreToolUse: [foreign] });
  });

  it('imports Claude Code transcripts from CLAUDE_CONFIG_DIR incrementally, and finds them with search and the tree filter', async () => {
    const MAIN = '5e551017-0000-4000-8000-00000000000a';
    const configDir = mkdtempSync(join(tmpdir(), 'claude-config-it-'));
    try {
      const projectDir = claudeProjectDir(workspace, configDir);
      mkdirSync(projectDir, { recursive: true });
      const target = join(projectDir, `${MAIN}.jsonl`);
      copyFileSync(join(fixturesDir(extensionPath), 'transcripts', `${MAIN}.part1.jsonl`), target);

      const first = (await vscode.commands.executeCommand('sessionLedger.importClaudeHistory', { configDir })) as TranscriptImportReport;
      assert.equal(first.filesRead, 1);
      const session = api.store.sessions.require(importedSessionId(MAIN));
      assert.equal(session.externalConversationId, MAIN);
      assert.equal(api.store.interactions.list(session.id).length, 2);

      appendFileSync(target, readFileSync(join(fixturesDir(extensionPath), 'transcripts', `${MAIN}.part2.jsonl`)));
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

      // Search History: the picked hit opens the timeline at its interaction (that row is focused and open).
      const hitTab = await pickAndOpen('sessionLedger.searchHistory', `Timeline: ${session.title}`);
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
      copyFileSync(join(fixturesDir(extensionPath), 'transcripts', `${UNPRICED}.jsonl`), join(projectDir, `${UNPRICED}.jsonl`));
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
    // The imported transcript has Sonnet and Haiku responses: at least two models.
    const rendered = await within(
      'the usage render',
      panel.test.whenRendered((r) => r.models >= 2),
    );
    assert.ok(rendered.bars >= 1 && rendered.bars === Math.min(rendered.days, 60), JSON.stringify(rendered));
    assert.ok(rendered.sessions >= 1);
    panel.dispose();
  });

  it('exports every session to JSON and re-imports it idempotently', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-export-it-'));
    try {
      const file = join(dir, 'all.json');
      await vscode.commands.executeCommand('sessionLedger.exportAllSessions', file);
      const exported = JSON.parse(readFileSync(file, 'utf8')) as { format: string; sessions: { id: string }[] };
      assert.equal(exported.format, 'session-ledger');
      assert.ok(exported.sessions.some((s) => s.id === importedSessionId('5e551017-0000-4000-8000-00000000000a')));
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
