// Mocha's spec reporter, plus one JSON line of counts appended to $SESSION_LEDGER_TEST_STATS
// so the test script can print one closing total over every suite it ran.
import { appendFileSync } from 'node:fs';
import Mocha = require('mocha');

class StatsReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => appendStats(runner.stats));
  }
}

function appendStats(stats: Mocha.Stats | undefined): void {
  const file = process.env.SESSION_LEDGER_TEST_STATS;
  if (file && stats) {
    appendFileSync(file, JSON.stringify({ passes: stats.passes, failures: stats.failures, pending: stats.pending }) + '\n');
  }
}

export = StatsReporter;
