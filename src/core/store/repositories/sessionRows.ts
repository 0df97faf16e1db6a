// How a session is stored: its row in the `sessions` table, and back (see sessionRepository.ts).
import { SessionProgressSchema, type Session } from '../../model/session';
import type { SqlRow, SqlValue } from '../ledgerDatabase';
import { fromJsonText, nullableNum, nullableText, num, text, toJsonText } from './repositoryContext';

/**
 * The columns a session is written with, in the order of its values (`sessionToValues`). The team
 * ledger replicates the same list (core/sync/syncTables.ts): a column added here goes to the server
 * too, so its PostgreSQL migration must add it there.
 */
export const SESSION_COLUMNS = [
  'id',
  'parent_session_id',
  'type',
  'title',
  'slug',
  'intention',
  'success_criteria',
  'constraints',
  'agent',
  'provider',
  'environment',
  'execution_mode',
  'status',
  'phase',
  'state',
  'external_conversation_id',
  'working_dir',
  'workspace_folder',
  'tags',
  'summary',
  'total_cost_usd',
  'cost_unknown',
  'input_tokens',
  'output_tokens',
  'cache_creation_tokens',
  'cache_read_tokens',
  'interaction_count',
  'event_count',
  'last_event_at',
  'created_at',
  'updated_at',
  'ended_at',
  'deleted_at',
  'cache_creation_1h_tokens',
  'completion_criteria',
  'procedure_notes',
  'outcome_rating',
  'outcome_completion_percent',
  'outcome_needs_follow_up',
  'outcome_follow_up_notes',
  'outcome_next_session',
  'outcome_recorded_by',
  'outcome_at',
  'follows_session_id',
  'scheduled_at',
  'expected_minutes',
  'started_at',
  'progress',
] as const;
export const INSERT_SQL = `INSERT INTO sessions (${SESSION_COLUMNS.join(', ')}) VALUES (${SESSION_COLUMNS.map(() => '?').join(', ')})`;
export const UPDATE_SQL = `UPDATE sessions SET ${SESSION_COLUMNS.slice(1)
  .map((column) => `${column} = ?`)
  .join(', ')} WHERE id = ?`;

function rowToOutcome(row: SqlRow): Session['outcome'] {
  const recordedAt = nullableNum(row, 'outcome_at');
  if (recordedAt === null) return null;
  return {
    rating: num(row, 'outcome_rating'),
    completionPercent: num(row, 'outcome_completion_percent'),
    needsFollowUp: num(row, 'outcome_needs_follow_up') === 1,
    followUpNotes: nullableText(row, 'outcome_follow_up_notes') ?? '',
    nextSessionSuggestion: nullableText(row, 'outcome_next_session') ?? '',
    recordedBy: text(row, 'outcome_recorded_by') as NonNullable<Session['outcome']>['recordedBy'],
    recordedAt,
  };
}

/** The latest Check Progress (migration 0011); a damaged value reads as none rather than failing the whole session. */
function rowToProgress(row: SqlRow): Session['progress'] {
  const value = row.progress;
  if (value === null || value === undefined) return null;
  try {
    const parsed = SessionProgressSchema.safeParse(fromJsonText(value));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function rowToSession(row: SqlRow): Session {
  return {
    id: text(row, 'id'),
    parentSessionId: nullableText(row, 'parent_session_id'),
    followsSessionId: nullableText(row, 'follows_session_id'),
    type: text(row, 'type'),
    title: text(row, 'title'),
    slug: text(row, 'slug'),
    intention: text(row, 'intention'),
    successCriteria: fromJsonText(row.success_criteria),
    completionCriteria: fromJsonText(row.completion_criteria),
    constraints: fromJsonText(row.constraints),
    procedureNotes: text(row, 'procedure_notes'),
    agent: text(row, 'agent') as Session['agent'],
    provider: text(row, 'provider') as Session['provider'],
    environment: text(row, 'environment') as Session['environment'],
    executionMode: text(row, 'execution_mode') as Session['executionMode'],
    status: text(row, 'status') as Session['status'],
    phase: nullableText(row, 'phase'),
    state: fromJsonText(row.state),
    externalConversationId: nullableText(row, 'external_conversation_id'),
    workingDir: nullableText(row, 'working_dir'),
    workspaceFolder: nullableText(row, 'workspace_folder'),
    tags: fromJsonText(row.tags),
    summary: nullableText(row, 'summary'),
    outcome: rowToOutcome(row),
    scheduledAt: nullableNum(row, 'scheduled_at'),
    expectedMinutes: nullableNum(row, 'expected_minutes'),
    startedAt: nullableNum(row, 'started_at'),
    progress: rowToProgress(row),
    totalCostUsd: num(row, 'total_cost_usd'),
    costUnknown: num(row, 'cost_unknown') === 1,
    inputTokens: num(row, 'input_tokens'),
    outputTokens: num(row, 'output_tokens'),
    cacheCreationTokens: num(row, 'cache_creation_tokens'),
    cacheCreation1hTokens: num(row, 'cache_creation_1h_tokens'),
    cacheReadTokens: num(row, 'cache_read_tokens'),
    interactionCount: num(row, 'interaction_count'),
    eventCount: num(row, 'event_count'),
    lastEventAt: nullableNum(row, 'last_event_at'),
    createdAt: num(row, 'created_at'),
    updatedAt: num(row, 'updated_at'),
    endedAt: nullableNum(row, 'ended_at'),
    deletedAt: nullableNum(row, 'deleted_at'),
  };
}

export function sessionToValues(session: Session): SqlValue[] {
  const outcome = session.outcome;
  return [
    session.id,
    session.parentSessionId,
    session.type,
    session.title,
    session.slug,
    session.intention,
    toJsonText(session.successCriteria),
    toJsonText(session.constraints),
    session.agent,
    session.provider,
    session.environment,
    session.executionMode,
    session.status,
    session.phase,
    toJsonText(session.state),
    session.externalConversationId,
    session.workingDir,
    session.workspaceFolder,
    toJsonText(session.tags),
    session.summary,
    session.totalCostUsd,
    session.costUnknown ? 1 : 0,
    session.inputTokens,
    session.outputTokens,
    session.cacheCreationTokens,
    session.cacheReadTokens,
    session.interactionCount,
    session.eventCount,
    session.lastEventAt,
    session.createdAt,
    session.updatedAt,
    session.endedAt,
    session.deletedAt,
    session.cacheCreation1hTokens,
    toJsonText(session.completionCriteria),
    session.procedureNotes,
    outcome?.rating ?? null,
    outcome?.completionPercent ?? null,
    outcome === null ? null : outcome.needsFollowUp ? 1 : 0,
    outcome?.followUpNotes ?? null,
    outcome?.nextSessionSuggestion ?? null,
    outcome?.recordedBy ?? null,
    outcome?.recordedAt ?? null,
    session.followsSessionId,
    session.scheduledAt,
    session.expectedMinutes,
    session.startedAt,
    session.progress === null ? null : toJsonText(session.progress),
  ];
}
