/**
 * Validation of an import file: a bad file gets an error naming the file, the record (kind, id,
 * place in the file) and the field.
 */
import { LedgerExportSchema, type LedgerExport } from './exportFormat';

export type LedgerRecordKind = 'file' | 'session' | 'interaction' | 'event' | 'run' | 'artifact' | 'note' | 'conversation' | 'message';

/** Where a problem is: the file, the record (its kind, id and place in the file) and the field. */
export interface LedgerImportProblem {
  file: string;
  kind: LedgerRecordKind;
  /** The record's id, when it has one. */
  id: string | null;
  /** The record's place in the file: `sessions.0.events.12`. */
  record: string;
  /** The field within the record (`sessionId`, `payload.text`), or `(record)` for the record as a whole. */
  field: string;
  message: string;
}

export function describeImportProblem(problem: LedgerImportProblem): string {
  const what =
    problem.kind === 'file'
      ? problem.record
      : `${problem.kind}${problem.id !== null ? ` ${JSON.stringify(problem.id)}` : ''} (${problem.record})`;
  return `${problem.file}: ${what}, field "${problem.field}": ${problem.message}`;
}

export const MAX_PROBLEMS = 20;

/** A file that cannot be imported: nothing of it was written. */
export class LedgerImportError extends Error {
  constructor(readonly problems: readonly LedgerImportProblem[]) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length === 2 ? '' : 's'})` : '';
    super(
      `Not a valid Session Ledger export, nothing was imported: ${problems[0] ? describeImportProblem(problems[0]) : 'no problem recorded'}${more}. Fix the file or export it again.`,
    );
    this.name = 'LedgerImportError';
  }

  /** The first problem's full path in the file (`sessions.3.events.12.ts`). */
  get field(): string {
    const first = this.problems[0];
    if (first === undefined) return '';
    return first.field === '(record)' ? first.record : `${first.record}.${first.field}`;
  }
}

const RECORD_ARRAYS: Record<string, LedgerRecordKind> = {
  interactions: 'interaction',
  events: 'event',
  runs: 'run',
  artifacts: 'artifact',
  notes: 'note',
  conversations: 'conversation',
};

/** The record a path into the file points at, and the rest of the path (the field). */
function locate(file: string, path: readonly PropertyKey[], root: unknown, message: string): LedgerImportProblem {
  const at = (value: unknown, key: PropertyKey): unknown =>
    value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  const idOf = (value: unknown): string | null => (typeof at(value, 'id') === 'string' ? (at(value, 'id') as string) : null);
  const join = (parts: readonly PropertyKey[]) => parts.map(String).join('.') || '(record)';
  if (path[0] !== 'sessions' || typeof path[1] !== 'number') {
    return { file, kind: 'file', id: null, record: '(file)', field: join(path), message };
  }
  const session = at(at(root, 'sessions'), path[1]);
  const kind = typeof path[2] === 'string' ? RECORD_ARRAYS[path[2]] : undefined;
  if (!kind || typeof path[3] !== 'number') {
    return { file, kind: 'session', id: idOf(session), record: join(path.slice(0, 2)), field: join(path.slice(2)), message };
  }
  const record = at(at(session, path[2]!), path[3]); // path[3] is a number (checked above), so path[2] exists
  if (kind === 'conversation' && path[4] === 'messages' && typeof path[5] === 'number') {
    return {
      file,
      kind: 'message',
      id: idOf(at(at(record, 'messages'), path[5])),
      record: join(path.slice(0, 6)),
      field: join(path.slice(6)),
      message,
    };
  }
  return { file, kind, id: idOf(record), record: join(path.slice(0, 4)), field: join(path.slice(4)), message };
}

/** Parses and validates export text; a bad file gets an error naming the file, record and field (`sessions.3.events.12`, `ts`). */
export function parseLedgerExport(text: string, file = 'the import file'): LedgerExport {
  let value: unknown;
  try {
    value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (err) {
    throw new LedgerImportError([
      { file, kind: 'file', id: null, record: '(file)', field: '(file)', message: `not JSON (${(err as Error).message})` },
    ]);
  }
  const parsed = LedgerExportSchema.safeParse(value);
  if (!parsed.success) {
    throw new LedgerImportError(parsed.error.issues.slice(0, MAX_PROBLEMS).map((issue) => locate(file, issue.path, value, issue.message)));
  }
  return parsed.data;
}
