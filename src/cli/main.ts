#!/usr/bin/env node
/**
 * `session-ledger`: the ledger outside the editor (see docs/cli.md). Data goes to stdout, messages
 * and progress to stderr; exit codes are in cliError.ts. Bundled to dist/cli.js (esbuild.mjs).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import * as v8 from 'node:v8';
import { EXIT, isCliError, usageError } from './cliError';
import { GLOBAL_HELP, GLOBAL_OPTIONS, stringOption, type Command, type CommandContext } from './command';
import { describeError } from '../protocol/describeError';
import { styleFor } from './format';
import type { runCommand } from './commands/run';
import { openLedgerForCli, type CliLedger } from './ledgerAccess';
import type { mcpCommand } from './mcp';

/**
 * A command bundled on its own (dist/<bundle>.js, see esbuild.mjs) so that reading commands start
 * without parsing what they do not use (the Anthropic SDK, the MCP SDK); from source, the module.
 */
function loadApart<T>(bundle: string, sourceModule: string): Promise<T> {
  const bundled = path.join(__dirname, `${bundle}.js`);
  const load = require; // not called by its name: esbuild leaves it to run time instead of bundling the module here
  return Promise.resolve().then(() => load(fs.existsSync(bundled) ? bundled : sourceModule) as T);
}

/**
 * Commands, loaded when used (the run command's Anthropic SDK is not loaded to list sessions).
 * `brief`: a command that reads and ends, whose time to its answer matters more than the speed of
 * SQLite once warm (see {@link startBrief}).
 */
const COMMANDS: Record<string, { summary: string; brief?: true; load(): Promise<Command> }> = {
  list: { summary: 'List sessions, newest first', brief: true, load: () => import('./commands/browse').then((m) => m.listCommand) },
  show: {
    summary: "A session's goal, steps, results and notes (its timeline)",
    brief: true,
    load: () => import('./commands/show').then((m) => m.showCommand),
  },
  search: {
    summary: 'Full-text search of titles, goals, commands, outputs and events',
    brief: true,
    load: () => import('./commands/browse').then((m) => m.searchCommand),
  },
  usage: {
    summary: 'Tokens and cost by day, model, session type or project',
    brief: true,
    load: () => import('./commands/usage').then((m) => m.usageCommand),
  },
  export: { summary: 'Export sessions as lossless JSON', load: () => import('./commands/transfer').then((m) => m.exportCommand) },
  import: { summary: 'Import a JSON export', load: () => import('./commands/transfer').then((m) => m.importCommand) },
  'import-claude': {
    summary: "Import a folder's Claude Code transcripts",
    load: () => import('./commands/transfer').then((m) => m.importClaudeCommand),
  },
  run: {
    summary: 'Run a session headless in agentic mode (CI)',
    load: () => loadApart<{ runCommand: typeof runCommand }>('cli-run', './commands/run').then((m) => m.runCommand),
  },
  mcp: {
    summary: 'Serve the ledger to AI agents over MCP (stdio)',
    load: () => loadApart<{ mcpCommand: typeof mcpCommand }>('cli-mcp', './mcp').then((m) => m.mcpCommand),
  },
};

const EXIT_HELP = `Exit codes:
  0  done (run: the session completed)      3  the ledger is held by VS Code: writing refused
  1  failed (run: the session did not complete)  4  no ledger found for this folder / --ledger
  2  usage error                            130  interrupted (Ctrl+C)`;

function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  return `session-ledger — the Session Ledger history outside the editor

Usage: session-ledger <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)
  .join('\n')}

Run \`session-ledger <command> --help\` for a command's options.

${GLOBAL_HELP}

${EXIT_HELP}
`;
}

function commandHelp(command: Command): string {
  return `Usage: ${command.usage}\n\n${command.summary}.\n\n${command.help}\n\n${GLOBAL_HELP}\n\n${EXIT_HELP}\n`;
}

export interface CliIo {
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly signal: AbortSignal;
}

/** Runs one command line; resolves to the exit code (never rejects). */
export async function runCli(io: CliIo): Promise<number> {
  const out = (text: string) => void io.stdout.write(text);
  const err = (text: string) => void io.stderr.write(text);
  const [name, ...rest] = io.argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? err : out)(mainHelp());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  const opened: CliLedger[] = [];
  const errStyle = styleFor(io.stderr, io.env, io.argv.includes('--no-color'));
  try {
    if (!entry) throw usageError(`Unknown command "${name}". Commands: ${Object.keys(COMMANDS).join(', ')}.`);
    const command = await entry.load();
    let parsed;
    try {
      parsed = parseArgs({ args: [...rest], options: { ...GLOBAL_OPTIONS, ...command.options }, allowPositionals: true, strict: true });
    } catch (error) {
      throw usageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, '.'), name);
    }
    const values = parsed.values as CommandContext['values'];
    if (values.help) {
      out(commandHelp(command));
      return EXIT.ok;
    }
    const { positionals } = parsed;
    if (positionals.length < command.positionals.min) throw usageError(`${name}: missing argument. Usage: ${command.usage}`, name);
    if (positionals.length > command.positionals.max)
      throw usageError(`${name}: unexpected argument "${positionals[command.positionals.max]}". Usage: ${command.usage}`, name);
    const context: CommandContext = {
      values,
      positionals,
      cwd: io.cwd,
      env: io.env,
      out,
      err,
      style: styleFor(io.stdout, io.env, Boolean(values['no-color'])),
      errStyle,
      now: Date.now(),
      signal: io.signal,
      openLedger: async (write) => {
        const ledger = await openLedgerForCli({
          ledger: stringOption(values, 'ledger'),
          registry: stringOption(values, 'registry'),
          cwd: io.cwd,
          write,
          env: io.env,
        });
        opened.push(ledger);
        return ledger;
      },
    };
    return await command.run(context);
  } catch (error) {
    if (isCliError(error)) {
      err(`${errStyle.red('error:')} ${error.message}\n`);
      return error.exitCode;
    }
    if (error instanceof Error && error.name === 'SnapshotChecksumError') {
      // A reading command checks the ledger's snapshot as it reads it (see SessionStore.openReader).
      err(
        `${errStyle.red('error:')} The ledger's snapshot is damaged (${error.message}). Open its project in VS Code: it repairs the ledger, keeping the damaged files aside, and says what was recovered.\n`,
      );
      return EXIT.failure;
    }
    err(
      `${errStyle.red('error:')} ${describeError(error, true)}\nThis is a bug in session-ledger; please report it with the command line you ran.\n`,
    );
    return EXIT.failure;
  } finally {
    for (const ledger of opened) await ledger.store.close().catch((error: Error) => err(`warning: closing the ledger: ${error.message}\n`));
  }
}

/**
 * Before a brief command runs (this process runs nothing else): V8 compiles sql.js's WebAssembly
 * with its baseline compiler only, and each function when first called. By default it also compiles
 * the whole module again with its optimizing compiler, in background threads: hundreds of
 * milliseconds of CPU that a command answering in a fraction of a second never gets back (on a
 * busy two-core machine it doubled `list`'s time to its answer). Commands that may run long (run,
 * mcp, import, export of a whole ledger) keep the default: their queries run faster once optimized.
 */
export function startBrief(commandName: string | undefined): void {
  if (commandName === undefined || !Object.hasOwn(COMMANDS, commandName) || !COMMANDS[commandName]?.brief) return;
  v8.setFlagsFromString('--liftoff-only');
  v8.setFlagsFromString('--wasm-lazy-compilation');
}

if (require.main === module) {
  startBrief(process.argv[2]);
  const controller = new AbortController();
  let interrupts = 0;
  process.on('SIGINT', () => {
    interrupts++;
    if (interrupts > 1) process.exit(EXIT.interrupted);
    process.stderr.write('Stopping… (Ctrl+C again to quit at once)\n');
    controller.abort();
  });
  // `session-ledger list | head`: a closed pipe ends the output quietly.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(EXIT.ok);
  });
  void runCli({
    argv: process.argv.slice(2),
    cwd: process.cwd(),
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    signal: controller.signal,
  }).then((code) => {
    process.exitCode = code;
  });
}
