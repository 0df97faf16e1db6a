import { RunSchema, RunStartInputSchema, RunUpdateSchema, type Run, type RunStartInput, type RunUpdate } from '../../model/run';
import { ZERO_USAGE } from '../../agent/pricing';
import { redactSecretsNullable } from '../../ledger/redaction';
import { parseWith } from '../../model/validation';
import type { SqlRow, SqlValue } from '../ledgerDatabase';
import type { RunsImport, RunsReads, RunsWrites } from '../repositoryApi';
import { NotFoundError, nullableNum, nullableText, num, text, type RepositoryContext } from './repositoryContext';
import type { SessionRepository } from './sessionRepository';

/**
 * The columns a run is written with, in the order of its values (`runToValues`). The team ledger
 * replicates the same list (core/sync/syncTables.ts): a column added here goes to the server too,
 * so its PostgreSQL migration must add it there.
 */
export const RUN_COLUMNS = [
  'id',
  'session_id',
  'interaction_id',
  'provider',
  'model',
  'conversation_id',
  'status',
  'input_tokens',
  'output_tokens',
  'cache_creation_tokens',
  'cache_read_tokens',
  'cost_usd',
  'cost_unknown',
  'started_at',
  'ended_at',
  'error',
  'cache_creation_1h_tokens',
  'phase',
  'model_alias',
] as const;

function rowToRun(row: SqlRow): Run {
  return {
    id: text(row, 'id'),
    sessionId: text(row, 'session_id'),
    interactionId: nullableText(row, 'interaction_id'),
    provider: text(row, 'provider') as Run['provider'],
    model: nullableText(row, 'model'),
    modelAlias: nullableText(row, 'model_alias'),
    phase: nullableText(row, 'phase'),
    conversationId: nullableText(row, 'conversation_id'),
    status: text(row, 'status') as Run['status'],
    inputTokens: num(row, 'input_tokens'),
    outputTokens: num(row, 'output_tokens'),
    cacheCreationTokens: num(row, 'cache_creation_tokens'),
    cacheCreation1hTokens: num(row, 'cache_creation_1h_tokens'),
    cacheReadTokens: num(row, 'cache_read_tokens'),
    costUsd: num(row, 'cost_usd'),
    costUnknown: num(row, 'cost_unknown') === 1,
    startedAt: num(row, 'started_at'),
    endedAt: nullableNum(row, 'ended_at'),
    error: nullableText(row, 'error'),
  };
}

function runToValues(run: Run): SqlValue[] {
  return [
    run.id,
    run.sessionId,
    run.interactionId,
    run.provider,
    run.model,
    run.conversationId,
    run.status,
    run.inputTokens,
    run.outputTokens,
    run.cacheCreationTokens,
    run.cacheReadTokens,
    run.costUsd,
    run.costUnknown ? 1 : 0,
    run.startedAt,
    run.endedAt,
    run.error,
    run.cacheCreation1hTokens,
    run.phase,
    run.modelAlias,
  ];
}

/** Agent runs: tokens and cost per invocation, rolled up into the session's totals. */
export class RunRepository implements RunsReads, RunsWrites, RunsImport {
  constructor(
    private readonly context: RepositoryContext,
    private readonly sessions: SessionRepository,
  ) {}

  get(id: string): Run | undefined {
    const row = this.context.db.get('SELECT * FROM runs WHERE id = ?', [id]);
    return row ? rowToRun(row) : undefined;
  }

  listBySession(sessionId: string): Run[] {
    return this.context.db.all('SELECT * FROM runs WHERE session_id = ? ORDER BY started_at, rowid', [sessionId]).map(rowToRun);
  }

  listByInteraction(interactionId: string): Run[] {
    return this.context.db.all('SELECT * FROM runs WHERE interaction_id = ? ORDER BY started_at, rowid', [interactionId]).map(rowToRun);
  }

  start(input: RunStartInput): Run {
    const parsed = parseWith(RunStartInputSchema, input, 'run');
    this.sessions.requireExists(parsed.sessionId);
    const run: Run = {
      ...parsed,
      id: parsed.id ?? this.context.newId(),
      status: 'running',
      ...ZERO_USAGE,
      costUsd: 0,
      costUnknown: false,
      startedAt: this.context.nowMillis(),
      endedAt: null,
      error: null,
    };
    this.context.db.run(`INSERT INTO runs (${RUN_COLUMNS.join(', ')}) VALUES (${RUN_COLUMNS.map(() => '?').join(', ')})`, runToValues(run));
    this.context.changed(run.sessionId, 'run');
    return run;
  }

  update(id: string, patch: RunUpdate): Run {
    const parsed = parseWith(RunUpdateSchema, patch, 'run update');
    const current = this.get(id);
    if (!current) throw new NotFoundError('run', id);
    const next: Run = { ...current, ...parsed, costUnknown: current.costUnknown || parsed.costUnknown === true };
    // A run left without tokens has nothing unpriced in it (e.g. its one response of a model without a
    // price was revised by a later line to a priced model, whose run counts it now): its cost is known.
    if (next.costUnknown && !hasTokens(next)) next.costUnknown = false;
    if (parsed.error !== undefined) next.error = redactSecretsNullable(parsed.error); // an error body may echo the API key: never stored
    if (next.status !== 'running' && next.endedAt === null) next.endedAt = this.context.nowMillis();
    const delta = {
      inputTokens: next.inputTokens - current.inputTokens,
      outputTokens: next.outputTokens - current.outputTokens,
      cacheCreationTokens: next.cacheCreationTokens - current.cacheCreationTokens,
      cacheCreation1hTokens: next.cacheCreation1hTokens - current.cacheCreation1hTokens,
      cacheReadTokens: next.cacheReadTokens - current.cacheReadTokens,
      costUsd: next.costUsd - current.costUsd,
    };
    const [, ...rest] = runToValues(next);
    this.context.db.run(
      `UPDATE runs SET ${RUN_COLUMNS.slice(1)
        .map((column) => `${column} = ?`)
        .join(', ')} WHERE id = ?`,
      [...rest, id],
    );
    if (Object.values(delta).some((value) => value !== 0)) this.sessions.addUsage(next.sessionId, delta);
    if (next.costUnknown && !current.costUnknown) this.sessions.markCostUnknown(next.sessionId);
    else if (!next.costUnknown && current.costUnknown) this.sessions.recountCostUnknown(next.sessionId);
    this.context.changed(next.sessionId, 'run');
    return next;
  }

  insertImported(run: Run): void {
    const parsed = parseWith(RunSchema, run, 'imported run');
    this.context.db.run(
      `INSERT INTO runs (${RUN_COLUMNS.join(', ')}) VALUES (${RUN_COLUMNS.map(() => '?').join(', ')})`,
      runToValues({ ...parsed, error: redactSecretsNullable(parsed.error) }),
    );
    this.context.changed(parsed.sessionId, 'run');
  }
}

function hasTokens(run: Run): boolean {
  return run.inputTokens + run.outputTokens + run.cacheCreationTokens + run.cacheReadTokens > 0;
}
