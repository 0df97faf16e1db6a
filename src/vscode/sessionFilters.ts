import * as vscode from 'vscode';
import {
  describeSessionFilter,
  isFilterActive,
  readSessionFilterState,
  toListFilter,
  type SessionFilterState,
} from '../core/ledger/sessionFilter';
import type { SessionListFilter } from '../core/model/session';
import { DisposableOwner } from './lifecycle';

const STATE_KEY = 'sessionLedger.sessionFilters';
/** The context key the Sessions view's title menus switch on (Filter Sessions by… shows filled when set). */
export const SESSION_FILTERS_CONTEXT = 'sessionLedger.treeFilteredBy';

/**
 * The Sessions tree's type / tag / mode / created / owner filters, remembered per workspace
 * (workspaceState). Combined with the tree's text filter; kept apart from the team ledger's
 * mine / everyone switch (teamLedger/treeScope.ts).
 */
export class SessionFilters extends DisposableOwner {
  private readonly _onDidChange = this.register(new vscode.EventEmitter<SessionFilterState>());
  readonly onDidChange = this._onDidChange.event;
  private value: SessionFilterState;

  constructor(private readonly memento: vscode.Memento) {
    super();
    this.value = readSessionFilterState(memento.get(STATE_KEY));
    void vscode.commands.executeCommand('setContext', SESSION_FILTERS_CONTEXT, this.active);
  }

  get state(): SessionFilterState {
    return this.value;
  }

  get active(): boolean {
    return isFilterActive(this.value);
  }

  /** The conditions the tree adds to its session queries (days counted from now). */
  get listFilter(): Pick<SessionListFilter, 'type' | 'tag' | 'executionMode' | 'createdFrom' | 'createdBefore' | 'owner'> {
    return toListFilter(this.value, Date.now());
  }

  /** `type freeform · tag release`, or '' for none. */
  get description(): string {
    return describeSessionFilter(this.value);
  }

  async set(state: SessionFilterState): Promise<void> {
    this.value = readSessionFilterState(Object.fromEntries(Object.entries(state).filter(([, v]) => v !== undefined)));
    await this.memento.update(STATE_KEY, this.value);
    await vscode.commands.executeCommand('setContext', SESSION_FILTERS_CONTEXT, this.active);
    this._onDidChange.fire(this.value);
  }

  clear(): Promise<void> {
    return this.set({});
  }
}

/** The message above the Sessions tree for its filters (text and the others), or undefined for none. */
export function treeFilterMessage(text: string | undefined, filters: SessionFilters | undefined): string | undefined {
  const parts: string[] = [];
  if (text?.trim()) parts.push(vscode.l10n.t('"{0}"', text.trim()));
  const described = filters?.description;
  if (described) parts.push(described);
  return parts.length ? vscode.l10n.t('Filtered by {0}', parts.join(' · ')) : undefined;
}
