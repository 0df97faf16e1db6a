import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startFakeAnthropic, type FakeAnthropic } from '../fakes/fakeAnthropic';
import {
  makeRealClaudeHome,
  realClaudeEnv,
  realClaudeToolScript,
  requireRealClaude,
  writeRealClaudeWrapper,
  type RealClaudeHome,
} from '../harness/realClaude';
import { e2eEnv, Workbench } from './workbench';

describe('workbench: a manual Claude step run by the real Claude Code CLI shows its tokens and cost in the timeline', function () {
  this.timeout(300_000);
  let wb: Workbench | undefined;
  let fake: FakeAnthropic | undefined;
  let home: RealClaudeHome | undefined;
  let binDir: string | undefined;
  const title = 'Real Claude pays its way';
  const env = e2eEnv();
  // claudePath is machine-scoped: not in the workspace's settings. code-server reads machine
  // settings of its (remote) extension host from Machine/settings.json; User/ too for good measure.
  const settingsFiles = [join(env.dirs.userData, 'Machine', 'settings.json'), join(env.dirs.userData, 'User', 'settings.json')];
  const originals = settingsFiles.map((f) => (existsSync(f) ? readFileSync(f, 'utf8') : undefined));

  before(async function () {
    const bin = requireRealClaude(this);
    fake = await startFakeAnthropic({
      idPrefix: 'e2e',
      script: realClaudeToolScript({ command: 'echo e2e-tool-ran', finalText: 'Wrote greeting.txt; check.sh passes now.' }),
    });
    home = makeRealClaudeHome('e2e-claude-');
    binDir = mkdtempSync(join(env.dirs.tmp, 'claude-bin-'));
    const wrapper = writeRealClaudeWrapper(binDir, bin, realClaudeEnv(fake.url, home));
    settingsFiles.forEach((file, i) => {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify({ ...JSON.parse(originals[i] ?? '{}'), 'sessionLedger.claudePath': wrapper }, null, 2));
    });
    wb = await Workbench.open();
    await wb.openSessionsView();
  });
  after(async () => {
    settingsFiles.forEach((file, i) => (originals[i] === undefined ? rmSync(file, { force: true }) : writeFileSync(file, originals[i]!)));
    if (wb) {
      await wb.runCommand('Session Ledger: Disconnect Claude Code Hooks').catch(() => undefined);
      await wb.close();
    }
    await fake?.close();
    home?.cleanup();
    if (binDir) rmSync(binDir, { recursive: true, force: true });
  });

  it('connects the hooks, runs the Claude step in the terminal, and the step row shows tokens and cost', async () => {
    const page = wb!.page;
    await wb!.runCommand('Session Ledger: Connect Claude Code Hooks');
    await wb!.runCommand('Session Ledger: New Session');
    await wb!.pickQuickInput('test-fix');
    await wb!.pickQuickInput('Manual');
    await wb!.typeQuickInput(title);
    await wb!.typeQuickInput();
    await wb!.typeQuickInput('');
    await page.locator('.statusbar-item', { hasText: title }).waitFor({ timeout: 20_000 });

    // check.sh fails: the fix phase follows, a Claude step.
    await wb!.runCommand('Session Ledger: Next Step');
    await page.locator('.statusbar-item', { hasText: `${title} · fix · #1` }).waitFor({ timeout: 60_000 });
    // The Claude step: the real CLI answers in the session's terminal, the Bash tool really runs.
    await wb!.runCommand('Session Ledger: Next Step');
    // Recorded: the session moves on to its test phase, its cost in the status bar (the terminal draws on a canvas: its text is not in the DOM).
    await page.locator('.statusbar-item', { hasText: `${title} · test · #2` }).waitFor({ timeout: 150_000 });
    assert.match(
      (
        await page
          .locator('.statusbar-item', { hasText: `${title} · test · #2` })
          .first()
          .innerText()
      ).replace(/\s+/g, ' '),
      /\$0\.01/,
    );
    await wb!.screenshot('40-real-claude-step-terminal');

    const row = page.locator('.part.sidebar .monaco-list-row', { hasText: title });
    await row.click();
    const timeline = await wb!.webviewFrame('Timeline');
    // The Claude step's row (#2): 42 + 65 + 1700 + 1500 tokens, $0.011768 at Opus 5.5's published rates.
    const stepRow = timeline.locator('.row', { has: timeline.locator('.metric.cost', { hasText: '$0.01' }) }).first();
    await stepRow.waitFor({ timeout: 60_000 });
    assert.equal((await stepRow.locator('.seq').innerText()).trim(), '#2');
    assert.match((await stepRow.getAttribute('aria-label')) ?? '', /claude/i);
    assert.equal((await stepRow.locator('.metric.tokens').innerText()).trim(), '3.3k tok');
    assert.match((await stepRow.locator('.metric.tokens').getAttribute('title')) ?? '', /Tokens: /);
    await wb!.screenshot('41-real-claude-step-timeline-cost');
  });
});
