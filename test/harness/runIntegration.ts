// Runs test/integration inside the real VS Code extension host: code-server with the smoke-test
// driver enabled, opened by headless Chromium with extensionDevelopmentPath/extensionTestsPath
// in the URL payload. Exits with the extension host's exit code.
import { join } from 'node:path';
import { format } from 'node:util';
import { cpSync, existsSync } from 'node:fs';
import { assertInstalled, isolatedEnv, launchBrowser, makeRunDirs, repoRoot, startCodeServer } from './testVscode';
import { PgCluster } from '../sync/pgCluster';

/** Workbench chatter that reaches the automation log but says nothing about our tests. */
const workbenchNoise =
  /^\[(AgentHost|AgentHost:remote|AccountPolicyGate|Service Worker|reconnection-grace-time)\]|getaddrinfo ENOTFOUND|^\s+at |^(Resolving|Resolved) connection token|^Creating a socket|^Updating additional builtin|Timed out waiting for authentication provider/;

async function main(): Promise<number> {
  assertInstalled();
  // --untrusted: the suite of test/integration-untrusted, in a workspace that is not trusted.
  const untrusted = process.argv.includes('--untrusted');
  const testsIndex = join(repoRoot, 'out', 'test', untrusted ? 'integration-untrusted' : 'integration', 'index.js');
  if (!existsSync(testsIndex)) throw new Error(`${testsIndex} is missing: run node esbuild.mjs --tests first.`);
  const dirs = makeRunDirs(
    untrusted ? 'integration-untrusted' : 'integration',
    untrusted ? { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never' } : {},
  );
  const fixture = join(repoRoot, 'test', 'fixtures', 'workspace');
  if (existsSync(fixture)) cpSync(fixture, dirs.workspace, { recursive: true });
  // A throwaway PostgreSQL for the team ledger test (teamLedger.test.ts), as test/sync makes it:
  // initdb under a temporary directory, a Unix socket only; stopped and removed at the end.
  const pg = untrusted ? undefined : await PgCluster.start();
  let pgStopped = false;
  const stopPg = (): void => {
    if (pgStopped || !pg) return;
    pgStopped = true;
    try {
      pg.stop();
    } catch (error) {
      console.error('[integration] stopping the test PostgreSQL failed', error);
    }
  };
  process.once('exit', stopPg); // also when code-server or the browser failed to start
  const env = isolatedEnv(dirs, {
    ...(pg ? { SESSION_LEDGER_TEST_PG_SOCKET: pg.socketDirectory } : {}),
    SESSION_LEDGER_TEST_WORKSPACE: dirs.workspace,
    SESSION_LEDGER_TEST_RUN_DIR: dirs.root,
    ...(process.env.SESSION_LEDGER_TEST_STATS ? { SESSION_LEDGER_TEST_STATS: process.env.SESSION_LEDGER_TEST_STATS } : {}),
  });
  const server = await startCodeServer(dirs, { smokeTestDriver: true, env, logName: 'code-server-integration', workspaceTrust: untrusted });
  const browser = await launchBrowser(dirs);
  try {
    const page = browser.pages()[0] ?? (await browser.newPage());
    let onExit!: (code: number) => void;
    const exited = new Promise<number>((r) => (onExit = r));
    await page.exposeFunction('codeAutomationLog', (_type: string, args: unknown) => {
      const parts = Array.isArray(args) ? args : [args];
      const kept = format(...parts)
        .split('\n')
        .filter((line) => !workbenchNoise.test(line));
      if (kept.length) console.log(kept.join('\n'));
    });
    await page.exposeFunction('codeAutomationExit', (code: number) => onExit(code));
    const remote = (p: string) => `vscode-remote://remote${p}`;
    const payload = [
      ['extensionDevelopmentPath', remote(repoRoot)],
      ['extensionTestsPath', remote(testsIndex)],
    ];
    const url = `${server.url}/?folder=${encodeURIComponent(dirs.workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    await page.goto(url);
    const limitMs = Number(process.env.SESSION_LEDGER_INTEGRATION_TIMEOUT_MS ?? 15 * 60_000);
    const timeout = new Promise<number>((r) => setTimeout(() => r(124), limitMs).unref());
    const code = await Promise.race([exited, timeout]);
    console.log(`[integration] extension host exit code ${code}${code === 124 ? ' (timed out)' : ''}; logs in ${dirs.root}`);
    return code;
  } finally {
    await browser.close().catch(() => undefined);
    await server.stop();
    stopPg();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error('[integration]', error);
    process.exit(2);
  },
);
