import type * as vscode from 'vscode';
import type { SessionStore } from '../../core/store/SessionStore';
import type { ActiveSession } from '../ActiveSession';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { SessionTreeProvider } from '../SessionTreeProvider';
import type { SessionFilters } from '../sessionFilters';
import type { ManualStepRunner } from '../ManualStepRunner';
import type { RunningSessions } from '../RunningSessions';

/** Everything a command handler may use; handlers get it as an argument, never from globals. */
export interface CommandDeps {
  readonly channel: vscode.LogOutputChannel;
  readonly log: Logger;
  readonly config: Config;
  readonly store: SessionStore;
  readonly active: ActiveSession;
  readonly tree: SessionTreeProvider;
  readonly runner: ManualStepRunner;
  readonly running: RunningSessions;
  readonly treeView: vscode.TreeView<unknown>;
  /** The Sessions tree's type / tag / mode / created / owner filters (absent in some tests). */
  readonly sessionFilters?: SessionFilters;
}

export type CommandHandler = (deps: CommandDeps, ...args: unknown[]) => unknown;
