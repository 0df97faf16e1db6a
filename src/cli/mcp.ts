import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { EXIT } from './cliError';
import { stringOption, type Command } from './command';
import { locateLedger, openLedgerForCli, type CliLedgerOptions } from './ledgerAccess';
import { createLedgerMcpServer, OWN_SESSION_ENV, type McpLedgerSource } from './mcpServer';
import { version } from '../../package.json';

export interface McpServerOptions extends Omit<CliLedgerOptions, 'write'> {
  /** Offer `add_note` on the agent's own session (`--allow-notes`). */
  allowNotes?: boolean;
  /** The agent's own session (`--session`); default $SESSION_LEDGER_SESSION_ID. */
  session?: string;
  /** Default process.stdin / process.stdout. */
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
  /** Messages (default: stderr; stdout carries the protocol). */
  log?: (line: string) => void;
}

/**
 * A ledger opened for each request and closed after it, one request at a time: the server holds
 * the lock only for the milliseconds a request takes (and, while VS Code holds it, reads it
 * read-only), so it never makes a VS Code window read-only for the hours an agent runs.
 */
export function perRequestLedger(options: CliLedgerOptions & { ledger: string }): McpLedgerSource {
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };
  const withLedger = <T>(write: boolean, work: (ledger: Awaited<ReturnType<typeof openLedgerForCli>>) => Promise<T> | T): Promise<T> =>
    serial(async () => {
      const ledger = await openLedgerForCli({ ...options, write });
      try {
        return await work(ledger);
      } finally {
        await ledger.store.close();
      }
    });
  return {
    read: (work) => withLedger(false, (ledger) => work(ledger.store)),
    write: (work) => withLedger(true, (ledger) => work(ledger.store)),
  };
}

/**
 * `session-ledger mcp`: serves the ledger to an MCP client over stdin/stdout until the client
 * closes stdin. The ledger is found once at start (`--ledger`, else the registry), so a missing
 * one is reported (exit 4) before the client connects. Resolves to the exit code.
 */
export async function runMcpServer(options: McpServerOptions): Promise<number> {
  const log = options.log ?? ((line: string) => void process.stderr.write(line + '\n'));
  const env = options.env ?? process.env;
  const directory = locateLedger({ ...options, write: false });
  const source = perRequestLedger({ ...options, ledger: directory, write: false });
  const ownSession = options.session ?? (env[OWN_SESSION_ENV] || undefined);
  const server = createLedgerMcpServer(source, { version, allowNotes: Boolean(options.allowNotes), ownSession });
  const transport = new StdioServerTransport(options.stdin as never, options.stdout as never);
  const closed = new Promise<void>((resolve) => {
    server.server.onclose = () => resolve();
    (options.stdin ?? process.stdin).once('end', () => resolve());
  });
  await server.connect(transport);
  log(
    `session-ledger MCP server: serving the ledger in ${directory}${options.allowNotes ? ` (add_note on ${ownSession ? `session ${ownSession}` : 'no session: set ' + OWN_SESSION_ENV})` : ' (read-only)'}.`,
  );
  await closed;
  await server.close().catch(() => undefined);
  return EXIT.ok;
}

export const mcpCommand: Command = {
  name: 'mcp',
  summary: 'Serve the ledger to AI agents over the Model Context Protocol (stdio)',
  usage: 'session-ledger mcp [--allow-notes] [--session <id>] [--ledger <dir>]',
  help: `Speaks MCP on stdin/stdout (for an MCP client such as Claude Code or VS Code's agent mode; not for people).
Tools: search_history, list_sessions, get_session (paged, size-capped), usage_summary; resources
session-ledger://session/<id>. Read-only unless --allow-notes.

Options:
  --allow-notes     also offer add_note, which adds a note to the agent's OWN session only
  --session <id>    the agent's own session: a ledger session id or a Claude Code session id
                    (default $${OWN_SESSION_ENV})

Example .mcp.json entry (Claude Code), or run "Session Ledger: Add Session Ledger to Claude Code" in VS Code:
  { "mcpServers": { "session-ledger": { "command": "session-ledger", "args": ["mcp", "--ledger", "<dir>"] } } }`,
  options: { 'allow-notes': { type: 'boolean' }, session: { type: 'string' } },
  positionals: { min: 0, max: 0 },
  run: (context) =>
    runMcpServer({
      ledger: stringOption(context.values, 'ledger'),
      registry: stringOption(context.values, 'registry'),
      cwd: context.cwd,
      env: context.env,
      allowNotes: context.values['allow-notes'] === true,
      session: stringOption(context.values, 'session'),
      log: (line) => context.err(line + '\n'),
    }),
};
