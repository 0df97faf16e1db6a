/*
 * Presentation shared by every side that shows the ledger: the extension (tree, status bar,
 * pickers, tooltips), the webviews, the command line and the texts the core writes (step messages,
 * Markdown export). One rule each, so a cost or a status looks the same wherever it appears.
 */
import type { SessionStatus, TokenUsage } from './sharedModel';

/**
 * Within a billionth of a dollar of zero is zero: what adding a figure and taking it back leaves in
 * floating point (a response counted from its first line, then moved whole to where its final line
 * is: `-1e-12`, shown as `<$0.01` and `$-0.0000` before).
 */
export function cleanUsd(usd: number): number {
  return Math.abs(usd) < 1e-9 ? 0 : usd;
}

/** A cost for a glance: `$0`, `<$0.01`, `$1.23`. */
export function formatUsd(usd: number): string {
  usd = cleanUsd(usd);
  if (usd === 0) return '$0';
  if (usd < 0.01) return '<$0.01';
  return `$${usd.toFixed(2)}`;
}

/** A cost to four decimals (`$0.0042`): where a fraction of a cent must still show (records, exports, budgets). */
export function formatUsdPrecise(usd: number): string {
  return `$${cleanUsd(usd).toFixed(4)}`;
}

/** A count for a glance: `950`, `12.3k`, `4.5M`. */
export function formatCount(n: number): string {
  if (n >= 1_000_000) return `${(n / 1_000_000).toFixed(1)}M`;
  if (n >= 1_000) return `${(n / 1_000).toFixed(1)}k`;
  return String(n);
}

/** `850 ms`, `12.3 s`, `4 m 05 s`, `1 h 02 m`. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const totalSeconds = Math.round(ms / 1_000);
  if (totalSeconds < 3_600) return `${Math.floor(totalSeconds / 60)} m ${String(totalSeconds % 60).padStart(2, '0')} s`;
  const minutes = Math.floor(totalSeconds / 60);
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} m`;
}

/** Every token counted once: input, output and both cache kinds. */
export function totalTokens(t: TokenUsage): number {
  return t.inputTokens + t.outputTokens + t.cacheReadTokens + t.cacheCreationTokens;
}

/** `1.2k in · 300 out · 5.0k cache write (5m 3.0k, 1h 2.0k) · 40.0k cache read`: cache writes split by TTL (priced differently). */
export function formatTokenBreakdown(t: TokenUsage): string {
  const write1h = Math.min(t.cacheCreation1hTokens ?? 0, t.cacheCreationTokens);
  const writes =
    t.cacheCreationTokens === 0
      ? '0 cache write'
      : `${formatCount(t.cacheCreationTokens)} cache write (5m ${formatCount(t.cacheCreationTokens - write1h)}, 1h ${formatCount(write1h)})`;
  return `${formatCount(t.inputTokens)} in · ${formatCount(t.outputTokens)} out · ${writes} · ${formatCount(t.cacheReadTokens)} cache read`;
}

/**
 * The codicon of each session status, and the theme colour the extension paints it with (a
 * `ThemeColor` id; the webviews colour it by the `status-<name>` CSS class instead).
 */
export const sessionStatusIcon: Readonly<Record<SessionStatus, { readonly icon: string; readonly color: string }>> = {
  active: { icon: 'play-circle', color: 'charts.green' },
  planned: { icon: 'calendar', color: 'charts.blue' },
  paused: { icon: 'debug-pause', color: 'charts.yellow' },
  interrupted: { icon: 'warning', color: 'charts.orange' },
  complete: { icon: 'pass', color: 'testing.iconPassed' },
  failed: { icon: 'error', color: 'testing.iconFailed' },
  cancelled: { icon: 'circle-slash', color: 'disabledForeground' },
};
