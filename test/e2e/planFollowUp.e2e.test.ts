import { strict as assert } from 'node:assert';
import { Workbench } from './workbench';

/*
 * A manual session from Plan Session to Complete Session with outcome and a follow-up, as a person
 * does it: the palette, the quick inputs, the Sessions view and the timeline (issue 15 items 3-6).
 */
describe('workbench: plan a manual session, start it, note, complete it with an outcome and start its follow-up', function () {
  this.timeout(300_000);
  let wb: Workbench;
  const title = 'Parse the CSV export';
  const next = 'Handle quoted newlines in the CSV parser';

  before(async () => {
    wb = await Workbench.open();
    await wb.openSessionsView();
  });
  after(async () => {
    await wb?.close();
  });

  /** The status bar item of the active session (not the status bar messages, which may name it too). */
  const SESSION_STATUS_ITEM = '[id="session-ledger.session-ledger.sessionLedger.status"]';
  const sidebarRow = (text: string) => wb.page.locator('.part.sidebar .monaco-list-row', { hasText: text }).first();

  it('Plan Session: the session waits in the Planned group with its schedule', async () => {
    await wb.runCommand('Session Ledger: Plan Session');
    await wb.pickQuickInput('freeform');
    await wb.pickQuickInput('Manual');
    await wb.typeQuickInput(title);
    await wb.typeQuickInput(); // the goal is prefilled with the title
    await wb.typeQuickInput('every row of sample.csv is parsed');
    await wb.typeQuickInput('quoted fields keep their commas');
    await wb.typeQuickInput(); // an empty entry finishes the criteria
    await wb.typeQuickInput('+1d'); // when
    await wb.typeQuickInput('45'); // expected minutes
    await sidebarRow('Planned').waitFor({ timeout: 20_000 });
    const row = sidebarRow(title);
    await row.waitFor({ timeout: 20_000 });
    assert.match((await row.innerText()).replace(/\s+/g, ' '), /\d{4}-\d{2}-\d{2} \d{2}:\d{2} · freeform/);
    // Its tooltip: the schedule and the expected duration.
    await row.hover();
    await wb.page.locator('.monaco-hover', { hasText: 'expected 45 min' }).first().waitFor({ timeout: 15_000 });
    await wb.screenshot('30-planned-session-tree');
    await wb.page.mouse.move(700, 500);
  });

  it('Start turns it active; a note is added; the header shows the criteria checklist, the plan and the notes', async () => {
    await wb.runCommand('Session Ledger: Start Planned Session');
    await wb.pickQuickInput(title);
    await wb.page.locator(SESSION_STATUS_ITEM, { hasText: title }).waitFor({ timeout: 20_000 });
    await sidebarRow('Active').waitFor({ timeout: 20_000 });

    await wb.runCommand('Session Ledger: Add Note');
    await wb.typeQuickInput('Some rows use CRLF line endings');
    await wb.pickQuickInput('concern');
    // Flags: tick "Important" (a click on the row toggles it), then accept.
    await wb.page.locator('.quick-input-list .monaco-list-row', { hasText: 'Important' }).first().click();
    await wb.page.locator('.quick-input-widget', { hasText: '1 Selected' }).waitFor({ timeout: 10_000 });
    await wb.typeQuickInput();

    await sidebarRow(title).click();
    const timeline = await wb.webviewFrame(title);
    await timeline.locator('[data-shown="success"]', { hasText: 'every row of sample.csv is parsed' }).waitFor({ timeout: 30_000 });
    await timeline.locator('[data-shown="expected"]', { hasText: 'Expected 45 min' }).waitFor({ timeout: 15_000 });
    await timeline.locator('[data-shown^="note"]', { hasText: 'Some rows use CRLF line endings' }).first().waitFor({ timeout: 15_000 });
    await wb.screenshot('31-header-checklist-plan');
    await timeline.locator('[data-shown^="note"]', { hasText: 'Some rows use CRLF line endings' }).first().scrollIntoViewIfNeeded();
    await wb.screenshot('32-header-notes');
  });

  it('Complete Session records the outcome, shown in the header with the actual duration beside the expected one', async () => {
    await wb.runCommand('Session Ledger: Complete Session');
    await wb.typeQuickInput('Parser reads the sample; quoted newlines are left.');
    await wb.pickQuickInput('4'); // ★★★★☆ 4, "mostly met"
    await wb.typeQuickInput('80');
    await wb.pickQuickInput('Needs follow-up');
    await wb.typeQuickInput('Quoted fields spanning lines break the row count');
    await wb.typeQuickInput(next);
    const timeline = await wb.webviewFrame(title);
    await timeline.locator('[data-shown="rating"]').waitFor({ timeout: 30_000 });
    await timeline.locator('[data-shown="actual"]').waitFor({ timeout: 15_000 });
    const outcome = (await timeline.locator('header.session-header').innerText()).replace(/\s+/g, ' ');
    assert.match(outcome, /4\/5/);
    assert.match(outcome, /80 % complete/);
    assert.match(outcome, new RegExp(next));
    assert.match(outcome, /Expected 45 min/);
    assert.match(outcome, /Actual \d+ min/);
    await timeline.locator('[data-shown="rating"]').scrollIntoViewIfNeeded();
    await wb.screenshot('33-header-outcome');
  });

  it('Start Follow-up Session from the header opens New Session prefilled from the suggestion and links the two', async () => {
    const timeline = await wb.webviewFrame(title);
    await timeline.locator('[data-session-action="followUp"]').click();
    await wb.pickQuickInput('Manual'); // the previous session's mode comes first
    const titleBox = wb.page.locator('.quick-input-widget input');
    await titleBox.waitFor({ state: 'visible' });
    assert.equal(await titleBox.inputValue(), next, 'the title is the suggested next session');
    await wb.typeQuickInput();
    assert.equal(await titleBox.inputValue(), next, 'so is the goal');
    await wb.typeQuickInput();
    await wb.pickQuickInput('Done'); // the criteria carried over, accepted as they are
    await sidebarRow(next).waitFor({ timeout: 20_000 });
    await wb.page.locator(SESSION_STATUS_ITEM, { hasText: next }).waitFor({ timeout: 20_000 });

    // The completed session's header names its follow-up; the follow-up's names the session it follows.
    await timeline.locator('[data-shown="next"]', { hasText: next }).waitFor({ timeout: 20_000 });
    await wb.screenshot('34-header-followed-by');
    await sidebarRow(next).click();
    const followUp = await wb.webviewFrame(next);
    await followUp.locator('[data-shown="previous"]', { hasText: title }).waitFor({ timeout: 30_000 });
    await followUp.locator('[data-shown="success"]', { hasText: 'quoted fields keep their commas' }).waitFor({ timeout: 15_000 });
    await wb.screenshot('35-follow-up-header');
  });
});
