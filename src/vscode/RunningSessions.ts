import * as vscode from 'vscode';
import { DisposableOwner } from './lifecycle';

/** A runner of session steps that says which sessions it runs now (the terminal runner, the background runner). */
export interface SessionStepRunner {
  isRunning(sessionId: string): boolean;
  readonly onDidChangeRunning: vscode.Event<string>;
}

/**
 * Which sessions run a step now: a manual step in the terminal or an agentic loop in the
 * background. The status bar, the Sessions view (tree and badge) and the commands ask here, and
 * refresh when `onDidChangeRunning` fires (with the session's id).
 */
export class RunningSessions extends DisposableOwner {
  private readonly changed = this.register(new vscode.EventEmitter<string>());
  readonly onDidChangeRunning = this.changed.event;

  constructor(private readonly runners: readonly SessionStepRunner[]) {
    super();
    for (const runner of runners) this.register(runner.onDidChangeRunning((id) => this.changed.fire(id)));
  }

  isRunning(sessionId: string): boolean {
    return this.runners.some((runner) => runner.isRunning(sessionId));
  }
}
