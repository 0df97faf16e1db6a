import * as vscode from 'vscode';
import { isPinned } from '../core/ledger/retention';
import type { Note } from '../core/model/note';
import type { Session } from '../core/model/session';
import { isTerminalSessionStatus, type SessionStatus } from '../core/model/sessionStatus';
import { progressFraction } from '../core/engine/progressCheck';
import { reviewGateOf } from '../core/engine/reviewGate';
import { formatCount, formatUsd, sessionStatusIcon } from '../protocol/presentation';
import { actualMinutes, durationLine, formatScheduledAt } from '../protocol/sessionDurations';

interface StatusLook {
  /** The tree group's label (translated when read). */
  readonly group: string;
  readonly icon: string;
  readonly color: string;
}

function statusLook(status: SessionStatus, group: () => string): StatusLook {
  return {
    get group() {
      return group();
    },
    ...sessionStatusIcon[status],
  };
}

/** How each status looks wherever a session is shown: tree groups, items, status bar, pickers. */
export const statusPresentation: Record<SessionStatus, StatusLook> = {
  active: statusLook('active', () => vscode.l10n.t('Active')),
  planned: statusLook('planned', () => vscode.l10n.t('Planned')),
  paused: statusLook('paused', () => vscode.l10n.t('Paused')),
  interrupted: statusLook('interrupted', () => vscode.l10n.t('Interrupted')),
  complete: statusLook('complete', () => vscode.l10n.t('Completed')),
  failed: statusLook('failed', () => vscode.l10n.t('Failed')),
  cancelled: statusLook('cancelled', () => vscode.l10n.t('Cancelled')),
};

export function statusIcon(status: SessionStatus): vscode.ThemeIcon {
  const p = statusPresentation[status];
  return new vscode.ThemeIcon(p.icon, new vscode.ThemeColor(p.color));
}

/** A session's cost; when a run's model had no known price the total is a lower bound, and says so. */
export function sessionCost(s: Pick<Session, 'totalCostUsd' | 'costUnknown'>): string {
  return s.costUnknown ? vscode.l10n.t('{0} + unknown', formatUsd(s.totalCostUsd)) : formatUsd(s.totalCostUsd);
}

/** `type · phase · cost`, the one-line summary next to a session's title (a planned one: when it is scheduled). */
export function sessionDescription(s: Session): string {
  const scheduled = s.status === 'planned' && s.scheduledAt !== null ? formatScheduledAt(s.scheduledAt) : undefined;
  return [scheduled, s.type, s.phase, s.totalCostUsd > 0 || s.costUnknown ? sessionCost(s) : undefined].filter(Boolean).join(' · ');
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

/**
 * The tree's marks of the goal's state: criteria met at the latest Check Progress (`✓ 2/3 · `), and
 * a review gate waiting (`awaiting review · `); '' when neither.
 */
export function goalStateMark(s: Session): string {
  const fraction = progressFraction(s.progress);
  const review = reviewGateOf(s) !== undefined && !isTerminalSessionStatus(s.status) ? `${vscode.l10n.t('awaiting review')} · ` : '';
  return review + (fraction ? `✓ ${fraction.met}/${fraction.total} · ` : '');
}

/** The latest Check Progress and a waiting review gate, as tooltip sections. */
function appendProgressAndReview(md: vscode.MarkdownString, s: Session): void {
  const gate = reviewGateOf(s);
  if (gate !== undefined && !isTerminalSessionStatus(s.status)) {
    md.appendMarkdown(`$(eye) ${vscode.l10n.t('Waiting for review: the answer of the {0} step', escapeMarkdown(gate.step))}\n\n`);
  }
  const p = s.progress;
  if (p === null) return;
  const fraction = progressFraction(p);
  const mark = { met: '$(pass-filled)', not_met: '$(circle-slash)', unknown: '$(question)' } as const;
  md.appendMarkdown(
    `$(checklist) ${vscode.l10n.t('Progress {0}/{1} ({2})', fraction?.met ?? 0, fraction?.total ?? 0, p.checkedBy === 'claude' ? vscode.l10n.t('checked by Claude') : vscode.l10n.t('checked by a person'))}:\n` +
      `${p.criteria.map((c) => `- ${mark[c.status]} ${escapeMarkdown(c.criterion)}${c.evidence.trim() ? ` — ${escapeMarkdown(c.evidence)}` : ''}`).join('\n')}\n\n`,
  );
}

/** The tree's mark of a session with important notes (`★ 2 · `), or ''. */
export function importantNotesMark(importantNotes: number): string {
  return importantNotes > 0 ? `★ ${importantNotes} · ` : '';
}

function goalList(md: vscode.MarkdownString, title: string, items: readonly string[]): void {
  if (items.length) md.appendMarkdown(`${title}:\n${items.map((item) => `- ${escapeMarkdown(item)}`).join('\n')}\n\n`);
}

/** The goal fields, the outcome and summary, and the important notes (tooltip sections). */
function appendGoalAndOutcome(md: vscode.MarkdownString, s: Session, importantNotes: readonly Note[]): void {
  goalList(md, `$(pass) ${vscode.l10n.t('Success criteria')}`, s.successCriteria);
  goalList(md, `$(checklist) ${vscode.l10n.t('Completion criteria')}`, s.completionCriteria);
  goalList(md, `$(shield) ${vscode.l10n.t('Constraints')}`, s.constraints);
  appendProgressAndReview(md, s);
  if (s.procedureNotes.trim()) md.appendMarkdown(`$(book) ${vscode.l10n.t('Procedure notes: {0}', escapeMarkdown(s.procedureNotes))}\n\n`);
  const o = s.outcome;
  if (o) {
    const followUp = o.needsFollowUp
      ? ` · $(issue-reopened) ${
          o.followUpNotes.trim() ? vscode.l10n.t('needs follow-up: {0}', escapeMarkdown(o.followUpNotes)) : vscode.l10n.t('needs follow-up')
        }`
      : '';
    const stars = `${'★'.repeat(o.rating)}${'☆'.repeat(5 - o.rating)}`;
    md.appendMarkdown(`${vscode.l10n.t('Outcome: {0} {1}/5 · {2} % complete', stars, o.rating, o.completionPercent)}${followUp}\n\n`);
    if (o.nextSessionSuggestion.trim())
      md.appendMarkdown(`${vscode.l10n.t('Next session: {0}', escapeMarkdown(o.nextSessionSuggestion))}\n\n`);
  }
  if (s.summary?.trim()) md.appendMarkdown(`${vscode.l10n.t('Summary: {0}', escapeMarkdown(s.summary))}\n\n`);
  if (importantNotes.length) {
    md.appendMarkdown(
      `$(star-full) ${vscode.l10n.t('Important notes:')}\n${importantNotes.map((n) => `- ${escapeMarkdown(n.kind)}: ${escapeMarkdown(n.content)}`).join('\n')}\n\n`,
    );
  }
}

/** The sessions a session is chained with (Start Follow-up Session): the one it follows, the ones that follow it. */
export interface SessionLinks {
  readonly previous?: Pick<Session, 'title' | 'status'>;
  readonly next: readonly Pick<Session, 'title' | 'status'>[];
}

/** The tooltip rows of plan, durations, tags and the previous / next sessions. */
function planAndLinkRows(s: Session, links: SessionLinks | undefined): [string, string][] {
  const rows: [string, string][] = [];
  if (s.scheduledAt !== null) rows.push([vscode.l10n.t('Scheduled'), new Date(s.scheduledAt).toLocaleString()]);
  const durations = durationLine(s.expectedMinutes, actualMinutes(s));
  if (durations) rows.push([vscode.l10n.t('Duration'), durations]);
  if (s.tags.length) rows.push([vscode.l10n.t('Tags'), s.tags.map((tag) => `\`${tag.replace(/`/g, "'")}\``).join(' ')]);
  const link = (l: Pick<Session, 'title' | 'status'>) => `$(${statusPresentation[l.status].icon}) ${escapeMarkdown(l.title)}`;
  if (links?.previous) rows.push([vscode.l10n.t('Follows'), link(links.previous)]);
  if (links?.next.length) rows.push([vscode.l10n.t('Followed by'), links.next.map(link).join(', ')]);
  return rows;
}

export function sessionTooltip(
  s: Session,
  isActive: boolean,
  importantNotes: readonly Note[] = [],
  links?: SessionLinks,
): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.supportHtml = false;
  md.appendMarkdown(`**${escapeMarkdown(s.title)}**${isActive ? ` — *${vscode.l10n.t('active session')}*` : ''}\n\n`);
  if (isPinned(s)) md.appendMarkdown(`$(pinned) ${vscode.l10n.t('Pinned: Clean Up History keeps it')}\n\n`);
  if (s.intention) md.appendMarkdown(`${escapeMarkdown(s.intention)}\n\n`);
  appendGoalAndOutcome(md, s, importantNotes);
  const rows: [string, string][] = [
    [vscode.l10n.t('Status'), `$(${statusPresentation[s.status].icon}) ${s.status}${s.phase ? ` · ${s.phase}` : ''}`],
    [vscode.l10n.t('Type'), s.type],
    [vscode.l10n.t('Mode'), s.executionMode],
    [vscode.l10n.t('Steps'), String(s.interactionCount)],
    [
      vscode.l10n.t('Tokens'),
      vscode.l10n.t(
        '{0} in · {1} out · {2} cache read',
        formatCount(s.inputTokens),
        formatCount(s.outputTokens),
        formatCount(s.cacheReadTokens),
      ),
    ],
    [vscode.l10n.t('Cost'), sessionCost(s)],
    [vscode.l10n.t('Created'), new Date(s.createdAt).toLocaleString()],
    [vscode.l10n.t('Updated'), new Date(s.updatedAt).toLocaleString()],
  ];
  if (s.endedAt) rows.push([vscode.l10n.t('Ended'), new Date(s.endedAt).toLocaleString()]);
  if (s.externalConversationId) rows.push([vscode.l10n.t('Conversation'), `\`${s.externalConversationId}\``]);
  rows.push(...planAndLinkRows(s, links));
  md.appendMarkdown(rows.map(([k, v]) => `${k}: ${v}`).join('  \n'));
  return md;
}
