// The Usage webview's entry point (bundled to dist/webview/usage.js, iife, browser). It renders the
// report the extension sends after `ready`: totals, an SVG chart of cost by day, tables by model,
// session type and top sessions — of this workspace, or (the scope switch) of all workspaces on this
// machine, with a table by project and the ledgers that could not be read. Everything is built with
// DOM APIs (text, never HTML).
import { z } from 'zod';
import { parseUsageHostMessage, type MachineUsage, type UsageScope, type UsageWebviewMessage } from '../protocol/usageMessages';
import { h } from './dom';

interface VsCodeApi {
  postMessage(message: UsageWebviewMessage): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

z.config({ jitless: true }); // the CSP allows no eval

type ReportMessage = Extract<ReturnType<typeof parseUsageHostMessage>, { type: 'report' }>;
type Report = ReportMessage['report'];
type Totals = Report['total'];

const vscode = acquireVsCodeApi();
const root = document.getElementById('app') ?? document.body;
const SVG = 'http://www.w3.org/2000/svg';
/** Days shown in the chart (the most recent ones). */
const CHART_DAYS = 60;

const usd = (n: number) => (n >= 100 ? `$${n.toFixed(0)}` : n >= 1 ? `$${n.toFixed(2)}` : `$${n.toFixed(4)}`);
const tokens = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(n));
/** A cost that leaves out unpriced requests is a lower bound, and says so. */
const cost = (t: Totals) => (t.unpricedRequests > 0 ? `≥ ${usd(t.costUsd)}` : usd(t.costUsd));
const totalTokens = (t: Totals) => t.inputTokens + t.outputTokens + t.cacheCreationTokens + t.cacheReadTokens;

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

function chart(days: Report['byDay']): { node: Element; bars: number } {
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
    'aria-label': `Cost by day, last ${shown.length} day(s) with usage`,
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
        svg('title', {}, `${d.key}: ${cost(d)}, ${tokens(totalTokens(d))} tokens, ${d.requests} request(s)`),
      ),
    );
  });
  if (shown.length) {
    node.append(svg('text', { x: pad.left, y: height - 8, class: 'label' }, shown[0].key));
    node.append(svg('text', { x: width - pad.right, y: height - 8, 'text-anchor': 'end', class: 'label' }, shown[shown.length - 1].key));
  }
  return { node, bars: shown.length };
}

function table(caption: string, first: string, rows: { label: Node | string; totals: Totals }[]): HTMLElement {
  const head = h(
    'tr',
    {},
    h('th', { scope: 'col' }, first),
    ...['Cost', 'Input', 'Output', 'Cache write 5m', 'Cache write 1h', 'Cache read', 'Requests'].map((c) =>
      h('th', { scope: 'col', className: 'num' }, c),
    ),
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
    h('tbody', {}, ...(body.length ? body : [h('tr', {}, h('td', { colspan: 8 }, 'No usage recorded yet.'))])),
  );
}

// --- The header and the scope switch: built once, so focus stays on them across renders. ---

const SCOPES: readonly { scope: UsageScope; label: string }[] = [
  { scope: 'workspace', label: 'This workspace' },
  { scope: 'machine', label: 'All workspaces on this machine' },
];
const content = h('div', { className: 'content' });
const status = h('p', { className: 'muted status', role: 'status' });
/** Native radio buttons: Tab reaches the group, the arrow keys change the scope. */
const scopeInputs = SCOPES.map(({ scope, label }) => {
  const input = h('input', { type: 'radio', name: 'scope', value: scope, id: `scope-${scope}`, checked: scope === 'workspace' });
  input.addEventListener('change', () => {
    if (!input.checked) return;
    status.textContent = scope === 'machine' ? 'Reading the ledgers of all workspaces on this machine (read-only)…' : '';
    content.setAttribute('aria-busy', 'true');
    vscode.postMessage({ type: 'setScope', scope });
  });
  return { scope, node: h('label', { className: 'scope-option', for: `scope-${scope}` }, input, ` ${label}`), input };
});
{
  const exportButton = h('button', { type: 'button' }, 'Export CSV…');
  exportButton.addEventListener('click', () => vscode.postMessage({ type: 'exportCsv' }));
  const refreshButton = h(
    'button',
    { type: 'button', className: 'secondary', title: 'Build the report again (all workspaces: read the other ledgers again)' },
    'Refresh',
  );
  refreshButton.addEventListener('click', () => vscode.postMessage({ type: 'refresh' }));
  root.replaceChildren(
    h('header', {}, h('h1', {}, 'Usage'), h('div', { className: 'actions' }, refreshButton, exportButton)),
    h('fieldset', { className: 'scope' }, h('legend', {}, 'Show the usage of'), ...scopeInputs.map((o) => o.node)),
    status,
    content,
  );
}

/** All workspaces: cost and tokens by project, and the ledgers left out with the reason. */
function machineSections(machine: MachineUsage): Node[] {
  const projectLabel = (p: MachineUsage['byProject'][number]) =>
    h(
      'span',
      {},
      p.name,
      p.current ? h('span', { className: 'muted' }, ' (this workspace)') : null,
      p.ledgers > 1 ? h('span', { className: 'muted' }, ` · ${p.ledgers} ledgers`) : null,
      p.key ? h('div', { className: 'muted path' }, p.key) : null,
    );
  const sections: Node[] = [
    table(
      'By project',
      'Project',
      machine.byProject.map((p) => ({ label: projectLabel(p), totals: p })),
    ),
  ];
  if (machine.unread.length > 0) {
    sections.push(
      h(
        'section',
        { className: 'unread', 'aria-labelledby': 'unread-heading' },
        h('h2', { id: 'unread-heading' }, `Not counted: ${machine.unread.length} ledger(s) could not be read`),
        h(
          'ul',
          {},
          ...machine.unread.map((u) =>
            h(
              'li',
              {},
              h('strong', {}, u.project.name),
              u.project.path ? ` (${u.project.path})` : '',
              h('div', { className: 'muted path' }, u.directory),
              h('div', {}, u.reason),
            ),
          ),
        ),
      ),
    );
  }
  return sections;
}

function render(message: ReportMessage): void {
  const { report, scope, machine } = message;
  for (const option of scopeInputs) option.input.checked = option.scope === scope;
  status.textContent = '';
  const t = report.total;
  const { node, bars } = chart(report.byDay);
  const sessionLink = (s: Report['topSessions'][number]) => {
    const where = s.project && scope === 'machine' ? h('span', { className: 'muted' }, ` · ${s.project}`) : null;
    if (s.current === false)
      return h(
        'span',
        { title: 'A session of another workspace: open that folder to see its timeline' },
        s.title,
        h('span', { className: 'muted' }, ` · ${s.type}`),
        where,
      );
    const a = h('a', { href: '#', title: `Open the timeline of "${s.title}"` }, s.title);
    a.addEventListener('click', (e) => {
      e.preventDefault();
      vscode.postMessage({ type: 'openSession', sessionId: s.sessionId });
    });
    return h('span', {}, a, h('span', { className: 'muted' }, ` · ${s.type}`), where);
  };
  content.replaceChildren(
    machine
      ? h(
          'p',
          { className: 'muted' },
          `All workspaces on this machine: ${machine.ledgersCounted} ledger(s) counted, each once; the other workspaces' ledgers were read (read-only) at ${new Date(machine.readAt).toLocaleTimeString()} — Refresh reads them again.`,
        )
      : '',
    h(
      'p',
      { className: 'summary' },
      `${cost(t)} · ${tokens(totalTokens(t))} tokens (${tokens(t.inputTokens)} in, ${tokens(t.outputTokens)} out, ${tokens(t.cacheCreationTokens)} cache write (${tokens(t.cacheCreation1hTokens)} of it 1-hour), ${tokens(t.cacheReadTokens)} cache read) · ${t.requests} request(s)`,
    ),
    h(
      'p',
      { className: 'muted' },
      `Cost is computed from the pricing table; unpriced models count tokens only${
        t.unpricedRequests > 0
          ? ` (${t.unpricedRequests} request(s) here have no price, so "≥" costs are lower bounds: add the model to sessionLedger.pricingOverrides)`
          : ''
      }. Generated ${new Date(report.generatedAt).toLocaleString()}.`,
    ),
    h(
      'p',
      { className: 'muted' },
      `Costs are as recorded${report.pricing ? `; prices of ${report.pricing.effectiveDate} (${report.pricing.source})` : ''}. After a change of the pricing table or of sessionLedger.pricingOverrides, run "Session Ledger: Recompute Costs".`,
    ),
    ...(machine ? machineSections(machine) : []),
    h('section', {}, h('h2', {}, 'Cost by day'), node),
    table(
      'By model',
      'Model',
      report.byModel.map((r) => ({ label: r.key, totals: r })),
    ),
    table(
      'By session type',
      'Session type',
      report.bySessionType.map((r) => ({ label: r.key, totals: r })),
    ),
    table(
      'Top sessions',
      'Session',
      report.topSessions.map((s) => ({ label: sessionLink(s), totals: s })),
    ),
    table(
      'By day',
      'Day (UTC)',
      [...report.byDay].reverse().map((r) => ({ label: r.key, totals: r })),
    ),
  );
  root.removeAttribute('aria-busy');
  content.removeAttribute('aria-busy');
  vscode.postMessage({
    type: 'rendered',
    days: report.byDay.length,
    models: report.byModel.length,
    sessions: report.topSessions.length,
    bars,
    scope,
    projects: machine?.byProject.length ?? 0,
    unread: machine?.unread.length ?? 0,
  });
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  try {
    const message = parseUsageHostMessage(event.data);
    if (message.type === 'report') render(message);
  } catch (error) {
    vscode.postMessage({
      type: 'log',
      level: 'error',
      message: String(error instanceof Error ? (error.stack ?? error.message) : error).slice(0, 10_000),
    });
  }
});
vscode.postMessage({ type: 'ready' });
