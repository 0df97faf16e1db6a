import * as path from 'node:path';
import * as vscode from 'vscode';
import { addMcpServerToWorkspace, McpJsonError, MCP_SERVER_KEY, type McpServerEntry } from '../core/claudeCode/mcpJson';
import type { AgentToolReads } from '../core/store/ports';
import { UserFacingError } from './userFacingError';
import type { Logger } from './logger';
import { registerLanguageModelTools } from './lmTools';
import { ensureTrusted } from './workspaceTrust';

/**
 * Agents' access to the ledger: the `session-ledger mcp` server offered to VS Code's agent mode
 * (`vscode.lm.registerMcpServerDefinitionProvider`, VS Code ≥ 1.101) and the language-model tools
 * (lmTools.ts). Both APIs are newer than the declared engine (^1.93): they are looked up at run
 * time, and without them nothing is registered. In an untrusted workspace nothing is registered
 * either, until the person trusts it.
 */

/** As contributed in package.json (`contributes.mcpServerDefinitionProviders`). */
export const MCP_PROVIDER_ID = 'sessionLedger.mcpServers';
export const MCP_SERVER_LABEL = 'Session Ledger';
const EXTENSION_ID = 'session-ledger.session-ledger';

/** The command line that serves `ledgerDirectory` over MCP: the CLI bundled in the extension. */
export function mcpServerLaunch(extensionPath: string, ledgerDirectory: string, allowNotes: boolean, node = 'node'): McpServerEntry {
  return {
    type: 'stdio',
    command: node,
    args: [path.join(extensionPath, 'dist', 'cli.js'), 'mcp', '--ledger', ledgerDirectory, ...(allowNotes ? ['--allow-notes'] : [])],
  };
}

/** The part of the MCP provider API used here. */
interface McpDefinitionApi {
  registerMcpServerDefinitionProvider(
    id: string,
    provider: { onDidChangeMcpServerDefinitions?: vscode.Event<void>; provideMcpServerDefinitions(): unknown[] },
  ): vscode.Disposable;
}
type McpStdioDefinitionConstructor = new (
  label: string,
  command: string,
  args?: string[],
  env?: Record<string, string | number | null>,
  version?: string,
) => unknown;

/** The MCP provider API and `McpStdioServerDefinition`, when this VS Code has them. */
export function mcpDefinitionApi(): (McpDefinitionApi & { Definition: McpStdioDefinitionConstructor }) | undefined {
  const lm = (vscode as unknown as { lm?: Partial<McpDefinitionApi> }).lm;
  const Definition = (vscode as unknown as { McpStdioServerDefinition?: McpStdioDefinitionConstructor }).McpStdioServerDefinition;
  if (typeof lm?.registerMcpServerDefinitionProvider !== 'function' || typeof Definition !== 'function') return undefined;
  return {
    registerMcpServerDefinitionProvider: lm.registerMcpServerDefinitionProvider.bind(
      lm,
    ) as McpDefinitionApi['registerMcpServerDefinitionProvider'],
    Definition,
  };
}

const allowAddNote = (): boolean => vscode.workspace.getConfiguration('sessionLedger').get<boolean>('mcp.allowAddNote') === true;

/** What was registered, for the log and the tests. */
export interface AgentAccess extends vscode.Disposable {
  readonly mcpProvider: boolean;
  readonly lmTools: readonly string[];
  /** The MCP server definitions offered now (the launch line of each). */
  mcpDefinitions(): McpServerEntry[];
}

export interface AgentAccessDeps {
  readonly store: AgentToolReads;
  readonly storeDirectory: string;
  readonly extensionPath: string;
  readonly log: Logger;
}

export function registerAgentAccess(deps: AgentAccessDeps): AgentAccess {
  const disposables: vscode.Disposable[] = [];
  const own = (d: vscode.Disposable) => void disposables.push(d);
  const state = { mcpProvider: false, lmTools: [] as string[] };
  // The extension host's own Node (with ELECTRON_RUN_AS_NODE it is plain Node in desktop VS Code too).
  const launch = () => mcpServerLaunch(deps.extensionPath, deps.storeDirectory, allowAddNote(), process.execPath);

  const register = () => {
    const api = mcpDefinitionApi();
    if (api) {
      const changed = new vscode.EventEmitter<void>();
      own(changed);
      own(vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('sessionLedger.mcp.allowAddNote') && changed.fire()));
      own(
        api.registerMcpServerDefinitionProvider(MCP_PROVIDER_ID, {
          onDidChangeMcpServerDefinitions: changed.event,
          provideMcpServerDefinitions: () => {
            const { command, args } = launch();
            return [new api.Definition(MCP_SERVER_LABEL, command, args, { ELECTRON_RUN_AS_NODE: '1' })];
          },
        }),
      );
      state.mcpProvider = true;
    }
    state.lmTools = registerLanguageModelTools(deps.store, own);
    deps.log.info(
      `agent access: MCP server definition ${state.mcpProvider ? 'registered' : 'not registered (this VS Code has no vscode.lm.registerMcpServerDefinitionProvider)'}; ` +
        `language-model tools ${state.lmTools.length ? state.lmTools.join(', ') : 'not registered (no vscode.lm.registerTool)'}`,
    );
  };

  if (vscode.workspace.isTrusted) register();
  else {
    deps.log.info('agent access: untrusted workspace, no MCP server or language-model tools registered until it is trusted');
    const grant = vscode.workspace.onDidGrantWorkspaceTrust(() => {
      grant.dispose();
      register();
    });
    own(grant);
  }
  return {
    get mcpProvider() {
      return state.mcpProvider;
    },
    get lmTools() {
      return state.lmTools;
    },
    mcpDefinitions: () => (state.mcpProvider ? [launch()] : []),
    dispose: () => {
      while (disposables.length) disposables.pop()!.dispose();
    },
  };
}

/**
 * Session Ledger: Add Session Ledger to Claude Code — writes the `session-ledger` entry of the
 * workspace's `.mcp.json` (merged; the original file backed up once), pointing at this ledger.
 */
export async function addSessionLedgerToClaudeCode(deps: {
  readonly store: { readonly storageDirectory: string };
  readonly log: Logger;
}): Promise<void> {
  if (
    !ensureTrusted(
      vscode.l10n.t('Adding Session Ledger to Claude Code'),
      vscode.l10n.t('it writes a command Claude Code runs into .mcp.json'),
    )
  )
    return;
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new UserFacingError(vscode.l10n.t("Open a folder first: Session Ledger is added to the folder's .mcp.json."));
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  if (!extension)
    throw new UserFacingError(
      vscode.l10n.t('Cannot find the installed extension {0} to point Claude Code at its command line.', EXTENSION_ID),
    );
  let result;
  try {
    result = addMcpServerToWorkspace(
      folder.uri.fsPath,
      mcpServerLaunch(extension.extensionPath, deps.store.storageDirectory, allowAddNote()),
    );
  } catch (error) {
    if (error instanceof McpJsonError) throw new UserFacingError(error.message);
    throw error;
  }
  deps.log.info(
    `.mcp.json: ${result.changed ? (result.replaced ? 'updated' : 'added') : 'already had'} the ${MCP_SERVER_KEY} server in ${result.file}${result.backupWritten ? ` (original kept as ${result.backupPath})` : ''}`,
  );
  const what = !result.changed
    ? vscode.l10n.t('{0} already has the "{1}" MCP server for this ledger.', result.file, MCP_SERVER_KEY)
    : result.backupWritten
      ? vscode.l10n.t(
          'Added the "{0}" MCP server to {1} (your original file is kept as {2}). Claude Code asks you to approve it the next time it starts in this folder.',
          MCP_SERVER_KEY,
          result.file,
          path.basename(result.backupPath!),
        )
      : vscode.l10n.t(
          'Added the "{0}" MCP server to {1}. Claude Code asks you to approve it the next time it starts in this folder.',
          MCP_SERVER_KEY,
          result.file,
        );
  const choice = await vscode.window.showInformationMessage(vscode.l10n.t('Session Ledger: {0}', what), vscode.l10n.t('Open .mcp.json'));
  if (choice) await vscode.window.showTextDocument(vscode.Uri.file(result.file));
}
