import * as vscode from 'vscode';
import { CommandId } from '../commandIds';
import { describeError } from '../logger';
import * as run from './runCommands';
import * as record from './sessionCommands';
import * as history from './historyCommands';
import * as costs from './costCommands';
import * as goal from './goalCommands';
import { newWorkflowFile } from './workflowCommands';
import { UserFacingError } from './types';
import { ReadOnlyStoreError } from '../../core/store/readOnlyStore';
import { sessionFromArgument } from './sessionArgument';
import { addSessionLedgerToClaudeCode } from '../mcpRegistration';

export type { CommandDeps } from './types';
export interface AllCommandDeps extends run.RunDeps, history.HistoryDeps {
  /** Opens (or reveals) a session's timeline, optionally at one interaction. */
  openTimeline(sessionId: string, focusInteractionSeq?: number): Promise<void>;
  /** Exports a session to a file the person picks. */
  exportSession(sessionId: string): Promise<void>;
  /** Opens (or reveals) the Usage panel; returns it (tests wait for its render). */
  showUsage(): unknown;
}

type Handler = (deps: AllCommandDeps, ...args: unknown[]) => unknown;

/** The one table of command handlers; each id of {@link CommandId} has exactly one. */
const handlers: Record<CommandId, Handler> = {
  [CommandId.newSession]: run.newSession,
  [CommandId.nextStep]: run.nextStep,
  [CommandId.pauseSession]: run.pauseSession,
  [CommandId.resumeSession]: run.resumeSession,
  [CommandId.cancelSession]: run.cancelSession,
  [CommandId.completeSession]: goal.completeSession,
  [CommandId.editGoal]: goal.editGoal,
  [CommandId.sessionActions]: run.sessionActions,
  [CommandId.openTimeline]: async (deps, arg, seq) => {
    const session = await sessionFromArgument(deps, arg, { title: 'Open Timeline' });
    if (session) await deps.openTimeline(session.id, typeof seq === 'number' ? seq : undefined);
  },
  [CommandId.exportSession]: async (deps, arg) => {
    const session = await sessionFromArgument(deps, arg, { title: 'Export Session' });
    if (session) await deps.exportSession(session.id);
  },
  [CommandId.setActiveSession]: record.setActiveSession,
  [CommandId.findSession]: history.findSession,
  [CommandId.addNote]: record.addNote,
  [CommandId.renameSession]: record.renameSession,
  [CommandId.deleteSession]: record.deleteSession,
  [CommandId.restoreSession]: record.restoreSession,
  [CommandId.pinSession]: record.pinSession,
  [CommandId.unpinSession]: record.unpinSession,
  [CommandId.copyConversationId]: record.copyConversationId,
  [CommandId.showMoreSessions]: record.showMoreSessions,
  [CommandId.filterSessions]: record.filterSessions,
  [CommandId.clearFilter]: record.clearFilter,
  [CommandId.refresh]: record.refresh,
  [CommandId.showLog]: ({ channel }) => channel.show(),
  [CommandId.setApiKey]: run.setApiKey,
  [CommandId.connectClaudeHooks]: history.connectClaudeHooks,
  [CommandId.disconnectClaudeHooks]: history.disconnectClaudeHooks,
  [CommandId.importClaudeHistory]: history.importClaudeHistory,
  [CommandId.searchHistory]: history.searchHistory,
  [CommandId.exportAllSessions]: history.exportAllSessions,
  [CommandId.importSessions]: history.importSessions,
  [CommandId.cleanUpHistory]: history.cleanUpHistory,
  [CommandId.showUsage]: (deps) => deps.showUsage(),
  [CommandId.recomputeCosts]: costs.recomputeCosts,
  [CommandId.newWorkflowFile]: newWorkflowFile,
  [CommandId.addToClaudeCode]: addSessionLedgerToClaudeCode,
};

/**
 * Registers every command of the table. A failing handler is logged with its stack; the person
 * sees what went wrong and can open the log.
 */
export function registerCommands(deps: AllCommandDeps): vscode.Disposable {
  const log = deps.log.child('commands');
  return vscode.Disposable.from(
    ...Object.entries(handlers).map(([id, handler]) =>
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          return await handler(deps, ...args);
        } catch (error) {
          if (error instanceof ReadOnlyStoreError) {
            // Not a failure: another window holds the ledger. Say so plainly (it names that window's process).
            log.warn(`${id} refused: ${error.message}`);
            void vscode.window.showErrorMessage(`Session Ledger: ${error.message}`);
            return undefined;
          }
          log.error(`${id} failed`, error);
          const message = error instanceof UserFacingError ? error.message : `${describeError(error)}`;
          void vscode.window.showErrorMessage(`Session Ledger: ${message}`, 'Show Log').then((c) => c && deps.channel.show());
          return undefined;
        }
      }),
    ),
  );
}
