/**
 * Import of an export file (the format: ./exportFormat.ts).
 *
 * Import validates the file with zod, then every record against the session it is filed under
 * and against the store, and writes through the store's repositories (so seqs, counters and
 * search indexing are the store's own) in ONE transaction: a file with any error imports nothing,
 * and the error names the file, the record (kind, id, place in the file) and the field.
 * Re-importing is idempotent (a record already stored is left alone); a record whose id (or seq)
 * is taken by different content is a conflict: not imported, reported by record. A session that
 * already exists receives the records it lacks (a longer export of the same session).
 */
import type { z } from 'zod';
import type { SessionSchema } from '../model/session';
import type { StoreTransaction } from '../store/repositoryApi';
import type { TransactionalStore } from '../store/ports';
import { parentsFirst, type ExportedSession, type ExportOptions, type LedgerExport } from './exportFormat';
import { ExportSanitizer } from './exportSanitizer';
import { LedgerImportError, MAX_PROBLEMS, type LedgerImportProblem, type LedgerRecordKind } from './importValidation';

/** A record of the file not imported because its id (or its seq) holds different content in the store. */
export type LedgerImportConflict = LedgerImportProblem;

export interface LedgerImportReport {
  /** The file named in problems and conflicts. */
  file: string;
  sessionsAdded: number;
  /** Sessions that already existed and were completed with the records they lacked. */
  sessionsMerged: number;
  recordsAdded: number;
  /** Records skipped because the same record is stored already (re-import). */
  recordsUnchanged: number;
  /** Records not imported: their id or seq holds different content here (the stored record is kept). */
  conflicts: LedgerImportConflict[];
  /** Sessions whose parent is neither in the file nor in the store: imported as top-level. */
  detachedFromParent: string[];
  sessionIds: string[];
}

export interface ImportOptions extends ExportOptions {
  /** How errors and conflicts name the file (e.g. its workspace-relative path). */
  file?: string;
}

/** The first field where two JSON-like values differ (`payload.text`), or undefined when they are equal. */
function firstDifference(a: unknown, b: unknown, path = ''): string | undefined {
  if (a === b) return undefined;
  const here = path || '(record)';
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return here;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return here;
    for (let i = 0; i < a.length; i++) {
      const diff = firstDifference(a[i], b[i], path ? `${path}.${i}` : String(i));
      if (diff) return diff;
    }
    return undefined;
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ra), ...Object.keys(rb)]);
  for (const key of keys) {
    if (ra[key] === undefined && rb[key] === undefined) continue;
    const diff = firstDifference(ra[key], rb[key], path ? `${path}.${key}` : key);
    if (diff) return diff;
  }
  return undefined;
}

type PlannedWrite = { record: string; kind: LedgerRecordKind; id: string; write: () => void };

interface SessionPlan {
  session: ExportedSession;
  index: number;
  isNew: boolean;
  /** Where the parent was unknown: imported at top level. */
  parentSessionId: string | null;
  followsSessionId: string | null;
  writes: PlannedWrite[];
}

/**
 * Imports an export in ONE store transaction, through the store's repositories. Throws a
 * {@link LedgerImportError} (and writes nothing) when any record is invalid: filed under another
 * session, a duplicate within the file, a reference to a record that is nowhere. Records whose id
 * or seq holds different content here are conflicts: reported, not imported.
 */
export async function importLedger(
  store: TransactionalStore,
  data: LedgerExport,
  options: ImportOptions = {},
): Promise<LedgerImportReport> {
  const file = options.file ?? 'the import file';
  const sanitizer = new ExportSanitizer(options);
  return store.transaction((tx) => {
    const report: LedgerImportReport = {
      file,
      sessionsAdded: 0,
      sessionsMerged: 0,
      recordsAdded: 0,
      recordsUnchanged: 0,
      conflicts: [],
      detachedFromParent: [],
      sessionIds: [],
    };
    const problems: LedgerImportProblem[] = [];
    const plans = planImport(tx, data, file, sanitizer, report, problems);
    if (problems.length) throw new LedgerImportError(problems.slice(0, MAX_PROBLEMS));

    for (const plan of plans) {
      const { session } = plan;
      if (plan.isNew) {
        run({ record: `sessions.${plan.index}`, kind: 'session', id: session.id }, () =>
          tx.sessions.insertImported({
            ...withoutRecords(session),
            parentSessionId: plan.parentSessionId,
            followsSessionId: plan.followsSessionId,
          }),
        );
      }
      for (const write of plan.writes) {
        run(write, write.write);
        report.recordsAdded++;
      }
      if (plan.isNew || plan.writes.length > 0) tx.sessions.recountFromRecords(session.id);
      if (plan.isNew) report.sessionsAdded++;
      else if (plan.writes.length > 0) report.sessionsMerged++;
    }
    return report;

    /** Runs one write; a refusal by the database (a constraint) names the record instead of failing bare. */
    function run(where: { record: string; kind: LedgerRecordKind; id: string }, write: () => void): void {
      try {
        write();
      } catch (error) {
        throw new LedgerImportError([
          {
            file,
            kind: where.kind,
            id: where.id,
            record: where.record,
            field: '(record)',
            message: `the store refused it (${(error as Error).message})`,
          },
        ]);
      }
    }
  });
}

function withoutRecords(session: ExportedSession): z.infer<typeof SessionSchema> {
  const { interactions: _i, events: _e, runs: _r, artifacts: _a, notes: _n, conversations: _c, startedAt, ...fields } = session;
  return { ...fields, startedAt: startedAt === undefined ? fields.createdAt : startedAt };
}

/** Phase one of an import (reads only): every record checked, the writes planned, problems and conflicts collected. */
function planImport(
  tx: StoreTransaction,
  data: LedgerExport,
  file: string,
  sanitizer: ExportSanitizer,
  report: LedgerImportReport,
  problems: LedgerImportProblem[],
): SessionPlan[] {
  const inFile = new Set(data.sessions.map((s) => s.id));
  const idsInFile = new Map<string, string>(); // `${kind}:${id}` → record place, for duplicates
  const indexOf = new Map(data.sessions.map((s, index) => [s, index]));
  const plans: SessionPlan[] = [];
  /** The session each interaction and run of the file is filed under (`interaction:<id>` → session id). */
  const filedUnder = new Map<string, string>();
  for (const s of data.sessions) {
    for (const i of s.interactions) filedUnder.set(`interaction:${i.id}`, s.id);
    for (const r of s.runs) filedUnder.set(`run:${r.id}`, s.id);
  }

  for (const session of parentsFirst(data.sessions)) {
    const index = indexOf.get(session)!;
    const at = `sessions.${index}`;
    report.sessionIds.push(session.id);
    const problem = (kind: LedgerRecordKind, id: string | null, record: string, field: string, message: string) =>
      problems.push({ file, kind, id, record, field, message });
    const conflict = (kind: LedgerRecordKind, id: string, record: string, field: string, message: string) =>
      report.conflicts.push({ file, kind, id, record, field, message });
    const firstSeen = (kind: LedgerRecordKind, id: string, record: string): boolean => {
      const earlier = idsInFile.get(`${kind}:${id}`);
      if (earlier !== undefined) {
        problem(kind, id, record, 'id', `the same id is also at ${earlier}; an id names one record`);
        return false;
      }
      idsInFile.set(`${kind}:${id}`, record);
      return true;
    };
    if (!firstSeen('session', session.id, at)) continue;

    const local = tx.sessions.get(session.id);
    if (local && (local.type !== session.type || local.createdAt !== session.createdAt)) {
      const field = local.type !== session.type ? 'type' : 'createdAt';
      conflict(
        'session',
        session.id,
        at,
        field,
        `a different session with this id is stored here (${field} differs); it and its records were not imported`,
      );
      continue;
    }
    const parent = session.parentSessionId;
    const parentKnown = parent === null || inFile.has(parent) || tx.sessions.get(parent) !== undefined;
    if (!parentKnown) report.detachedFromParent.push(session.id);
    // A follow-up of a session that is neither here nor in the file (an export of one session) keeps no link.
    const follows = session.followsSessionId;
    const followsKnown = follows !== null && (inFile.has(follows) || tx.sessions.get(follows) !== undefined);
    const plan: SessionPlan = {
      session,
      index,
      isNew: !local,
      parentSessionId: parentKnown ? parent : null,
      followsSessionId: followsKnown ? follows : null,
      writes: [],
    };
    plans.push(plan);
    const folder = local?.workspaceFolder ?? session.workspaceFolder;
    const same = (stored: unknown, incoming: unknown): string | undefined =>
      firstDifference(sanitizer.sanitize(stored, folder), sanitizer.sanitize(incoming, folder));

    /** Checks one record of the session; returns true when it is to be written. */
    const check = <R extends { id: string }>(
      kind: LedgerRecordKind,
      record: string,
      item: R,
      owner: { field: string; actual: string; expected: string; under: string },
      stored: R | undefined,
      seqHolder?: () => { id: string } | undefined,
      comparable: (r: R) => unknown = (r) => r,
    ): boolean => {
      if (!firstSeen(kind, item.id, record)) return false;
      if (owner.actual !== owner.expected) {
        problem(
          kind,
          item.id,
          record,
          owner.field,
          `is ${owner.actual}, but the record is filed under ${owner.under}; a record must belong to the ${owner.under.split(' ')[0]} it is filed under`,
        );
        return false;
      }
      if (stored) {
        const difference = same(comparable(stored), comparable(item));
        if (difference === undefined) {
          report.recordsUnchanged++;
        } else {
          conflict(
            kind,
            item.id,
            record,
            difference,
            'a record with this id and different content is stored here (kept; this one was not imported)',
          );
        }
        return false;
      }
      const holder = seqHolder?.();
      if (holder) {
        conflict(
          kind,
          item.id,
          record,
          'seq',
          `its seq is taken here by a different record (${JSON.stringify(holder.id)}; kept, this one was not imported)`,
        );
        return false;
      }
      return true;
    };
    const seqsOnce = (kind: LedgerRecordKind, list: readonly { id: string; seq: number }[], path: string) => {
      const seen = new Map<number, number>();
      list.forEach((item, i) => {
        const earlier = seen.get(item.seq);
        if (earlier !== undefined)
          problem(kind, item.id, `${path}.${i}`, 'seq', `seq ${item.seq} is also used by ${path}.${earlier}; seqs are unique`);
        else seen.set(item.seq, i);
      });
    };
    const owner = (actual: string) => ({ field: 'sessionId', actual, expected: session.id, under: `session ${session.id} (${at})` });
    /** An event or run may point at an interaction or run of its own session only (one that is nowhere is tolerated, as the store does). */
    const ownReference = (
      kind: LedgerRecordKind,
      item: { id: string },
      record: string,
      field: 'interactionId' | 'runId',
      target: string | null,
    ): boolean => {
      if (target === null) return true;
      const targetKind = field === 'interactionId' ? 'interaction' : 'run';
      const other =
        filedUnder.get(`${targetKind}:${target}`) ??
        (field === 'interactionId' ? tx.interactions.get(target) : tx.runs.get(target))?.sessionId;
      if (other === undefined || other === session.id) return true;
      problem(
        kind,
        item.id,
        record,
        field,
        `points at ${targetKind} ${target} of session ${other}; a record may only point at records of its own session (${session.id}, ${at})`,
      );
      return false;
    };
    const add = (kind: LedgerRecordKind, record: string, id: string, write: () => void) => plan.writes.push({ kind, record, id, write });

    seqsOnce('interaction', session.interactions, `${at}.interactions`);
    seqsOnce('event', session.events, `${at}.events`);
    session.interactions.forEach((item, i) => {
      const record = `${at}.interactions.${i}`;
      if (
        check('interaction', record, item, owner(item.sessionId), tx.interactions.get(item.id), () =>
          tx.interactions.getBySeq(session.id, item.seq),
        )
      ) {
        add('interaction', record, item.id, () => tx.interactions.insertImported(item));
      }
    });
    session.runs.forEach((item, i) => {
      const record = `${at}.runs.${i}`;
      if (!ownReference('run', item, record, 'interactionId', item.interactionId)) return;
      if (check('run', record, item, owner(item.sessionId), tx.runs.get(item.id)))
        add('run', record, item.id, () => tx.runs.insertImported(item));
    });
    session.events.forEach((item, i) => {
      const record = `${at}.events.${i}`;
      if (
        !ownReference('event', item, record, 'interactionId', item.interactionId) ||
        !ownReference('event', item, record, 'runId', item.runId)
      )
        return;
      if (check('event', record, item, owner(item.sessionId), tx.events.get(item.id), () => tx.events.getBySeq(session.id, item.seq))) {
        add('event', record, item.id, () => tx.events.insertImported(item));
      }
    });
    session.artifacts.forEach((item, i) => {
      const record = `${at}.artifacts.${i}`;
      if (check('artifact', record, item, owner(item.sessionId), tx.artifacts.get(item.id)))
        add('artifact', record, item.id, () => tx.artifacts.insertImported(item));
    });
    session.notes.forEach((item, i) => {
      const record = `${at}.notes.${i}`;
      if (check('note', record, item, owner(item.sessionId), tx.notes.get(item.id)))
        add('note', record, item.id, () => tx.notes.insertImported(item));
    });
    session.conversations.forEach((conversation, ci) => {
      const record = `${at}.conversations.${ci}`;
      const { messages, ...fields } = conversation;
      const stored = tx.conversations.get(conversation.id);
      // A conversation's message count and update time follow its messages: not part of its identity.
      const identity = (c: typeof fields) => ({ ...c, messageCount: undefined, updatedAt: undefined });
      const isNew = check('conversation', record, fields, owner(conversation.sessionId), stored, undefined, identity);
      if (isNew) add('conversation', record, conversation.id, () => tx.conversations.insertImported(fields));
      else if (
        !stored ||
        firstDifference(identity(sanitizer.sanitize(stored, folder)), identity(sanitizer.sanitize(fields, folder))) !== undefined
      )
        return; // refused or a conflict: its messages go with it
      seqsOnce('message', messages, `${record}.messages`);
      messages.forEach((message, mi) => {
        const where = `${record}.messages.${mi}`;
        const messageOwner = {
          field: 'conversationId',
          actual: message.conversationId,
          expected: conversation.id,
          under: `conversation ${conversation.id} (${record})`,
        };
        const holder = () => (isNew ? undefined : tx.conversations.getMessageBySeq(conversation.id, message.seq));
        if (check('message', where, message, messageOwner, tx.conversations.getMessage(message.id), holder)) {
          add('message', where, message.id, () => tx.conversations.insertImportedMessage(message));
        }
      });
    });
  }
  return plans;
}
