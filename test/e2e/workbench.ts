// Shared by the end-to-end tests: opens the real workbench (code-server started by
// test/harness/runE2e.ts with the packaged extension installed) in headless Chromium and
// offers the few gestures a person makes: command palette, activity bar, screenshots.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, FrameLocator, Page } from 'playwright-core';
import { launchBrowser, type RunDirs } from '../harness/testVscode';

export interface E2eEnv {
  url: string;
  dirs: RunDirs;
  screenshots: string;
}

export function e2eEnv(): E2eEnv {
  const raw = process.env.SESSION_LEDGER_E2E;
  if (!raw) throw new Error('SESSION_LEDGER_E2E is not set: run the e2e tests through test/harness/runE2e.ts (npm test).');
  return JSON.parse(raw) as E2eEnv;
}

export class Workbench {
  private constructor(
    readonly page: Page,
    private readonly browser: BrowserContext,
    private readonly env: E2eEnv,
  ) {}

  /** The workbench a test has open, for the failure screenshot (test/e2e/failureScreenshots.ts). */
  static current: Workbench | undefined;

  static async open(env: E2eEnv = e2eEnv()): Promise<Workbench> {
    const browser = await launchBrowser(env.dirs);
    const page = browser.pages()[0] ?? (await browser.newPage());
    try {
      // A loaded machine (two cores, several suites) can take well over the default 30 s to serve the workbench.
      await page.goto(`${env.url}/?folder=${encodeURIComponent(env.dirs.workspace)}`, { timeout: 120_000 });
      await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
      // The status bar is drawn once the workbench has restored its parts.
      await page.waitForSelector('.statusbar', { timeout: 60_000 });
    } catch (error) {
      // Chromium left running would keep mocha (and the harness waiting for it) alive.
      await browser.close().catch(() => undefined);
      throw error;
    }
    Workbench.current = new Workbench(page, browser, env);
    return Workbench.current;
  }

  /**
   * Opens the same folder in another tab of this browser (a second workbench window; code-server
   * starts an extension host per window). Closing it with {@link closeTab} leaves this one open.
   */
  async openTab(): Promise<Workbench> {
    const page = await this.browser.newPage();
    await page.goto(`${this.env.url}/?folder=${encodeURIComponent(this.env.dirs.workspace)}`, { timeout: 120_000 });
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    await page.waitForSelector('.statusbar', { timeout: 60_000 });
    return new Workbench(page, this.browser, this.env);
  }

  /** Closes this tab only (the browser and its other tabs stay). */
  async closeTab(): Promise<void> {
    await this.page.close();
  }

  /** Runs a command from the palette by its full title, e.g. "Session Ledger: Show Log". */
  async runCommand(title: string): Promise<void> {
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${title}`);
    // Enter runs the focused row, which is not always this command: the palette ranks recently
    // used commands first ("View: Close Editor" came below "View: Close All Editor Groups").
    await this.focusRow(`the command "${title}"`, (row) => row.label === title);
    await this.acceptStep();
  }

  /** Picks the quick-pick row containing `text` (the first such row). */
  async pickQuickInput(text: string): Promise<void> {
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(text);
    await this.focusRow(`a row with "${text}"`, (row) => row.text.includes(text));
    await this.acceptStep();
  }

  /**
   * Moves the quick input's focus (arrow keys, as a person does) to the first row `matches`, once
   * the filtered list shows one; fails naming the rows shown when none does.
   */
  private async focusRow(what: string, matches: (row: { label: string; text: string }) => boolean): Promise<void> {
    const rows = () =>
      this.page.evaluate(() =>
        // In list order (data-index): a virtual list's rows are not always in DOM order.
        [...document.querySelectorAll<HTMLElement>('.quick-input-list .monaco-list-row')]
          .sort((a, b) => Number(a.dataset.index) - Number(b.dataset.index))
          .map((row) => ({
            label: row.querySelector('.label-name')?.textContent?.trim() ?? '',
            text: row.innerText,
            focused: row.classList.contains('focused'),
          })),
      );
    const deadline = Date.now() + 15_000;
    for (;;) {
      const shown = await rows();
      const wanted = shown.findIndex(matches);
      const focused = shown.findIndex((row) => row.focused);
      if (wanted >= 0 && wanted === focused) return;
      if (Date.now() > deadline) {
        throw new Error(`the quick input shows no ${what} to pick (rows: ${JSON.stringify(shown.map((row) => row.label))})`);
      }
      if (wanted >= 0 && focused >= 0) {
        await this.page.locator('.quick-input-widget input').press(wanted > focused ? 'ArrowDown' : 'ArrowUp');
      } else {
        await this.page.waitForTimeout(50);
      }
    }
  }

  /** Types into the open input box (replacing its value unless `text` is undefined) and accepts it. */
  async typeQuickInput(text?: string): Promise<void> {
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    if (text !== undefined) await input.fill(text);
    await this.acceptStep();
  }

  /**
   * Presses Enter in the quick input and waits until it has moved on: closed, or showing the next
   * step (another title). A step that refuses the value (validation) fails here, saying so, instead
   * of the next gesture landing in the wrong step.
   */
  private async acceptStep(): Promise<void> {
    const titleOf = () =>
      this.page.evaluate(() => {
        const widget = document.querySelector<HTMLElement>('.quick-input-widget');
        const visible = !!widget && widget.style.display !== 'none' && widget.offsetParent !== null;
        return visible ? (widget.querySelector('.quick-input-title')?.textContent ?? '') : null;
      });
    const before = await titleOf();
    // Enter on the quick input itself (focused first), not wherever focus is: an editor that
    // takes focus back meanwhile (the walkthrough page re-renders its steps) got the key instead.
    await this.page.locator('.quick-input-widget input').press('Enter');
    const deadline = Date.now() + 15_000;
    for (;;) {
      const now = await titleOf();
      if (now === null || now !== before) return;
      if (Date.now() > deadline) {
        // What the widget showed, for the next person to find why (the input's value, its validation
        // message, where focus was, whether the widget was busy): a known intermittent failure here.
        const state = await this.page.evaluate(() => {
          const widget = document.querySelector<HTMLElement>('.quick-input-widget');
          const input = widget?.querySelector<HTMLInputElement>('input');
          return {
            value: input?.value,
            message: widget?.querySelector('.quick-input-message')?.textContent,
            focusedIsInput: document.activeElement === input,
            focused: `${document.activeElement?.tagName}.${document.activeElement?.className}`.slice(0, 120),
            busy: !!widget?.querySelector('.quick-input-progress.active, .progress-bit:not([style*="display: none"])'),
            enabled: !input?.disabled,
          };
        });
        throw new Error(`the quick input did not move on from "${before}" (a value it refused?): ${JSON.stringify(state)}`);
      }
      await this.page.waitForTimeout(50);
    }
  }

  /** The content frame of the webview panel whose tab title contains `title`. */
  async webviewFrame(title: string): Promise<FrameLocator> {
    await this.page.locator('.tab', { hasText: title }).first().waitFor({ timeout: 30_000 });
    return this.page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame');
  }

  async openSessionsView(): Promise<void> {
    const title = this.page.locator('.part.sidebar .composite.title', { hasText: /sessions/i });
    // The workbench restores the view an earlier test left open; clicking its icon then would hide the side bar.
    if (!(await title.isVisible())) await this.page.locator('.activitybar .action-item a[aria-label^="Sessions"]').click();
    await title.waitFor({ timeout: 15_000 });
  }

  async screenshot(name: string): Promise<string> {
    mkdirSync(this.env.screenshots, { recursive: true });
    const file = join(this.env.screenshots, `${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  async close(): Promise<void> {
    if (Workbench.current === this) Workbench.current = undefined;
    await this.browser.close();
  }
}
