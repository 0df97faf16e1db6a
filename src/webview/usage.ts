// The Usage webview's entry point (bundled to dist/webview/usage.js, iife, browser). It renders the
// report the extension sends after `ready`: totals, an SVG chart of cost by day, tables by model,
// session type and top sessions — of this workspace, or (the scope switch) of all workspaces on this
// machine, with a table by project and the ledgers that could not be read. Everything is built with
// DOM APIs (text, never HTML).
import { z } from 'zod';
import {
  parseUsageHostMessage,
  type MachineUsage,
  type TeamUsageView,
  type UsageScope,
  type UsageWebviewMessage,
} from '../protocol/usageMessages';
import { describeError } from '../protocol/describeError';
import { h } from './dom';
import { setStrings, t as text } from './l10n';
import { chart, cost, table, tokens, totalTokens, type Report, type ReportMessage } from './usageTables';

interface VsCodeApi {
  postMessage(message: UsageWebviewMessage): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

z.config({ jitless: true }); // the CSP allows no eval

const vscode = acquireVsCodeApi();
const root = document.getElementById('app') ?? document.body;

// --- The header and the scope switch: built once (when `init` brings the strings), so focus stays on them across renders. ---

const SCOPES: readonly UsageScope[] = ['workspace', 'machine', 'team'];
const content = h('div', { className: 'content' });
const status = h('p', { className: 'muted status', role: 'status' });
/** The scope switch's radio buttons; built by {@link buildPage}. */
let scopeInputs: readonly { scope: UsageScope; input: HTMLInputElement }[] = [];

function scopeLabel(scope: UsageScope): string {
  return scope === 'workspace'
    ? text('This workspace')
    : scope === 'machine'
      ? text('All workspaces on this machine')
      : text('Team (by person and project)');
}

/** The header, the scope switch and the (empty) content, once the page has its strings. */
function buildPage(): void {
  /** Native radio buttons: Tab reaches the group, the arrow keys change the scope. */
  const inputs = SCOPES.map((scope) => {
    const input = h('input', { type: 'radio', name: 'scope', value: scope, id: `scope-${scope}`, checked: scope === 'workspace' });
    input.addEventListener('change', () => {
      if (!input.checked) return;
      status.textContent =
        scope === 'machine'
          ? text('Reading the ledgers of all workspaces on this machine (read-only)…')
          : scope === 'team'
            ? text('Counting the team’s usage…')
            : '';
      content.setAttribute('aria-busy', 'true');
      vscode.postMessage({ type: 'setScope', scope });
    });
    return { scope, node: h('label', { className: 'scope-option', for: `scope-${scope}` }, input, ` ${scopeLabel(scope)}`), input };
  });
  scopeInputs = inputs;
  const exportButton = h('button', { type: 'button' }, text('Export CSV…'));
  exportButton.addEventListener('click', () => vscode.postMessage({ type: 'exportCsv' }));
  const refreshButton = h(
    'button',
    { type: 'button', className: 'secondary', title: text('Build the report again (all workspaces: read the other ledgers again)') },
    text('Refresh'),
  );
  refreshButton.addEventListener('click', () => vscode.postMessage({ type: 'refresh' }));
  root.replaceChildren(
    h('header', {}, h('h1', {}, text('Usage')), h('div', { className: 'actions' }, refreshButton, exportButton)),
    h('fieldset', { className: 'scope' }, h('legend', {}, text('Show the usage of')), ...inputs.map((o) => o.node)),
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
      p.current ? h('span', { className: 'muted' }, text(' (this workspace)')) : null,
      p.ledgers > 1 ? h('span', { className: 'muted' }, text(' · {0} ledgers', p.ledgers)) : null,
      p.key ? h('div', { className: 'muted path' }, p.key) : null,
    );
  const sections: Node[] = [
    table(
      text('By project'),
      text('Project'),
      machine.byProject.map((p) => ({ label: projectLabel(p), totals: p })),
    ),
  ];
  if (machine.unread.length > 0) {
    sections.push(
      h(
        'section',
        { className: 'unread', 'aria-labelledby': 'unread-heading' },
        h('h2', { id: 'unread-heading' }, text('Not counted: {0} ledger(s) could not be read', machine.unread.length)),
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

/** Team view: cost and tokens by person and by project (own sessions and those pulled from the team ledger). */
function teamSections(team: TeamUsageView): Node[] {
  const note = team.connected
    ? text(
        'This ledger holds your sessions and {0} session(s) pulled from the team ledger (the pull scope and age bound are settings: sessionLedger.teamLedger.*).',
        team.pulledSessions,
      )
    : text(
        'No team ledger is syncing in this window: only your own sessions are counted. Run "Session Ledger: Connect Team Ledger…" to see your team’s.',
      );
  const sessions = (n: number) => h('span', { className: 'muted' }, text(' · {0} session(s)', n));
  return [
    h('p', { className: 'muted' }, note),
    table(
      text('By person'),
      text('Person'),
      team.byPerson.map((p) => ({
        label: h('span', {}, p.key, p.you ? h('span', { className: 'muted' }, text(' (you)')) : null, sessions(p.sessions)),
        totals: p,
      })),
    ),
    table(
      text('By project'),
      text('Project'),
      team.byProject.map((p) => ({
        label: h('span', {}, p.key, p.current ? h('span', { className: 'muted' }, text(' (this workspace)')) : null, sessions(p.sessions)),
        totals: p,
      })),
    ),
  ];
}

function render(message: ReportMessage): void {
  const { report, scope, machine, team } = message;
  for (const option of scopeInputs) option.input.checked = option.scope === scope;
  status.textContent = '';
  const total = report.total;
  const { node, bars } = chart(report.byDay);
  const sessionLink = (s: Report['topSessions'][number]) => {
    const where = s.project && scope === 'machine' ? h('span', { className: 'muted' }, ` · ${s.project}`) : null;
    if (s.current === false)
      return h(
        'span',
        { title: text('A session of another workspace: open that folder to see its timeline') },
        s.title,
        h('span', { className: 'muted' }, ` · ${s.type}`),
        where,
      );
    const a = h('a', { href: '#', title: text('Open the timeline of "{0}"', s.title) }, s.title);
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
          text(
            "All workspaces on this machine: {0} ledger(s) counted, each once; the other workspaces' ledgers were read (read-only) at {1} — Refresh reads them again.",
            machine.ledgersCounted,
            new Date(machine.readAt).toLocaleTimeString(),
          ),
        )
      : '',
    h(
      'p',
      { className: 'summary' },
      text(
        '{0} · {1} tokens ({2} in, {3} out, {4} cache write ({5} of it 1-hour), {6} cache read) · {7} request(s)',
        cost(total),
        tokens(totalTokens(total)),
        tokens(total.inputTokens),
        tokens(total.outputTokens),
        tokens(total.cacheCreationTokens),
        tokens(total.cacheCreation1hTokens),
        tokens(total.cacheReadTokens),
        total.requests,
      ),
    ),
    h(
      'p',
      { className: 'muted' },
      total.unpricedRequests > 0
        ? text(
            'Cost is computed from the pricing table; unpriced models count tokens only ({0} request(s) here have no price, so "≥" costs are lower bounds: add the model to sessionLedger.pricingOverrides). Generated {1}.',
            total.unpricedRequests,
            new Date(report.generatedAt).toLocaleString(),
          )
        : text(
            'Cost is computed from the pricing table; unpriced models count tokens only. Generated {0}.',
            new Date(report.generatedAt).toLocaleString(),
          ),
    ),
    h(
      'p',
      { className: 'muted' },
      report.pricing
        ? text(
            'Costs are as recorded; prices of {0} ({1}). After a change of the pricing table or of sessionLedger.pricingOverrides, run "Session Ledger: Recompute Costs".',
            report.pricing.effectiveDate,
            report.pricing.source,
          )
        : text(
            'Costs are as recorded. After a change of the pricing table or of sessionLedger.pricingOverrides, run "Session Ledger: Recompute Costs".',
          ),
    ),
    ...(machine ? machineSections(machine) : []),
    ...(team ? teamSections(team) : []),
    h('section', {}, h('h2', {}, text('Cost by day')), node),
    table(
      text('By model'),
      text('Model'),
      report.byModel.map((r) => ({ label: r.key, totals: r })),
    ),
    table(
      text('By session type'),
      text('Session type'),
      report.bySessionType.map((r) => ({ label: r.key, totals: r })),
    ),
    table(
      text('By phase'),
      text('Phase'),
      report.byPhase.map((r) => ({ label: r.key, totals: r })),
    ),
    table(
      text('Top sessions'),
      text('Session'),
      report.topSessions.map((s) => ({ label: sessionLink(s), totals: s })),
    ),
    table(
      text('By day'),
      text('Day (UTC)'),
      [...report.byDay].reverse().map((r) => ({ label: r.key, totals: r })),
    ),
  );
  root.removeAttribute('aria-busy');
  content.removeAttribute('aria-busy');
  vscode.postMessage({
    type: 'rendered',
    days: report.byDay.length,
    models: report.byModel.length,
    phases: report.byPhase.length,
    sessions: report.topSessions.length,
    bars,
    scope,
    projects: machine?.byProject.length ?? 0,
    unread: machine?.unread.length ?? 0,
    people: team?.byPerson.length ?? 0,
  });
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  try {
    const message = parseUsageHostMessage(event.data);
    if (message.type === 'init') {
      // The extension's first answer to `ready`: the page's strings, translated. The page is built with them.
      const first = scopeInputs.length === 0;
      setStrings(message.strings);
      if (first) buildPage();
    } else if (scopeInputs.length === 0) {
      vscode.postMessage({ type: 'log', level: 'warn', message: `${message.type} arrived before init; dropped` });
    } else {
      render(message);
    }
  } catch (error) {
    vscode.postMessage({
      type: 'log',
      level: 'error',
      message: describeError(error, true).slice(0, 10_000),
    });
  }
});
vscode.postMessage({ type: 'ready' });
