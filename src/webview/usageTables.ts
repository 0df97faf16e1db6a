// The Usage webview's chart and tables (see usage.ts): built with DOM APIs (text, never HTML).
import type { parseUsageHostMessage } from '../protocol/usageMessages';
import { h } from './dom';
import { t as text } from './l10n';

export type ReportMessage = Extract<ReturnType<typeof parseUsageHostMessage>, { type: 'report' }>;
export type Report = ReportMessage['report'];
export type Totals = Report['total'];

const SVG = 'http://www.w3.org/2000/svg';
/** Days shown in the chart (the most recent ones). */
const CHART_DAYS = 60;

export const usd = (n: number) => (n >= 100 ? `$${n.toFixed(0)}` : n >= 1 ? `$${n.toFixed(2)}` : `$${n.toFixed(4)}`);
export const tokens = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(n));
/** A cost that leaves out unpriced requests is a lower bound, and says so. */
export const cost = (t: Totals) => (t.unpricedRequests > 0 ? `≥ ${usd(t.costUsd)}` : usd(t.costUsd));
export const totalTokens = (t: Totals) => t.inputTokens + t.outputTokens + t.cacheCreationTokens + t.cacheReadTokens;

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number>,
  ...children: (Node | string)[]
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  el.append(...children);
  return el;
}

export function chart(days: Report['byDay']): { node: Element; bars: number } {
  const shown = days.slice(-CHART_DAYS);
  const width = 720;
  const height = 200;
  const pad = { left: 56, right: 8, top: 12, bottom: 28 };
  const max = Math.max(...shown.map((d) => d.costUsd), 0);
  const innerW = width - pad.left - pad.right;
  const innerH = height - pad.top - pad.bottom;
  const slot = shown.length ? innerW / shown.length : innerW;
  const node = svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    class: 'chart',
    'aria-label': text('Cost by day, last {0} day(s) with usage', shown.length),
  });
  node.append(svg('line', { x1: pad.left, y1: pad.top + innerH, x2: width - pad.right, y2: pad.top + innerH, class: 'axis' }));
  node.append(svg('text', { x: pad.left - 6, y: pad.top + 8, 'text-anchor': 'end', class: 'label' }, usd(max)));
  node.append(svg('text', { x: pad.left - 6, y: pad.top + innerH, 'text-anchor': 'end', class: 'label' }, '$0'));
  shown.forEach((d, i) => {
    const barH = max > 0 ? Math.max(1, (d.costUsd / max) * innerH) : 1;
    const x = pad.left + i * slot + slot * 0.15;
    node.append(
      svg(
        'rect',
        {
          x: x.toFixed(1),
          y: (pad.top + innerH - barH).toFixed(1),
          width: Math.max(1, slot * 0.7).toFixed(1),
          height: barH.toFixed(1),
          class: 'bar',
        },
        svg('title', {}, text('{0}: {1}, {2} tokens, {3} request(s)', d.key, cost(d), tokens(totalTokens(d)), d.requests)),
      ),
    );
  });
  const first = shown[0];
  const last = shown.at(-1);
  if (first && last) {
    node.append(svg('text', { x: pad.left, y: height - 8, class: 'label' }, first.key));
    node.append(svg('text', { x: width - pad.right, y: height - 8, 'text-anchor': 'end', class: 'label' }, last.key));
  }
  return { node, bars: shown.length };
}

export function table(caption: string, first: string, rows: { label: Node | string; totals: Totals }[]): HTMLElement {
  const head = h(
    'tr',
    {},
    h('th', { scope: 'col' }, first),
    ...[
      text('Cost'),
      text('Input'),
      text('Output'),
      text('Cache write 5m'),
      text('Cache write 1h'),
      text('Cache read'),
      text('Requests'),
    ].map((c) => h('th', { scope: 'col', className: 'num' }, c)),
  );
  const body = rows.map(({ label, totals: t }) =>
    h(
      'tr',
      {},
      h('td', {}, label),
      ...[
        cost(t),
        tokens(t.inputTokens),
        tokens(t.outputTokens),
        tokens(t.cacheCreationTokens - t.cacheCreation1hTokens),
        tokens(t.cacheCreation1hTokens),
        tokens(t.cacheReadTokens),
        String(t.requests),
      ].map((v) => h('td', { className: 'num' }, v)),
    ),
  );
  return h(
    'table',
    {},
    h('caption', {}, caption),
    h('thead', {}, head),
    h('tbody', {}, ...(body.length ? body : [h('tr', {}, h('td', { colspan: 8 }, text('No usage recorded yet.')))])),
  );
}
