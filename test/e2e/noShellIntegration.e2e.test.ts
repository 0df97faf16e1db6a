import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { e2eEnv, Workbench } from './workbench';

describe('workbench: a manual step in a terminal without shell integration', function () {
  this.timeout(180_000);
  let wb: Workbench;
  const title = 'Without shell integration';
  const settingsFile = join(e2eEnv().dirs.workspace, '.vscode', 'settings.json');
  const original = readFileSync(settingsFile, 'utf8');

  before(async () => {
    const settings = JSON.parse(original);
    writeFileSync(
      settingsFile,
      JSON.stringify(
        { ...settings, 'terminal.integrated.shellIntegration.enabled': false, 'sessionLedger.shellIntegrationTimeoutMs': 1500 },
        null,
        2,
      ),
    );
    wb = await Workbench.open();
    await wb.openSessionsView();
  });
  after(async () => {
    writeFileSync(settingsFile, original);
    await wb?.close();
  });

  it('sends the command as text and records the outcome the person reports', async () => {
    await wb.runCommand('Session Ledger: New Session');
    await wb.pickQuickInput('test-fix');
    await wb.pickQuickInput('Manual');
    await wb.typeQuickInput(title);
    await wb.typeQuickInput();
    await wb.typeQuickInput('');
    await wb.page.locator('.statusbar-item', { hasText: title }).waitFor({ timeout: 20_000 });
    await wb.runCommand('Session Ledger: Next Step');
    const question = wb.page.locator('.notification-toast', { hasText: 'cannot read this terminal' });
    await question.waitFor({ timeout: 30_000 });
    await wb.screenshot('30-no-shell-integration-question');
    await question.locator('a.monaco-button, .monaco-button', { hasText: 'Failed' }).first().click();
    // Reported as failed: test-fix moves on to its fix phase.
    await wb.page.locator('.statusbar-item', { hasText: `${title} · fix · #1` }).waitFor({ timeout: 30_000 });
    await wb.screenshot('31-no-shell-integration-recorded');
  });
});
