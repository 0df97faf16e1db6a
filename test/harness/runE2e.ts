// Runs test/e2e against the real workbench: installs the packaged .vsix into a fresh
// code-server profile (the way a person installs it), starts code-server without the
// smoke-test driver (so notifications and dialogs behave as for a person), then runs mocha
// over test/e2e in this Node process's child. Screenshots land in test-results/screenshots.
// Extra arguments go to mocha (e.g. `--grep agentic` while working on one test).
import { spawn } from 'node:child_process';
import { existsSync, cpSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { assertInstalled, codeServer, isolatedEnv, makeRunDirs, repoRoot, startCodeServer } from './testVscode';
import { startFakeAnthropic } from '../fakes/fakeAnthropic';
import { agenticScript } from '../fakes/agenticScenario';

async function main(): Promise<number> {
  assertInstalled();
  const vsix = join(repoRoot, 'session-ledger.vsix');
  if (!existsSync(vsix)) throw new Error(`${vsix} is missing: run npm run package first.`);
  const fake = await startFakeAnthropic({ script: agenticScript });
  // User settings (anthropicBaseUrl is machine-scoped, so not in the workspace's settings.json).
  const dirs = makeRunDirs('e2e', { 'sessionLedger.anthropicBaseUrl': fake.url, 'sessionLedger.model': 'claude-sonnet-4-6' });
  const fixture = join(repoRoot, 'test', 'fixtures', 'workspace');
  if (existsSync(fixture)) cpSync(fixture, dirs.workspace, { recursive: true });
  const env = isolatedEnv(dirs, { SESSION_LEDGER_TEST_RUN_DIR: dirs.root });
  codeServer(dirs, ['--install-extension', vsix], env);
  const server = await startCodeServer(dirs, { smokeTestDriver: false, env, logName: 'code-server-e2e' });
  const screenshots = join(repoRoot, 'test-results', 'screenshots');
  rmSync(screenshots, { recursive: true, force: true });
  try {
    // Not spawnSync: the fake Anthropic server lives in this process and must keep answering.
    const child = spawn(
      process.execPath,
      [
        join(repoRoot, 'node_modules', 'mocha', 'bin', 'mocha.js'),
        '--config',
        join(repoRoot, 'test', 'e2e', '.mocharc.json'),
        ...process.argv.slice(2),
      ],
      {
        cwd: repoRoot,
        stdio: 'inherit',
        env: { ...process.env, SESSION_LEDGER_E2E: JSON.stringify({ url: server.url, dirs, screenshots }) },
      },
    );
    const status = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const shots = existsSync(screenshots) ? readdirSync(screenshots).sort() : [];
    console.log(`[e2e] screenshots (${shots.length}) in ${screenshots}:`);
    for (const s of shots) console.log(`  ${s}`);
    return status ?? 1;
  } finally {
    await server.stop();
    await fake.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error('[e2e]', error);
    process.exit(2);
  },
);
