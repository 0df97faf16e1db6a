import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import {
  AddNoteInput,
  GetSessionInput,
  ListSessionsInput,
  SearchHistoryInput,
  UsageSummaryInput,
  getSession,
  listSessions,
  resolveOwnSession,
  searchHistory,
  usageSummary,
} from '../core/ledger/mcpTools';
import type { AgentToolReads } from '../core/store/ports';
import type { SessionStore } from '../core/store/SessionStore';
import { describeError } from '../protocol/describeError';

/** The server's name and version as MCP clients see them. */
export const MCP_SERVER_NAME = 'session-ledger';
export const SESSION_URI_PREFIX = 'session-ledger://session/';
/** The environment variable naming the agent's own session (a ledger session id or a Claude Code session id). */
export const OWN_SESSION_ENV = 'SESSION_LEDGER_SESSION_ID';

/**
 * Where the server gets its ledger (see followingLedger in mcp.ts). The server never keeps the
 * ledger's lock: a VS Code window opening the project meanwhile writes as usual.
 */
export interface McpLedgerSource {
  read<T>(work: (store: AgentToolReads) => T): Promise<T>;
  /** Opens it for writing; rejects with a message naming the holder when another process holds it. */
  write<T>(work: (store: SessionStore) => Promise<T>): Promise<T>;
}

export interface LedgerMcpServerOptions {
  readonly version: string;
  /** `--allow-notes` / `sessionLedger.mcp.allowAddNote`: offer `add_note` on the agent's own session. */
  readonly allowNotes: boolean;
  /** The agent's own session (see resolveOwnSession): `--session`, else $SESSION_LEDGER_SESSION_ID. */
  readonly ownSession?: string;
}

const READ_ONLY = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;

function text(value: string): CallToolResult {
  return { content: [{ type: 'text', text: value }] };
}

async function answer(work: () => Promise<string>): Promise<CallToolResult> {
  try {
    return text(await work());
  } catch (error) {
    return { isError: true, content: [{ type: 'text', text: describeError(error) }] };
  }
}

/** The Session Ledger MCP server: its tools and session resources over `source` (connect it to a transport). */
export function createLedgerMcpServer(source: McpLedgerSource, options: LedgerMcpServerOptions): McpServer {
  const server = new McpServer(
    { name: MCP_SERVER_NAME, version: options.version },
    {
      instructions:
        "Session Ledger keeps this project's history of AI-assisted development sessions (Claude Code and others): goals, every step's command and result, notes, tokens and cost. " +
        'Use search_history to find what was tried before, get_session to read one session, list_sessions to browse, usage_summary for what it cost.',
    },
  );

  server.registerTool(
    'search_history',
    {
      title: 'Search session history',
      description:
        "Full-text search over this project's recorded AI sessions: titles and goals, step commands and their output, Claude's text and tool events. " +
        'Use it to find what was tried before ("auth bug", "migration failed"). Returns hits newest first with the session id and step number; read one with get_session.',
      inputSchema: SearchHistoryInput,
      annotations: READ_ONLY,
    },
    (args) => answer(() => source.read((store) => searchHistory(store, args))),
  );

  server.registerTool(
    'list_sessions',
    {
      title: 'List sessions',
      description:
        "Lists this project's recorded sessions, most recently updated first, with status, type, step count and cost. Filter by status or text; page with offset.",
      inputSchema: ListSessionsInput,
      annotations: READ_ONLY,
    },
    (args) => answer(() => source.read((store) => listSessions(store, args))),
  );

  server.registerTool(
    'get_session',
    {
      title: 'Read a session',
      description:
        "One session's goal, criteria, status, cost and tokens, notes, and its steps (command, result status, exit code, the end of the output). " +
        'Long sessions come in pages capped in size: the answer ends by saying which afterSeq continues it.',
      inputSchema: GetSessionInput,
      annotations: READ_ONLY,
    },
    (args) => answer(() => source.read((store) => getSession(store, args))),
  );

  server.registerTool(
    'usage_summary',
    {
      title: 'Usage and cost summary',
      description:
        'Tokens and cost recorded in this ledger: the total, recent days, by model, by session type, and the most expensive sessions.',
      inputSchema: UsageSummaryInput,
      annotations: READ_ONLY,
    },
    (args) => answer(() => source.read((store) => usageSummary(store, args))),
  );

  if (options.allowNotes) {
    server.registerTool(
      'add_note',
      {
        title: 'Add a note to your session',
        description:
          'Adds a note (a decision, a finding, a follow-up) to YOUR OWN session in the ledger — the one this agent runs in, named by SESSION_LEDGER_SESSION_ID. ' +
          'It cannot write to any other session.',
        inputSchema: AddNoteInput,
        annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
      },
      (args) =>
        answer(async () => {
          if (!options.ownSession)
            throw new Error(
              `add_note needs to know your own session: start the server with ${OWN_SESSION_ENV} (a Session Ledger or Claude Code session id) in its environment, or --session <id>.`,
            );
          return source.write(async (store) => {
            const own = resolveOwnSession(store, options.ownSession);
            if (!own)
              throw new Error(
                `No session in this ledger matches ${OWN_SESSION_ENV}="${options.ownSession}" (a session id, or the Claude Code session id of a recorded session). Notes go only to your own session.`,
              );
            const note = await store.notes.add({
              sessionId: own.id,
              kind: args.kind ?? 'agent',
              content: args.content,
              interactionSeq: args.interactionSeq ?? null,
            });
            return `Note ${note.id} added to session "${own.title}" (${own.id}).`;
          });
        }),
    );
  }

  server.registerResource(
    'session',
    new ResourceTemplate(`${SESSION_URI_PREFIX}{id}`, {
      list: () =>
        source.read((store) => ({
          resources: store.sessions.list({ limit: 50 }).map((s) => ({
            uri: SESSION_URI_PREFIX + s.id,
            name: s.title,
            description: `${s.status} · ${s.type} · ${s.interactionCount} steps`,
            mimeType: 'text/markdown',
          })),
        })),
    }),
    {
      title: 'Session',
      description: 'One recorded session as text (goal, status, cost, notes, the first page of steps).',
      mimeType: 'text/markdown',
    },
    async (uri, variables) => {
      const id = decodeURIComponent(String(variables.id));
      const body = await source.read((store) => getSession(store, { sessionId: id }));
      return { contents: [{ uri: uri.href, mimeType: 'text/markdown', text: body }] };
    },
  );

  return server;
}
