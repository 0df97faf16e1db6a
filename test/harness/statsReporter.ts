// Mocha's spec reporter, plus one JSON line of counts and failures appended to
// $SESSION_LEDGER_TEST_STATS (see testStats.ts) for the closing summary of scripts/test.sh.
import Mocha = require('mocha');
import { appendStats, collectFailures } from './testStats';

class StatsReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    const failed = collectFailures(runner);
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => appendStats(runner.stats, failed));
  }
}

export = StatsReporter;
