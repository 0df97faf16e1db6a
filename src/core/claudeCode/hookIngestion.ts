/**
 * Ingests the hook spool (lines written by `hookSpool.ts`) into the event log.
 *
 * - Reads from the byte offset stored beside the spool (`<spool>.offset`), only complete lines.
 * - Each line becomes an event with id `hook:<sha-256 of the line>`, so re-ingesting the same
 *   bytes (a crash before the offset was saved, a reset offset) never duplicates anything. The
 *   hook script writes a random `nonce` into every line, so two real events with identical
 *   payloads in the same millisecond are two lines, hence two events. Lines of older hook scripts
 *   (no nonce) keep the id they always had: a spool ingested before is not ingested twice.
 * - The event goes to the session whose `externalConversationId` equals the hook's `session_id`,
 *   or to an imported session created for an unknown one; type `hook.<event>`, `toolName` from
 *   `tool_name`, payload = the hook's JSON. It is tied to the session's pending interaction, if any.
 * - A line is refused, alone, when it is malformed, when a number in it cannot be stored exactly
 *   (non-finite, or beyond ±`Number.MAX_SAFE_INTEGER`), when one of Claude Code's own numbers is
 *   negative, or when the store refuses its content. It is appended to `<spool>.rejected` with
 *   its reason, spool file and line number, and reported; the lines around it are ingested.
 *
 * Rotation (so the spool does not grow forever), safe against hooks appending at any moment:
 * 1. when the whole spool has been ingested and it is at least `rotateAtBytes`, it is RENAMED to
 *    `<spool>.ingesting` (its read offset moves with it, saved first). Hooks starting after the
 *    rename create a fresh spool (`O_APPEND|O_CREAT`); a hook that opened the old file just
 *    before still appends to it, which is why it is not deleted yet;
 * 2. every later ingest first reads what was appended to `<spool>.ingesting` since, and once
 *    `rotationGraceMs` have passed since the rename (longer than a hook lives: Claude Code stops
 *    it after its timeout) reads it one last time and deletes it.
 * A crash between any two steps at worst re-reads lines, which the event ids make harmless.
 */
import * as fs from 'node:fs';
import type { JsonValue } from '../model/json';
import { ValidationError } from '../model/validation';
import type { StoreTransaction } from '../store/repositoryApi';
import { ClaudeSessionResolver } from './claudeSessions';
import { parseSpoolLine, type ParsedHookLine } from './hookLines';
import {
  countLines,
  fileSize,
  readSpoolOffset,
  readSpoolState,
  spoolExists,
  spoolOffsetPath,
  spoolRejectedPath,
  spoolRotatedPath,
  writeSpoolState,
  type SpoolState,
} from './hookSpoolState';
import { readCompleteLines } from './lineReader';
import type { TransactionalStore } from '../store/ports';

export interface SpoolIngestOptions {
  spoolPath: string;
  /** Lines per store transaction. Default 500. */
  batchLines?: number;
  /** Rotate the spool once it is fully ingested and at least this big. Default 1 MiB. */
  rotateAtBytes?: number;
  /** How long a rotated spool is kept (and re-read) for hooks that opened it before the rename. Default 15 s. */
  rotationGraceMs?: number;
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number;
}

const DEFAULT_ROTATE_AT_BYTES = 1024 * 1024;
/** Claude Code stops a hook after its timeout (10 s, see hookSettings.ts); a hook writes within milliseconds of opening the spool. */
const DEFAULT_ROTATION_GRACE_MS = 15_000;

export interface SpoolIngestReport {
  /** Events newly appended. */
  ingested: number;
  /** Lines whose event was already stored (re-ingest). */
  duplicates: number;
  /** Lines set aside in {@link rejectedPath} (malformed, unstorable numbers, refused by the store). */
  rejected: number;
  rejectedPath: string;
  /** The first {@link MAX_REPORTED_REJECTS} of them, by spool file and line number, with their reasons. */
  rejectedLines: RejectedSpoolLine[];
  /** Imported sessions created for unknown Claude session ids. */
  createdSessionIds: string[];
  /** The offset saved for the next ingest of the live spool. */
  nextOffset: number;
  /** Whether this ingest renamed the spool to {@link spoolRotatedPath}. */
  rotated: boolean;
  /** Whether this ingest finished and deleted a rotated spool. */
  rotatedRemoved: boolean;
}

/** A line set aside: which spool file (the live one or a rotated one), which line (1-based), and why. */
export interface RejectedSpoolLine {
  file: string;
  line: number;
  reason: string;
}

/** How many rejected lines a report lists one by one; all of them are in the rejected file. */
export const MAX_REPORTED_REJECTS = 20;

/** `<file>:<line>: <reason>` for each listed rejected line, for a log or a message. */
export function describeRejectedLines(report: Pick<SpoolIngestReport, 'rejected' | 'rejectedLines' | 'rejectedPath'>): string[] {
  const listed = report.rejectedLines.map((r) => `${r.file}:${r.line}: ${r.reason}`);
  const more = report.rejected - report.rejectedLines.length;
  return more > 0 ? [...listed, `…and ${more} more, all kept in ${report.rejectedPath}`] : listed;
}

function appendEvents(
  tx: StoreTransaction,
  resolver: ClaudeSessionResolver,
  lines: readonly ParsedHookLine[],
): { ingested: number; duplicates: number } {
  const counts = { ingested: 0, duplicates: 0 };
  for (const line of lines) {
    if (tx.events.get(line.id)) {
      counts.duplicates++;
      continue;
    }
    const sessionId = resolver.resolve(tx, line.claudeSessionId, { firstPrompt: line.payload.prompt, cwd: line.payload.cwd });
    const latest = tx.interactions.latest(sessionId);
    tx.events.append({
      id: line.id,
      sessionId,
      type: line.type,
      toolName: line.toolName,
      interactionId: latest?.result.status === 'pending' ? latest.id : null,
      payload: line.payload as JsonValue, // parsed from JSON text, so it is JSON
      ts: line.ts,
    });
    counts.ingested++;
  }
  return counts;
}

interface IngestContext {
  store: TransactionalStore;
  resolver: ClaudeSessionResolver;
  /** Sessions the resolver created in committed transactions. */
  created: string[];
  batchLines: number;
  report: SpoolIngestReport;
}

/** A parsed line, its text, and its number in its spool file. */
interface NumberedLine {
  number: number;
  text: string;
  parsed: ParsedHookLine;
}

/** One transaction for `lines`; the report and the created sessions change only once it has committed. */
async function commitLines(ctx: IngestContext, lines: readonly ParsedHookLine[]): Promise<void> {
  const createdBefore = ctx.resolver.created.length;
  const counts = await ctx.store.transaction((tx) => appendEvents(tx, ctx.resolver, lines));
  ctx.report.ingested += counts.ingested;
  ctx.report.duplicates += counts.duplicates;
  ctx.created.push(...ctx.resolver.created.slice(createdBefore));
}

/**
 * Stores a batch in one transaction. When the store refuses the content of a line (a validation
 * error: this line's fault, not the store's), the batch is rolled back and each line is stored in
 * its own transaction, so only the refused line is set aside. Any other failure (the store closed,
 * the journal failing) is thrown: the offset is not saved and the lines are read again next time.
 */
async function storeLines(ctx: IngestContext, file: string, lines: readonly NumberedLine[]): Promise<void> {
  if (lines.length === 0) return;
  try {
    await commitLines(
      ctx,
      lines.map((l) => l.parsed),
    );
    return;
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
  }
  // The rolled-back transaction may have created sessions the resolver now believes in: start it again from the store.
  ctx.resolver = new ClaudeSessionResolver(ctx.store.sessions.listAll({ deleted: 'include' }));
  const refused: string[] = [];
  for (const line of lines) {
    try {
      await commitLines(ctx, [line.parsed]);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      ctx.resolver = new ClaudeSessionResolver(ctx.store.sessions.listAll({ deleted: 'include' }));
      refused.push(rejectLine(ctx.report, file, line.number, `refused by the session store: ${err.message}`, line.text));
    }
  }
  if (refused.length > 0) fs.appendFileSync(ctx.report.rejectedPath, refused.join('\n') + '\n');
}

/**
 * Ingests the complete lines of `file` after `state.offset`, saving the offset, the line count
 * (and `rotatedAt`) after each chunk; returns the new offset. A line that cannot be ingested is
 * set aside on its own; the others are ingested.
 */
async function ingestFile(ctx: IngestContext, file: string, state: SpoolState): Promise<number> {
  const { report, batchLines } = ctx;
  let offset = state.offset;
  let lineCount = state.lines;
  for (const chunk of readCompleteLines(file, offset)) {
    if (chunk.startOffset !== offset) lineCount = 0; // the file was replaced or truncated: read from its start
    const linesBefore = lineCount ?? countLines(file, offset);
    for (let i = 0; i < chunk.lines.length; i += batchLines) {
      const parsed: NumberedLine[] = [];
      const rejected: string[] = [];
      chunk.lines.slice(i, i + batchLines).forEach((line, j) => {
        if (line.trim() === '') return;
        const number = linesBefore + i + j + 1;
        const result = parseSpoolLine(line);
        if ('error' in result) rejected.push(rejectLine(report, file, number, result.error, line));
        else parsed.push({ number, text: line, parsed: result });
      });
      if (rejected.length > 0) fs.appendFileSync(report.rejectedPath, rejected.join('\n') + '\n');
      await storeLines(ctx, file, parsed);
    }
    offset = chunk.endOffset;
    lineCount = linesBefore + chunk.lines.length;
    writeSpoolState(file, { ...state, offset, lines: lineCount });
  }
  return offset;
}

/** Counts and lists a rejected line; returns its entry for the rejected file. */
function rejectLine(report: SpoolIngestReport, file: string, lineNumber: number, reason: string, line: string): string {
  report.rejected++;
  if (report.rejectedLines.length < MAX_REPORTED_REJECTS) report.rejectedLines.push({ file, line: lineNumber, reason });
  return JSON.stringify({ rejectedAt: new Date().toISOString(), file, lineNumber, reason, line });
}

/** Reads what hooks appended to a rotated spool; after the grace period, a last time, then deletes it. */
async function ingestRotated(ctx: IngestContext, rotated: string, graceMs: number, now: () => number): Promise<void> {
  const state = readSpoolState(rotated);
  if (state.rotatedAt === undefined) {
    state.rotatedAt = now(); // renamed by a crashed ingest before it could say when: start the grace now
    writeSpoolState(rotated, state);
  }
  // Decided BEFORE the last read: every hook that opened the file before the rename has finished by then.
  const expired = now() - state.rotatedAt >= graceMs;
  const offset = await ingestFile(ctx, rotated, state);
  if (!expired) return;
  const size = fileSize(rotated) ?? 0;
  if (size > offset) {
    // A line no hook will ever finish (a killed writer): keep it with the malformed ones.
    const tail = Buffer.alloc(size - offset);
    const fd = fs.openSync(rotated, 'r');
    try {
      fs.readSync(fd, tail, 0, tail.length, offset);
    } finally {
      fs.closeSync(fd);
    }
    const lineNumber = (readSpoolState(rotated).lines ?? countLines(rotated, offset)) + 1;
    fs.appendFileSync(
      ctx.report.rejectedPath,
      rejectLine(ctx.report, rotated, lineNumber, 'unterminated last line of a rotated spool', tail.toString('utf8')) + '\n',
    );
  }
  fs.rmSync(rotated, { force: true });
  fs.rmSync(spoolOffsetPath(rotated), { force: true });
  ctx.report.rotatedRemoved = true;
}

/** Renames the fully ingested live spool aside; its offset goes with it. False when the rename failed (tried again next time). */
function rotate(spoolPath: string, offset: number, now: () => number): boolean {
  const rotated = spoolRotatedPath(spoolPath);
  const { lines } = readSpoolState(spoolPath);
  writeSpoolState(rotated, { offset, lines, rotatedAt: now() });
  writeSpoolState(spoolPath, { offset: 0, lines: 0 }); // a crash before the rename re-reads the spool: duplicates only
  try {
    fs.renameSync(spoolPath, rotated);
    return true;
  } catch {
    writeSpoolState(spoolPath, { offset, lines }); // e.g. a Windows file lock: keep reading it in place
    fs.rmSync(spoolOffsetPath(rotated), { force: true });
    return false;
  }
}

/** Ingests what was appended to the spool since the last call, and rotates it (see the notes at the top). Safe to call concurrently with hook writers. */
export async function ingestHookSpool(store: TransactionalStore, options: SpoolIngestOptions): Promise<SpoolIngestReport> {
  const { spoolPath } = options;
  const now = options.now ?? Date.now;
  const report: SpoolIngestReport = {
    ingested: 0,
    duplicates: 0,
    rejected: 0,
    rejectedPath: spoolRejectedPath(spoolPath),
    rejectedLines: [],
    createdSessionIds: [],
    nextOffset: readSpoolOffset(spoolPath),
    rotated: false,
    rotatedRemoved: false,
  };
  if (!spoolExists(spoolPath)) return report;
  const ctx: IngestContext = {
    store,
    resolver: new ClaudeSessionResolver(store.sessions.listAll({ deleted: 'include' })),
    created: [],
    batchLines: options.batchLines ?? 500,
    report,
  };

  const rotated = spoolRotatedPath(spoolPath);
  if (fs.existsSync(rotated)) await ingestRotated(ctx, rotated, options.rotationGraceMs ?? DEFAULT_ROTATION_GRACE_MS, now);
  if (fs.existsSync(spoolPath)) {
    report.nextOffset = await ingestFile(ctx, spoolPath, readSpoolState(spoolPath));
    const size = fileSize(spoolPath) ?? 0;
    if (
      !fs.existsSync(rotated) &&
      size > 0 &&
      size >= (options.rotateAtBytes ?? DEFAULT_ROTATE_AT_BYTES) &&
      rotate(spoolPath, report.nextOffset, now)
    ) {
      report.rotated = true;
      report.nextOffset = 0;
    }
  }
  report.createdSessionIds = [...ctx.created];
  return report;
}
