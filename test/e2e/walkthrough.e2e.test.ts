import { strict as assert } from 'node:assert';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { e2eEnv, Workbench } from './workbench';
import { repoRoot } from '../harness/testVscode';

/** Records each element that takes focus (a string: page.evaluate of a function compiled by tsx would carry its helpers). */
const FOCUS_LOG = `(() => {
  window.__focusLog = [];
  document.addEventListener('focusin', (e) => {
    const t = e.target;
    window.__focusLog.push({
      what: t.tagName + '.' + String(t.className).slice(0, 60),
      inWalkthrough: !!t.closest('.gettingStartedContainer'),
      inQuickInput: !!t.closest('.quick-input-widget'),
    });
  }, true);
})()`;

describe('workbench: the getting-started walkthrough, opened from the Sessions welcome view', function () {
  this.timeout(240_000);
  let wb: Workbench;
  const step = (id: string) => wb.page.locator(`button.getting-started-step[data-step-id$="${id}"]`);
  const checked = (id: string) => wb.page.locator(`button.getting-started-step[data-step-id$="${id}"][aria-checked="true"]`);
  /** The selected step's Markdown page (media/walkthrough/*.md), rendered in a webview. */
  const media = () => wb.page.frameLocator('.getting-started-media iframe.webview >> nth=-1').frameLocator('#active-frame');

  before(async () => {
    // A folder of its own, so its ledger is empty (the welcome view shows) whatever ran before,
    // with a small test command: a Makefile target running the demo project's check.
    const env = e2eEnv();
    const folder = join(env.dirs.root, 'walkthrough-workspace');
    mkdirSync(folder, { recursive: true });
    copyFileSync(join(repoRoot, 'test', 'fixtures', 'workspace', 'check.sh'), join(folder, 'check.sh'));
    writeFileSync(join(folder, 'greeting.txt'), 'hello\n');
    writeFileSync(join(folder, 'Makefile'), 'test:\n\tsh check.sh\n');
    wb = await Workbench.open({ ...env, dirs: { ...env.dirs, workspace: folder } });
    await wb.openSessionsView();
  });
  after(async () => {
    await wb?.close();
  });

  it('opens the walkthrough from the link in the empty Sessions view', async () => {
    const welcome = wb.page.locator('.welcome-view-content', { hasText: 'No sessions yet' });
    await welcome.waitFor({ timeout: 30_000 });
    await welcome.locator('a', { hasText: 'Get started in four steps' }).click();
    await step('#keepHistory').waitFor({ timeout: 30_000 });
    const titles = await wb.page.locator('button.getting-started-step .step-title').allInnerTexts();
    assert.deepEqual(
      titles.map((t) => t.trim()),
      ['Keep your Claude Code history', 'Run your first session', 'Go agentic', 'Write a workflow'],
    );
    assert.equal(await checked('#keepHistory').count(), 0, 'nothing is done yet');
    // Wide enough for the step's Markdown page beside the steps; it renders in a webview, a moment later.
    await wb.page.setViewportSize({ width: 1920, height: 1000 });
    await media().locator('h1', { hasText: 'Keep your Claude Code history' }).waitFor({ timeout: 30_000 });
    await wb.screenshot('30-walkthrough-opened');
  });

  it('completes "Keep your Claude Code history" when its Import button runs the import', async () => {
    await step('#keepHistory').click();
    await step('#keepHistory').locator('a.monaco-button, .monaco-button', { hasText: 'Import Claude Code History' }).first().click();
    await checked('#keepHistory').waitFor({ timeout: 30_000 });
    await wb.screenshot('31-walkthrough-history-done');
  });

  it('completes "Run your first session" once the first step of a test-fix session has run', async () => {
    await step('#firstSession').click();
    await media().locator('h1', { hasText: 'Run your first session' }).waitFor({ timeout: 30_000 });
    // With motion, as a person usually has it (the e2e browser otherwise runs with reduced motion): the
    // walkthrough re-selects and focuses its step a quarter of a second after an Enter is released over
    // it. Where focus goes is logged from here on.
    await wb.page.emulateMedia({ reducedMotion: 'no-preference' });
    await wb.page.evaluate(FOCUS_LOG);
    await step('#firstSession').locator('a.monaco-button, .monaco-button', { hasText: 'Start a Test-Fix Session' }).first().click();
    // The button starts New Session with the test-fix type chosen: mode, title, goal, criteria, test command.
    await wb.pickQuickInput('Manual');
    await wb.typeQuickInput('First walkthrough session');
    await wb.typeQuickInput();
    await wb.typeQuickInput('the check passes');
    await wb.typeQuickInput(); // criteria: one per entry, an empty one finishes
    // The test command box is filled with what the project's Makefile says (typed again: Enter on the
    // prefilled box right after it appears was sometimes not taken — the walkthrough's delayed focus,
    // see launchBrowser in testVscode.ts).
    const testCommandBox = wb.page.locator('.quick-input-widget input');
    await wb.page.waitForFunction(
      () => (document.querySelector('.quick-input-widget input') as HTMLInputElement | null)?.value === 'make test',
      undefined,
      { timeout: 30_000 },
    );
    assert.equal(await testCommandBox.inputValue(), 'make test');
    await wb.typeQuickInput('make test');
    await wb.page.locator('.statusbar-item', { hasText: 'First walkthrough session' }).waitFor({ timeout: 30_000 });
    await wb.page.waitForTimeout(500); // past the walkthrough's quarter of a second after the last Enter
    // Once New Session's first prompt had focus, the walkthrough never took it back (it did after each
    // Enter, when the prompts handed focus back to its button): what the person types goes to the prompts.
    const focusLog = (await wb.page.evaluate('window.__focusLog')) as { inWalkthrough: boolean; inQuickInput: boolean; what: string }[];
    const firstPrompt = focusLog.findIndex((f) => f.inQuickInput);
    assert.ok(firstPrompt >= 0, `a prompt took focus: ${JSON.stringify(focusLog)}`);
    const taken = focusLog.slice(firstPrompt).filter((f) => f.inWalkthrough);
    assert.deepEqual(taken, [], `the walkthrough took focus during New Session: ${JSON.stringify(focusLog)}`);
    await wb.page.emulateMedia({ reducedMotion: 'reduce' });
    assert.equal(await checked('#firstSession').count(), 0, 'starting a session is not yet running it');

    // Next Step from the Sessions view, as the step's page says. Not from the palette: in about one
    // full e2e run in five, Next Step never ran from it here, and the failure picture showed no
    // palette open (F1 sent while the walkthrough page had taken focus back: see launchBrowser in testVscode.ts).
    const row = wb.page.locator('.part.sidebar .monaco-list-row', { hasText: 'First walkthrough session' });
    await row.hover();
    await row.locator('.action-label[aria-label^="Next Step"]').click();
    await checked('#firstSession').waitFor({ timeout: 60_000 });
    // make test passed: the test-fix session is complete.
    await wb.page
      .locator('.statusbar-item', { hasText: 'First walkthrough session' })
      .locator('.codicon-check')
      .waitFor({ timeout: 60_000 });
    await wb.screenshot('32-walkthrough-first-session-done');
    assert.equal(await checked('#goAgentic').count(), 0);
  });

  it('shows "Go agentic" and "Write a workflow" with their pages, not done until their events', async () => {
    await step('#goAgentic').click();
    await media().locator('h1', { hasText: 'Go agentic' }).waitFor({ timeout: 30_000 });
    await step('#goAgentic').locator('.monaco-button', { hasText: 'Set Anthropic API Key' }).first().waitFor();
    await wb.screenshot('33-walkthrough-go-agentic');
    await step('#writeWorkflow').click();
    await media().locator('h1', { hasText: 'Write a workflow' }).waitFor({ timeout: 30_000 });
    await media().locator('code', { hasText: '"test-and-fix"' }).first().waitFor({ timeout: 10_000 });
    await wb.screenshot('34-walkthrough-write-a-workflow');
    assert.equal(await checked('#goAgentic').count(), 0);
    assert.equal(await checked('#writeWorkflow').count(), 0);
  });
});
