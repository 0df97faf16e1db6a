/**
 * Adds Session Ledger's MCP server to a workspace's `.mcp.json` (Claude Code's project-scoped MCP
 * servers):
 *   { "mcpServers": { "session-ledger": { "type": "stdio", "command": "node", "args": [".../cli.js", "mcp", "--ledger", "..."] } } }
 *
 * Like the hooks (hookSettings.ts): a pure function over the file's text ({@link addMcpServerInText})
 * and a thin file helper ({@link addMcpServerToWorkspace}). Every other server and key is kept as it
 * is; only the `session-ledger` entry is written (replaced when it points elsewhere). Invalid JSON is
 * an error naming the file, and the file is then left unchanged. The first change of an existing file
 * copies its original text to `.mcp.json.session-ledger.bak`, never overwritten afterwards.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../store/storeFiles';
import { SETTINGS_BACKUP_SUFFIX } from './hookSettings';

export const MCP_JSON_FILE = '.mcp.json';
/** Our entry's name under `mcpServers`. */
export const MCP_SERVER_KEY = 'session-ledger';

export interface McpServerEntry {
  type: 'stdio';
  command: string;
  args: string[];
  env?: Record<string, string>;
}

export class McpJsonError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(
      `Cannot add Session Ledger to ${file}: ${detail}. The file was left unchanged; fix it (or move it away) and run the command again.`,
    );
    this.name = 'McpJsonError';
  }
}

type JsonRecord = Record<string, unknown>;
const isRecord = (value: unknown): value is JsonRecord => value !== null && typeof value === 'object' && !Array.isArray(value);

export interface McpJsonEdit {
  /** The new text (the input text when nothing changed). */
  text: string;
  changed: boolean;
  /** There was a `session-ledger` entry before, and it differed. */
  replaced: boolean;
}

/** `.mcp.json` text with our server entry set; everything else kept. */
export function addMcpServerInText(text: string | undefined, entry: McpServerEntry, file: string): McpJsonEdit {
  let config: JsonRecord = {};
  if (text !== undefined && text.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new McpJsonError(file, `it is not valid JSON (${(error as Error).message})`);
    }
    if (!isRecord(parsed)) throw new McpJsonError(file, 'the top level is not a JSON object');
    if (parsed.mcpServers !== undefined && !isRecord(parsed.mcpServers)) throw new McpJsonError(file, '"mcpServers" is not an object');
    config = parsed;
  }
  const servers = (config.mcpServers as JsonRecord | undefined) ?? {};
  const before = servers[MCP_SERVER_KEY];
  if (before !== undefined && JSON.stringify(before) === JSON.stringify(entry))
    return { text: text ?? '', changed: false, replaced: false };
  config.mcpServers = { ...servers, [MCP_SERVER_KEY]: entry };
  return { text: JSON.stringify(config, null, 2) + '\n', changed: true, replaced: before !== undefined };
}

export interface McpJsonFileResult extends McpJsonEdit {
  file: string;
  /** The backup of the original file, when one exists (written now or kept from before). */
  backupPath?: string;
  backupWritten: boolean;
}

/** Writes our entry into `<workspaceDir>/.mcp.json` (created if missing), backing an existing file up once. */
export function addMcpServerToWorkspace(workspaceDir: string, entry: McpServerEntry): McpJsonFileResult {
  const file = path.join(workspaceDir, MCP_JSON_FILE);
  let before: string | undefined;
  try {
    before = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new McpJsonError(file, `it cannot be read (${(error as Error).message})`);
  }
  const edit = addMcpServerInText(before, entry, file);
  if (!edit.changed) return { ...edit, file, backupWritten: false };
  const backupPath = file + SETTINGS_BACKUP_SUFFIX;
  let backupWritten = false;
  if (before !== undefined) {
    try {
      fs.writeFileSync(backupPath, before, { flag: 'wx' });
      backupWritten = true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  writeFileAtomic(file, edit.text);
  return { ...edit, file, backupPath: fs.existsSync(backupPath) ? backupPath : undefined, backupWritten };
}
