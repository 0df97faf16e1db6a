/**
 * Where Claude Code keeps a workspace's transcripts, and the incremental import state (size,
 * mtime and resume offset per file) kept in the extension's storage.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomic } from '../store/storeFiles';

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

/** Every `*.jsonl` under the project folder (sub-agent transcripts live in sub-folders), sorted. */
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
      else if (entry.isFile() && entry.name.endsWith('.jsonl') && entry.name !== 'journal.jsonl') found.push(full);
    }
  };
  walk(projectDir);
  return found.sort();
}

/**
 * A sub-agent's transcript: `<session id>/subagents/[…/]agent-<agent id>.jsonl` (2.1.x; workflow
 * agents one level deeper) or a top-level `agent-<agent id>.jsonl` (2.0.x). Its lines carry the
 * parent's session id. Returns the agent id and, when the path says it, the parent's session id.
 */
export function subagentFileInfo(projectDir: string, file: string): { agentId: string; claudeSessionId: string | null } | undefined {
  const base = path.basename(file);
  if (!base.startsWith('agent-') || !base.endsWith('.jsonl')) return undefined;
  const agentId = base.slice('agent-'.length, -'.jsonl'.length);
  const parts = path.relative(projectDir, file).split(path.sep);
  const claudeSessionId = parts.length >= 3 && parts[1] === 'subagents' ? parts[0]! : null;
  return { agentId, claudeSessionId };
}

/** The tool_use id a sub-agent's `agent-<id>.meta.json` names (2.1.x), if any. */
export function subagentMetaToolUseId(file: string): string | null {
  try {
    const meta = JSON.parse(fs.readFileSync(file.replace(/\.jsonl$/, '.meta.json'), 'utf8')) as { toolUseId?: unknown };
    return typeof meta.toolUseId === 'string' && meta.toolUseId !== '' ? meta.toolUseId : null;
  } catch {
    return null;
  }
}

/** Bytes of a file's head whose hash tells a replaced file from a grown one. */
export const HEAD_BYTES = 4096;

export interface TranscriptFileState {
  size: number;
  mtimeMs: number;
  /** Byte offset after the last complete line imported. */
  offset: number;
  /** Lines before `offset` (so a damaged line is reported by its number). */
  lines: number;
  /** The file's inode when last read: another inode at the same path is another file. */
  ino: number;
  /** How many head bytes `headHash` covers (the file's size when it was shorter than {@link HEAD_BYTES}). */
  headBytes: number;
  headHash: string;
}

/** Keyed by the transcript's path relative to the project folder. */
export interface TranscriptImportState {
  /**
   * 2: usage counted from each response's final line. A state of version 1 (usage from a
   * response's first line) is dropped, so every file is read once more and its figures corrected.
   */
  version: 2;
  files: Record<string, TranscriptFileState>;
  /** What links sub-agents to the tool calls that launched them (see subagentLaunch.ts). */
  agents: { byAgent: Record<string, string>; byPrompt: Record<string, string> };
}

export function loadImportState(statePath: string): TranscriptImportState {
  try {
    const parsed = JSON.parse(fs.readFileSync(statePath, 'utf8')) as TranscriptImportState;
    if (parsed.version === 2 && parsed.files && typeof parsed.files === 'object') {
      return { ...parsed, agents: { byAgent: parsed.agents?.byAgent ?? {}, byPrompt: parsed.agents?.byPrompt ?? {} } };
    }
  } catch {
    // Missing or unreadable: start over; ids are idempotent, so nothing is duplicated.
  }
  return { version: 2, files: {}, agents: { byAgent: {}, byPrompt: {} } };
}

export function saveImportState(statePath: string, state: TranscriptImportState): void {
  writeFileAtomic(statePath, JSON.stringify(state));
}

/** sha256 of the first `bytes` bytes of an open file. */
export function headHashOf(fd: number, bytes: number): string {
  const buffer = Buffer.alloc(bytes);
  const read = fs.readSync(fd, buffer, 0, bytes, 0);
  return createHash('sha256').update(buffer.subarray(0, read)).digest('hex');
}

/**
 * Where to resume reading `file`: after the last line imported when it is the same file grown
 * (same inode, same head, not shorter), else from the start (`replaced`: a different file now
 * stands at that path, or it was truncated).
 */
export function resumePoint(
  file: string,
  known: TranscriptFileState | undefined,
): { offset: number; lines: number; replaced: boolean; stat: fs.Stats } {
  const fd = fs.openSync(file, 'r');
  try {
    const stat = fs.fstatSync(fd);
    if (!known) return { offset: 0, lines: 0, replaced: false, stat };
    const same =
      known.ino === stat.ino &&
      known.offset <= stat.size &&
      known.headBytes <= stat.size &&
      headHashOf(fd, known.headBytes) === known.headHash;
    return same ? { offset: known.offset, lines: known.lines, replaced: false, stat } : { offset: 0, lines: 0, replaced: true, stat };
  } finally {
    fs.closeSync(fd);
  }
}

/** The state to remember for a file read up to `offset` (`lines` lines). */
export function fileStateAfter(file: string, stat: fs.Stats, offset: number, lines: number, complete: boolean): TranscriptFileState {
  const fd = fs.openSync(file, 'r');
  try {
    const headBytes = Math.min(HEAD_BYTES, stat.size);
    // Size/mtime are only remembered once the whole file is read, so a cancelled file resumes.
    return {
      size: complete ? stat.size : -1,
      mtimeMs: complete ? stat.mtimeMs : -1,
      offset,
      lines,
      ino: stat.ino,
      headBytes,
      headHash: headHashOf(fd, headBytes),
    };
  } finally {
    fs.closeSync(fd);
  }
}
