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

  static async open(env: E2eEnv = e2eEnv()): Promise<Workbench> {
    const browser = await launchBrowser(env.dirs);
    const page = browser.pages()[0] ?? (await browser.newPage());
    await page.goto(`${env.url}/?folder=${encodeURIComponent(env.dirs.workspace)}`);
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    // The status bar is drawn once the workbench has restored its parts.
    await page.waitForSelector('.statusbar', { timeout: 60_000 });
    return new Workbench(page, browser, env);
  }

  /** Runs a command from the palette by its full title, e.g. "Session Ledger: Show Log". */
  async runCommand(title: string): Promise<void> {
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${title}`);
    const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    await row.waitFor({ timeout: 15_000 });
    await this.page.keyboard.press('Enter');
  }

  /** Picks the quick-pick row containing `text`. */
  async pickQuickInput(text: string): Promise<void> {
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(text);
    await this.page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first().waitFor({ timeout: 15_000 });
    await this.page.keyboard.press('Enter');
  }

  /** Types into the open input box (replacing its value unless `text` is undefined) and accepts it. */
  async typeQuickInput(text?: string): Promise<void> {
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    // Each step of a multi-step input replaces the box; wait for this step's title to settle.
    await this.page.waitForTimeout(300);
    if (text !== undefined) await input.fill(text);
    await this.page.keyboard.press('Enter');
  }

  /** The content frame of the webview panel whose tab title contains `title`. */
  async webviewFrame(title: string): Promise<FrameLocator> {
    await this.page.locator('.tab', { hasText: title }).first().waitFor({ timeout: 30_000 });
    return this.page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame');
  }

  async openSessionsView(): Promise<void> {
    await this.page.locator('.activitybar .action-item a[aria-label^="Sessions"]').click();
    await this.page.locator('.part.sidebar .composite.title', { hasText: /sessions/i }).waitFor({ timeout: 15_000 });
  }

  async screenshot(name: string): Promise<string> {
    mkdirSync(this.env.screenshots, { recursive: true });
    const file = join(this.env.screenshots, `${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  async close(): Promise<void> {
    await this.browser.close();
  }
}
