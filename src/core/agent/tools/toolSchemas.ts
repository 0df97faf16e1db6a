import type { Tool } from '@anthropic-ai/sdk/resources/messages';
import { z } from 'zod';
import { ToolError } from './confinedPath';

/** The input schemas of the workspace tools (see workspaceTools.ts). */
export const schemas = {
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

export type ToolName = keyof typeof schemas;

export const definitions: Record<ToolName, Tool> = {
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

/** The input of a `name` call, validated: a ToolError says what is wrong. */
export function parseInput<N extends ToolName>(name: N, input: unknown): z.infer<(typeof schemas)[N]> {
  const parsed = schemas[name].safeParse(input ?? {});
  if (parsed.success) return parsed.data as z.infer<(typeof schemas)[N]>;
  const issue = parsed.error.issues[0]!;
  throw new ToolError(`Invalid input for ${name}: ${issue.path.join('.') || 'input'}: ${issue.message}`);
}
