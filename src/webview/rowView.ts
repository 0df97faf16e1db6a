import type { InteractionDetail, InteractionRow } from '../protocol/timelineModel';
import { h, icon } from './dom';
import { buildEventList } from './eventList';
import { formatCount, formatDuration, formatTokenBreakdown, formatUsd, totalTokens } from '../protocol/presentation';
import { t } from './l10n';
import { renderMarkdown } from './markdown';
import type { EventPager } from './pager';
import { kindPresentation, resultPresentation } from './presentation';

/** Something loaded on demand: still loading, loaded, or failed with a message. */
export type Loadable<T> = { state: 'loading' } | { state: 'loaded'; value: T } | { state: 'failed'; error: string };

/** What a row shows besides its summary: whether it is open, its detail and its events (once asked for). */
export interface RowState {
  readonly expanded: boolean;
  readonly detail: Loadable<InteractionDetail> | undefined;
  readonly events: EventPager | undefined;
}

/** One step of the list: the summary line, and when expanded its detail. */
export function buildRow(row: InteractionRow, state: RowState): HTMLElement {
  const kind = { icon: kindPresentation[row.kind].icon, label: t(kindPresentation[row.kind].label) };
  const status = { icon: resultPresentation[row.status].icon, label: t(resultPresentation[row.status].label) };
  const tokens = row.tokens ? totalTokens(row.tokens) : 0;
  const summary = h(
    'div',
    { className: 'row-summary' },
    icon(state.expanded ? 'chevron-down' : 'chevron-right', 'chevron'),
    h('span', { className: 'kind', title: kind.label }, icon(kind.icon)),
    h('span', { className: 'seq' }, `#${row.seq}`),
    h('span', { className: 'command', title: row.command }, firstLine(row.command)),
    h(
      'span',
      { className: `status status-${row.status}`, title: status.label },
      icon(status.icon),
      h('span', { className: 'status-label' }, status.label),
    ),
    h(
      'span',
      { className: `exit${row.exitCode === null || row.exitCode === 0 ? '' : ' exit-nonzero'}`, title: t('Exit code') },
      row.exitCode !== null ? t('exit {0}', row.exitCode) : '',
    ),
    h('span', { className: 'metric duration', title: t('Duration') }, row.durationMs !== null ? formatDuration(row.durationMs) : ''),
    h(
      'span',
      { className: 'metric tokens', title: row.tokens && tokens > 0 ? t('Tokens: {0}', formatTokenBreakdown(row.tokens)) : t('Tokens') },
      tokens > 0 ? t('{0} tok', formatCount(tokens)) : '',
    ),
    h('span', { className: 'metric cost', title: t('Cost') }, row.costUsd !== null && row.costUsd > 0 ? formatUsd(row.costUsd) : ''),
  );
  const el = h(
    'div',
    {
      className: `row${state.expanded ? ' expanded' : ''}`,
      role: 'treeitem',
      'aria-level': 1,
      'aria-expanded': String(state.expanded),
      'aria-label': rowLabel(row, kind.label, status.label, tokens),
      'data-id': row.id,
      tabindex: -1,
    },
    summary,
  );
  if (state.expanded) el.append(buildDetail(row, state));
  return el;
}

function buildDetail(row: InteractionRow, { detail, events }: RowState): HTMLElement {
  const loaded = detail?.state === 'loaded' ? detail.value : undefined;
  const parts: (Node | null)[] = [
    h(
      'div',
      { className: 'actions' },
      h('button', { className: 'action', 'data-action': 'copy-command', title: t('Copy the command') }, icon('copy'), t('Copy command')),
      row.hasOutput
        ? h('button', { className: 'action', 'data-action': 'copy-output', title: t('Copy the output') }, icon('copy'), t('Copy output'))
        : null,
      h('span', { className: 'step-name', title: t('Step') }, row.step),
      row.phase !== null && row.phase !== row.step ? h('span', { className: 'badge', title: t('Phase') }, row.phase) : null,
      h('time', { className: 'when' }, new Date(row.startedAt).toLocaleString()),
    ),
    h(
      'pre',
      { className: 'command-text' },
      loaded?.command ?? row.command,
      loaded?.commandTruncated || (!loaded && row.commandTruncated) ? '\n…' : '',
    ),
  ];
  const error = loaded?.errorMessage ?? row.errorMessage;
  if (error) parts.push(h('p', { className: 'error-message' }, icon('error'), error));
  if (detail?.state === 'loading') parts.push(h('p', { className: 'muted' }, icon('loading', 'codicon-modifier-spin'), t('Loading…')));
  if (detail?.state === 'failed') parts.push(h('p', { className: 'error-message' }, t('Could not load the output: {0}', detail.error)));
  if (loaded?.output) {
    const omitted =
      loaded.outputOmittedChars > 0
        ? h('p', { className: 'muted' }, t('… {0} earlier characters not shown', formatCount(loaded.outputOmittedChars)))
        : null;
    if (loaded.outputFormat === 'markdown') {
      parts.push(omitted, h('div', { className: 'markdown' }, ...renderMarkdown(loaded.output))); // built as nodes: see markdown.ts
    } else {
      parts.push(omitted, h('pre', { className: 'output' }, loaded.output));
    }
  }
  if (!events) {
    parts.push(h('button', { className: 'action', 'data-action': 'load-events' }, icon('symbol-event'), t('Show events')));
  } else {
    parts.push(...buildEventList(events, 'load-events', t('No events.')));
  }
  return h('div', { className: 'row-detail' }, ...parts);
}

/** What a screen reader says for a step: number, step name, command, status, and the exit code, duration and cost when known. */
export function rowLabel(row: InteractionRow, kindLabel: string, statusLabel: string, tokens: number): string {
  const facts = [
    row.exitCode !== null ? t('exit code {0}', row.exitCode) : null,
    row.durationMs !== null ? formatDuration(row.durationMs) : null,
    tokens > 0 ? t('{0} tokens', formatCount(tokens)) : null,
    row.costUsd !== null && row.costUsd > 0 ? t('cost {0}', formatUsd(row.costUsd)) : t('no cost'),
  ].filter((f): f is string => f !== null);
  return t('Step {0}, {1}, {2}: {3}. {4}, {5}', row.seq, row.step, kindLabel, firstLine(row.command), statusLabel, facts.join(', '));
}

function firstLine(text: string): string {
  const newline = text.indexOf('\n');
  return newline < 0 ? text : `${text.slice(0, newline)} …`;
}
