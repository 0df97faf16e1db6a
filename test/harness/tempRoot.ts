// Every temporary folder a mocha run makes (os.tmpdir() in the tests, and in the processes and
// workers they start) goes under one folder of the run's own, removed when the run ends. Without it
// each run left its stores, clusters and fixtures behind, and repeated runs filled the disk.
// SESSION_LEDGER_KEEP_TEST_TMP=1 keeps the folder to look into after a failure.
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isProcessAlive } from '../../src/core/store/lockTakeover';

const PREFIX = 'session-ledger-tests-';
const parent = tmpdir();

// A run that was killed (a CI timeout, Ctrl-C: no exit handler runs) left its folder: removed once its process is gone.
for (const name of readdirSync(parent)) {
  const pid = Number(new RegExp(`^${PREFIX}(\\d+)-`).exec(name)?.[1]);
  if (pid > 0 && pid !== process.pid && !isProcessAlive(pid)) rmSync(join(parent, name), { recursive: true, force: true });
}

const root = mkdtempSync(join(parent, `${PREFIX}${process.pid}-`));
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
