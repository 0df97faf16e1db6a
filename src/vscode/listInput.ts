import * as vscode from 'vscode';

/**
 * Criteria and constraints as lists, one item per entry. Older entry used one line with `;`
 * between criteria and `|` before constraints: still accepted (splitLegacyList).
 */

/** Splits one typed line the old way: `;` (or new lines) between items. */
export function splitLegacyList(text: string | undefined): string[] {
  return (text ?? '')
    .split(/[;\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export interface AskListOptions {
  readonly title: string;
  /** What one item is, e.g. "success criterion". */
  readonly itemName: string;
  readonly initial?: readonly string[];
  /** Also accept `first | constraints` (the old New Session line): the part after `|` goes to `onLegacyTail`. */
  readonly onLegacyTail?: (tail: string[]) => void;
}

/**
 * Asks for a list, keyboard first: an input box per item, Enter adds it and asks for the next;
 * Enter on an empty box finishes; Escape cancels (undefined). With `initial` items, a quick pick
 * lists them to edit (an item emptied is removed), add to, or accept.
 */
export async function askList(options: AskListOptions): Promise<string[] | undefined> {
  const items = [...(options.initial ?? [])];
  if (items.length > 0) return editList(options, items);
  for (;;) {
    const value = await vscode.window.showInputBox({
      title: items.length ? vscode.l10n.t('{0} — {1} added', options.title, items.length) : options.title,
      prompt:
        items.length === 0
          ? vscode.l10n.t('Type a {0} and press Enter to add it; press Enter on an empty box when done. (Optional.)', options.itemName)
          : vscode.l10n.t('Type a {0} and press Enter to add it; press Enter on an empty box when done.', options.itemName),
      placeHolder:
        items.length === 0
          ? vscode.l10n.t('first {0} (or leave empty)', options.itemName)
          : vscode.l10n.t('another {0}, or Enter to finish', options.itemName),
      ignoreFocusOut: true,
    });
    if (value === undefined) return undefined;
    if (!value.trim()) return items;
    const [head, ...tail] = value.split('|');
    items.push(...splitLegacyList(head));
    if (tail.length && options.onLegacyTail) options.onLegacyTail(splitLegacyList(tail.join(';')));
  }
}

type ListPick = vscode.QuickPickItem & { readonly index?: number; readonly action?: 'add' | 'done' };

async function editList(options: AskListOptions, items: string[]): Promise<string[] | undefined> {
  for (;;) {
    const picks: ListPick[] = [
      {
        label: `$(check) ${vscode.l10n.t('Done')}`,
        description:
          items.length === 1 ? vscode.l10n.t('1 {0}', options.itemName) : vscode.l10n.t('{0} {1}s', items.length, options.itemName),
        action: 'done',
      },
      { label: `$(add) ${vscode.l10n.t('Add a {0}…', options.itemName)}`, action: 'add' },
      ...items.map((item, index) => ({ label: item, description: vscode.l10n.t('edit (empty removes it)'), index })),
    ];
    const picked = await vscode.window.showQuickPick(picks, {
      title: options.title,
      placeHolder: vscode.l10n.t('Pick a {0} to edit, add one, or Done', options.itemName),
      ignoreFocusOut: true,
    });
    if (picked === undefined) return undefined;
    if (picked.action === 'done') return items;
    if (picked.action === 'add') {
      const added = await askList({ ...options, initial: [] });
      if (added === undefined) return undefined;
      items.push(...added);
      continue;
    }
    const index = picked.index!;
    const value = await vscode.window.showInputBox({
      title: options.title,
      value: items[index],
      prompt: vscode.l10n.t('Edit the {0}; empty removes it.', options.itemName),
      ignoreFocusOut: true,
    });
    if (value === undefined) continue;
    if (value.trim()) items[index] = value.trim();
    else items.splice(index, 1);
  }
}
