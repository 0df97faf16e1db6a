/**
 * A readable Markdown rendering of exported sessions (for people; the JSON export is the lossless
 * one). Long outputs keep their tail, like the store does. Whatever it is given, what it writes is
 * redacted (an export from `exportLedger` is already; this also covers data built elsewhere).
 */
import { redactExportText, type ExportedSession, type ExportOptions, type LedgerExport } from './ledgerExport';

const OUTPUT_TAIL_CHARS = 4000;

/** A code fence longer than any backtick run in `text`, so content never closes it. */
function fenced(text: string, language = ''): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${text}\n${fence}`;
}

function tail(text: string): string {
  return text.length > OUTPUT_TAIL_CHARS
    ? `… (${text.length - OUTPUT_TAIL_CHARS} earlier characters not shown)\n${text.slice(-OUTPUT_TAIL_CHARS)}`
    : text;
}

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
    `| Cost | $${session.totalCostUsd.toFixed(4)}${session.costUnknown ? ' + unknown (a model without a price)' : ''} |`,
  );
  if (session.externalConversationId) out.push(`| Conversation | \`${session.externalConversationId}\` |`);
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
      ...session.artifacts.map((a) => `- ${a.key} (${a.kind}, ${a.byteSize} bytes${a.path ? `, ${a.path}` : ''})`),
      '',
    );
  }
  return out.join('\n');
}

/** One session in Markdown, redacted. */
export function sessionToMarkdown(session: ExportedSession, options: Pick<ExportOptions, 'redaction'> = {}): string {
  return redactExportText(renderSession(session), options);
}

export function ledgerToMarkdown(data: LedgerExport, options: Pick<ExportOptions, 'redaction'> = {}): string {
  const markdown = [`Session Ledger export — ${time(data.exportedAt)}`, '', ...data.sessions.map(renderSession)].join('\n\n---\n\n');
  return redactExportText(markdown, options);
}
