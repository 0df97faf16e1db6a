/*
 * Builds the real `session-ledger` bundle (src/cli/main.ts through esbuild, as esbuild.mjs does,
 * with the sql.js patch) into a temp folder laid out like the packaged extension — dist/cli.js,
 * dist/snapshotWorker.js, dist/sql-wasm.wasm, migrations/ — and runs it as a child process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Plugin } from 'esbuild';

const repoRoot = resolve(__dirname, '..', '..', '..');
let built: Promise<string> | undefined;

/** The bundled CLI's path (built once per test process). */
export function buildCli(): Promise<string> {
  built ??= (async () => {
    const root = mkdtempSync(join(tmpdir(), 'session-ledger-cli-'));
    const dist = join(root, 'dist');
    mkdirSync(dist);
    const esbuild = await import('esbuild');
    const { sqlJsGrowthPlugin } = (await import(join(repoRoot, 'scripts', 'sqljsGrowthPlugin.mjs'))) as { sqlJsGrowthPlugin: Plugin };
    const { zodLocalesPlugin } = (await import(join(repoRoot, 'scripts', 'zodLocalesPlugin.mjs'))) as { zodLocalesPlugin: Plugin };
    const common = {
      bundle: true,
      platform: 'node' as const,
      format: 'cjs' as const,
      target: 'node18',
      logLevel: 'warning' as const,
      plugins: [sqlJsGrowthPlugin, zodLocalesPlugin],
      absWorkingDir: repoRoot,
    };
    await Promise.all([
      esbuild.build({
        ...common,
        entryPoints: {
          cli: 'src/cli/main.ts',
          'cli-run': 'src/cli/commands/run.ts',
          ...(existsSync(join(repoRoot, 'src/cli/mcp.ts')) ? { 'cli-mcp': 'src/cli/mcp.ts' } : {}),
        },
        outdir: dist,
        external: ['vscode', 'sql.js/dist/sql-wasm.wasm'],
      }),
      esbuild.build({ ...common, entryPoints: { snapshotWorker: 'src/core/store/snapshotWorker.ts' }, outdir: dist }),
    ]);
    cpSync(join(repoRoot, 'node_modules/sql.js/dist/sql-wasm.wasm'), join(dist, 'sql-wasm.wasm'));
    cpSync(join(repoRoot, 'migrations'), join(root, 'migrations'), { recursive: true });
    return join(dist, 'cli.js');
  })();
  return built;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Kill it after this long (default 60 s). */
  timeoutMs?: number;
}

/** Environment without the machine's own VS Code registry or colour settings leaking in. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of ['SESSION_LEDGER_REGISTRY', 'NO_COLOR', 'ANTHROPIC_API_KEY', 'ANTHROPIC_BASE_URL', 'FORCE_COLOR']) delete env[key];
  // No desktop VS Code registry of this machine is found: the defaults look under HOME / XDG folders.
  const home = mkdtempSync(join(tmpdir(), 'cli-home-'));
  return { ...env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_DATA_HOME: join(home, '.local', 'share'), ...extra };
}

export function startCli(
  args: readonly string[],
  options: CliRunOptions = {},
): Promise<{ child: ChildProcess; result: Promise<CliResult> }> {
  return buildCli().then((cli) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: options.cwd ?? repoRoot,
      env: options.env ?? cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    const result = new Promise<CliResult>((done, fail) => {
      child.on('error', fail);
      child.on('close', (code) => {
        clearTimeout(timer);
        done({ code, stdout, stderr });
      });
    });
    return { child, result };
  });
}

export async function runCli(args: readonly string[], options: CliRunOptions = {}): Promise<CliResult> {
  return (await startCli(args, options)).result;
}
