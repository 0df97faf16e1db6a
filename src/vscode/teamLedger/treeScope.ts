import * as vscode from 'vscode';
import type { SessionListFilter } from '../../core/model/session';
import { DisposableOwner } from '../lifecycle';

/** The Sessions tree with a team ledger: everyone's sessions (own and pulled), or only mine (made here). */
export type TreeScope = 'everyone' | 'mine';

const STATE_KEY = 'sessionLedger.treeScope';
/** The context key package.json's view/title menus switch on. */
export const TREE_SCOPE_CONTEXT = 'sessionLedger.treeScope';

/**
 * The mine / everyone's switch of the Sessions tree (kept per workspace). Kept apart from the
 * tree's text and tag filters: it only adds an owner condition to the tree's queries.
 */
export class TreeScopeState extends DisposableOwner {
  private readonly _onDidChange = this.register(new vscode.EventEmitter<TreeScope>());
  readonly onDidChange = this._onDidChange.event;
  private value: TreeScope;

  constructor(private readonly memento: vscode.Memento) {
    super();
    this.value = memento.get<TreeScope>(STATE_KEY) === 'mine' ? 'mine' : 'everyone';
    void vscode.commands.executeCommand('setContext', TREE_SCOPE_CONTEXT, this.value);
  }

  get scope(): TreeScope {
    return this.value;
  }

  async set(scope: TreeScope): Promise<void> {
    if (scope === this.value) return;
    this.value = scope;
    await this.memento.update(STATE_KEY, scope);
    await vscode.commands.executeCommand('setContext', TREE_SCOPE_CONTEXT, scope);
    this._onDidChange.fire(scope);
  }

  /** The condition the tree adds to its session queries (none for everyone's). */
  get filter(): Pick<SessionListFilter, 'owner'> {
    return this.value === 'mine' ? { owner: 'me' } : {};
  }
}

/** What the Sessions tree asks of the team ledger (SessionTreeProvider.useTeamView). */
export interface TeamTreeView {
  /** The owner condition of the tree's queries (none: everyone's). */
  readonly filter: Pick<SessionListFilter, 'owner'>;
  /** Who a pulled session belongs to; undefined for a session made here. */
  ownerOf(sessionId: string): { person: string; machine: string } | undefined;
  readonly onDidChange: vscode.Event<unknown>;
}
