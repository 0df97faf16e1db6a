import type { TokenTotals } from '../protocol/timelineModel';

/** `850 ms`, `12.3 s`, `4 m 05 s`, `1 h 02 m`. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const totalSeconds = Math.round(ms / 1_000);
  if (totalSeconds < 3_600) return `${Math.floor(totalSeconds / 60)} m ${String(totalSeconds % 60).padStart(2, '0')} s`;
  const minutes = Math.floor(totalSeconds / 60);
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} m`;
}

export function formatUsd(usd: number): string {
  if (usd === 0) return '$0';
  if (usd < 0.01) return '<$0.01';
  return `$${usd.toFixed(2)}`;
}

export function formatCount(n: number): string {
  if (n >= 1_000_000) return `${(n / 1_000_000).toFixed(1)}M`;
  if (n >= 1_000) return `${(n / 1_000).toFixed(1)}k`;
  return String(n);
}

/** Every token counted once: input, output and both cache kinds. */
export function totalTokens(t: TokenTotals): number {
  return t.inputTokens + t.outputTokens + t.cacheReadTokens + t.cacheCreationTokens;
}

/** `1.2k in · 300 out · 5.0k cache write (5m 3.0k, 1h 2.0k) · 40.0k cache read`: cache writes split by TTL (priced differently). */
export function formatTokenBreakdown(t: TokenTotals): string {
  const write1h = Math.min(t.cacheCreation1hTokens ?? 0, t.cacheCreationTokens);
  const writes =
    t.cacheCreationTokens === 0
      ? '0 cache write'
      : `${formatCount(t.cacheCreationTokens)} cache write (5m ${formatCount(t.cacheCreationTokens - write1h)}, 1h ${formatCount(write1h)})`;
  return `${formatCount(t.inputTokens)} in · ${formatCount(t.outputTokens)} out · ${writes} · ${formatCount(t.cacheReadTokens)} cache read`;
}
