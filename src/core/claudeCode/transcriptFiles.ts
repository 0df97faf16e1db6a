/**
 * Where Claude Code keeps a workspace's transcripts, and the incremental import state (size,
 * mtime and resume offset per file) kept in the extension's storage.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomic } from './atomicFile';

/** Claude Code's folder name for a project: every non-alphanumeric character becomes `-`. */
export function encodeWorkspacePath(workspacePath: string): string {
  return workspacePath.replace(/[^A-Za-z0-9]/g, '-');
}

/** `$CLAUDE_CONFIG_DIR`, else `~/.claude`. */
export function claudeConfigDir(env: NodeJS.ProcessEnv = process.env, home: string = os.homedir()): string {
  return env.CLAUDE_CONFIG_DIR && env.CLAUDE_CONFIG_DIR.trim() !== '' ? env.CLAUDE_CONFIG_DIR : path.join(home, '.claude');
}

/** `<config dir>/projects/<encoded workspace path>`. */
export function claudeProjectDir(workspacePath: string, configDir: string = claudeConfigDir()): string {
  return path.join(configDir, 'projects', encodeWorkspacePath(workspacePath));
}

/** Every `*.jsonl` under the project folder (sub-agent transcripts may live in sub-folders), sorted. */
export function listTranscriptFiles(projectDir: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && entry.name.endsWith('.jsonl')) found.push(full);
    }
  };
  walk(projectDir);
  return found.sort();
}

export interface TranscriptFileState {
  size: number;
  mtimeMs: number;
  /** Byte offset after the last complete line imported. */
  offset: number;
}

/** Keyed by the transcript's path relative to the project folder. */
export interface TranscriptImportState {
  version: 1;
  files: Record<string, TranscriptFileState>;
}

export function loadImportState(statePath: string): TranscriptImportState {
  try {
    const parsed = JSON.parse(fs.readFileSync(statePath, 'utf8')) as TranscriptImportState;
    if (parsed.version === 1 && parsed.files && typeof parsed.files === 'object') return parsed;
  } catch {
    // Missing or unreadable: start over; ids are idempotent, so nothing is duplicated.
  }
  return { version: 1, files: {} };
}

export function saveImportState(statePath: string, state: TranscriptImportState): void {
  writeFileAtomic(statePath, JSON.stringify(state));
}
