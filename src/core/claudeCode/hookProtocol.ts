/**
 * What the hook script, the settings merge and the spool ingester agree on. Dependency-free:
 * the hook script bundles it and must start fast.
 */

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
  event: string | null;
  payload?: unknown;
  /** Set when stdin was not usable JSON; `raw` then holds its first characters. */
  invalid?: string;
  raw?: string;
}

/** POSIX shell single-quoting (Claude Code runs hook commands through a shell). */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_\/.:=@%+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

export interface HookCommandOptions {
  /** Absolute path of the bundled `dist/hookSpool.js`. */
  scriptPath: string;
  /** Absolute path of the spool file in the extension's storage. */
  spoolPath: string;
  /** The Node executable to run the script with. Default `node`. */
  nodeCommand?: string;
}

/** The shell command Claude Code runs for `event`. */
export function buildHookCommand(options: HookCommandOptions, event: ClaudeHookEvent): string {
  return [options.nodeCommand ?? 'node', options.scriptPath, options.spoolPath, event].map(shellQuote).join(' ') + ' ' + HOOK_COMMAND_MARKER;
}

export function isOurHookCommand(command: unknown): boolean {
  return typeof command === 'string' && command.includes(HOOK_COMMAND_MARKER);
}
