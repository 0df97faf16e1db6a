import { formatMessage } from '../protocol/formatMessage';
import type { TimelineString, UsageString } from '../protocol/webviewStrings';

/*
 * The page's strings, as the extension translated them (the `init` message, before anything is
 * shown). The one piece of page-wide state: set once by the entry point (timeline.ts, usage.ts) when
 * `init` arrives, read by every part of the page through `t`. There is no English fallback here: a
 * string used before `init` throws, and zod checked that the table has every key.
 */
let table: Readonly<Record<string, string>> | undefined;

/** Called by the page's entry point with the validated table of the `init` message. */
export function setStrings(strings: Readonly<Record<string, string>>): void {
  table = strings;
}

/** Whether `init` has brought the strings yet. */
export function hasStrings(): boolean {
  return table !== undefined;
}

/**
 * The page's text for `key` (an English message of src/protocol/webviewStrings.ts) in the person's
 * language, `{0}`, `{1}` filled with `args`.
 */
export function t(key: TimelineString | UsageString, ...args: (string | number)[]): string {
  if (table === undefined) throw new Error(`the page used "${key}" before the extension sent its strings`);
  const message = table[key];
  if (message === undefined) throw new Error(`the extension sent no string "${key}"`);
  return formatMessage(message, args);
}
