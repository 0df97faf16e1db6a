/**
 * Connect / disconnect Session Ledger's hooks in a workspace's `.claude/settings.local.json`.
 *
 * Claude Code's shape (docs: "Hooks reference"):
 *   { "hooks": { "PreToolUse": [ { "matcher": "*", "hooks": [ { "type": "command", "command": "…", "timeout": 10 } ] } ] } }
 * Events without tools (UserPromptSubmit, Stop, …) take no matcher.
 *
 * Pure functions over JSON text ({@link connectHooksInText}, {@link disconnectHooksInText}) and
 * thin file helpers ({@link connectClaudeHooks}, {@link disconnectClaudeHooks}). Foreign hooks
 * and every other setting are kept as they are; ours are found by {@link HOOK_COMMAND_MARKER}
 * in the command. Invalid JSON is an error naming the file, and the file is never overwritten.
 *
 * Connected hooks go stale when what they point at moves (an older script path, another spool):
 * {@link hookConnectionInText} tells "current" from "stale", and {@link refreshHooksInText}
 * rewrites exactly our entries of a stale file (and nothing when we are not connected).
 *
 * Backup: the first time we change an existing settings file, its text is copied to
 * `settings.local.json.session-ledger.bak`, and that backup is never overwritten afterwards, so
 * it keeps the person's ORIGINAL file through any number of connects, disconnects and refreshes.
 * Deleting it makes the next change back the file up as it is then.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildHookCommand, CLAUDE_HOOK_EVENTS, isOurHookCommand, TOOL_MATCHER_EVENTS, type HookCommandOptions } from './hookProtocol';
import { writeFileAtomic } from '../store/storeFiles';

/** Seconds Claude Code gives our hook before cancelling it (the script needs milliseconds). */
const HOOK_TIMEOUT_SECONDS = 10;
export const CLAUDE_SETTINGS_RELATIVE_PATH = path.join('.claude', 'settings.local.json');
export const SETTINGS_BACKUP_SUFFIX = '.session-ledger.bak';

export class ClaudeSettingsError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`Cannot update Claude Code settings in ${file}: ${detail}. The file was left unchanged.`);
    this.name = 'ClaudeSettingsError';
  }
}

type JsonRecord = Record<string, unknown>;

interface HookGroup {
  matcher?: string;
  hooks: { type: string; command?: string; [key: string]: unknown }[];
  [key: string]: unknown;
}

export interface SettingsEdit {
  /** The new file text (unchanged input text when `changed` is false). */
  text: string;
  changed: boolean;
  /** How many of our hook commands were removed. */
  removed: number;
  /** How many of our hook commands were added. */
  added: number;
}

function isRecord(value: unknown): value is JsonRecord {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function parseSettings(text: string | undefined, file: string): JsonRecord {
  if (text === undefined || text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ClaudeSettingsError(file, `it is not valid JSON (${(err as Error).message})`);
  }
  if (!isRecord(parsed)) throw new ClaudeSettingsError(file, 'the top level is not a JSON object');
  if (parsed.hooks !== undefined && !isRecord(parsed.hooks)) throw new ClaudeSettingsError(file, '"hooks" is not an object');
  for (const [event, groups] of Object.entries((parsed.hooks as JsonRecord | undefined) ?? {})) {
    if (!Array.isArray(groups)) throw new ClaudeSettingsError(file, `"hooks.${event}" is not an array`);
    groups.forEach((group, i) => {
      if (!isRecord(group) || !Array.isArray(group.hooks)) {
        throw new ClaudeSettingsError(file, `"hooks.${event}[${i}].hooks" is not an array`);
      }
    });
  }
  return parsed;
}

function formatSettings(settings: JsonRecord): string {
  return JSON.stringify(settings, null, 2) + '\n';
}

/** Removes our commands from `settings.hooks` in place; returns how many were removed. */
function removeOurHooks(settings: JsonRecord): number {
  const hooks = settings.hooks as Record<string, HookGroup[]> | undefined;
  if (!hooks) return 0;
  let removed = 0;
  for (const [event, eventGroups] of Object.entries(hooks)) {
    const groups: HookGroup[] = [];
    for (const group of eventGroups) {
      const kept = group.hooks.filter((h) => !isOurHookCommand(h.command));
      removed += group.hooks.length - kept.length;
      if (kept.length > 0 || group.hooks.length === 0) groups.push({ ...group, hooks: kept });
    }
    if (groups.length > 0 || eventGroups.length === 0) hooks[event] = groups;
    else delete hooks[event];
  }
  if (removed > 0 && Object.keys(hooks).length === 0) delete settings.hooks;
  return removed;
}

function ourHookGroup(options: HookCommandOptions, event: (typeof CLAUDE_HOOK_EVENTS)[number]): HookGroup {
  const hook = { type: 'command', command: buildHookCommand(options, event), timeout: HOOK_TIMEOUT_SECONDS };
  return TOOL_MATCHER_EVENTS.has(event) ? { matcher: '*', hooks: [hook] } : { hooks: [hook] };
}

function edit(before: string | undefined, settings: JsonRecord, removed: number, added: number): SettingsEdit {
  const text = formatSettings(settings);
  const unchanged =
    before === undefined ? removed === 0 && added === 0 : JSON.stringify(parseSettings(before, '')) === JSON.stringify(settings);
  return unchanged ? { text: before ?? '', changed: false, removed: 0, added: 0 } : { text, changed: true, removed, added };
}

/**
 * Adds (or refreshes) our hook entry for every event in {@link CLAUDE_HOOK_EVENTS}. Idempotent:
 * connecting twice with the same options changes nothing. `file` only names the file in errors.
 */
export function connectHooksInText(text: string | undefined, options: HookCommandOptions, file: string): SettingsEdit {
  const settings = parseSettings(text, file);
  const removed = removeOurHooks(settings);
  const hooks = (settings.hooks ??= {}) as Record<string, HookGroup[]>;
  for (const event of CLAUDE_HOOK_EVENTS) {
    (hooks[event] ??= []).push(ourHookGroup(options, event));
  }
  return edit(text, settings, removed, CLAUDE_HOOK_EVENTS.length);
}

/** Removes exactly our hook commands; everything else stays. */
export function disconnectHooksInText(text: string | undefined, file: string): SettingsEdit {
  const settings = parseSettings(text, file);
  const removed = removeOurHooks(settings);
  return edit(text, settings, removed, 0);
}

/**
 * - `disconnected`: none of our hook commands is in the settings;
 * - `current`: exactly one of ours per event in {@link CLAUDE_HOOK_EVENTS}, each the command that
 *   `options` gives now, and no other of ours;
 * - `stale`: some of ours, but not exactly those (an older script or spool path, an older command
 *   form, a missing or extra event).
 */
export type HookConnection = 'disconnected' | 'current' | 'stale';

export function hookConnectionInText(text: string | undefined, options: HookCommandOptions, file: string): HookConnection {
  const hooks = (parseSettings(text, file).hooks ?? {}) as Record<string, HookGroup[]>;
  const ours = Object.entries(hooks).flatMap(([event, groups]) =>
    groups.flatMap((g) => g.hooks.filter((h) => isOurHookCommand(h.command)).map((h) => ({ event, command: h.command }))),
  );
  if (ours.length === 0) return 'disconnected';
  const current =
    ours.length === CLAUDE_HOOK_EVENTS.length &&
    CLAUDE_HOOK_EVENTS.every((event) => ours.some((h) => h.event === event && h.command === buildHookCommand(options, event)));
  return current ? 'current' : 'stale';
}

/**
 * Brings stale hooks up to date: our entries are replaced by the current ones, exactly as
 * {@link connectHooksInText} does, foreign hooks untouched. Not connected or already current →
 * unchanged (a person who disconnected is never reconnected).
 */
export function refreshHooksInText(text: string | undefined, options: HookCommandOptions, file: string): SettingsEdit {
  if (hookConnectionInText(text, options, file) !== 'stale') return { text: text ?? '', changed: false, removed: 0, added: 0 };
  return connectHooksInText(text, options, file);
}

export interface SettingsFileResult extends SettingsEdit {
  settingsPath: string;
  /** The backup of the original file, when the file was changed and one exists (written now or kept from before). */
  backupPath?: string;
  /** Whether this change wrote the backup (the first change of an existing file). */
  backupWritten: boolean;
}

function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function applyToFile(settingsPath: string, change: (text: string | undefined) => SettingsEdit): SettingsFileResult {
  const before = readIfExists(settingsPath);
  const result = change(before);
  if (!result.changed) return { ...result, settingsPath, backupWritten: false };
  const backupPath = settingsPath + SETTINGS_BACKUP_SUFFIX;
  const backupWritten = before !== undefined && writeBackupOnce(backupPath, before);
  writeFileAtomic(settingsPath, result.text);
  return { ...result, settingsPath, backupPath: fs.existsSync(backupPath) ? backupPath : undefined, backupWritten };
}

/** Writes the backup unless one exists already (`wx`: also safe against a second window doing the same). */
function writeBackupOnce(backupPath: string, text: string): boolean {
  try {
    fs.writeFileSync(backupPath, text, { flag: 'wx' });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

export function claudeSettingsPath(workspaceDir: string): string {
  return path.join(workspaceDir, CLAUDE_SETTINGS_RELATIVE_PATH);
}

/** "Connect Claude Code Hooks": merges our entries into `<workspace>/.claude/settings.local.json`. */
export function connectClaudeHooks(workspaceDir: string, options: HookCommandOptions): SettingsFileResult {
  const file = claudeSettingsPath(workspaceDir);
  return applyToFile(file, (text) => connectHooksInText(text, options, file));
}

/** "Disconnect Claude Code Hooks": removes exactly our entries. No file → nothing to do. */
export function disconnectClaudeHooks(workspaceDir: string): SettingsFileResult {
  const file = claudeSettingsPath(workspaceDir);
  return applyToFile(file, (text) => disconnectHooksInText(text, file));
}

/** Rewrites our entries when they are stale (at activation); see {@link refreshHooksInText}. */
export function refreshClaudeHooks(workspaceDir: string, options: HookCommandOptions): SettingsFileResult {
  const file = claudeSettingsPath(workspaceDir);
  return applyToFile(file, (text) => refreshHooksInText(text, options, file));
}

export function claudeHooksConnection(workspaceDir: string, options: HookCommandOptions): HookConnection {
  const file = claudeSettingsPath(workspaceDir);
  return hookConnectionInText(readIfExists(file), options, file);
}
