import { strict as assert } from 'node:assert';
import { Workbench } from './workbench';

describe('workbench: a manual test-fix session from the command palette', function () {
  this.timeout(180_000);
  let wb: Workbench;
  const title = 'Make the check pass';

  before(async () => {
    wb = await Workbench.open();
    await wb.openSessionsView();
  });
  after(async () => {
    await wb?.close();
  });

  it('creates the session through New Session', async () => {
    await wb.runCommand('Session Ledger: New Session');
    await wb.pickQuickInput('test-fix');
    await wb.pickQuickInput('Manual');
    await wb.typeQuickInput(title);
    await wb.typeQuickInput(); // the goal is prefilled with the title
    await wb.typeQuickInput('check.sh passes | only touch greeting.txt');
    await wb.typeQuickInput(); // criteria: one per entry, an empty one finishes
    const row = wb.page.locator('.part.sidebar .monaco-list-row', { hasText: title });
    await row.waitFor({ timeout: 20_000 });
    await wb.page.locator('.statusbar-item', { hasText: title }).waitFor({ timeout: 20_000 });
    await wb.screenshot('10-new-session-tree');
  });

  it('runs Next Step in the terminal and shows the result in the tree, status bar and timeline', async () => {
    await wb.runCommand('Session Ledger: Next Step');
    // check.sh fails (no greeting.txt): the engine moves on to the fix phase.
    const status = wb.page.locator('.statusbar-item', { hasText: `${title} · fix · #1` });
    await status.waitFor({ timeout: 60_000 });
    await wb.page
      .locator('.terminal-wrapper, .xterm', { hasText: 'check failed' })
      .first()
      .waitFor({ timeout: 20_000 })
      .catch(() => undefined);
    await wb.screenshot('11-next-step-terminal-status-bar');
    const row = wb.page.locator('.part.sidebar .monaco-list-row', { hasText: title });
    assert.match((await row.innerText()).replace(/\s+/g, ' '), /test-fix · fix/);

    await row.click();
    const timeline = await wb.webviewFrame('Timeline');
    const step = timeline.locator('text=./check.sh').first();
    await step.waitFor({ timeout: 30_000 });
    await wb.screenshot('12-timeline');
    // Output is collapsed; opening the row shows it.
    await step.click();
    await timeline.locator('text=check failed').first().waitFor({ timeout: 15_000 });
    await wb.screenshot('13-timeline-step-open');
  });
});
