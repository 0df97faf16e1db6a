import { strict as assert } from 'node:assert';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameLocator } from 'playwright-core';
import { e2eEnv, Workbench } from './workbench';
import { repoRoot } from '../harness/testVscode';

// The webviews in the three kinds of theme, and the timeline driven by the keyboard alone.
// Its screenshots (`readme-*`) are the README's pictures: scripts/readme-images.mjs copies them.
describe('workbench: the timeline and usage panel in dark, light and high-contrast themes, and by keyboard', function () {
  this.timeout(300_000);
  let wb: Workbench;
  let timeline: FrameLocator;
  const title = 'Say hello';

  /** The element that has keyboard focus inside the timeline webview: its class and label. */
  const focused = () =>
    timeline.locator('body').evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      return {
        className: el?.className ?? '',
        label: el?.getAttribute('aria-label') ?? el?.textContent ?? '',
        visible: !!el?.matches(':focus-visible'),
      };
    });

  /** The title of the open quick input, or null when none is open. */
  const quickInputTitle = () =>
    wb.page.evaluate(() => {
      const widget = document.querySelector<HTMLElement>('.quick-input-widget');
      const visible = !!widget && widget.style.display !== 'none' && widget.offsetParent !== null;
      return visible ? (widget.querySelector('.quick-input-title')?.textContent ?? '') : null;
    });

  /** Picks a colour theme as a person does: "Preferences: Color Theme", then the theme by name. */
  const pickTheme = async (label: string) => {
    await wb.page.keyboard.press('F1');
    const input = wb.page.locator('.quick-input-widget input');
    await input.fill('>Preferences: Color Theme');
    await wb.page.locator('.quick-input-list .monaco-list-row[aria-label^="Preferences: Color Theme"]').first().click();
    await wb.page
      .locator('.quick-input-title', { hasText: /color theme/i })
      .waitFor({ timeout: 15_000 })
      .catch(() => undefined);
    await input.fill(label);
    await wb.page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first().click();
  };

  let settingsFile: string;
  let userSettings: string | undefined;

  before(async () => {
    settingsFile = join(e2eEnv().dirs.userData, 'User', 'settings.json');
    userSettings = readFileSync(settingsFile, 'utf8');
    // A folder of its own: an empty ledger and a check that fails (no greeting.txt yet).
    const env = e2eEnv();
    const folder = join(env.dirs.root, 'themes-workspace');
    mkdirSync(folder, { recursive: true });
    copyFileSync(join(repoRoot, 'test', 'fixtures', 'workspace', 'check.sh'), join(folder, 'check.sh'));
    chmodSync(join(folder, 'check.sh'), 0o755);
    wb = await Workbench.open({ ...env, dirs: { ...env.dirs, workspace: folder } });
    // The page may read what the extension put on the clipboard (the workbench writes it with navigator.clipboard).
    await wb.page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(env.url).origin });
    await wb.openSessionsView();
  });
  after(async () => {
    await wb?.close();
    // The tests after this one see the theme they always had (picking one writes it to the user settings).
    if (userSettings !== undefined) writeFileSync(settingsFile, userSettings);
  });

  it('runs a first session: new session, Next Step, the timeline', async () => {
    await wb.runCommand('Session Ledger: New Session');
    await wb.pickQuickInput('test-fix');
    await wb.pickQuickInput('Manual');
    await wb.typeQuickInput(title);
    await wb.typeQuickInput(); // the goal is prefilled with the title
    // Then the success criteria and the test command (this folder has nothing to detect it from),
    // answered by the title of each prompt as it comes.
    const row = wb.page.locator('.part.sidebar .monaco-list-row', { hasText: title });
    let criteria = 0;
    for (const deadline = Date.now() + 30_000; !(await row.isVisible());) {
      assert.ok(Date.now() < deadline, 'New Session never finished');
      const prompt = await quickInputTitle();
      if (prompt === null) await wb.page.waitForTimeout(100);
      else if (/test command/.test(prompt)) await wb.typeQuickInput('./check.sh');
      else if (/success criteria/.test(prompt)) await wb.typeQuickInput(criteria++ === 0 ? 'check.sh passes' : '');
      else assert.fail(`unexpected prompt "${prompt}"`);
    }
    await wb.screenshot('readme-first-session-1-new');
    await wb.runCommand('Session Ledger: Next Step');
    await wb.page.locator('.statusbar-item', { hasText: `${title} · fix · #1` }).waitFor({ timeout: 60_000 });
    await wb.screenshot('readme-first-session-2-next-step');
    await row.click();
    timeline = await wb.webviewFrame('Timeline');
    await timeline.locator('.row', { hasText: './check.sh' }).waitFor({ timeout: 30_000 });
    await wb.screenshot('readme-first-session-3-timeline');
  });

  it('announces each step to screen readers: a tree item labelled with step, status and cost', async () => {
    assert.equal(await timeline.locator('.spacer').getAttribute('role'), 'tree');
    const step = timeline.locator('.row', { hasText: './check.sh' });
    assert.equal(await step.getAttribute('role'), 'treeitem');
    const label = (await step.getAttribute('aria-label')) ?? '';
    assert.match(label, /^Step 1, \S+, Shell: \.\/check\.sh\. Error, exit code 1, .*no cost$/);
  });

  it('filters, expands a step and copies its output with the keyboard alone', async () => {
    const filter = timeline.locator('input.filter-text');
    await filter.focus();
    await wb.page.keyboard.type('nothing-like-this');
    await timeline.locator('.empty', { hasText: 'No steps match' }).waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await timeline.locator('.count').innerText(), '0 of 1 steps');
    await wb.screenshot('themes-keyboard-1-filter-no-match');
    await filter.fill('');
    await wb.page.keyboard.type('CHECK');
    await timeline.locator('.row', { hasText: './check.sh' }).waitFor({ timeout: 10_000 });
    assert.equal(await timeline.locator('.count').innerText(), '1 steps');

    // Tab on from the filter box, past the toggles, to the step.
    for (let i = 0; i < 30 && !(await focused()).className.split(' ').includes('row'); i++) await wb.page.keyboard.press('Tab');
    const onRow = await focused();
    assert.ok(onRow.className.split(' ').includes('row'), `Tab never reached the step (focus on "${onRow.className}")`);
    assert.ok(onRow.visible, 'the focused step shows no focus ring (:focus-visible)');
    await wb.page.keyboard.press('Enter');
    const step = timeline.locator('.row', { hasText: './check.sh' });
    await timeline.locator('.row[aria-expanded="true"] .output', { hasText: 'check failed' }).waitFor({ timeout: 15_000 });
    assert.equal(await step.getAttribute('aria-expanded'), 'true');
    await wb.screenshot('themes-keyboard-2-step-expanded');

    await wb.page.keyboard.press('Tab'); // Copy command
    await wb.page.keyboard.press('Tab'); // Copy output
    const onCopy = await focused();
    assert.match(onCopy.label, /Copy output/);
    assert.ok(onCopy.visible, 'the Copy output button shows no focus ring');
    await wb.page.keyboard.press('Enter');
    const expected = 'check failed: greeting.txt does not say hello';
    await timeline.locator('.copy-status', { hasText: /^Copied the output of step #1 \(\d+ characters\)\.$/ }).waitFor({ timeout: 10_000 });
    const clipboard = await wb.page.evaluate(() => navigator.clipboard.readText());
    assert.equal(clipboard.trim(), expected);
    await wb.screenshot('themes-keyboard-3-output-copied');
  });

  for (const [theme, name, cls] of [
    ['Dark Modern', 'dark', 'vs-dark'],
    ['Light Modern', 'light', 'vs'],
    ['Dark High Contrast', 'high-contrast', 'hc-black'],
  ] as const) {
    it(`shows the Sessions tree, the timeline and the usage panel in ${theme}`, async () => {
      await pickTheme(theme);
      await wb.page.locator(`.monaco-workbench.${cls}`).waitFor({ timeout: 15_000 });
      await wb.page.locator('.part.sidebar .monaco-list-row', { hasText: title }).click();
      timeline = await wb.webviewFrame('Timeline');
      const kind = cls === 'vs' ? 'vscode-light' : cls === 'vs-dark' ? 'vscode-dark' : 'vscode-high-contrast';
      await timeline.locator(`body.${kind}`).waitFor({ timeout: 15_000 });
      // Keyboard focus on the step, so the picture shows its focus ring in this theme: Tab from the
      // filter box, as a person does (a mouse click, then Enter, shows a ring only when the row
      // happens to be drawn again after the key).
      const step = timeline.locator('.row', { hasText: './check.sh' });
      await timeline.locator('input.filter-text').focus();
      for (let i = 0; i < 30 && !(await focused()).className.split(' ').includes('row'); i++) await wb.page.keyboard.press('Tab');
      assert.ok((await focused()).className.split(' ').includes('row'), `Tab never reached the step in ${theme}`);
      if ((await step.getAttribute('aria-expanded')) !== 'true') {
        await wb.page.keyboard.press('Enter');
        await timeline.locator('.row[aria-expanded="true"] .output').waitFor({ timeout: 15_000 });
      }
      assert.ok((await focused()).visible, `no focus ring on the step in ${theme}`);
      await wb.screenshot(`readme-${name}-tree-timeline`);

      await wb.runCommand('Session Ledger: Show Usage');
      const usage = await wb.webviewFrame('Usage');
      await usage.locator(`body.${kind}`).waitFor({ timeout: 15_000 });
      await usage.locator('h2', { hasText: 'Cost by day' }).waitFor({ timeout: 30_000 });
      await usage.locator('button', { hasText: 'Refresh' }).focus();
      await wb.page.keyboard.press('Shift+Tab');
      await wb.page.keyboard.press('Tab'); // focus by keyboard: the ring shows
      assert.ok(await usage.locator('button', { hasText: 'Refresh' }).evaluate((b) => b.matches(':focus-visible')));
      await wb.screenshot(`readme-${name}-usage`);
      // Every editor closed, so the next theme starts from the tree (this ran all along: the
      // palette's Enter took its first row, "Close All Editor Groups", for "View: Close Editor").
      await wb.runCommand('View: Close All Editor Groups');
      await wb.page.locator('.tab', { hasText: 'Usage' }).waitFor({ state: 'detached', timeout: 10_000 });
    });
  }
});
