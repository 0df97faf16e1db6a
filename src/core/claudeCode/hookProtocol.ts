/**
 * What the hook script, the settings merge and the spool ingester agree on. Dependency-free
 * (apart from the dependency-free quoting helper): the hook script bundles it and must start fast.
 */
import { quoteForShell } from '../workflow/shellQuote';

/** The Claude Code hook events Session Ledger listens to. */
export const CLAUDE_HOOK_EVENTS = [
  'SessionStart',
  'SessionEnd',
  'UserPromptSubmit',
  'PreToolUse',
  'PostToolUse',
  'Stop',
  'SubagentStop',
  'PreCompact',
  'Notification',
] as const;
export type ClaudeHookEvent = (typeof CLAUDE_HOOK_EVENTS)[number];

/** Events whose matcher selects tools; the others take no matcher. */
export const TOOL_MATCHER_EVENTS: ReadonlySet<string> = new Set(['PreToolUse', 'PostToolUse']);

/** Every command we write into Claude Code settings carries this argument; it is how we find ours. */
export const HOOK_COMMAND_MARKER = '--session-ledger-hook';

/** The environment variable that can name the spool file instead of argv. */
export const SPOOL_ENV_VAR = 'SESSION_LEDGER_SPOOL';

/** One spool line as the hook script writes it. */
export interface SpoolLine {
  receivedAt: string;
  /**
   * 32 random hex digits making the line unique, so two hook events with identical payloads in
   * the same millisecond are two lines (and two events: the ingester names an event by the hash of
   * its line). Absent in lines written by hook scripts before it was added; those keep their ids.
   */
  nonce?: string;
  event: string | null;
  payload?: unknown;
  /** Set when stdin was not usable JSON; `raw` then holds its first characters. */
  invalid?: string;
  raw?: string;
}

export interface HookCommandOptions {
  /** Absolute path of the hook script: the stable copy in the extension's storage (see `hookScriptInstall.ts`). */
  scriptPath: string;
  /** Absolute path of the spool file in the extension's storage. */
  spoolPath: string;
  /** The Node executable to run the script with. Default `node`. */
  nodeCommand?: string;
  /** The platform Claude Code runs on: it decides the shell syntax. Default `process.platform`. */
  platform?: NodeJS.Platform;
}

/** Windows double-quoting: a Windows path cannot contain `"`, so wrapping is enough. */
function quoteForWindows(value: string): string {
  if (value.includes('"')) throw new Error(`Cannot put a path containing '"' into a Claude Code hook command: ${value}`);
  return `"${value}"`;
}

/**
 * The shell command Claude Code runs for `event`. It must never make Claude Code report a hook
 * error, even when the script or `node` is missing (an uninstalled extension, no Node on PATH):
 *
 * - Linux/macOS (Claude Code runs hooks with `sh -c`):
 *   `'node' '<script>' '<spool>' <Event> --session-ledger-hook 2>/dev/null || true`
 *   — POSIX single quotes ({@link quoteForShell}), stderr discarded (the script prints nothing
 *   itself; this silences "not found"), and `|| true` makes the exit code 0 whatever happens.
 * - Windows: Claude Code runs hooks through Git Bash, or cmd/PowerShell in some setups, and these
 *   disagree on redirection and `||` (`2>/dev/null` fails in cmd, `2>NUL` creates a file in Git
 *   Bash, `true` is not a cmd command). So the command is only the double-quoted call, which
 *   means the same in all three: `"node" "<script>" "<spool>" <Event> --session-ledger-hook`.
 *   The script itself always exits 0; only a missing script or `node` shows as a (non-blocking)
 *   hook error there, and the script lives in a stable place that survives updates.
 */
export function buildHookCommand(options: HookCommandOptions, event: ClaudeHookEvent): string {
  const windows = (options.platform ?? process.platform) === 'win32';
  const quote = windows ? quoteForWindows : (value: string) => quoteForShell(value, 'posix');
  const call =
    [options.nodeCommand ?? 'node', options.scriptPath, options.spoolPath].map(quote).join(' ') + ` ${event} ${HOOK_COMMAND_MARKER}`;
  return windows ? call : `${call} 2>/dev/null || true`;
}

export function isOurHookCommand(command: unknown): boolean {
  return typeof command === 'string' && command.includes(HOOK_COMMAND_MARKER);
}
