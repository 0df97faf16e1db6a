import type { Tool } from '@anthropic-ai/sdk/resources/messages';
import * as path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { z } from 'zod';
import { describeProcessResult, runShellCommand } from '../../exec/runShellCommand';
import { ConfinedRoot, readPrefix, replaceContent, type OpenedFolder } from './confinedFiles';
import { resolveInsideRoot, ToolError } from './confinedPath';
import { RegexLineMatcher, type LineMatch } from './regexSearch';
import { describeError } from '../../../protocol/describeError';
import { definitions, parseInput, type schemas } from './toolSchemas';

export interface ToolOutcome {
  content: string;
  isError: boolean;
}

export interface WorkspaceToolsOptions {
  /** The folder every path is confined to; also the cwd of run_command. */
  root: string;
  /** Offer and accept `run_command`. */
  allowRunCommand: boolean;
  /** Environment of run_command (defaults to this process's). */
  env?: NodeJS.ProcessEnv;
  commandTimeoutMs?: number;
  /** Time one search_text call may take before it stops and answers with what it found (default 2,000 ms). */
  searchBudgetMs?: number;
}

const MAX_READ_CHARS = 200_000;
/** Enough bytes for MAX_READ_CHARS characters of UTF-8 (at most 3 bytes per UTF-16 unit), plus one character's bytes. */
const MAX_READ_BYTES = MAX_READ_CHARS * 3 + 4;
/** edit_file reads the whole file: larger ones are refused. */
const MAX_EDIT_BYTES = 16 * 1024 * 1024;
const SEARCH_BUDGET_MS = 2_000;
const MAX_LIST_ENTRIES = 2_000;
const MAX_SEARCH_FILE_BYTES = 1_000_000;
const MAX_COMMAND_OUTPUT_BYTES = 100_000;
const SKIPPED_DIRECTORIES = new Set(['.git', 'node_modules']);

export const RUN_COMMAND_REFUSED =
  'Refused: run_command is not allowed in this session. Enable "Allow run_command" in the Session Ledger settings (trusted workspaces only) to let Claude run shell commands.';

/** The tools of an agentic Claude step, confined to one folder. */
export class WorkspaceTools {
  constructor(private readonly options: WorkspaceToolsOptions) {}

  /** Tool definitions for the Messages API; run_command only when allowed. */
  definitions(): Tool[] {
    return Object.values(definitions).filter((tool) => tool.name !== 'run_command' || this.options.allowRunCommand);
  }

  /** Runs a tool call. Never throws: a refused or failed call is an error outcome for the model to read. */
  async execute(name: string, input: unknown, signal: AbortSignal): Promise<ToolOutcome> {
    try {
      return { content: await this.dispatch(name, input, signal), isError: false };
    } catch (error) {
      if (error instanceof ToolError) return { content: error.message, isError: true };
      const code = (error as NodeJS.ErrnoException).code;
      const message = describeError(error);
      return { content: `${name} failed${code ? ` (${code})` : ''}: ${message}`, isError: true };
    }
  }

  private async dispatch(name: string, input: unknown, signal: AbortSignal): Promise<string> {
    switch (name) {
      case 'read_file': {
        const args = parseInput('read_file', input);
        return this.withRoot((root) => readFile(root, args));
      }
      case 'list_files': {
        const args = parseInput('list_files', input);
        return this.withRoot((root) => listFiles(root, args));
      }
      case 'search_text': {
        const args = parseInput('search_text', input);
        return this.withRoot((root) => searchText(root, args, this.options.searchBudgetMs ?? SEARCH_BUDGET_MS, signal));
      }
      case 'write_file': {
        const args = parseInput('write_file', input);
        return this.withRoot((root) => writeFile(root, args));
      }
      case 'edit_file': {
        const args = parseInput('edit_file', input);
        return this.withRoot((root) => editFile(root, args));
      }
      case 'run_command':
        if (!this.options.allowRunCommand) throw new ToolError(RUN_COMMAND_REFUSED);
        return this.runCommand(parseInput('run_command', input), signal);
      default:
        throw new ToolError(
          `Unknown tool "${name}". Available: ${this.definitions()
            .map((t) => t.name)
            .join(', ')}.`,
        );
    }
  }

  /** Opens the workspace folder for one call (see confinedFiles.ts) and closes it after. */
  private async withRoot(use: (root: ConfinedRoot) => Promise<string>): Promise<string> {
    const root = await ConfinedRoot.open(this.options.root);
    try {
      return await use(root);
    } finally {
      await root.close();
    }
  }

  private async runCommand(input: z.infer<typeof schemas.run_command>, signal: AbortSignal): Promise<string> {
    const timeoutMs = input.timeout_ms ?? this.options.commandTimeoutMs ?? 120_000;
    const result = await runShellCommand({
      command: input.command,
      cwd: await resolveInsideRoot(this.options.root, '.'),
      env: this.options.env,
      timeoutMs,
      signal,
      maxOutputBytes: MAX_COMMAND_OUTPUT_BYTES,
    });
    const status = describeProcessResult(result, timeoutMs);
    if (result.outcome !== 'exited' || result.exitCode !== 0) throw new ToolError(`${status}\n${result.output}`);
    return `${status}\n${result.output}`;
  }
}

async function readFile(root: ConfinedRoot, input: z.infer<typeof schemas.read_file>): Promise<string> {
  const file = await root.openFile(input.path, 'read');
  let prefix;
  try {
    prefix = await readPrefix(file, MAX_READ_BYTES);
  } finally {
    await file.handle.close();
  }
  if (prefix.bytesLeft === 0) {
    const text = prefix.bytes.toString('utf8');
    if (text.length <= MAX_READ_CHARS) return text;
  }
  // Only the start of the file was read; a character cut at the end of the bytes read is left out.
  let shown = new StringDecoder('utf8').write(prefix.bytes).slice(0, MAX_READ_CHARS);
  if (/[\uD800-\uDBFF]$/.test(shown)) shown = shown.slice(0, -1);
  const shownBytes = Buffer.byteLength(shown, 'utf8');
  const size = file.size;
  return `${shown}\n[truncated: showing the first ${shown.length} characters (${shownBytes} of ${size} bytes); ${size - shownBytes} bytes not shown. Use search_text to find lines further on.]`;
}

async function listFiles(root: ConfinedRoot, input: z.infer<typeof schemas.list_files>): Promise<string> {
  const folder = await root.openFolder(input.path);
  const entries: string[] = [];
  try {
    for await (const entry of walk(root, folder, input.recursive, () => false)) {
      if (entries.length === MAX_LIST_ENTRIES) {
        entries.push(`[stopped after ${MAX_LIST_ENTRIES} entries]`);
        break;
      }
      entries.push(root.display(entry.path) + (entry.folder ? '/' : ''));
    }
  } finally {
    await root.release(folder);
  }
  return entries.length > 0 ? entries.join('\n') : '(empty folder)';
}

async function searchText(
  root: ConfinedRoot,
  input: z.infer<typeof schemas.search_text>,
  budgetMs: number,
  signal: AbortSignal,
): Promise<string> {
  if (input.regex) {
    try {
      new RegExp(input.pattern);
    } catch (error) {
      throw new ToolError(`Invalid regular expression: ${(error as Error).message}`);
    }
  }
  const matches: string[] = [];
  const folder = await root.openFolder(input.path);
  const budget = new SearchBudget(budgetMs, signal);
  let regex: RegexLineMatcher | undefined;
  try {
    if (input.regex) regex = new RegexLineMatcher(input.pattern);
    for await (const entry of walk(root, folder, true, () => budget.stopped !== undefined)) {
      if (budget.stopped) break;
      if (entry.folder || entry.symbolicLink) continue; // a link may point outside the root
      const text = await readSearchable(root, entry);
      if (text === undefined) continue;
      const shown = root.display(entry.path);
      const found = (match: LineMatch): void => {
        matches.push(`${shown}:${match.line}: ${match.text}`);
      };
      const limit = input.max_results - matches.length;
      if (regex) await Promise.race([regex.match(text, limit, found), budget.reached]);
      else matchPlain(text, input.pattern, limit, found);
      if (matches.length >= input.max_results)
        return `${matches.slice(0, input.max_results).join('\n')}\n[stopped at ${input.max_results} matches]`;
    }
  } finally {
    budget.dispose();
    await regex?.terminate();
    await root.release(folder);
  }
  if (budget.stopped) {
    const note =
      budget.stopped === 'cancelled'
        ? `[search cancelled after ${budget.elapsedMs()} ms; the matches above are those found until then]`
        : `[search stopped after ${budget.elapsedMs()} ms (its time budget is ${budgetMs} ms); the matches above are those found until then. Narrow the path or simplify the pattern.]`;
    return `${matches.length > 0 ? matches.join('\n') : 'No matches found before the search stopped.'}\n${note}`;
  }
  return matches.length > 0 ? matches.join('\n') : 'No matches.';
}

async function writeFile(root: ConfinedRoot, input: z.infer<typeof schemas.write_file>): Promise<string> {
  const file = await root.openFile(input.path, 'write');
  try {
    const written = await replaceContent(file, input.content);
    return `Wrote ${written} bytes to ${input.path}.`;
  } finally {
    await file.handle.close();
  }
}

async function editFile(root: ConfinedRoot, input: z.infer<typeof schemas.edit_file>): Promise<string> {
  const file = await root.openFile(input.path, 'update');
  try {
    if (file.size > MAX_EDIT_BYTES) {
      throw new ToolError(
        `${input.path} has ${file.size} bytes; edit_file changes files up to ${MAX_EDIT_BYTES} bytes. Use run_command or ask the person.`,
      );
    }
    const prefix = await readPrefix(file, MAX_EDIT_BYTES);
    const text = prefix.bytes.toString('utf8');
    const occurrences = text.split(input.old_text).length - 1;
    if (occurrences === 0) throw new ToolError(`old_text was not found in ${input.path}.`);
    if (occurrences > 1 && !input.replace_all) {
      throw new ToolError(`old_text occurs ${occurrences} times in ${input.path}; give more context or set replace_all.`);
    }
    await replaceContent(file, text.split(input.old_text).join(input.new_text));
    return `Replaced ${occurrences} occurrence${occurrences === 1 ? '' : 's'} in ${input.path}.`;
  } finally {
    await file.handle.close();
  }
}

/** A file's text for search_text, read through its checked descriptor; undefined for files it skips (large, binary, not a plain file). */
async function readSearchable(root: ConfinedRoot, entry: WalkEntry): Promise<string | undefined> {
  let file;
  try {
    file = await root.openChildFile(entry.parent, entry.name, 'read');
  } catch (error) {
    if (error instanceof ToolError) return undefined; // hard-linked, not regular, replaced meanwhile
    throw error;
  }
  try {
    if (file.size > MAX_SEARCH_FILE_BYTES) return undefined;
    const prefix = await readPrefix(file, MAX_SEARCH_FILE_BYTES);
    if (prefix.bytes.includes(0)) return undefined; // binary
    return prefix.bytes.toString('utf8');
  } finally {
    await file.handle.close();
  }
}

function matchPlain(text: string, pattern: string, limit: number, found: (match: LineMatch) => void): void {
  const lines = text.split('\n');
  let count = 0;
  for (let i = 0; i < lines.length && count < limit; i++) {
    if (!lines[i]!.includes(pattern)) continue;
    count++;
    found({ line: i + 1, text: lines[i]!.slice(0, 300) });
  }
}

/** search_text's time budget and the step's cancel signal: `reached` settles when either ends the search. */
class SearchBudget {
  stopped: 'budget' | 'cancelled' | undefined;
  readonly reached: Promise<void>;
  private readonly startedAt = Date.now();
  private readonly timer: NodeJS.Timeout;
  private readonly onAbort: () => void;

  constructor(
    budgetMs: number,
    private readonly signal: AbortSignal,
  ) {
    let settle!: () => void;
    this.reached = new Promise<void>((resolve) => (settle = resolve));
    const stop = (reason: 'budget' | 'cancelled'): void => {
      this.stopped ??= reason;
      settle();
    };
    this.timer = setTimeout(() => stop('budget'), budgetMs);
    this.onAbort = () => stop('cancelled');
    if (signal.aborted) stop('cancelled');
    else signal.addEventListener('abort', this.onAbort, { once: true });
  }

  elapsedMs(): number {
    return Date.now() - this.startedAt;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.signal.removeEventListener('abort', this.onAbort);
  }
}

interface WalkEntry {
  /** Real path, for display. */
  path: string;
  /** The opened folder it is in, and its name there. */
  parent: OpenedFolder;
  name: string;
  folder: boolean;
  symbolicLink: boolean;
}

/**
 * Entries under an opened folder, sorted, not following symbolic links; skips .git and
 * node_modules when recursing. Subfolders are opened inside their opened parent (confinedFiles.ts),
 * and stay open only while their entries are walked.
 */
async function* walk(root: ConfinedRoot, folder: OpenedFolder, recursive: boolean, stop: () => boolean): AsyncGenerator<WalkEntry> {
  const entries = await root.list(folder);
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    if (stop()) return;
    const isFolder = entry.isDirectory();
    yield {
      path: path.join(folder.realPath, entry.name),
      parent: folder,
      name: entry.name,
      folder: isFolder,
      symbolicLink: entry.isSymbolicLink(),
    };
    if (!recursive || !isFolder || SKIPPED_DIRECTORIES.has(entry.name)) continue;
    let child: OpenedFolder;
    try {
      child = await root.openChildFolder(folder, entry.name);
    } catch (error) {
      if (error instanceof ToolError) continue; // replaced by a link meanwhile: not followed
      throw error;
    }
    try {
      yield* walk(root, child, true, stop);
    } finally {
      await root.release(child);
    }
  }
}
