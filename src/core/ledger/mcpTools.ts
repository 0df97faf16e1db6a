import { z } from 'zod';
import { importedSessionId } from '../claudeCode/claudeSessions';
import { searchLedger } from './search';
import type { SearchHit } from '../store/queries/searchQueries';
import { liveSessionIdByConversation, liveSessionIdBySlug } from '../store/queries/sessionQueries';
import { buildUsageReport, type UsageTotals } from './usageReport';
import type { Interaction } from '../model/interaction';
import type { Note } from '../model/note';
import type { Session } from '../model/session';
import { tailOf } from '../../protocol/displayText';
import { SessionStatusSchema } from '../../protocol/sharedModel';
import type { AgentToolReads } from '../store/ports';

/**
 * What agents may ask the ledger (the MCP server's tools and VS Code's language-model tools):
 * plain functions from validated input to text a model reads. Every answer is capped in
 * characters so it fits a model's context, and says what was cut and how to get the rest.
 */

/** Default and largest size of one answer, in characters (about 4 characters a token). */
export const DEFAULT_MAX_CHARS = 20_000;
export const MAX_MAX_CHARS = 100_000;
/** Longest command and output text shown per step in `get_session` (the output's tail is kept). */
const STEP_TEXT_CHARS = 1_500;

const maxChars = z
  .number()
  .int()
  .min(1_000)
  .max(MAX_MAX_CHARS)
  .optional()
  .describe(`Largest answer in characters (default ${DEFAULT_MAX_CHARS}, at most ${MAX_MAX_CHARS}).`);

export const SearchHistoryInput = {
  query: z
    .string()
    .min(1)
    .max(500)
    .describe(
      'Words to find (all must occur; the last one may be a prefix). Searches session titles and goals, step commands and outputs, Claude text and tool events.',
    ),
  sessionId: z.string().optional().describe('Only search this session (its id).'),
  limit: z.number().int().min(1).max(200).optional().describe('Most hits to return (default 20), newest first.'),
  maxChars,
};
export const ListSessionsInput = {
  status: SessionStatusSchema.optional().describe('Only sessions with this status.'),
  text: z.string().max(200).optional().describe('Only sessions whose title, goal, summary or slug contains this text (case-insensitive).'),
  limit: z.number().int().min(1).max(200).optional().describe('Most sessions to return (default 20), most recently updated first.'),
  offset: z.number().int().min(0).optional().describe('Skip this many (for paging).'),
  maxChars,
};
export const GetSessionInput = {
  sessionId: z.string().min(1).describe('The session id (from list_sessions or search_history) or its slug.'),
  afterSeq: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('Show steps after this step number (default 0: from the first). The answer says which value continues it.'),
  maxChars,
};
export const UsageSummaryInput = {
  days: z
    .number()
    .int()
    .min(1)
    .max(366)
    .optional()
    .describe('How many of the most recent days to list day by day (default 14). Totals always cover the whole ledger.'),
  topSessions: z.number().int().min(1).max(50).optional().describe('How many of the most expensive sessions to list (default 10).'),
};
export const AddNoteInput = {
  content: z.string().min(1).max(10_000).describe('The note: a decision, finding or follow-up worth keeping with the session.'),
  kind: z.string().min(1).max(40).optional().describe('Kind of note (default "agent").'),
  interactionSeq: z.number().int().positive().optional().describe('The step the note is about, if any.'),
};

type Infer<Shape extends z.ZodRawShape> = z.infer<z.ZodObject<Shape>>;
export type SearchHistoryArgs = Infer<typeof SearchHistoryInput>;
export type ListSessionsArgs = Infer<typeof ListSessionsInput>;
export type GetSessionArgs = Infer<typeof GetSessionInput>;
export type UsageSummaryArgs = Infer<typeof UsageSummaryInput>;
export type AddNoteArgs = Infer<typeof AddNoteInput>;

const iso = (ms: number | null | undefined): string =>
  typeof ms === 'number' && Number.isFinite(ms) ? new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z') : '—';
const usd = (n: number, unknown = false): string =>
  `$${n.toFixed(n >= 1 ? 2 : 4)}${unknown ? ' (lower bound: a model without a known price)' : ''}`;
const tokens = (t: Pick<UsageTotals, 'inputTokens' | 'outputTokens' | 'cacheCreationTokens' | 'cacheReadTokens'>): string =>
  `in ${t.inputTokens}, out ${t.outputTokens}, cache write ${t.cacheCreationTokens}, cache read ${t.cacheReadTokens}`;

/** Cuts text to `max` characters keeping its start (`head`) or its end (`tail`), saying how much was cut. */
export function clip(text: string, max: number, keep: 'head' | 'tail' = 'head'): string {
  if (keep === 'tail') return tailOf(text, max, (cut) => `[${cut} earlier characters] …`);
  return text.length <= max ? text : `${text.slice(0, max)}… [${text.length - max} more characters]`;
}

/** Collects lines up to a character budget; `add` returns false (adding nothing) once a line would pass it. */
class Budget {
  private readonly lines: string[] = [];
  private used = 0;
  constructor(private readonly max: number) {}
  add(text: string): boolean {
    if (this.used + text.length + 1 > this.max) return false;
    this.lines.push(text);
    this.used += text.length + 1;
    return true;
  }
  /** Adds without checking (the closing line saying what was cut: `max` leaves room for it). */
  force(text: string): void {
    this.lines.push(text);
  }
  get text(): string {
    return this.lines.join('\n');
  }
}

/** Room kept for the closing line that says what was cut. */
const TRAILER_ROOM = 400;
const budgetOf = (maxCharsArg: number | undefined) => new Budget((maxCharsArg ?? DEFAULT_MAX_CHARS) - TRAILER_ROOM);

/** A session by id or slug (deleted ones are not shown to agents). */
export function findSession(store: AgentToolReads, idOrSlug: string): Session | undefined {
  const byId = store.sessions.get(idOrSlug);
  if (byId) return byId.deletedAt === null ? byId : undefined;
  const bySlug = liveSessionIdBySlug(store.sql, idOrSlug);
  return bySlug !== undefined ? store.sessions.get(bySlug) : undefined;
}

function hitLine(hit: SearchHit): string {
  const where =
    hit.kind === 'session' ? 'session' : hit.interactionSeq !== null ? `step ${hit.interactionSeq}` : `event ${hit.eventSeq ?? '?'}`;
  return `- ${iso(hit.at)} · "${clip(hit.sessionTitle, 120)}" (session ${hit.sessionId}) · ${where} (${hit.kind}): ${clip(hit.snippet.replace(/\s+/g, ' '), 400)}`;
}

export function searchHistory(store: AgentToolReads, args: SearchHistoryArgs): string {
  const limit = args.limit ?? 20;
  const hits = searchLedger(store.sql, args.query, { limitPerKind: limit, sessionId: args.sessionId })
    .sort((a, b) => b.at - a.at)
    .slice(0, limit);
  if (hits.length === 0)
    return `No matches for "${args.query}"${args.sessionId ? ` in session ${args.sessionId}` : ''}. Try fewer or other words.`;
  const out = budgetOf(args.maxChars);
  out.add(
    `${hits.length} match${hits.length === 1 ? '' : 'es'} for "${args.query}", newest first (matched words in [brackets]). Open one with get_session.`,
  );
  let shown = 0;
  for (const hit of hits) {
    if (!out.add(hitLine(hit))) break;
    shown++;
  }
  if (shown < hits.length)
    out.force(`… ${hits.length - shown} more not shown (size cap). Ask with a smaller limit, more words, or a sessionId.`);
  return out.text;
}

export function listSessions(store: AgentToolReads, args: ListSessionsArgs): string {
  const limit = args.limit ?? 20;
  const offset = args.offset ?? 0;
  const filter = { status: args.status, text: args.text || undefined, limit, offset };
  const total = store.sessions.count(filter);
  const sessions = store.sessions.list(filter);
  if (sessions.length === 0) return total === 0 ? 'No sessions match.' : `No sessions after offset ${offset} (there are ${total}).`;
  const out = budgetOf(args.maxChars);
  out.add(`Sessions ${offset + 1}–${offset + sessions.length} of ${total}, most recently updated first:`);
  let shown = 0;
  for (const s of sessions) {
    const line = `- ${s.id} · "${clip(s.title, 120)}" · ${s.status} · type ${s.type} · ${s.interactionCount} steps · ${usd(s.totalCostUsd, s.costUnknown)} · updated ${iso(s.updatedAt)}`;
    if (!out.add(line)) break;
    shown++;
  }
  const next = offset + shown;
  if (next < total)
    out.force(
      `… ${total - next} more: call list_sessions with offset ${next}${shown < sessions.length ? ' (this answer reached its size cap)' : ''}.`,
    );
  return out.text;
}

function stepLines(step: Interaction): string[] {
  const r = step.result;
  const status = [r.status, r.exitCode !== null ? `exit ${r.exitCode}` : '', r.durationMs !== null ? `${Math.round(r.durationMs)} ms` : '']
    .filter(Boolean)
    .join(', ');
  const lines = [
    `### Step ${step.seq} · ${step.command.step} · ${step.command.kind} · ${iso(step.commandAtMicros / 1000)} · ${status}`,
    `Command: ${clip(step.command.command, STEP_TEXT_CHARS)}`,
  ];
  if (r.errorMessage) lines.push(`Error: ${clip(r.errorMessage, STEP_TEXT_CHARS)}`);
  if (r.output) lines.push(`Output (end): ${clip(r.output, STEP_TEXT_CHARS, 'tail')}`);
  return lines;
}

function noteLine(note: Note): string {
  const flags = [note.important ? 'important' : '', note.followUp ? 'follow-up' : ''].filter(Boolean).join(', ');
  return `- ${iso(note.createdAt)} [${note.kind}${flags ? `; ${flags}` : ''}]${note.interactionSeq !== null ? ` (step ${note.interactionSeq})` : ''}: ${clip(note.content, 1_000)}`;
}

/**
 * A session as text: its goal, status and cost, its notes, then its steps (command, result, the
 * tail of the output) from `afterSeq` on, as many as fit in `maxChars`. The last line says where
 * the next page starts.
 */
export function getSession(store: AgentToolReads, args: GetSessionArgs): string {
  const session = findSession(store, args.sessionId);
  if (!session) throw new Error(`No session "${args.sessionId}" in this ledger. Find its id with list_sessions or search_history.`);
  const out = budgetOf(args.maxChars);
  const afterSeq = args.afterSeq ?? 0;
  if (afterSeq === 0) {
    out.add(`# ${session.title}`);
    out.add(
      `id ${session.id} · slug ${session.slug} · type ${session.type} · status ${session.status}${session.phase ? ` (phase ${session.phase})` : ''} · ${session.executionMode}`,
    );
    out.add(
      `created ${iso(session.createdAt)} · updated ${iso(session.updatedAt)}${session.endedAt ? ` · ended ${iso(session.endedAt)}` : ''}`,
    );
    out.add(`Cost ${usd(session.totalCostUsd, session.costUnknown)} · tokens ${tokens(session)}`);
    out.add(`Goal: ${clip(session.intention, 2_000)}`);
    if (session.successCriteria.length) out.add(`Success criteria: ${clip(session.successCriteria.join('; '), 1_000)}`);
    if (session.constraints.length) out.add(`Constraints: ${clip(session.constraints.join('; '), 1_000)}`);
    if (session.summary) out.add(`Summary: ${clip(session.summary, 2_000)}`);
    const notes = store.notes.list(session.id);
    if (notes.length) {
      out.add(`## Notes (${notes.length})`);
      let shownNotes = 0;
      for (const note of notes) {
        if (!out.add(noteLine(note))) break;
        shownNotes++;
      }
      if (shownNotes < notes.length) out.add(`(${notes.length - shownNotes} more notes not shown: size cap)`);
    }
    out.add(`## Steps (${session.interactionCount})`);
  } else {
    out.add(`# ${session.title} (session ${session.id}), steps after ${afterSeq} of ${session.interactionCount}`);
  }
  let last = afterSeq;
  let full = false;
  for (let after = afterSeq; !full;) {
    const page = store.interactions.list(session.id, { after, limit: 200 });
    if (page.length === 0) break;
    for (const step of page) {
      const lines = stepLines(step).join('\n');
      if (!out.add(lines)) {
        full = true;
        break;
      }
      last = step.seq;
    }
    after = page[page.length - 1]!.seq;
  }
  const remaining = session.interactionCount - last;
  if (full && remaining > 0) {
    out.force(
      `[Cut at the size cap: steps ${afterSeq + 1}–${last} shown, ${remaining} more. Call get_session with sessionId "${session.id}" and afterSeq ${last} for the next page${args.maxChars && args.maxChars >= MAX_MAX_CHARS ? '' : ', or a larger maxChars'}.]`,
    );
  } else if (last === afterSeq && afterSeq > 0) {
    out.force(`[No steps after ${afterSeq}.]`);
  }
  return out.text;
}

export function usageSummary(store: AgentToolReads, args: UsageSummaryArgs, now = Date.now()): string {
  const report = buildUsageReport(store.sql, { topSessions: args.topSessions ?? 10, now });
  const t = report.total;
  const unpriced = t.unpricedRequests ? ` (${t.unpricedRequests} of them of a model without a known price: the cost is a lower bound)` : '';
  const lines = [
    `Usage of this ledger (costs as recorded; prices of ${report.pricing.effectiveDate}).`,
    `Total: ${usd(t.costUsd)} over ${t.requests} requests${unpriced}; tokens ${tokens(t)}.`,
  ];
  const days = report.byDay.slice(-(args.days ?? 14));
  if (days.length)
    lines.push(
      `## By day (UTC, last ${days.length} with usage)`,
      ...days.map((r) => `- ${r.key}: ${usd(r.costUsd)}, ${r.requests} requests, ${tokens(r)}`),
    );
  if (report.byModel.length)
    lines.push('## By model', ...report.byModel.map((r) => `- ${r.key}: ${usd(r.costUsd)}, ${r.requests} requests, ${tokens(r)}`));
  if (report.bySessionType.length)
    lines.push('## By session type', ...report.bySessionType.map((r) => `- ${r.key}: ${usd(r.costUsd)}, ${r.requests} requests`));
  if (report.topSessions.length)
    lines.push(
      '## Most expensive sessions',
      ...report.topSessions.map((s) => `- ${s.sessionId} · "${clip(s.title, 120)}" (${s.type}): ${usd(s.costUsd)}, ${s.requests} requests`),
    );
  if (t.requests === 0) lines.push('No usage is recorded yet.');
  return clip(lines.join('\n'), MAX_MAX_CHARS);
}

/**
 * The agent's own session: the ledger session whose id, or whose Claude Code session id
 * (`externalConversationId`, or the id an imported Claude Code session gets), is `ownId` — the
 * value of `SESSION_LEDGER_SESSION_ID` (or `--session`) in the server's environment.
 */
export function resolveOwnSession(store: AgentToolReads, ownId: string | undefined): Session | undefined {
  const id = ownId?.trim();
  if (!id) return undefined;
  const live = (s: Session | undefined) => (s && s.deletedAt === null ? s : undefined);
  const direct = live(store.sessions.get(id));
  if (direct) return direct;
  const byConversation = liveSessionIdByConversation(store.sql, id);
  if (byConversation !== undefined) return live(store.sessions.get(byConversation));
  return /^[0-9a-f-]{36}$/i.test(id) ? live(store.sessions.get(importedSessionId(id))) : undefined;
}
