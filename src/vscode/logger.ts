import type * as vscode from 'vscode';
import { describeError } from '../protocol/describeError';

/** A component-tagged view of the one log channel. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
  debug(message: string): void;
  child(component: string): Logger;
}

export function createLogger(channel: vscode.LogOutputChannel, component = 'main'): Logger {
  const tag = (m: string) => `[${component}] ${m}`;
  return {
    info: (m) => channel.info(tag(m)),
    warn: (m) => channel.warn(tag(m)),
    debug: (m) => channel.debug(tag(m)),
    error: (m, e) => channel.error(tag(e === undefined ? m : `${m}: ${describeError(e, true)}`)),
    child: (c) => createLogger(channel, c),
  };
}
