// One JSON line per mocha run appended to $SESSION_LEDGER_TEST_STATS: the counts, and each failing
// test's title with the first lines of its error. scripts/test.sh prints one closing total over
// every suite from these lines, and the failures again at the very end, where a CI log's tail shows them.
import { appendFileSync } from 'node:fs';
import Mocha = require('mocha');

/** One failing test (or hook) as the closing summary prints it. */
export interface FailedTest {
  readonly title: string;
  readonly error: string;
}

/** Records each failing test (or hook) of `runner` as it fails. */
export function collectFailures(runner: Mocha.Runner): FailedTest[] {
  const failed: FailedTest[] = [];
  runner.on(Mocha.Runner.constants.EVENT_TEST_FAIL, (test: Mocha.Runnable, error: unknown) => {
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    failed.push({ title: test.fullTitle(), error: text.split('\n').slice(0, 6).join('\n').slice(0, 1200) });
  });
  return failed;
}

/** Appends the run's line to $SESSION_LEDGER_TEST_STATS, when it is set. */
export function appendStats(stats: Mocha.Stats | undefined, failed: readonly FailedTest[]): void {
  const file = process.env.SESSION_LEDGER_TEST_STATS;
  if (file && stats) {
    appendFileSync(file, JSON.stringify({ passes: stats.passes, failures: stats.failures, pending: stats.pending, failed }) + '\n');
  }
}
