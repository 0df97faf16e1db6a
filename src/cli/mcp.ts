import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { EXIT } from './cliError';
import { stringOption, type Command } from './command';
import { locateLedger, openLedgerForCli, type CliLedger, type CliLedgerOptions } from './ledgerAccess';
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
 * The server's ledger: one lock-free reader (SessionStore.openReader), opened at the first request
 * and kept, following what the ledger's writer (a VS Code window, a `run`) appends; each read first
 * applies what is on disk by then, so an answer is never older than the request. The server never
 * holds the lock while it reads, so it never makes a VS Code window read-only for the hours an agent
 * runs. A write (add_note) opens the ledger with its lock for that request only, one at a time, and
 * is refused naming the holder while another process holds it; the reader then reads the note back.
 */
export function followingLedger(options: CliLedgerOptions & { ledger: string }): McpLedgerSource & { close(): Promise<void> } {
  let reader: Promise<CliLedger> | undefined;
  let closed = false;
  const open = (): Promise<CliLedger> => {
    if (closed) return Promise.reject(new Error('The MCP server is shutting down.'));
    reader ??= openLedgerForCli({ ...options, write: false, follow: true }).catch((error: unknown) => {
      reader = undefined; // tried again at the next request
      throw error;
    });
    return reader;
  };
  let writes: Promise<unknown> = Promise.resolve();
  return {
    read: async (work) => {
      const { store } = await open();
      await store.refresh();
      return work(store);
    },
    write: (work) => {
      const next = writes.then(async () => {
        const ledger = await openLedgerForCli({ ...options, write: true });
        try {
          return await work(ledger.store);
        } finally {
          await ledger.store.close();
        }
      });
      writes = next.catch(() => undefined);
      return next;
    },
    close: async () => {
      closed = true;
      await writes;
      const opened = await reader?.catch(() => undefined);
      await opened?.store.close();
    },
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
  const source = followingLedger({ ...options, ledger: directory, write: false });
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
  await source.close().catch((error: Error) => log(`warning: closing the ledger: ${error.message}`));
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
