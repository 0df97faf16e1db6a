import * as vscode from 'vscode';
import { isAbsolute, join } from 'node:path';
import type { Interaction } from '../../core/model/interaction';
import { stripAnsi } from '../../protocol/displayText';
import type { GoalAction } from '../../protocol/goalActions';
import { CommandId } from '../commandIds';
import { describeError } from '../../protocol/describeError';
import type { Logger } from '../logger';
import { sessionActionStatuses, type RequestParams, type RequestResult, type SessionAction, type TimelineMethod } from './protocol';
import { EVENTS_PAGE, toEventRow, toInteractionDetail, type TimelineStoreReads } from './timelineViewModel';

/** The command each of the header's session actions runs (with the panel's session id). */
const sessionActionCommands: Readonly<Record<SessionAction, CommandId>> = {
  start: CommandId.startPlannedSession,
  followUp: CommandId.startFollowUpSession,
  nextStep: CommandId.nextStep,
  pause: CommandId.pauseSession,
  resume: CommandId.resumeSession,
  complete: CommandId.completeSession,
  cancel: CommandId.cancelSession,
};

/** The command each of the header's goal buttons runs (with the panel's session id). */
const goalActionCommands: Readonly<Record<GoalAction, CommandId>> = {
  checkProgress: CommandId.checkProgress,
  approve: CommandId.approveReview,
  requestChanges: CommandId.requestReviewChanges,
};

export type TimelineRequestHandlers = {
  [M in TimelineMethod]: (params: RequestParams<M>) => Promise<RequestResult<M>> | RequestResult<M>;
};

/**
 * Answers the requests of one session's timeline page: details and events on demand, opening
 * artifacts, copying, and the header's session actions. Everything it reads or does is limited to
 * that session (the page cannot reach into others).
 */
export class TimelineService {
  constructor(
    private readonly store: TimelineStoreReads,
    readonly sessionId: string,
    private readonly log: Logger,
  ) {}

  readonly requests: TimelineRequestHandlers = {
    loadDetail: ({ interactionId }) => toInteractionDetail(this.interaction(interactionId)),
    loadEvents: ({ interactionId, after }) => {
      this.interaction(interactionId);
      const events = this.store.events.list(this.sessionId, { interactionId, after, limit: EVENTS_PAGE });
      return { events: events.map(toEventRow), hasMore: events.length === EVENTS_PAGE };
    },
    loadSessionEvents: ({ after }) => {
      const events = this.store.events.list(this.sessionId, { interactionId: null, after, limit: EVENTS_PAGE });
      return { events: events.map(toEventRow), hasMore: events.length === EVENTS_PAGE };
    },
    openArtifact: async ({ artifactId }) => {
      const artifact = this.store.artifacts.get(artifactId);
      if (!artifact || artifact.sessionId !== this.sessionId) {
        throw new Error(`No artifact ${artifactId} in this session.`);
      }
      if (artifact.path !== null) {
        await vscode.commands.executeCommand('vscode.open', this.resolveArtifactPath(artifact.path));
      } else {
        const language = artifact.contentType.includes('markdown')
          ? 'markdown'
          : artifact.contentType.includes('json')
            ? 'json'
            : 'plaintext';
        const document = await vscode.workspace.openTextDocument({ content: artifact.content ?? '', language });
        await vscode.window.showTextDocument(document, { preview: true });
      }
      return { opened: true };
    },
    copy: async ({ interactionId, what }) => {
      const interaction = this.interaction(interactionId);
      const text = what === 'command' ? interaction.command.command : stripAnsi(interaction.result.output ?? '');
      await vscode.env.clipboard.writeText(text);
      return { copiedChars: text.length };
    },
    runSessionAction: async ({ action }) => {
      const session = this.store.sessions.get(this.sessionId);
      if (!session) throw new Error(`Session ${this.sessionId} no longer exists.`);
      if (!sessionActionStatuses[action].includes(session.status)) {
        // The header may have been a status behind: the command would act on a session it no longer fits.
        throw new Error(`"${session.title}" is ${session.status}; ${action} does not apply.`);
      }
      // The command handlers report their own failures to the person (and log them).
      const ran = vscode.commands.executeCommand(sessionActionCommands[action], this.sessionId);
      if (action === 'nextStep' || action === 'followUp') {
        // A step can run for minutes, New Session waits for the person's answers: answer now, so the header stays usable meanwhile.
        ran.then(undefined, (error: unknown) => this.log.warn(`${action} failed: ${describeError(error)}`));
      } else {
        await ran;
      }
      return { status: this.store.sessions.get(this.sessionId)?.status ?? session.status };
    },
    runGoalAction: async ({ action }) => {
      const session = this.store.sessions.get(this.sessionId);
      if (!session) throw new Error(`Session ${this.sessionId} no longer exists.`);
      // The command handlers report their own failures to the person (and log them).
      await vscode.commands.executeCommand(goalActionCommands[action], this.sessionId);
      return { status: this.store.sessions.get(this.sessionId)?.status ?? session.status };
    },
  };

  /** Runs the handler of a (validated) request. */
  handle<M extends TimelineMethod>(method: M, params: RequestParams<M>): Promise<RequestResult<M>> {
    const handler = this.requests[method] as (params: RequestParams<M>) => Promise<RequestResult<M>> | RequestResult<M>;
    return Promise.resolve(handler(params));
  }

  /** An interaction of THIS session (the webview cannot reach into others). */
  private interaction(id: string): Interaction {
    const interaction = this.store.interactions.get(id);
    if (!interaction || interaction.sessionId !== this.sessionId) {
      throw new Error(`No interaction ${id} in this session.`);
    }
    return interaction;
  }

  private resolveArtifactPath(path: string): vscode.Uri {
    if (isAbsolute(path)) return vscode.Uri.file(path);
    const session = this.store.sessions.get(this.sessionId);
    const base = session?.workspaceFolder ?? session?.workingDir ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    if (!base) throw new Error(`Cannot open "${path}": no workspace folder to resolve it against.`);
    return /^[a-z][\w+.-]*:\/\//i.test(base) ? vscode.Uri.joinPath(vscode.Uri.parse(base), path) : vscode.Uri.file(join(base, path));
  }
}
