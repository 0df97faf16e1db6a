import * as vscode from 'vscode';
import { z } from 'zod';
import { normalizeTags } from '../../core/engine/sessionInputs';
import { SessionFilterStateSchema, type SessionFilterState } from '../../core/ledger/sessionFilter';
import { parseWith } from '../../core/model/validation';
import { treeFilterMessage, type SessionFilters } from '../sessionFilters';
import type { RunDeps } from './runCommands';
import { sessionFromArgument } from './sessionArgument';

/** Edit Tags, and the Sessions tree's filters by type, tag, mode, date and owner. */

/**
 * Edit Tags: the session's tags, separated by commas (add one by typing it, remove one by deleting
 * it); one `session.tags_changed` event per change. Code may pass the tags (`string[]`, no prompt).
 */
export async function editTags(deps: RunDeps, arg?: unknown, tags?: unknown): Promise<string[] | undefined> {
  const session = await sessionFromArgument(deps, arg, { title: vscode.l10n.t('Edit Tags'), preferActive: true });
  if (!session) return undefined;
  let next: string[];
  if (Array.isArray(tags)) {
    next = parseWith(z.array(z.string()), tags, 'Edit Tags argument');
  } else {
    const inUse = deps.store.sessions
      .tagCounts()
      .map((t) => t.tag)
      .filter((t) => !session.tags.includes(t))
      .slice(0, 12);
    const text = await vscode.window.showInputBox({
      title: vscode.l10n.t('Edit Tags — {0}', session.title),
      prompt: inUse.length
        ? vscode.l10n.t('Tags separated by commas; delete one to remove it. In use: {0}', inUse.join(', '))
        : vscode.l10n.t('Tags separated by commas; delete one to remove it.'),
      value: session.tags.join(', '),
      placeHolder: 'release, ui',
      ignoreFocusOut: true,
    });
    if (text === undefined) return undefined;
    next = text.split(',');
  }
  const updated = await deps.engine.setTags(session.id, normalizeTags(next));
  return updated.tags;
}

type FilterField = 'type' | 'tag' | 'mode' | 'created' | 'owner' | 'clear';

/** What Filter Sessions by… uses (the command table's deps have it; naming it here keeps this file out of an import circle with index.ts). */
type FilterDeps = RunDeps & { readonly sessionFilters: SessionFilters };

/**
 * Filter Sessions by…: type, tag, mode, when created and owner, one at a time until Done; each
 * applies at once, combines with the text filter and is remembered for the workspace. Code may
 * pass the whole state (`{ type?, tag?, mode?, created?, owner? }`; `{}` clears).
 */
export async function filterSessionsBy(deps: FilterDeps, state?: unknown): Promise<void> {
  const filters = deps.sessionFilters;
  if (typeof state === 'object' && state !== null && !Array.isArray(state)) {
    await filters.set(parseWith(SessionFilterStateSchema, state, 'Filter Sessions argument'));
    deps.treeView.message = treeFilterMessage(deps.tree.filter, filters);
    return;
  }
  for (;;) {
    const current = filters.state;
    const any = vscode.l10n.t('any');
    const created = current.created;
    const picks: (vscode.QuickPickItem & { field?: FilterField })[] = [
      { label: `$(symbol-class) ${vscode.l10n.t('Type')}`, description: current.type ?? any, field: 'type' },
      { label: `$(tag) ${vscode.l10n.t('Tag')}`, description: current.tag ?? any, field: 'tag' },
      { label: `$(run-all) ${vscode.l10n.t('Mode')}`, description: current.mode ?? any, field: 'mode' },
      {
        label: `$(calendar) ${vscode.l10n.t('Created')}`,
        description:
          created === undefined
            ? any
            : 'lastDays' in created
              ? vscode.l10n.t('last {0} days', created.lastDays)
              : `${created.from ?? '…'} – ${created.to ?? '…'}`,
        field: 'created',
      },
      {
        label: `$(person) ${vscode.l10n.t('Owner')}`,
        description: current.owner === 'me' ? vscode.l10n.t('mine') : (current.owner ?? any),
        field: 'owner',
      },
      { label: `$(clear-all) ${vscode.l10n.t('Clear these filters')}`, field: 'clear' },
      { label: `$(check) ${vscode.l10n.t('Done')}` },
    ];
    const picked = await vscode.window.showQuickPick(picks, {
      title: vscode.l10n.t('Filter Sessions'),
      placeHolder: filters.description || vscode.l10n.t('Pick what to filter by (Escape or Done when finished)'),
    });
    if (picked?.field === undefined) return;
    const next = picked.field === 'clear' ? {} : await askFilterField(deps, picked.field, current);
    if (next === undefined) continue;
    await filters.set(next);
    deps.treeView.message = treeFilterMessage(deps.tree.filter, filters);
  }
}

async function askFilterField(
  deps: FilterDeps,
  field: Exclude<FilterField, 'clear'>,
  current: SessionFilterState,
): Promise<SessionFilterState | undefined> {
  const anyItem = { label: vscode.l10n.t('Any'), value: undefined as string | undefined };
  /** The value picked (undefined: Any), or null when the person cancelled. */
  const choose = async (title: string, items: { label: string; description?: string; value: string | undefined }[]) => {
    const picked = await vscode.window.showQuickPick([anyItem, ...items], { title, matchOnDescription: true });
    return picked === undefined ? null : picked.value;
  };
  switch (field) {
    case 'type': {
      const value = await choose(
        vscode.l10n.t('Filter by type'),
        deps.engine
          .listTypes()
          .filter((t) => t.baseType === undefined)
          .map((t) => ({ label: t.label, description: t.id, value: t.id })),
      );
      return value === null ? undefined : { ...current, type: value };
    }
    case 'tag': {
      const value = await choose(
        vscode.l10n.t('Filter by tag'),
        deps.store.sessions.tagCounts().map((t) => ({ label: t.tag, description: String(t.count), value: t.tag })),
      );
      return value === null ? undefined : { ...current, tag: value };
    }
    case 'mode': {
      const value = await choose(vscode.l10n.t('Filter by mode'), [
        { label: vscode.l10n.t('Manual'), value: 'manual' },
        { label: vscode.l10n.t('Agentic'), value: 'agentic' },
      ]);
      return value === null ? undefined : { ...current, mode: value as SessionFilterState['mode'] };
    }
    case 'owner': {
      const value = await choose(vscode.l10n.t('Filter by owner'), [
        { label: vscode.l10n.t('Mine'), description: vscode.l10n.t('sessions made here'), value: 'me' },
        ...deps.store.sessions.owners().map((owner) => ({ label: owner, description: vscode.l10n.t('team ledger'), value: owner })),
      ]);
      return value === null ? undefined : { ...current, owner: value };
    }
    case 'created': {
      const value = await choose(vscode.l10n.t('Filter by when created'), [
        { label: vscode.l10n.t('Today'), value: '1' },
        { label: vscode.l10n.t('Last 7 days'), value: '7' },
        { label: vscode.l10n.t('Last 30 days'), value: '30' },
        { label: vscode.l10n.t('Between two dates…'), value: 'range' },
      ]);
      if (value === null) return undefined;
      if (value === undefined) return { ...current, created: undefined };
      if (value !== 'range') return { ...current, created: { lastDays: Number(value) } };
      const date = /^\d{4}-\d{2}-\d{2}$/;
      const ask = (title: string) =>
        vscode.window.showInputBox({
          title,
          prompt: vscode.l10n.t('A date, YYYY-MM-DD (empty: open-ended).'),
          validateInput: (v) => (!v.trim() || date.test(v.trim()) ? undefined : vscode.l10n.t('A date like 2026-12-05.')),
        });
      const from = await ask(vscode.l10n.t('Created from'));
      if (from === undefined) return undefined;
      const to = await ask(vscode.l10n.t('Created until (included)'));
      if (to === undefined) return undefined;
      return { ...current, created: { ...(from.trim() ? { from: from.trim() } : {}), ...(to.trim() ? { to: to.trim() } : {}) } };
    }
  }
}
