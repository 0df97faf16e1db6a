import * as vscode from 'vscode';
import { CommandId } from '../commandIds';
import { describeError } from '../../protocol/describeError';
import * as run from './runCommands';
import * as record from './sessionCommands';
import * as history from './historyCommands';
import * as costs from './costCommands';
import * as goal from './goalCommands';
import * as plan from './planCommands';
import * as tags from './tagCommands';
import type { SessionFilters } from '../sessionFilters';
import * as progress from './progressCommands';
import { newWorkflowFile } from './workflowCommands';
import { UserFacingError } from '../userFacingError';
import { ReadOnlyStoreError } from '../../core/store/readOnlyStore';
import { sessionFromArgument } from './sessionArgument';
import { addSessionLedgerToClaudeCode } from '../mcpRegistration';
import * as team from '../teamLedger/teamCommands';
import { refuseWriteToPulledSession } from '../teamLedger/readOnlyGuard';
import { PulledSessionError } from '../../core/sync/ownership';

export type { CommandDeps } from './types';
export interface AllCommandDeps extends run.RunDeps, history.HistoryDeps, team.TeamCommandDeps {
  /** Opens (or reveals) a session's timeline, optionally at one interaction. */
  openTimeline(sessionId: string, focusInteractionSeq?: number): Promise<void>;
  /** Exports a session to a file the person picks. */
  exportSession(sessionId: string): Promise<void>;
  /** Opens (or reveals) the Usage panel; returns it (tests wait for its render). */
  showUsage(scope?: 'team'): unknown;
  /** The Sessions tree's type / tag / mode / created / owner filters (remembered per workspace). */
  readonly sessionFilters: SessionFilters;
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
  [CommandId.planSession]: plan.planSession,
  [CommandId.startPlannedSession]: plan.startPlannedSession,
  [CommandId.startFollowUpSession]: plan.startFollowUpSession,
  [CommandId.saveAsTemplate]: plan.saveAsTemplate,
  [CommandId.editTags]: tags.editTags,
  [CommandId.filterSessionsBy]: tags.filterSessionsBy,
  [CommandId.checkProgress]: progress.checkProgress,
  [CommandId.approveReview]: progress.approveReview,
  [CommandId.requestReviewChanges]: progress.requestReviewChanges,
  [CommandId.sessionActions]: run.sessionActions,
  [CommandId.openTimeline]: async (deps, arg, seq) => {
    const session = await sessionFromArgument(deps, arg, { title: vscode.l10n.t('Open Timeline') });
    if (session) await deps.openTimeline(session.id, typeof seq === 'number' ? seq : undefined);
  },
  [CommandId.exportSession]: async (deps, arg) => {
    const session = await sessionFromArgument(deps, arg, { title: vscode.l10n.t('Export Session') });
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
  [CommandId.showUsage]: (deps, scope) => deps.showUsage(scope === 'team' ? 'team' : undefined),
  [CommandId.recomputeCosts]: costs.recomputeCosts,
  [CommandId.newWorkflowFile]: newWorkflowFile,
  [CommandId.addToClaudeCode]: addSessionLedgerToClaudeCode,
  [CommandId.connectTeamLedger]: team.connectTeamLedger,
  [CommandId.disconnectTeamLedger]: team.disconnectTeamLedger,
  [CommandId.syncTeamLedger]: team.syncTeamLedger,
  [CommandId.teamLedgerActions]: team.teamLedgerActions,
  [CommandId.chooseTeamSharing]: team.chooseTeamSharing,
  [CommandId.shareSession]: team.shareSession,
  [CommandId.unshareSession]: team.unshareSession,
  [CommandId.showMySessions]: team.showMySessions,
  [CommandId.showEveryonesSessions]: team.showEveryonesSessions,
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
          refuseWriteToPulledSession(deps.store, id, args, deps.active.id);
          return await handler(deps, ...args);
        } catch (error) {
          if (error instanceof PulledSessionError) {
            // Not a failure either: a teammate's (or another machine's) session pulled from the team ledger is read-only here.
            log.warn(`${id} refused on pulled session ${error.sessionId}`);
            void vscode.window.showWarningMessage(vscode.l10n.t('Session Ledger: {0}', error.message));
            return undefined;
          }
          if (error instanceof ReadOnlyStoreError) {
            // Not a failure: another window holds the ledger. Say so plainly (it names that window's process).
            log.warn(`${id} refused: ${error.message}`);
            void vscode.window.showErrorMessage(vscode.l10n.t('Session Ledger: {0}', error.message));
            return undefined;
          }
          log.error(`${id} failed`, error);
          const message = error instanceof UserFacingError ? error.message : `${describeError(error)}`;
          void vscode.window
            .showErrorMessage(vscode.l10n.t('Session Ledger: {0}', message), vscode.l10n.t('Show Log'))
            .then((c) => c && deps.channel.show());
          return undefined;
        }
      }),
    ),
  );
}
