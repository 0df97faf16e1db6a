// Runs the REAL Claude Code CLI (installed by scripts/setup-claude-code.sh, path in
// SESSION_LEDGER_CLAUDE_BIN) headless against a loopback fake Anthropic API
// (test/fakes/fakeAnthropic.ts), with its state isolated in a temp config dir and HOME, and
// returns what it produced: the transcript it wrote, its stream-json lines and the hook payloads
// Session Ledger's hook script spooled. Used by unit and integration tests (plain Node and the
// extension host), so it imports nothing from VS Code.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { SpoolLine } from '../../src/core/claudeCode/hookProtocol';
import type { FakeTurn, FakeUsage, RecordedRequest } from '../fakes/fakeAnthropic';
import { claudeProjectDir } from '../../src/core/claudeCode/transcriptFiles';
import { connectClaudeHooks } from '../../src/core/claudeCode/hookSettings';
import { quoteForShell } from '../../src/core/workflow/shellQuote';

/** The version scripts/setup-claude-code.sh pins; the fixtures in test/fixtures/claudeCode/real-<version>/ are of it. */
export const REAL_CLAUDE_VERSION = '2.1.328';

/** The model the fake answers as (Claude Code's default model at this version). */
export const REAL_CLAUDE_MODEL = 'claude-opus-5-5';

/**
 * The real `claude` binary, or undefined when the harness did not install it. Outside CI a test
 * needing it skips (with `skipWithoutRealClaude`); in CI (CI=true) its absence is a failure.
 */
export function realClaudeBin(): string | undefined {
  const bin = process.env.SESSION_LEDGER_CLAUDE_BIN;
  return bin && bin.trim() !== '' ? bin : undefined;
}

export const MISSING_REAL_CLAUDE =
  'SESSION_LEDGER_CLAUDE_BIN is not set: run `export SESSION_LEDGER_CLAUDE_BIN=$(bash scripts/setup-claude-code.sh | tail -1)` (scripts/test.sh does this) to test against the real Claude Code CLI.';

/**
 * Call in a mocha `before`/`it` (`function () {}` so `this` is the context): returns the binary,
 * or skips the test with a message saying how to install it — unless CI=true, where it throws.
 */
export function requireRealClaude(context: { skip(): void }): string {
  const bin = realClaudeBin();
  if (bin) {
    if (!existsSync(bin)) throw new Error(`SESSION_LEDGER_CLAUDE_BIN=${bin} does not exist. Rerun scripts/setup-claude-code.sh.`);
    return bin;
  }
  if (process.env.CI === 'true') throw new Error(`${MISSING_REAL_CLAUDE} (CI=true: tests against the real CLI cannot be skipped)`);
  console.warn(`    skipped: ${MISSING_REAL_CLAUDE}`);
  context.skip();
  throw new Error('unreachable: skip() throws');
}

/** A temp folder for one CLI's state (CLAUDE_CONFIG_DIR and HOME). */
export interface RealClaudeHome {
  configDir: string;
  home: string;
  cleanup(): void;
}

export function makeRealClaudeHome(prefix = 'real-claude-'): RealClaudeHome {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const configDir = join(root, 'config');
  const home = join(root, 'home');
  mkdirSync(configDir);
  mkdirSync(home);
  return { configDir, home, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/**
 * The environment that points the real CLI at the fake API and keeps it away from the network,
 * the person's ~/.claude and auto-updates. `base` defaults to this process's environment.
 */
export function realClaudeEnv(baseUrl: string, home: RealClaudeHome, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const key of Object.keys(env)) if (key.startsWith('ANTHROPIC_') || key.startsWith('CLAUDE_')) delete env[key];
  return {
    ...env,
    ANTHROPIC_BASE_URL: baseUrl,
    ANTHROPIC_API_KEY: 'sk-ant-fake-key-for-tests',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_ERROR_REPORTING: '1',
    // In VS Code's terminal the CLI would otherwise install its IDE extension through `code`, and wait for it.
    CLAUDE_CODE_IDE_SKIP_AUTO_INSTALL: '1',
    CLAUDE_CONFIG_DIR: home.configDir,
    HOME: home.home,
  };
}

/**
 * Connects Session Ledger's hooks in `cwd/.claude/settings.local.json` exactly as the Connect
 * Claude Code Hooks command does, writing to `spoolPath` through the bundled hook script
 * (`dist/hookSpool.js`, built by `node esbuild.mjs`).
 */
export function connectTestHooks(cwd: string, spoolPath: string, scriptPath = locateHookScript()): void {
  connectClaudeHooks(cwd, { scriptPath, spoolPath, nodeCommand: process.execPath });
}

/** dist/hookSpool.js of this checkout, found by walking up from here (source or bundle). */
export function locateHookScript(): string {
  for (let dir = __dirname; dirname(dir) !== dir; dir = dirname(dir)) {
    const candidate = join(dir, 'dist', 'hookSpool.js');
    if (existsSync(candidate)) return candidate;
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'src', 'core', 'claudeCode', 'hookSpool.ts'))) {
      throw new Error(`${candidate} is missing: build it with \`node esbuild.mjs\` before running tests with hooks.`);
    }
  }
  throw new Error(`dist/hookSpool.js not found from ${__dirname}: build it with \`node esbuild.mjs\`.`);
}

export interface RealClaudeRunOptions {
  bin: string;
  /** The fake Anthropic API's URL. */
  baseUrl: string;
  prompt: string;
  /** The project folder the CLI runs in (hooks are read from its .claude/settings.local.json). */
  cwd: string;
  home: RealClaudeHome;
  /** Defaults to a new uuid (`--session-id`); with `resume` it continues that conversation (`--resume`). */
  sessionId?: string;
  resume?: boolean;
  /** `--allowedTools`, e.g. `['Bash(echo:*)']` (as root the CLI refuses bypassPermissions). */
  allowedTools?: string[];
  /** When set, Session Ledger's hooks are connected in `cwd` and spool here. */
  spoolPath?: string;
  extraArgs?: string[];
  /** Kill the CLI after this long (default 90 s). */
  timeoutMs?: number;
}

export interface RealClaudeRun {
  sessionId: string;
  exitCode: number | null;
  /** Every stdout line, parsed (`--output-format stream-json --verbose`). */
  streamJson: Array<Record<string, unknown>>;
  stderr: string;
  /** Where the CLI wrote the conversation: `$CLAUDE_CONFIG_DIR/projects/<cwd>/<session id>.jsonl`. */
  transcriptPath: string;
  /** The transcript's lines, parsed (empty when it does not exist). */
  transcript: Array<Record<string, unknown>>;
  /** The spool lines Session Ledger's hook script wrote during this run (empty without `spoolPath`). */
  hooks: SpoolLine[];
  /** The final `result` line, when there was one. */
  result?: Record<string, unknown>;
}

export function readJsonLines(path: string): Array<Record<string, unknown>> {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Runs `claude -p <prompt> --output-format stream-json --verbose` and waits for it to exit. */
export async function runRealClaude(options: RealClaudeRunOptions): Promise<RealClaudeRun> {
  const sessionId = options.sessionId ?? randomUUID();
  const spoolBefore = options.spoolPath && existsSync(options.spoolPath) ? readFileSync(options.spoolPath, 'utf8').length : 0;
  if (options.spoolPath) {
    mkdirSync(dirname(options.spoolPath), { recursive: true });
    if (!existsSync(options.spoolPath)) writeFileSync(options.spoolPath, '');
    connectTestHooks(options.cwd, options.spoolPath);
  }
  const args = [
    '-p',
    options.prompt,
    '--output-format',
    'stream-json',
    '--verbose',
    options.resume ? '--resume' : '--session-id',
    sessionId,
  ];
  if (options.allowedTools?.length) args.push('--allowedTools', options.allowedTools.join(','));
  args.push(...(options.extraArgs ?? []));

  const child = spawn(options.bin, args, {
    cwd: options.cwd,
    env: realClaudeEnv(options.baseUrl, options.home),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const timeoutMs = options.timeoutMs ?? 90_000;
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`the real claude did not finish within ${timeoutMs} ms (stderr: ${stderr.slice(-2000)}; stdout: ${stdout.slice(-2000)})`),
      );
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });

  const streamJson = stdout
    .split('\n')
    .filter((line) => line.trim().startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const transcriptPath = join(claudeProjectDir(options.cwd, options.home.configDir), `${sessionId}.jsonl`);
  const hooks = options.spoolPath
    ? readFileSync(options.spoolPath, 'utf8')
        .slice(spoolBefore)
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as SpoolLine)
    : [];
  return {
    sessionId,
    exitCode,
    streamJson,
    stderr,
    transcriptPath,
    transcript: readJsonLines(transcriptPath),
    hooks,
    result: streamJson.find((line) => line.type === 'result'),
  };
}

/** The usage the fake reports for the tool call and for the final answer of {@link realClaudeToolScript}. */
export const TOOL_CALL_USAGE: FakeUsage = {
  input_tokens: 12,
  output_tokens: 40,
  cache_creation_input_tokens: 1500,
  cache_read_input_tokens: 0,
  cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 500 },
  service_tier: 'standard',
};
export const FINAL_ANSWER_USAGE: FakeUsage = {
  input_tokens: 30,
  output_tokens: 25,
  cache_creation_input_tokens: 200,
  cache_read_input_tokens: 1500,
  cache_creation: { ephemeral_5m_input_tokens: 200, ephemeral_1h_input_tokens: 0 },
  service_tier: 'standard',
};

function lastMessageHasToolResult(request: RecordedRequest): boolean {
  const last = request.body.messages[request.body.messages.length - 1];
  return Array.isArray(last?.content) && (last.content as Array<{ type?: string }>).some((block) => block.type === 'tool_result');
}

/**
 * A fake-API script for one tool-using turn of the real CLI: the conversation's request (the one
 * offering tools) is answered with a `Bash` tool call of `command`; the request carrying its
 * tool_result gets `finalText`. Any side request the CLI makes without tools (e.g. a title) gets a
 * short text with `sideUsage`.
 */
export function realClaudeToolScript(options: {
  command: string;
  finalText?: string;
  model?: string;
}): (request: RecordedRequest) => FakeTurn {
  return (request) => {
    const model = options.model ?? REAL_CLAUDE_MODEL;
    if (!request.body.tools?.length)
      return { content: [{ type: 'text', text: 'Side answer' }], usage: { input_tokens: 5, output_tokens: 2 }, model };
    if (lastMessageHasToolResult(request)) {
      return {
        content: [{ type: 'text', text: options.finalText ?? 'The command printed the greeting.' }],
        usage: FINAL_ANSWER_USAGE,
        model,
      };
    }
    return {
      content: [
        { type: 'text', text: 'I will run it.' },
        { type: 'tool_use', name: 'Bash', input: { command: options.command, description: 'Print a greeting' } },
      ],
      usage: TOOL_CALL_USAGE,
      model,
    };
  };
}

/**
 * A `claude` for a session's terminal (the `sessionLedger.claudePath` setting): the REAL CLI with
 * `env`'s fake-API variables, its state in a temp folder, Bash(echo) allowed. `-p` makes it answer
 * the step's prompt and exit, as a person would after the reply (the interactive TUI needs
 * keystrokes a test cannot type reliably); hooks fire the same in both modes.
 */
export function writeRealClaudeWrapper(dir: string, bin: string, env: NodeJS.ProcessEnv): string {
  const keys = [
    'ANTHROPIC_BASE_URL',
    'ANTHROPIC_API_KEY',
    'CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC',
    'DISABLE_AUTOUPDATER',
    'DISABLE_TELEMETRY',
    'DISABLE_ERROR_REPORTING',
    'CLAUDE_CODE_IDE_SKIP_AUTO_INSTALL',
    'CLAUDE_CONFIG_DIR',
    'HOME',
  ];
  const exports = keys.map((k) => `export ${k}=${quoteForShell(env[k] ?? '', 'posix')}`).join('\n');
  const wrapper = join(dir, 'claude');
  // Not on the terminal itself: in a TTY the CLI draws for a person (cursor, terminal queries).
  writeFileSync(
    wrapper,
    `#!/bin/bash\nset -o pipefail\n${exports}\n${quoteForShell(bin, 'posix')} -p --allowedTools 'Bash(echo:*)' "$@" </dev/null 2>&1 | cat\n`,
  );
  chmodSync(wrapper, 0o755);
  return wrapper;
}
