import * as vscode from 'vscode';
import type { SessionStore } from '../core/store/SessionStore';

const stateKey = 'sessionLedger.activeSessionId';

/** Which session is active in this workspace (status bar, Next Step…), kept across reloads. */
export class ActiveSession implements vscode.Disposable {
  private readonly _onDidChange = new vscode.EventEmitter<string | undefined>();
  readonly onDidChange = this._onDidChange.event;

  constructor(
    private readonly memento: vscode.Memento,
    private readonly store: SessionStore,
  ) {}

  /** The active session's id, if it still exists and is not deleted. */
  get id(): string | undefined {
    const id = this.memento.get<string>(stateKey);
    const session = id ? this.store.sessions.get(id) : undefined;
    return session && session.deletedAt === null ? id : undefined;
  }

  async set(id: string | undefined): Promise<void> {
    if (id === this.memento.get<string>(stateKey)) return;
    await this.memento.update(stateKey, id);
    void vscode.commands.executeCommand('setContext', 'sessionLedger.hasActiveSession', id !== undefined);
    this._onDidChange.fire(id);
  }

  dispose(): void {
    this._onDidChange.dispose();
  }
}
