import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { e2eEnv, Workbench } from './workbench';

describe('workbench: an agentic session from the command palette, against the fake Anthropic API', function () {
  this.timeout(180_000);
  let wb: Workbench;
  const title = 'Agentic greeting';
  const statusItem = (icon: string) =>
    wb.page.locator(`[id="session-ledger.session-ledger.sessionLedger.status"]:has(.codicon-${icon})`, { hasText: title });

  before(async () => {
    wb = await Workbench.open();
    await wb.openSessionsView();
  });
  after(async () => {
    await wb?.close();
  });

  it('stores the API key through "Set Anthropic API Key"', async () => {
    await wb.runCommand('Session Ledger: Set Anthropic API Key');
    await wb.typeQuickInput('sk-e2e-fake-key');
    await wb.page.locator('.statusbar-item', { hasText: 'Anthropic API key stored' }).waitFor({ timeout: 15_000 });
  });

  it('starts an agentic session from New Session; the status bar shows it running', async () => {
    await wb.runCommand('Session Ledger: New Session');
    await wb.pickQuickInput('quick');
    await wb.pickQuickInput('Agentic');
    await wb.typeQuickInput(title);
    await wb.typeQuickInput(); // the goal is prefilled with the title
    await wb.typeQuickInput('greeting.txt says hello');
    await statusItem('sync').waitFor({ timeout: 30_000 });
    await wb.page.locator('.part.sidebar .monaco-list-row', { hasText: title }).waitFor({ timeout: 20_000 });
    // The fake API holds its first answer open after a little text: give the request time to get there.
    await wb.page.waitForTimeout(2000);
    await wb.screenshot('20-agentic-running');
    await statusItem('sync').waitFor({ timeout: 1000 });
  });

  it('pauses it from the palette: the stream stops and the status bar shows paused', async () => {
    await wb.runCommand('Session Ledger: Pause Session');
    await statusItem('debug-pause').waitFor({ timeout: 30_000 });
    await wb.screenshot('21-agentic-paused');
  });

  it('resumes it: the loop runs to the end, writing greeting.txt with a tool call', async () => {
    await wb.runCommand('Session Ledger: Resume Session');
    await statusItem('check').waitFor({ timeout: 60_000 });
    // Ended could be failed too: the tree files it under Complete.
    await wb.page.locator('.part.sidebar .monaco-list-row', { hasText: /^\s*Complete/ }).waitFor({ timeout: 20_000 });
    await wb.screenshot('22-agentic-complete');
    const text = (await statusItem('check').innerText()).replace(/\s+/g, ' ');
    assert.match(text, /\$\d/, `the status bar shows the cost (${text})`);
    const greeting = join(e2eEnv().dirs.workspace, 'greeting.txt');
    assert.ok(existsSync(greeting), 'Claude wrote greeting.txt through the write_file tool');
    assert.match(readFileSync(greeting, 'utf8'), /hello/);
  });
});
