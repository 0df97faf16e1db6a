/**
 * Human output of the command line: colours (only on a terminal, never with NO_COLOR or --no-color),
 * aligned columns, relative times. Machine output (`--json`, `--csv`) never goes through here.
 */
import { cleanUsd, formatUsd as formatUsdBrief, formatUsdPrecise } from '../protocol/presentation';

export interface Style {
  readonly enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

/** Colours for a stream: on a TTY, unless NO_COLOR is set (any value, per no-color.org) or `--no-color` was given. */
export function styleFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv, noColor = false): Style {
  const enabled = Boolean(stream.isTTY) && !noColor && !env.NO_COLOR && env.TERM !== 'dumb';
  const wrap = (open: number, close: number) => (text: string) => (enabled ? `\x1b[${open}m${text}\x1b[${close}m` : text);
  return { enabled, bold: wrap(1, 22), dim: wrap(2, 22), red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39), cyan: wrap(36, 39) };
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;
const visibleLength = (text: string) => [...text.replace(ANSI, '')].length;

/** Columns padded to their widest cell (colour codes not counted); the last column is not padded. Right-aligns the columns named in `right`. */
export function table(rows: readonly (readonly string[])[], right: ReadonlySet<number> = new Set()): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visibleLength(cell))));
  return rows
    .map((row) =>
      row
        .map((cell, i) => {
          const pad = ' '.repeat(widths[i]! - visibleLength(cell)); // widths has an entry for every cell index
          if (right.has(i)) return pad + cell;
          return i === row.length - 1 ? cell : cell + pad;
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** "just now", "5 min ago", "3 h ago", "2 days ago", then the date (YYYY-MM-DD). */
export function relativeTime(ms: number, now: number): string {
  const seconds = Math.round((now - ms) / 1000);
  if (seconds < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  if (days < 14) return `${days} day${days === 1 ? '' : 's'} ago`;
  return isoDay(ms);
}

export function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** "2026-12-04 17:05:12" (UTC). */
export function isoTime(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, '');
}

export function formatUsd(usd: number, unknown = false): string {
  // Under a cent the command line shows the fraction (`$0.0042`) rather than `<$0.01`.
  const text = cleanUsd(usd) === 0 || usd >= 0.01 ? formatUsdBrief(usd) : formatUsdPrecise(usd);
  return unknown ? `≥${text}` : text;
}

/** 950, 12.3k, 4.5M */
export function formatCount(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** One line of text, at most `max` characters (an ellipsis marks the cut). */
export function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
