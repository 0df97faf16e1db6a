// Every temporary folder a mocha run makes (os.tmpdir() in the tests, and in the processes and
// workers they start) goes under one folder of the run's own, removed when the run ends. Without it
// each run left its stores, clusters and fixtures behind, and repeated runs filled the disk.
// SESSION_LEDGER_KEEP_TEST_TMP=1 keeps the folder to look into after a failure.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = mkdtempSync(join(tmpdir(), 'session-ledger-tests-'));
// Others may pass through (not list): the team-ledger tests run PostgreSQL as its own user in a folder under it.
chmodSync(root, 0o711);
process.env.TMPDIR = root;

process.on('exit', () => {
  if (process.env.SESSION_LEDGER_KEEP_TEST_TMP) {
    process.stderr.write(`Test temporary files kept in ${root}\n`);
    return;
  }
  try {
    rmSync(root, { recursive: true, force: true, maxRetries: 3 });
  } catch (error) {
    process.stderr.write(`Could not remove ${root}: ${String(error)}\n`);
  }
});
