import { NoteAddInputSchema, NoteSchema, type Note, type NoteAddInput } from '../../model/note';
import { parseWith } from '../../model/validation';
import type { SqlRow, SqlValue } from '../ledgerDatabase';
import type { NotesImport, NotesReads, NotesWrites } from '../repositoryApi';
import { nullableNum, num, text, type RepositoryContext } from './repositoryContext';
import type { SessionRepository } from './sessionRepository';

function rowToNote(row: SqlRow): Note {
  return {
    id: text(row, 'id'),
    sessionId: text(row, 'session_id'),
    kind: text(row, 'kind'),
    content: text(row, 'content'),
    interactionSeq: nullableNum(row, 'interaction_seq'),
    important: num(row, 'important') === 1,
    followUp: num(row, 'follow_up') === 1,
    createdAt: num(row, 'created_at'),
  };
}

const INSERT_SQL =
  'INSERT INTO notes (id, session_id, kind, content, interaction_seq, important, follow_up, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)';

function noteToValues(note: Note): SqlValue[] {
  return [
    note.id,
    note.sessionId,
    note.kind,
    note.content,
    note.interactionSeq,
    note.important ? 1 : 0,
    note.followUp ? 1 : 0,
    note.createdAt,
  ];
}

/** Notes on a session, optionally tied to an interaction by its seq. */
export class NoteRepository implements NotesReads, NotesWrites, NotesImport {
  constructor(
    private readonly context: RepositoryContext,
    private readonly sessions: SessionRepository,
  ) {}

  get(id: string): Note | undefined {
    const row = this.context.db.get('SELECT * FROM notes WHERE id = ?', [id]);
    return row ? rowToNote(row) : undefined;
  }

  list(sessionId: string): Note[] {
    return this.context.db.all('SELECT * FROM notes WHERE session_id = ? ORDER BY created_at, rowid', [sessionId]).map(rowToNote);
  }

  add(input: NoteAddInput): Note {
    const parsed = parseWith(NoteAddInputSchema, input, 'note');
    this.sessions.require(parsed.sessionId);
    const note: Note = { ...parsed, id: parsed.id ?? this.context.newId(), createdAt: this.context.nowMillis() };
    this.context.db.run(INSERT_SQL, noteToValues(note));
    this.context.changed(note.sessionId, 'note');
    return note;
  }

  insertImported(note: Note): void {
    const n = parseWith(NoteSchema, note, 'imported note');
    this.context.db.run(INSERT_SQL, noteToValues(n));
    this.context.changed(n.sessionId, 'note');
  }
}
