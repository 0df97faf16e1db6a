// A root hook of the e2e suite (test/e2e/.mocharc.json): a failed test leaves a screenshot of the
// workbench as it was, next to the others, so a failure on CI can be seen and not only read.
import type { Context } from 'mocha';
import { Workbench } from './workbench';

export const mochaHooks = {
  async afterEach(this: Context): Promise<void> {
    const test = this.currentTest;
    if (test?.state !== 'failed' || !Workbench.current) return;
    const name = `FAILED-${test
      .fullTitle()
      .replace(/[^\w-]+/g, '-')
      .slice(0, 120)}`;
    await Workbench.current.screenshot(name).catch(() => undefined);
  },
};
