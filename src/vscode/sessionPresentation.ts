import * as vscode from 'vscode';
import { isPinned } from '../core/claudeCode/retention';
import type { Note } from '../core/model/note';
import type { Session } from '../core/model/session';
import type { SessionStatus } from '../core/model/sessionStatus';

/** How each status looks wherever a session is shown: tree groups, items, status bar, pickers. */
export const statusPresentation: Record<SessionStatus, { group: string; icon: string; color: string }> = {
  active: { group: 'Active', icon: 'play-circle', color: 'charts.green' },
  paused: { group: 'Paused', icon: 'debug-pause', color: 'charts.yellow' },
  interrupted: { group: 'Interrupted', icon: 'warning', color: 'charts.orange' },
  complete: { group: 'Completed', icon: 'pass', color: 'testing.iconPassed' },
  failed: { group: 'Failed', icon: 'error', color: 'testing.iconFailed' },
  cancelled: { group: 'Cancelled', icon: 'circle-slash', color: 'disabledForeground' },
};

export function statusIcon(status: SessionStatus): vscode.ThemeIcon {
  const p = statusPresentation[status];
  return new vscode.ThemeIcon(p.icon, new vscode.ThemeColor(p.color));
}

export function formatCost(usd: number): string {
  return usd === 0 ? '$0' : usd < 0.01 ? '<$0.01' : `$${usd.toFixed(2)}`;
}

export function formatTokens(n: number): string {
  return n >= 1_000_000 ? `${(n / 1_000_000).toFixed(1)}M` : n >= 1000 ? `${(n / 1000).toFixed(1)}k` : String(n);
}

/** A session's cost; when a run's model had no known price the total is a lower bound, and says so. */
export function sessionCost(s: Pick<Session, 'totalCostUsd' | 'costUnknown'>): string {
  return s.costUnknown ? `${formatCost(s.totalCostUsd)} + unknown` : formatCost(s.totalCostUsd);
}

/** `type · phase · cost`, the one-line summary next to a session's title. */
export function sessionDescription(s: Session): string {
  return [s.type, s.phase, s.totalCostUsd > 0 || s.costUnknown ? sessionCost(s) : undefined].filter(Boolean).join(' · ');
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
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
  goalList(md, '$(pass) Success criteria', s.successCriteria);
  goalList(md, '$(checklist) Completion criteria', s.completionCriteria);
  goalList(md, '$(shield) Constraints', s.constraints);
  if (s.procedureNotes.trim()) md.appendMarkdown(`$(book) Procedure notes: ${escapeMarkdown(s.procedureNotes)}\n\n`);
  const o = s.outcome;
  if (o) {
    const followUp = o.needsFollowUp
      ? ` · $(issue-reopened) needs follow-up${o.followUpNotes.trim() ? `: ${escapeMarkdown(o.followUpNotes)}` : ''}`
      : '';
    md.appendMarkdown(
      `Outcome: ${'★'.repeat(o.rating)}${'☆'.repeat(5 - o.rating)} ${o.rating}/5 · ${o.completionPercent} % complete${followUp}\n\n`,
    );
    if (o.nextSessionSuggestion.trim()) md.appendMarkdown(`Next session: ${escapeMarkdown(o.nextSessionSuggestion)}\n\n`);
  }
  if (s.summary?.trim()) md.appendMarkdown(`Summary: ${escapeMarkdown(s.summary)}\n\n`);
  if (importantNotes.length) {
    md.appendMarkdown(
      `$(star-full) Important notes:\n${importantNotes.map((n) => `- ${escapeMarkdown(n.kind)}: ${escapeMarkdown(n.content)}`).join('\n')}\n\n`,
    );
  }
}

export function sessionTooltip(s: Session, isActive: boolean, importantNotes: readonly Note[] = []): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.supportHtml = false;
  md.appendMarkdown(`**${escapeMarkdown(s.title)}**${isActive ? ' — *active session*' : ''}\n\n`);
  if (isPinned(s)) md.appendMarkdown('$(pinned) Pinned: Clean Up History keeps it\n\n');
  if (s.intention) md.appendMarkdown(`${escapeMarkdown(s.intention)}\n\n`);
  appendGoalAndOutcome(md, s, importantNotes);
  const rows: [string, string][] = [
    ['Status', `$(${statusPresentation[s.status].icon}) ${s.status}${s.phase ? ` · ${s.phase}` : ''}`],
    ['Type', s.type],
    ['Mode', s.executionMode],
    ['Steps', String(s.interactionCount)],
    ['Tokens', `${formatTokens(s.inputTokens)} in · ${formatTokens(s.outputTokens)} out · ${formatTokens(s.cacheReadTokens)} cache read`],
    ['Cost', sessionCost(s)],
    ['Created', new Date(s.createdAt).toLocaleString()],
    ['Updated', new Date(s.updatedAt).toLocaleString()],
  ];
  if (s.endedAt) rows.push(['Ended', new Date(s.endedAt).toLocaleString()]);
  if (s.externalConversationId) rows.push(['Conversation', `\`${s.externalConversationId}\``]);
  md.appendMarkdown(rows.map(([k, v]) => `${k}: ${v}`).join('  \n'));
  return md;
}
