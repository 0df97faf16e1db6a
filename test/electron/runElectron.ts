// Runs the integration suite under @vscode/test-electron, on machines that can download
// VS Code (npm run test:electron). The same bundle runs under code-server in npm test.
import { resolve } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { runTests } from '@vscode/test-electron';
import { PgCluster } from '../sync/pgCluster';

async function main(): Promise<void> {
  const repoRoot = resolve(__dirname, '..', '..', '..');
  const workspace = mkdtempSync(resolve(tmpdir(), 'session-ledger-ws-'));
  // The team ledger test's throwaway PostgreSQL, as runIntegration.ts starts it.
  const pg = await PgCluster.start();
  try {
    await runTests({
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: resolve(repoRoot, 'out', 'test', 'integration', 'index.js'),
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
      extensionTestsEnv: { SESSION_LEDGER_TEST_WORKSPACE: workspace, SESSION_LEDGER_TEST_PG_SOCKET: pg.socketDirectory },
    });
  } finally {
    pg.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
