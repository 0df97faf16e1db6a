// Entry point the VS Code extension host calls with `extensionTestsPath`: runs every
// `*.test.js` next to this file with mocha. Runner-agnostic: the same bundle runs under
// @vscode/test-electron (test/electron) and under code-server (test/harness/runIntegration.ts).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Mocha = require('mocha');
import { appendStats, collectFailures } from '../harness/testStats';

export function run(): Promise<void> {
  // SESSION_LEDGER_TEST_GREP runs only the tests whose full title matches (a quicker loop while working).
  const grep = process.env.SESSION_LEDGER_TEST_GREP || undefined;
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec', grep });
  for (const file of readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js'))
    .sort()) {
    mocha.addFile(join(__dirname, file));
  }
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const stats = runner.stats;
      appendStats(stats, failed);
      if (failures > 0) {
        reject(new Error(`${failures} integration test(s) failed.`));
      } else if (!stats || stats.tests === 0) {
        reject(new Error('No integration test ran.'));
      } else {
        resolve();
      }
    });
    // Mocha starts the first test on a later tick, so this listener sees every failure.
    const failed = collectFailures(runner);
  });
}
