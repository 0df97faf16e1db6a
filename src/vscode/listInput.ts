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
      title: `${options.title}${items.length ? ` — ${items.length} added` : ''}`,
      prompt: `Type a ${options.itemName} and press Enter to add it; press Enter on an empty box when done.${items.length === 0 ? ' (Optional.)' : ''}`,
      placeHolder: items.length === 0 ? `first ${options.itemName} (or leave empty)` : `another ${options.itemName}, or Enter to finish`,
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
      { label: '$(check) Done', description: `${items.length} ${options.itemName}${items.length === 1 ? '' : 's'}`, action: 'done' },
      { label: `$(add) Add a ${options.itemName}…`, action: 'add' },
      ...items.map((item, index) => ({ label: item, description: 'edit (empty removes it)', index })),
    ];
    const picked = await vscode.window.showQuickPick(picks, {
      title: options.title,
      placeHolder: `Pick a ${options.itemName} to edit, add one, or Done`,
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
      prompt: `Edit the ${options.itemName}; empty removes it.`,
      ignoreFocusOut: true,
    });
    if (value === undefined) continue;
    if (value.trim()) items[index] = value.trim();
    else items.splice(index, 1);
  }
}
