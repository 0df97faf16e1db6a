import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';

export type FakeClaudeMode = 'normal' | 'tool' | 'hang' | 'error' | 'auth_error' | 'max_turns' | 'no_result';

export interface FakeClaudeInvocation {
  argv: string[];
  stdin: string;
  cwd: string;
  pid: number;
}

export interface FakeClaude {
  /** A folder holding an executable `claude`; put it first on PATH. */
  binDir: string;
  /** The full path of the fake executable. */
  executable: string;
  /** An environment with `binDir` first on PATH and the fake's state and log wired in. */
  env(mode?: FakeClaudeMode, base?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  /** Every invocation so far, oldest first. */
  invocations(): FakeClaudeInvocation[];
  /** In `hang` mode: the pid of the `sleep 30` the fake started, once it has. */
  hangingChildPid(): number | undefined;
  cleanup(): void;
}

/**
 * Installs the fake Claude Code CLI (test/fakes/bin/claude, a Node script) as `claude` in a temp
 * folder. It prints stream-json like `claude -p --output-format stream-json --verbose`, keeps
 * sessions so `--resume` works only for ids created with `--session-id`, and logs its invocations.
 */
export function installFakeClaude(): FakeClaude {
  const home = mkdtempSync(join(tmpdir(), 'fake-claude-'));
  const binDir = join(home, 'bin');
  const stateDir = join(home, 'sessions');
  const logPath = join(home, 'invocations.jsonl');
  mkdirSync(binDir);
  mkdirSync(stateDir);
  const executable = join(binDir, 'claude');
  copyFileSync(locateFakeClaudeScript(), executable);
  chmodSync(executable, 0o755);
  return {
    binDir,
    executable,
    env: (mode = 'normal', base = process.env) => ({
      ...base,
      PATH: `${binDir}${delimiter}${base.PATH ?? ''}`,
      FAKE_CLAUDE_STATE_DIR: stateDir,
      FAKE_CLAUDE_LOG: logPath,
      FAKE_CLAUDE_MODE: mode,
    }),
    invocations: () =>
      existsSync(logPath)
        ? readFileSync(logPath, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((line) => JSON.parse(line) as FakeClaudeInvocation)
        : [],
    hangingChildPid: () => (existsSync(`${logPath}.child`) ? Number(readFileSync(`${logPath}.child`, 'utf8')) : undefined),
    cleanup: () => rmSync(home, { recursive: true, force: true }),
  };
}

/**
 * test/fakes/bin/claude, found next to this file when run from source (tsx) or by walking up from
 * the bundle when esbuild has inlined this module into out/test/… for the extension host.
 */
function locateFakeClaudeScript(): string {
  const beside = join(__dirname, 'bin', 'claude');
  if (existsSync(beside)) return beside;
  for (let dir = __dirname; dirname(dir) !== dir; dir = dirname(dir)) {
    const candidate = join(dir, 'test', 'fakes', 'bin', 'claude');
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`fake claude script not found from ${__dirname}`);
}
