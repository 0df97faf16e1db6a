import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameLocator } from 'playwright-core';
import { HOLD_MARKER } from '../fakes/agenticScenario';
import { e2eEnv, Workbench } from './workbench';

describe('workbench: agentic sessions from the command palette, against the fake Anthropic API', function () {
  this.timeout(240_000);
  let wb: Workbench;
  const statusItem = (title: string, icon: string) =>
    wb.page.locator(`[id="session-ledger.session-ledger.sessionLedger.status"]:has(.codicon-${icon})`, { hasText: title });
  const treeRow = (title: string) => wb.page.locator('.part.sidebar .monaco-list-row', { hasText: title });
  /** The timeline header's status badge showing `status`. */
  const headerStatus = (timeline: FrameLocator, status: string) => timeline.locator(`.session-header [data-status="${status}"]`);
  const headerActions = async (timeline: FrameLocator) =>
    timeline
      .locator('.session-header [data-session-action]')
      .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.sessionAction));

  async function startAgentic(title: string, goal?: string): Promise<void> {
    await wb.runCommand('Session Ledger: New Session');
    await wb.pickQuickInput('quick');
    await wb.pickQuickInput('Agentic');
    await wb.typeQuickInput(title);
    await wb.typeQuickInput(goal); // undefined: the goal prefilled with the title
    await wb.typeQuickInput('greeting.txt says hello');
    await wb.typeQuickInput(); // criteria: one per entry, an empty one finishes
    await statusItem(title, 'sync').waitFor({ timeout: 30_000 });
    await treeRow(title).waitFor({ timeout: 20_000 });
  }

  /** Opens the session's timeline from the Sessions view, as a person clicks its row. */
  async function openTimeline(title: string): Promise<FrameLocator> {
    await wb.runCommand('View: Close All Editors');
    await treeRow(title).click();
    return wb.webviewFrame(`Timeline: ${title}`);
  }

  before(async () => {
    wb = await Workbench.open();
    await wb.openSessionsView();
  });
  after(async () => {
    await wb?.close();
    // The other e2e tests share the workspace: its check.sh must fail again without greeting.txt.
    rmSync(join(e2eEnv().dirs.workspace, 'greeting.txt'), { force: true });
  });

  it('stores the API key through "Set Anthropic API Key"', async () => {
    await wb.runCommand('Session Ledger: Set Anthropic API Key');
    await wb.typeQuickInput('sk-e2e-fake-key');
    await wb.page.locator('.statusbar-item', { hasText: 'Anthropic API key stored' }).waitFor({ timeout: 15_000 });
  });

  describe('pause from the timeline, resume from the palette', () => {
    const title = 'Agentic greeting';
    let timeline: FrameLocator;

    it("starts from New Session; the status bar shows it running and the timeline streams Claude's text", async () => {
      await startAgentic(title);
      timeline = await openTimeline(title);
      await headerStatus(timeline, 'active').waitFor({ timeout: 30_000 });
      assert.deepEqual(await headerActions(timeline), ['nextStep', 'pause', 'complete', 'cancel']);
      // The Claude step is pending while the fake API holds its answer open: open it and watch its events.
      const step = timeline.locator('.row-summary:has(.status-pending)').first();
      await step.waitFor({ timeout: 30_000 });
      await step.click();
      await timeline.locator('[data-action="load-events"]').first().click();
      await timeline.locator('.events .event-summary', { hasText: 'Thinking about the plan' }).waitFor({ timeout: 30_000 });
      await statusItem(title, 'sync').waitFor({ timeout: 1000 });
      await wb.screenshot('20-agentic-running-timeline-live');
    });

    it("pauses it with the timeline's Pause button: the stream stops, the status bar and header say paused", async () => {
      await timeline.locator('.session-header [data-session-action="pause"]').click();
      await statusItem(title, 'debug-pause').waitFor({ timeout: 30_000 });
      await headerStatus(timeline, 'paused').waitFor({ timeout: 15_000 });
      assert.deepEqual(await headerActions(timeline), ['resume', 'complete', 'cancel']);
      // The aborted step is recorded as such, not left pending.
      await timeline.locator('.row-summary .status-cancelled').first().waitFor({ timeout: 15_000 });
      await wb.screenshot('21-agentic-paused');
    });

    it('resumes it from the palette: the loop runs to the end, writing greeting.txt with a tool call, live in the timeline', async () => {
      await wb.runCommand('Session Ledger: Resume Session');
      await statusItem(title, 'check').waitFor({ timeout: 60_000 });
      await headerStatus(timeline, 'complete').waitFor({ timeout: 30_000 });
      assert.deepEqual(await headerActions(timeline), ['followUp'], 'an ended session offers only Start Follow-up');
      const rows = await timeline.locator('.row-summary').count();
      assert.ok(rows >= 3, `the timeline shows the steps that ran after the resume (${rows} rows)`);
      await wb.page.locator('.part.sidebar .monaco-list-row', { hasText: /^\s*Complete/ }).waitFor({ timeout: 20_000 });
      await wb.screenshot('22-agentic-complete');
      const text = (await statusItem(title, 'check').innerText()).replace(/\s+/g, ' ');
      assert.match(text, /\$\d/, `the status bar shows the cost (${text})`);
      const greeting = join(e2eEnv().dirs.workspace, 'greeting.txt');
      assert.ok(existsSync(greeting), 'Claude wrote greeting.txt through the write_file tool');
      assert.match(readFileSync(greeting, 'utf8'), /hello/);
    });
  });

  describe('cancel from the timeline', () => {
    const title = 'Agentic cancelled';

    it('cancels a running session after the confirmation: the status bar, header and step say cancelled', async () => {
      await startAgentic(title, `Say hello, slowly (${HOLD_MARKER})`);
      const timeline = await openTimeline(title);
      await timeline.locator('.row-summary:has(.status-pending)').first().waitFor({ timeout: 30_000 });
      await timeline.locator('.session-header [data-session-action="cancel"]').click();
      // A modal asks first: cancelling stops the session for good.
      const dialog = wb.page.locator('.monaco-dialog-box', { hasText: `Cancel "${title}"?` });
      await dialog.waitFor({ timeout: 15_000 });
      await wb.screenshot('23-agentic-cancel-confirm');
      await dialog.locator('.monaco-button', { hasText: 'Cancel Session' }).click();
      await statusItem(title, 'circle-slash').waitFor({ timeout: 30_000 });
      await headerStatus(timeline, 'cancelled').waitFor({ timeout: 15_000 });
      assert.deepEqual(await headerActions(timeline), ['followUp']);
      await timeline.locator('.row-summary .status-cancelled').first().waitFor({ timeout: 15_000 });
      await wb.page.locator('.part.sidebar .monaco-list-row', { hasText: /^\s*Cancelled/ }).waitFor({ timeout: 20_000 });
      await wb.screenshot('24-agentic-cancelled');
    });
  });
});
