import { tailLines } from '../../protocol/displayText';
import { EXIT } from '../cliError';
import { stringOption, type Command, type CommandContext } from '../command';
import { formatCount, formatDuration, formatUsd, isoTime, relativeTime, table, type Style } from '../format';
import { interactionJson, sessionJson } from '../jsonOutput';
import { positiveInt, resolveSession } from './browse';

const PAGE = 10_000;

function resultText(status: string, style: Style): string {
  if (status === 'ok') return style.green(status);
  if (status === 'pending') return style.yellow(status);
  return style.red(status);
}

/** The last `maxLines` lines of a step's output, indented under it, long lines cut. */
function indentedOutputTail(output: string, maxLines: number): string {
  const { lines, omittedLines } = tailLines(output, maxLines);
  const shown = lines.map((line) => `      ${line.length > 200 ? `${line.slice(0, 199)}…` : line}`);
  return (omittedLines > 0 ? [`      … ${omittedLines} line(s) above`, ...shown] : shown).join('\n');
}

export const showCommand: Command = {
  name: 'show',
  summary: "A session's goal, steps, results and notes (its timeline)",
  usage: 'session-ledger show <id|id prefix|slug> [--output-lines <n>] [--events] [--json]',
  help: `Options:
  --output-lines <n>  lines of each step's output shown, from its end (default 5; text only)
  --events            also list the session's events (tool calls, usage, phase changes…)

With --json: the session, all its interactions (with their full stored output), notes,
artifacts (without content) and runs; events with --events.`,
  options: { 'output-lines': { type: 'string' }, events: { type: 'boolean' } },
  positionals: { min: 1, max: 1 },
  async run(context: CommandContext): Promise<number> {
    const lines = positiveInt(stringOption(context.values, 'output-lines'), 'output-lines', 'show', 5);
    const { store } = await context.openLedger(false);
    const session = resolveSession(store, context.positionals[0]!); // positionals: { min: 1 }
    const interactions = [];
    for (let after = 0; ;) {
      const page = store.interactions.list(session.id, { after, limit: PAGE });
      interactions.push(...page);
      const last = page.at(-1);
      if (page.length < PAGE || last === undefined) break;
      after = last.seq;
    }
    const notes = store.notes.list(session.id);
    const artifacts = store.artifacts.list(session.id);
    const events = context.values.events ? allEvents(store, session.id) : undefined;
    if (context.values.json) {
      const runs = store.runs.listBySession(session.id);
      const data = {
        session: sessionJson(session),
        interactions: interactions.map(interactionJson),
        notes: notes.map((n) => ({
          id: n.id,
          kind: n.kind,
          content: n.content,
          interactionSeq: n.interactionSeq,
          createdAt: new Date(n.createdAt).toISOString(),
        })),
        artifacts: artifacts.map((a) => ({ id: a.id, key: a.key, kind: a.kind, path: a.path, byteSize: a.byteSize })),
        runs: runs.map((r) => ({
          id: r.id,
          provider: r.provider,
          model: r.model,
          status: r.status,
          costUsd: r.costUsd,
          costUnknown: r.costUnknown,
          startedAt: new Date(r.startedAt).toISOString(),
        })),
        ...(events
          ? {
              events: events.map((e) => ({
                id: e.id,
                seq: e.seq,
                type: e.type,
                toolName: e.toolName,
                interactionId: e.interactionId,
                payload: e.payload,
                at: new Date(e.ts).toISOString(),
              })),
            }
          : {}),
      };
      context.out(JSON.stringify(data, null, 2) + '\n');
      return EXIT.ok;
    }
    const s = context.style;
    const header = [
      [s.bold('Session'), `${s.bold(session.title)}  ${s.dim(session.id)}`],
      ['Slug', session.slug],
      ['Type', `${session.type} · ${session.executionMode} · ${session.provider}`],
      ['Status', `${session.status}${session.phase ? ` (phase ${session.phase})` : ''}`],
      ['Goal', session.intention || '—'],
      ...(session.successCriteria.length ? [['Criteria', session.successCriteria.join('; ')]] : []),
      [
        'Cost',
        `${formatUsd(session.totalCostUsd, session.costUnknown)} · ${formatCount(session.inputTokens)} in / ${formatCount(session.outputTokens)} out tokens`,
      ],
      [
        'Created',
        `${isoTime(session.createdAt)} UTC (${relativeTime(session.createdAt, context.now)}), updated ${relativeTime(session.updatedAt, context.now)}`,
      ],
      ...(session.summary ? [['Summary', session.summary]] : []),
    ];
    const parts = [table(header)];
    if (interactions.length) {
      parts.push('', s.bold(`Timeline (${interactions.length} step${interactions.length === 1 ? '' : 's'})`));
      for (const i of interactions) {
        const exit = i.result.exitCode === null ? '' : ` exit ${i.result.exitCode}`;
        const took = i.result.durationMs === null ? '' : ` · ${formatDuration(i.result.durationMs)}`;
        parts.push(
          `${s.bold(`#${i.seq}`)} ${i.command.step} ${s.dim(`[${i.command.kind}]`)} ${resultText(i.result.status, s)}${exit}${took} ${s.dim(isoTime(i.commandAtMicros / 1000))}`,
        );
        parts.push(`    ${s.cyan('$')} ${i.command.command.split(/\r?\n/).join('\n      ')}`);
        if (i.result.errorMessage) parts.push(`    ${s.red(i.result.errorMessage)}`);
        if (i.result.output) parts.push(indentedOutputTail(i.result.output, lines));
      }
    } else {
      parts.push('', s.dim('No steps yet.'));
    }
    if (notes.length) {
      parts.push('', s.bold('Notes'));
      for (const n of notes) parts.push(`  ${n.interactionSeq ? `#${n.interactionSeq} ` : ''}${s.dim(`[${n.kind}]`)} ${n.content}`);
    }
    if (artifacts.length) {
      parts.push('', s.bold('Artifacts'));
      for (const a of artifacts) parts.push(`  ${a.key}${a.path ? `  ${s.dim(a.path)}` : ''}`);
    }
    if (events) {
      parts.push('', s.bold(`Events (${events.length})`));
      parts.push(table(events.map((e) => [String(e.seq), isoTime(e.ts), e.type, e.toolName ?? ''])));
    }
    context.out(parts.join('\n') + '\n');
    return EXIT.ok;
  },
};

function allEvents(store: Parameters<typeof resolveSession>[0], sessionId: string) {
  const events = [];
  for (let after = 0; ;) {
    const page = store.events.list(sessionId, { after, limit: PAGE });
    events.push(...page);
    const last = page.at(-1);
    if (page.length < PAGE || last === undefined) return events;
    after = last.seq;
  }
}
