import { strict as assert } from 'node:assert';
import { Workbench } from './workbench';

/*
 * Check Progress as a person does it: the palette, the quick picks (tick what is met, then what is
 * not), a line of evidence; the timeline header draws the checklist and the tree a 1/2 (issue 15 item 2).
 */
describe('workbench: Check Progress ticked by a person, drawn as a checklist in the header and 1/2 in the tree', function () {
  this.timeout(300_000);
  let wb: Workbench;
  const title = 'Check the CSV parser';
  const met = 'every row of sample.csv is parsed';
  const notMet = 'quoted fields keep their commas';

  before(async () => {
    wb = await Workbench.open();
    await wb.openSessionsView();
  });
  after(async () => {
    await wb?.close();
  });

  const sidebarRow = (text: string) => wb.page.locator('.part.sidebar .monaco-list-row', { hasText: text }).first();
  const quickRow = (text: string) => wb.page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first();

  it('ticks one criterion met and one not met; the header shows each with its evidence', async () => {
    await wb.runCommand('Session Ledger: New Session');
    await wb.pickQuickInput('freeform');
    await wb.pickQuickInput('Manual');
    await wb.typeQuickInput(title);
    await wb.typeQuickInput(); // the goal is prefilled with the title
    await wb.typeQuickInput(met);
    await wb.typeQuickInput(notMet);
    await wb.typeQuickInput(); // an empty entry finishes the criteria
    await sidebarRow(title).waitFor({ timeout: 20_000 });

    await wb.runCommand('Session Ledger: Check Progress');
    await wb.pickQuickInput('Tick them myself');
    await quickRow(met).click();
    await wb.page.locator('.quick-input-widget', { hasText: '1 Selected' }).waitFor({ timeout: 10_000 });
    await wb.typeQuickInput(); // accept: met
    await wb.page.locator('.quick-input-widget', { hasText: 'not met' }).waitFor({ timeout: 10_000 });
    await quickRow(notMet).click();
    await wb.page.locator('.quick-input-widget', { hasText: '1 Selected' }).waitFor({ timeout: 10_000 });
    await wb.typeQuickInput(); // accept: not met
    await wb.typeQuickInput('120 of 120 rows parsed; a quoted comma splits the field');

    const row = sidebarRow(title);
    await row.locator('.label-description', { hasText: '✓ 1/2' }).waitFor({ timeout: 20_000 });
    await row.click();
    const timeline = await wb.webviewFrame(title);
    await timeline.locator('[data-shown="progress"]', { hasText: 'Progress 1/2' }).waitFor({ timeout: 30_000 });
    const checks = await timeline.locator('[data-shown^="check:"]').allInnerTexts();
    assert.equal(checks.length, 2, JSON.stringify(checks));
    assert.match(checks[0].replace(/\s+/g, ' '), /every row of sample\.csv is parsed — 120 of 120 rows parsed/);
    assert.match(checks[1].replace(/\s+/g, ' '), /quoted fields keep their commas — 120 of 120 rows parsed/);
    assert.equal(await timeline.locator('[data-shown="check:met"]').count(), 1);
    assert.equal(await timeline.locator('[data-shown="check:not_met"]').count(), 1);
    await timeline.locator('[data-goal-action="checkProgress"]').waitFor({ timeout: 10_000 });
    await wb.screenshot('40-header-progress-checklist');
  });
});
