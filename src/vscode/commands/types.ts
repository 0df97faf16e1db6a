import type * as vscode from 'vscode';
import type { SessionStore } from '../../core/store/SessionStore';
import type { ActiveSession } from '../ActiveSession';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { SessionTreeProvider } from '../SessionTreeProvider';
import type { SessionRunner } from '../SessionRunner';

/** Everything a command handler may use; handlers get it as an argument, never from globals. */
export interface CommandDeps {
  readonly channel: vscode.LogOutputChannel;
  readonly log: Logger;
  readonly config: Config;
  readonly store: SessionStore;
  readonly active: ActiveSession;
  readonly tree: SessionTreeProvider;
  readonly runner: SessionRunner;
  readonly treeView: vscode.TreeView<unknown>;
}

export type CommandHandler = (deps: CommandDeps, ...args: unknown[]) => unknown;

/** A failure the person can act on: shown as is, without "failed:" noise. */
export class UserFacingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserFacingError';
  }
}
