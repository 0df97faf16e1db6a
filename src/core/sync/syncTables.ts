import { RUN_COLUMNS } from '../store/repositories/runRepository';
import { SESSION_COLUMNS } from '../store/repositories/sessionRows';
import type { CapturedTable } from '../store/syncCapture';

/**
 * What is replicated, table by table: the columns shared by the local ledger and the team server
 * (migrations/postgres/0001_team_ledger.sql and the later files: 0002 for local 0010, 0003 for local 0011 and 0012), in the order rows must be applied (sessions before
 * what refers to them). Messages (conversation contents) and artifacts' contents stay local.
 * Sessions and runs replicate the columns their row modules write, so a column a local migration
 * adds there is replicated without a second list to keep (test/sync checks the server has each one).
 */

/** The tables the store's capture triggers record (store/syncCapture.ts). */
export type SyncTableName = CapturedTable;

export interface SyncTable {
  readonly name: SyncTableName;
  /** Columns copied both ways (the id first). */
  readonly columns: readonly string[];
  /** Columns holding JSON text: redacted as JSON (keys and strings), so they stay valid JSON. */
  readonly jsonColumns: readonly string[];
  /** Columns never redacted (ids, enums, hashes): everything else that is text is. */
  readonly plainColumns: readonly string[];
}

const ID_COLUMNS = [
  'id',
  'session_id',
  'parent_session_id',
  'follows_session_id',
  'interaction_id',
  'run_id',
  'conversation_id',
  'correlation_id',
];

export const SYNC_TABLES: readonly SyncTable[] = [
  {
    name: 'sessions',
    // What the ledger writes, and the seq of the session's last event (kept by the events).
    columns: [...SESSION_COLUMNS, 'last_event_seq'],
    jsonColumns: ['success_criteria', 'completion_criteria', 'constraints', 'state', 'tags', 'progress'],
    plainColumns: [
      ...ID_COLUMNS,
      'type',
      'slug',
      'agent',
      'provider',
      'environment',
      'execution_mode',
      'status',
      'phase',
      'outcome_recorded_by',
    ],
  },
  {
    name: 'conversations',
    columns: ['id', 'session_id', 'provider', 'model', 'system', 'message_count', 'created_at', 'updated_at'],
    jsonColumns: [],
    plainColumns: [...ID_COLUMNS, 'provider', 'model'],
  },
  {
    name: 'interactions',
    columns: [
      'id',
      'session_id',
      'seq',
      'step',
      'command_kind',
      'command',
      'command_metadata',
      'command_at',
      'result_status',
      'exit_code',
      'output',
      'result_data',
      'error_message',
      'duration_ms',
      'completed_at',
    ],
    jsonColumns: ['command_metadata', 'result_data'],
    plainColumns: [...ID_COLUMNS, 'step', 'command_kind', 'result_status'],
  },
  {
    name: 'runs',
    columns: RUN_COLUMNS,
    jsonColumns: [],
    plainColumns: [...ID_COLUMNS, 'provider', 'model', 'status', 'phase', 'model_alias'],
  },
  {
    name: 'events',
    columns: ['id', 'session_id', 'seq', 'interaction_id', 'run_id', 'type', 'tool_name', 'payload', 'correlation_id', 'ts'],
    jsonColumns: ['payload'],
    plainColumns: [...ID_COLUMNS, 'type', 'tool_name'],
  },
  {
    name: 'artifacts',
    columns: [
      'id',
      'session_id',
      'key',
      'kind',
      'content_type',
      'byte_size',
      'sha256',
      'path',
      'created_at',
      'deleted_at',
      'review_state',
      'reviewed_by',
      'reviewed_at',
      'review_comment',
    ],
    jsonColumns: [],
    plainColumns: [...ID_COLUMNS, 'kind', 'content_type', 'sha256', 'review_state'],
  },
  {
    name: 'notes',
    columns: ['id', 'session_id', 'kind', 'content', 'interaction_seq', 'created_at', 'important', 'follow_up'],
    jsonColumns: [],
    plainColumns: [...ID_COLUMNS, 'kind'],
  },
];

export const SYNC_TABLE: Readonly<Record<SyncTableName, SyncTable>> = Object.fromEntries(
  SYNC_TABLES.map((table) => [table.name, table]),
) as Record<SyncTableName, SyncTable>;
