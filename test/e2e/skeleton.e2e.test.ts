import { strict as assert } from 'node:assert';
import { Workbench } from './workbench';

describe('workbench: the extension is installed and usable', function () {
  this.timeout(120_000);
  let wb: Workbench;

  before(async () => {
    wb = await Workbench.open();
  });
  after(async () => {
    await wb?.close();
  });

  it('opens the Sessions view from the activity bar', async () => {
    await wb.openSessionsView();
    await wb.page.locator('.welcome-view-content', { hasText: 'No sessions yet' }).waitFor({ timeout: 20_000 });
    await wb.screenshot('01-sessions-view-empty');
  });

  it('runs "Session Ledger: Show Log" from the command palette', async () => {
    await wb.runCommand('Session Ledger: Show Log');
    // The Output panel shows our log channel with the activation line.
    const output = wb.page.locator('.part.panel', { hasText: 'activated' });
    await output.waitFor({ timeout: 20_000 });
    assert.ok(await output.isVisible());
    await wb.screenshot('02-show-log');
  });
});
