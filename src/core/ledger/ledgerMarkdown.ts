/**
 * A readable Markdown rendering of exported sessions (for people; the JSON export is the lossless
 * one). Long outputs keep their tail, like the store does. Whatever it is given, what it writes is
 * redacted (an export from `exportLedger` is already; this also covers data built elsewhere).
 */
import { actualMinutes, formatMinutes } from '../../protocol/sessionDurations';
import type { ExportedSession, ExportOptions, LedgerExport } from './exportFormat';
import { redactExportText } from './ledgerExport';
import { tailOf } from '../../protocol/displayText';
import { formatUsdPrecise } from '../../protocol/presentation';

const OUTPUT_TAIL_CHARS = 4000;

/** A code fence longer than any backtick run in `text`, so content never closes it. */
function fenced(text: string, language = ''): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${text}\n${fence}`;
}

const tail = (text: string): string => tailOf(text, OUTPUT_TAIL_CHARS, (omitted) => `… (${omitted} earlier characters not shown)\n`);

const time = (ms: number | null) => (ms === null ? '—' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + ' UTC');
const oneLine = (text: string) => text.replace(/\s+/g, ' ').replace(/\|/g, '\\|');

function renderNote(note: ExportedSession['notes'][number]): string {
  const flags = [note.important ? 'important' : '', note.followUp ? 'follow-up' : ''].filter(Boolean);
  const marks = flags.length ? ` ⚑ ${flags.join(', ')}` : '';
  const step = note.interactionSeq !== null ? `, step ${note.interactionSeq}` : '';
  return `- **${note.kind}**${marks} (${time(note.createdAt)}${step}): ${note.content}`;
}

function renderSession(session: ExportedSession): string {
  const out: string[] = [`# ${oneLine(session.title)}`, ''];
  out.push(
    '| | |',
    '|---|---|',
    `| Type | ${session.type} |`,
    `| Status | ${session.status}${session.deletedAt !== null ? ' (deleted)' : ''} |`,
    `| Created | ${time(session.createdAt)} |`,
    `| Ended | ${time(session.endedAt)} |`,
    `| Tokens | ${session.inputTokens} in, ${session.outputTokens} out, ${session.cacheCreationTokens} cache write (${session.cacheCreation1hTokens} of them 1-hour), ${session.cacheReadTokens} cache read |`,
    `| Cost | ${formatUsdPrecise(session.totalCostUsd)}${session.costUnknown ? ' + unknown (a model without a price)' : ''} |`,
  );
  if (session.externalConversationId) out.push(`| Conversation | \`${session.externalConversationId}\` |`);
  if (session.followsSessionId) out.push(`| Follows | session \`${session.followsSessionId}\` |`);
  if (session.scheduledAt !== null) out.push(`| Scheduled | ${time(session.scheduledAt)} |`);
  if (session.startedAt !== undefined && session.startedAt !== session.createdAt) out.push(`| Started | ${time(session.startedAt)} |`);
  if (session.expectedMinutes !== null) out.push(`| Expected duration | ${formatMinutes(session.expectedMinutes)} |`);
  const actual = actualMinutes({
    startedAt: session.startedAt === undefined ? session.createdAt : session.startedAt,
    endedAt: session.endedAt,
  });
  if (actual !== undefined) out.push(`| Actual duration | ${formatMinutes(actual)} |`);
  if (session.tags.length) out.push(`| Tags | ${session.tags.map(oneLine).join(', ')} |`);
  const outcome = session.outcome;
  if (outcome) {
    out.push(
      `| Rating | ${outcome.rating}/5 |`,
      `| Completion | ${outcome.completionPercent} % |`,
      `| Needs follow-up | ${outcome.needsFollowUp ? `yes${outcome.followUpNotes.trim() ? `: ${oneLine(outcome.followUpNotes)}` : ''}` : 'no'} |`,
    );
    if (outcome.nextSessionSuggestion.trim()) out.push(`| Next session | ${oneLine(outcome.nextSessionSuggestion)} |`);
    out.push(`| Outcome by | ${outcome.recordedBy === 'claude' ? 'Claude (proposed)' : 'a person'}, ${time(outcome.recordedAt)} |`);
  }
  out.push('', `Session id: \`${session.id}\``, '');
  if (session.intention.trim()) out.push('## Intention', '', session.intention, '');
  if (session.successCriteria.length) out.push('## Success criteria', '', ...session.successCriteria.map((c) => `- ${c}`), '');
  if (session.completionCriteria.length) out.push('## Completion criteria', '', ...session.completionCriteria.map((c) => `- ${c}`), '');
  if (session.constraints.length) out.push('## Constraints', '', ...session.constraints.map((c) => `- ${c}`), '');
  if (session.procedureNotes.trim()) out.push('## Procedure notes', '', session.procedureNotes, '');
  if (session.summary?.trim()) out.push('## Summary', '', session.summary, '');
  out.push(...renderProgress(session));

  out.push(`## Interactions (${session.interactions.length})`, '');
  for (const i of session.interactions) {
    out.push(`### ${i.seq}. ${i.command.step} — ${i.result.status}${i.result.exitCode !== null ? ` (exit ${i.result.exitCode})` : ''}`, '');
    out.push(fenced(i.command.command, i.command.kind === 'shell' ? 'sh' : ''), '');
    if (i.result.output) out.push(fenced(tail(i.result.output)), '');
    if (i.result.errorMessage) out.push(`> ${oneLine(i.result.errorMessage)}`, '');
  }

  const byType = new Map<string, number>();
  for (const e of session.events) byType.set(e.type, (byType.get(e.type) ?? 0) + 1);
  if (byType.size) {
    out.push(`## Events (${session.events.length})`, '', ...[...byType].sort().map(([type, n]) => `- ${type}: ${n}`), '');
  }
  if (session.notes.length) out.push('## Notes', '', ...session.notes.map(renderNote), '');
  if (session.artifacts.length) {
    out.push(
      '## Artifacts',
      '',
      ...session.artifacts.map((a) => `- ${a.key} (${a.kind}, ${a.byteSize} bytes${a.path ? `, ${a.path}` : ''})${renderReview(a.review)}`),
      '',
    );
  }
  out.push(...renderRunsByPhase(session));
  return out.join('\n');
}

const CHECK_MARK = { met: 'x', not_met: ' ', unknown: '?' } as const;

/** The latest Check Progress as a checklist (`[x]` met, `[ ]` not met, `[?]` unknown). */
function renderProgress(session: ExportedSession): string[] {
  const progress = session.progress;
  if (progress === null) return [];
  const met = progress.criteria.filter((c) => c.status === 'met').length;
  const by = progress.checkedBy === 'claude' ? 'Claude' : 'a person';
  return [
    `## Progress (${met}/${progress.criteria.length} met, checked by ${by}, ${time(progress.checkedAt)})`,
    '',
    ...progress.criteria.map(
      (c) =>
        `- [${CHECK_MARK[c.status]}] ${oneLine(c.criterion)}${c.kind === 'completion' ? ' (completion)' : ''}${c.evidence.trim() ? ` — ${oneLine(c.evidence)}` : ''}`,
    ),
    '',
  ];
}

function renderReview(review: ExportedSession['artifacts'][number]['review']): string {
  if (review === null) return '';
  if (review.state === 'provisional') return ' — provisional, waiting for review';
  const what = review.state === 'approved' ? 'approved' : 'changes requested';
  return ` — ${what}${review.by ? ` by ${oneLine(review.by)}` : ''}${review.at !== null ? ` ${time(review.at)}` : ''}${review.comment ? `: ${oneLine(review.comment)}` : ''}`;
}

/** Runs grouped by the phase they served: how many, the models asked for and used, tokens and cost. */
function renderRunsByPhase(session: ExportedSession): string[] {
  if (session.runs.length === 0) return [];
  const phases = new Map<string, ExportedSession['runs']>();
  for (const run of session.runs) {
    const phase = run.phase ?? '(no phase)';
    phases.set(phase, [...(phases.get(phase) ?? []), run]);
  }
  const list = (values: (string | null)[]) => [...new Set(values.filter((v): v is string => v !== null))].map(oneLine).join(', ') || '—';
  return [
    '## Runs by phase',
    '',
    '| Phase | Runs | Model asked | Model used | Tokens (in / out) | Cost |',
    '|---|---|---|---|---|---|',
    ...[...phases].map(([phase, runs]) => {
      const input = runs.reduce((sum, r) => sum + r.inputTokens, 0);
      const output = runs.reduce((sum, r) => sum + r.outputTokens, 0);
      const cost = runs.reduce((sum, r) => sum + r.costUsd, 0);
      const unknown = runs.some((r) => r.costUnknown) ? ' + unknown' : '';
      return `| ${oneLine(phase)} | ${runs.length} | ${list(runs.map((r) => r.modelAlias))} | ${list(runs.map((r) => r.model))} | ${input} / ${output} | ${formatUsdPrecise(cost)}${unknown} |`;
    }),
    '',
  ];
}

/** One session in Markdown, redacted. */
export function sessionToMarkdown(session: ExportedSession, options: Pick<ExportOptions, 'redaction'> = {}): string {
  return redactExportText(renderSession(session), options);
}

export function ledgerToMarkdown(data: LedgerExport, options: Pick<ExportOptions, 'redaction'> = {}): string {
  const markdown = [`Session Ledger export — ${time(data.exportedAt)}`, '', ...data.sessions.map(renderSession)].join('\n\n---\n\n');
  return redactExportText(markdown, options);
}
