import * as vscode from 'vscode';
import { CommandId } from './commandIds';
import type { Logger } from './logger';
import { describeError } from './logger';

export interface CommandDeps {
  channel: vscode.LogOutputChannel;
  log: Logger;
}

type Handler = (deps: CommandDeps, ...args: unknown[]) => unknown;

const handlers: Record<CommandId, Handler> = {
  [CommandId.showLog]: ({ channel }) => channel.show(),
  [CommandId.refresh]: () => undefined,
};

/** Registers every command of the table; a failing handler is logged and shown once. */
export function registerCommands(deps: CommandDeps): vscode.Disposable {
  const log = deps.log.child('commands');
  return vscode.Disposable.from(
    ...Object.entries(handlers).map(([id, handler]) =>
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          return await handler(deps, ...args);
        } catch (error) {
          log.error(`${id} failed`, error);
          void vscode.window.showErrorMessage(describeError(error));
          return undefined;
        }
      }),
    ),
  );
}
