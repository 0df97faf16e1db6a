import {
  INTERACTION_OUTPUT_MAX_CHARS,
  InteractionAppendInputSchema,
  InteractionResultInputSchema,
  InteractionSchema,
  type Interaction,
  type InteractionAppendInput,
  type InteractionResultInput,
} from '../../model/interaction';
import { parseWith } from '../../model/validation';
import { tailOf } from '../../../protocol/displayText';
import type { SqlRow } from '../ledgerDatabase';
import { redactSecretsNullable } from '../../ledger/redaction';
import type { InteractionsImport, InteractionsReads, InteractionsWrites, PageOptions } from '../repositoryApi';
import {
  NotFoundError,
  fromJsonText,
  nullableNum,
  nullableText,
  num,
  page,
  text,
  toJsonText,
  type RepositoryContext,
} from './repositoryContext';
import type { SessionRepository } from './sessionRepository';

function rowToInteraction(row: SqlRow): Interaction {
  return {
    id: text(row, 'id'),
    sessionId: text(row, 'session_id'),
    seq: num(row, 'seq'),
    command: {
      step: text(row, 'step'),
      kind: text(row, 'command_kind') as Interaction['command']['kind'],
      command: text(row, 'command'),
      metadata: fromJsonText(row.command_metadata),
    },
    commandAtMicros: num(row, 'command_at'),
    result: {
      status: text(row, 'result_status') as Interaction['result']['status'],
      exitCode: nullableNum(row, 'exit_code'),
      output: nullableText(row, 'output'),
      data: row.result_data === null ? null : fromJsonText(row.result_data),
      errorMessage: nullableText(row, 'error_message'),
      durationMs: nullableNum(row, 'duration_ms'),
      completedAt: nullableNum(row, 'completed_at'),
    },
  };
}

/** Keeps the tail of over-long output, with a marker saying how much was dropped. */
export function capOutput(output: string | null): string | null {
  return output === null
    ? null
    : tailOf(output, INTERACTION_OUTPUT_MAX_CHARS, (dropped) => `[… ${dropped} earlier characters dropped …]\n`);
}

/** Interactions: a command appended with a contiguous per-session seq, then its result. */
export class InteractionRepository implements InteractionsReads, InteractionsWrites, InteractionsImport {
  constructor(
    private readonly context: RepositoryContext,
    private readonly sessions: SessionRepository,
  ) {}

  get(id: string): Interaction | undefined {
    const row = this.context.db.get('SELECT * FROM interactions WHERE id = ?', [id]);
    return row ? rowToInteraction(row) : undefined;
  }

  getBySeq(sessionId: string, seq: number): Interaction | undefined {
    const row = this.context.db.get('SELECT * FROM interactions WHERE session_id = ? AND seq = ?', [sessionId, seq]);
    return row ? rowToInteraction(row) : undefined;
  }

  list(sessionId: string, options?: PageOptions): Interaction[] {
    const { after, limit } = page(options);
    return this.context.db
      .all('SELECT * FROM interactions WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ?', [sessionId, after, limit])
      .map(rowToInteraction);
  }

  latest(sessionId: string): Interaction | undefined {
    const row = this.context.db.get('SELECT * FROM interactions WHERE session_id = ? ORDER BY seq DESC LIMIT 1', [sessionId]);
    return row ? rowToInteraction(row) : undefined;
  }

  listPending(sessionId?: string): Interaction[] {
    const rows =
      sessionId === undefined
        ? this.context.db.all("SELECT * FROM interactions WHERE result_status = 'pending' ORDER BY session_id, seq")
        : this.context.db.all("SELECT * FROM interactions WHERE result_status = 'pending' AND session_id = ? ORDER BY seq", [sessionId]);
    return rows.map(rowToInteraction);
  }

  append(input: InteractionAppendInput): Interaction {
    const parsed = parseWith(InteractionAppendInputSchema, input, 'interaction');
    const seq = this.sessions.claimInteractionSeq(parsed.sessionId);
    const interaction: Interaction = {
      id: parsed.id ?? this.context.newId(),
      sessionId: parsed.sessionId,
      seq,
      command: { step: parsed.step, kind: parsed.kind, command: parsed.command, metadata: parsed.metadata },
      commandAtMicros: parsed.commandAtMicros ?? this.context.nowMicros(),
      result: { status: 'pending', exitCode: null, output: null, data: null, errorMessage: null, durationMs: null, completedAt: null },
    };
    this.context.db.run(
      'INSERT INTO interactions (id, session_id, seq, step, command_kind, command, command_metadata, command_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      [
        interaction.id,
        interaction.sessionId,
        seq,
        parsed.step,
        parsed.kind,
        parsed.command,
        toJsonText(parsed.metadata),
        interaction.commandAtMicros,
      ],
    );
    this.context.changed(interaction.sessionId, 'interaction');
    return interaction;
  }

  setResult(id: string, result: InteractionResultInput): Interaction {
    const parsed = parseWith(InteractionResultInputSchema, result, 'interaction result');
    const current = this.get(id);
    if (!current) throw new NotFoundError('interaction', id);
    if (current.result.status !== 'pending') {
      throw new Error(
        `Interaction ${id} (seq ${current.seq} of session ${current.sessionId}) already has a "${current.result.status}" result; a result is recorded once.`,
      );
    }
    return this.writeResult(current, parsed);
  }

  reviseResult(id: string, result: InteractionResultInput): Interaction {
    const parsed = parseWith(InteractionResultInputSchema, result, 'interaction result');
    const current = this.get(id);
    if (!current) throw new NotFoundError('interaction', id);
    if (current.result.status === 'pending') {
      throw new Error(
        `Interaction ${id} (seq ${current.seq} of session ${current.sessionId}) has no result yet; record it with setResult.`,
      );
    }
    return this.writeResult(current, parsed);
  }

  private writeResult(current: Interaction, parsed: ReturnType<typeof InteractionResultInputSchema.parse>): Interaction {
    const { id } = current;
    const recorded: Interaction['result'] = {
      ...parsed,
      output: capOutput(parsed.output),
      // A gateway may echo request headers (the API key) in its error: never stored.
      errorMessage: redactSecretsNullable(parsed.errorMessage),
      completedAt: parsed.completedAt ?? this.context.nowMillis(),
    };
    this.context.db.run(
      'UPDATE interactions SET result_status = ?, exit_code = ?, output = ?, result_data = ?, error_message = ?, duration_ms = ?, completed_at = ? WHERE id = ?',
      [
        recorded.status,
        recorded.exitCode,
        recorded.output,
        recorded.data === null ? null : toJsonText(recorded.data),
        recorded.errorMessage,
        recorded.durationMs,
        recorded.completedAt,
        id,
      ],
    );
    this.context.changed(current.sessionId, 'interaction');
    return { ...current, result: recorded };
  }

  insertImported(interaction: Interaction): void {
    const parsed = parseWith(InteractionSchema, interaction, 'imported interaction');
    const { command, result } = parsed;
    this.context.db.run(
      'INSERT INTO interactions (id, session_id, seq, step, command_kind, command, command_metadata, command_at, result_status, exit_code, output, result_data, error_message, duration_ms, completed_at) ' +
        'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [
        parsed.id,
        parsed.sessionId,
        parsed.seq,
        command.step,
        command.kind,
        command.command,
        toJsonText(command.metadata),
        parsed.commandAtMicros,
        result.status,
        result.exitCode,
        capOutput(result.output),
        result.data === null ? null : toJsonText(result.data),
        redactSecretsNullable(result.errorMessage),
        result.durationMs,
        result.completedAt,
      ],
    );
    this.context.changed(parsed.sessionId, 'interaction');
  }
}
