import type * as vscode from 'vscode';
import { formatMessage } from '../protocol/formatMessage';

/**
 * `vscode.l10n` as presentation code takes it when it must also run in plain Node (the unit tests),
 * without `vscode` at run time. The extension passes `vscode.l10n`. Such a file still imports the
 * `vscode` types (`import type`) and calls `l10n.t('…')` with a literal: that is what
 * `npm run l10n:export` looks for.
 */
export type L10n = Pick<typeof vscode.l10n, 't'>;

/** English: the message itself, `{0}` or `{name}` placeholders filled as `vscode.l10n.t` fills them. */
export const englishL10n: L10n = {
  t: ((message: string | { message: string; args?: unknown }, ...rest: unknown[]) => {
    const text = typeof message === 'string' ? message : message.message;
    const args = typeof message === 'string' ? rest : message.args;
    if (Array.isArray(args)) return formatMessage(text, args as (string | number | boolean)[]);
    if (args && typeof args === 'object') {
      const named = args as Record<string, unknown>;
      return text.replace(/\{([^{}]+)\}/g, (match, key: string) => (key in named ? String(named[key]) : match));
    }
    return text;
  }) as L10n['t'],
};
