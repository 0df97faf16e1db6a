// Runs test/e2e against the real workbench: installs the packaged .vsix into a fresh
// code-server profile (the way a person installs it), starts code-server without the
// smoke-test driver (so notifications and dialogs behave as for a person), then runs mocha
// over test/e2e in this Node process's child. Screenshots land in test-results/screenshots.
import { spawnSync } from 'node:child_process';
import { existsSync, cpSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { assertInstalled, codeServer, isolatedEnv, makeRunDirs, repoRoot, startCodeServer } from './testVscode';

async function main(): Promise<number> {
  assertInstalled();
  const vsix = join(repoRoot, 'session-ledger.vsix');
  if (!existsSync(vsix)) throw new Error(`${vsix} is missing: run npm run package first.`);
  const dirs = makeRunDirs('e2e');
  const fixture = join(repoRoot, 'test', 'fixtures', 'workspace');
  if (existsSync(fixture)) cpSync(fixture, dirs.workspace, { recursive: true });
  const env = isolatedEnv(dirs, { SESSION_LEDGER_TEST_RUN_DIR: dirs.root });
  codeServer(dirs, ['--install-extension', vsix], env);
  const server = await startCodeServer(dirs, { smokeTestDriver: false, env, logName: 'code-server-e2e' });
  const screenshots = join(repoRoot, 'test-results', 'screenshots');
  rmSync(screenshots, { recursive: true, force: true });
  try {
    const mocha = spawnSync(
      process.execPath,
      [join(repoRoot, 'node_modules', 'mocha', 'bin', 'mocha.js'), '--config', join(repoRoot, 'test', 'e2e', '.mocharc.json')],
      {
        cwd: repoRoot,
        stdio: 'inherit',
        env: { ...process.env, SESSION_LEDGER_E2E: JSON.stringify({ url: server.url, dirs, screenshots }) },
      },
    );
    const shots = existsSync(screenshots) ? readdirSync(screenshots).sort() : [];
    console.log(`[e2e] screenshots (${shots.length}) in ${screenshots}:`);
    for (const s of shots) console.log(`  ${s}`);
    return mocha.status ?? 1;
  } finally {
    await server.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error('[e2e]', error);
    process.exit(2);
  },
);
