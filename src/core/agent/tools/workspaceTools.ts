import type { Tool } from '@anthropic-ai/sdk/resources/messages';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { z } from 'zod';
import { describeProcessResult, runShellCommand } from '../../exec/runShellCommand';
import { displayPath, resolveInsideRoot, ToolError } from './confinedPath';

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
}

const MAX_READ_CHARS = 200_000;
const MAX_LIST_ENTRIES = 2_000;
const MAX_SEARCH_FILE_BYTES = 1_000_000;
const MAX_COMMAND_OUTPUT_BYTES = 100_000;
const SKIPPED_DIRECTORIES = new Set(['.git', 'node_modules']);

export const RUN_COMMAND_REFUSED =
	'Refused: run_command is not allowed in this session. Enable "Allow run_command" in the Session Ledger settings (trusted workspaces only) to let Claude run shell commands.';

const schemas = {
	read_file: z.object({ path: z.string() }).strict(),
	list_files: z.object({ path: z.string().default('.'), recursive: z.boolean().default(false) }).strict(),
	search_text: z
		.object({
			pattern: z.string().min(1),
			path: z.string().default('.'),
			regex: z.boolean().default(false),
			max_results: z.number().int().positive().max(1000).default(100),
		})
		.strict(),
	write_file: z.object({ path: z.string(), content: z.string() }).strict(),
	edit_file: z
		.object({ path: z.string(), old_text: z.string().min(1), new_text: z.string(), replace_all: z.boolean().default(false) })
		.strict(),
	run_command: z.object({ command: z.string().min(1), timeout_ms: z.number().int().positive().optional() }).strict(),
};

type ToolName = keyof typeof schemas;

const definitions: Record<ToolName, Tool> = {
	read_file: {
		name: 'read_file',
		description: 'Read a UTF-8 text file of the workspace folder. Paths are relative to the workspace folder.',
		input_schema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
	},
	list_files: {
		name: 'list_files',
		description: 'List a folder of the workspace (folders end with "/"). recursive lists the whole tree, skipping .git and node_modules.',
		input_schema: {
			type: 'object',
			properties: { path: { type: 'string', description: 'Defaults to "."' }, recursive: { type: 'boolean' } },
		},
	},
	search_text: {
		name: 'search_text',
		description: 'Search text files under a folder of the workspace; returns "path:line: text" for each match.',
		input_schema: {
			type: 'object',
			properties: {
				pattern: { type: 'string' },
				path: { type: 'string' },
				regex: { type: 'boolean', description: 'Treat pattern as a JavaScript regular expression' },
				max_results: { type: 'integer' },
			},
			required: ['pattern'],
		},
	},
	write_file: {
		name: 'write_file',
		description: 'Create or overwrite a text file of the workspace folder (parent folders are created).',
		input_schema: {
			type: 'object',
			properties: { path: { type: 'string' }, content: { type: 'string' } },
			required: ['path', 'content'],
		},
	},
	edit_file: {
		name: 'edit_file',
		description: 'Replace old_text with new_text in a file. old_text must occur exactly once unless replace_all is true.',
		input_schema: {
			type: 'object',
			properties: {
				path: { type: 'string' },
				old_text: { type: 'string' },
				new_text: { type: 'string' },
				replace_all: { type: 'boolean' },
			},
			required: ['path', 'old_text', 'new_text'],
		},
	},
	run_command: {
		name: 'run_command',
		description: 'Run a shell command (/bin/sh -c) in the workspace folder; returns the exit status and the tail of its output.',
		input_schema: {
			type: 'object',
			properties: { command: { type: 'string' }, timeout_ms: { type: 'integer' } },
			required: ['command'],
		},
	},
};

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
			const message = error instanceof Error ? error.message : String(error);
			return { content: `${name} failed${code ? ` (${code})` : ''}: ${message}`, isError: true };
		}
	}

	private async dispatch(name: string, input: unknown, signal: AbortSignal): Promise<string> {
		switch (name) {
			case 'read_file':
				return this.readFile(parseInput('read_file', input));
			case 'list_files':
				return this.listFiles(parseInput('list_files', input));
			case 'search_text':
				return this.searchText(parseInput('search_text', input));
			case 'write_file':
				return this.writeFile(parseInput('write_file', input));
			case 'edit_file':
				return this.editFile(parseInput('edit_file', input));
			case 'run_command':
				if (!this.options.allowRunCommand) throw new ToolError(RUN_COMMAND_REFUSED);
				return this.runCommand(parseInput('run_command', input), signal);
			default:
				throw new ToolError(`Unknown tool "${name}". Available: ${this.definitions().map((t) => t.name).join(', ')}.`);
		}
	}

	private resolve(requested: string): Promise<string> {
		return resolveInsideRoot(this.options.root, requested);
	}

	private async readFile(input: z.infer<typeof schemas.read_file>): Promise<string> {
		const file = await this.resolve(input.path);
		if ((await stat(file)).isDirectory()) throw new ToolError(`"${input.path}" is a folder; use list_files.`);
		const text = await readFile(file, 'utf8');
		if (text.length <= MAX_READ_CHARS) return text;
		return `${text.slice(0, MAX_READ_CHARS)}\n[truncated: showing ${MAX_READ_CHARS} of ${text.length} characters]`;
	}

	private async listFiles(input: z.infer<typeof schemas.list_files>): Promise<string> {
		const folder = await this.resolve(input.path);
		const root = await this.resolve('.');
		const entries: string[] = [];
		for await (const entry of walk(folder, input.recursive)) {
			if (entries.length === MAX_LIST_ENTRIES) {
				entries.push(`[stopped after ${MAX_LIST_ENTRIES} entries]`);
				break;
			}
			entries.push(displayPath(root, entry.path) + (entry.isDirectory ? '/' : ''));
		}
		return entries.length > 0 ? entries.join('\n') : '(empty folder)';
	}

	private async searchText(input: z.infer<typeof schemas.search_text>): Promise<string> {
		const folder = await this.resolve(input.path);
		const root = await this.resolve('.');
		let matcher: (line: string) => boolean;
		if (input.regex) {
			let re: RegExp;
			try {
				re = new RegExp(input.pattern);
			} catch (error) {
				throw new ToolError(`Invalid regular expression: ${(error as Error).message}`);
			}
			matcher = (line) => re.test(line);
		} else {
			matcher = (line) => line.includes(input.pattern);
		}
		const matches: string[] = [];
		for await (const entry of walk(folder, true)) {
			if (entry.isDirectory || entry.isSymbolicLink) continue; // a link may point outside the root
			const info = await stat(entry.path);
			if (info.size > MAX_SEARCH_FILE_BYTES) continue;
			const buffer = await readFile(entry.path);
			if (buffer.includes(0)) continue; // binary
			const lines = buffer.toString('utf8').split('\n');
			for (let i = 0; i < lines.length; i++) {
				if (!matcher(lines[i]!)) continue;
				matches.push(`${displayPath(root, entry.path)}:${i + 1}: ${lines[i]!.slice(0, 300)}`);
				if (matches.length >= input.max_results) return `${matches.join('\n')}\n[stopped at ${input.max_results} matches]`;
			}
		}
		return matches.length > 0 ? matches.join('\n') : 'No matches.';
	}

	private async writeFile(input: z.infer<typeof schemas.write_file>): Promise<string> {
		const file = await this.resolve(input.path);
		await mkdir(path.dirname(file), { recursive: true });
		await writeFile(file, input.content, 'utf8');
		return `Wrote ${Buffer.byteLength(input.content)} bytes to ${input.path}.`;
	}

	private async editFile(input: z.infer<typeof schemas.edit_file>): Promise<string> {
		const file = await this.resolve(input.path);
		const text = await readFile(file, 'utf8');
		const occurrences = text.split(input.old_text).length - 1;
		if (occurrences === 0) throw new ToolError(`old_text was not found in ${input.path}.`);
		if (occurrences > 1 && !input.replace_all) {
			throw new ToolError(`old_text occurs ${occurrences} times in ${input.path}; give more context or set replace_all.`);
		}
		await writeFile(file, text.split(input.old_text).join(input.new_text), 'utf8');
		return `Replaced ${occurrences} occurrence${occurrences === 1 ? '' : 's'} in ${input.path}.`;
	}

	private async runCommand(input: z.infer<typeof schemas.run_command>, signal: AbortSignal): Promise<string> {
		const timeoutMs = input.timeout_ms ?? this.options.commandTimeoutMs ?? 120_000;
		const result = await runShellCommand({
			command: input.command,
			cwd: await this.resolve('.'),
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

function parseInput<N extends ToolName>(name: N, input: unknown): z.infer<(typeof schemas)[N]> {
	const parsed = schemas[name].safeParse(input ?? {});
	if (parsed.success) return parsed.data as z.infer<(typeof schemas)[N]>;
	const issue = parsed.error.issues[0]!;
	throw new ToolError(`Invalid input for ${name}: ${issue.path.join('.') || 'input'}: ${issue.message}`);
}

interface WalkEntry {
	path: string;
	isDirectory: boolean;
	isSymbolicLink: boolean;
}

/** Entries under `folder`, sorted, not following symbolic links; skips .git and node_modules when recursing. */
async function* walk(folder: string, recursive: boolean): AsyncGenerator<WalkEntry> {
	const entries = await readdir(folder, { withFileTypes: true });
	entries.sort((a, b) => a.name.localeCompare(b.name));
	for (const entry of entries) {
		const full = path.join(folder, entry.name);
		const isDirectory = entry.isDirectory();
		yield { path: full, isDirectory, isSymbolicLink: entry.isSymbolicLink() };
		if (recursive && isDirectory && !SKIPPED_DIRECTORIES.has(entry.name)) yield* walk(full, true);
	}
}
