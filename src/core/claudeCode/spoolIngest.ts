/**
 * Ingests the hook spool (lines written by `hookSpool.ts`) into the event log.
 *
 * - Reads from the byte offset stored beside the spool (`<spool>.offset`), only complete lines.
 * - Each line becomes an event with id `hook:<sha-256 of the line>`, so re-ingesting the same
 *   bytes (a crash before the offset was saved, a reset offset) never duplicates anything.
 * - The event goes to the session whose `externalConversationId` equals the hook's `session_id`,
 *   or to an imported session created for an unknown one; type `hook.<event>`, `toolName` from
 *   `tool_name`, payload = the hook's JSON. It is tied to the session's pending interaction, if any.
 * - Malformed lines are appended to `<spool>.rejected` and counted; they never stop the ingest.
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
import { z } from 'zod';
import type { JsonValue } from '../model/json';
import type { StoreTransaction } from '../store/repositoryApi';
import { allSessions, ClaudeSessionResolver, sha256Hex } from './claudeSessions';
import { readCompleteLines } from './lineReader';
import type { TransactionalStore } from './storeAccess';
import { writeFileAtomic } from './atomicFile';

const HookPayloadSchema = z.looseObject({
  session_id: z.string().min(1),
  hook_event_name: z.string().min(1).optional(),
  tool_name: z.string().min(1).optional(),
  cwd: z.string().optional(),
  prompt: z.string().optional(),
});

const SpoolLineSchema = z.object({
  receivedAt: z.iso.datetime(),
  event: z.string().min(1).nullable(),
  payload: HookPayloadSchema,
});

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
  /** Malformed lines set aside in {@link rejectedPath}. */
  rejected: number;
  rejectedPath: string;
  /** Imported sessions created for unknown Claude session ids. */
  createdSessionIds: string[];
  /** The offset saved for the next ingest of the live spool. */
  nextOffset: number;
  /** Whether this ingest renamed the spool to {@link spoolRotatedPath}. */
  rotated: boolean;
  /** Whether this ingest finished and deleted a rotated spool. */
  rotatedRemoved: boolean;
}

export const spoolOffsetPath = (spoolPath: string): string => `${spoolPath}.offset`;
export const spoolRejectedPath = (spoolPath: string): string => `${spoolPath}.rejected`;
/** A rotated spool still being read: see the rotation notes at the top of this file. */
export const spoolRotatedPath = (spoolPath: string): string => `${spoolPath}.ingesting`;

interface SpoolState {
  offset: number;
  /** For a rotated spool: when it was renamed (ms since the epoch). */
  rotatedAt?: number;
}

function readSpoolState(file: string): SpoolState {
  try {
    const state = JSON.parse(fs.readFileSync(spoolOffsetPath(file), 'utf8')) as { offset?: unknown; rotatedAt?: unknown };
    const offset = Number(state.offset);
    const rotatedAt = Number(state.rotatedAt);
    return { offset: Number.isSafeInteger(offset) && offset >= 0 ? offset : 0, rotatedAt: Number.isFinite(rotatedAt) ? rotatedAt : undefined };
  } catch {
    return { offset: 0 };
  }
}

function writeSpoolState(file: string, state: SpoolState): void {
  writeFileAtomic(spoolOffsetPath(file), JSON.stringify(state));
}

export function readSpoolOffset(spoolPath: string): number {
  return readSpoolState(spoolPath).offset;
}

export function writeSpoolOffset(spoolPath: string, offset: number): void {
  writeSpoolState(spoolPath, { offset });
}

/** Whether there is a spool (live or rotated) to ingest. */
export function spoolExists(spoolPath: string): boolean {
  return fs.existsSync(spoolPath) || fs.existsSync(spoolRotatedPath(spoolPath));
}

/** Cheap check before an ingest: a rotated spool is pending, or the live one is longer than what was read (or was replaced). */
export function spoolHasUnread(spoolPath: string): boolean {
  if (fs.existsSync(spoolRotatedPath(spoolPath))) return true;
  try {
    return fs.statSync(spoolPath).size !== readSpoolOffset(spoolPath);
  } catch {
    return false;
  }
}

function fileSize(file: string): number | undefined {
  try {
    return fs.statSync(file).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

interface ParsedHookLine {
  id: string;
  type: string;
  claudeSessionId: string;
  toolName: string | null;
  payload: z.infer<typeof HookPayloadSchema>;
  ts: number;
}

/** Parses one spool line; `{ error }` for a line to set aside. */
export function parseSpoolLine(line: string): ParsedHookLine | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { error: 'not JSON' };
  }
  const invalid = (value as { invalid?: unknown } | null)?.invalid;
  if (typeof invalid === 'string') return { error: `hook input: ${invalid}` };
  const parsed = SpoolLineSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { error: `${issue.path.join('.') || '(line)'}: ${issue.message}` };
  }
  const { receivedAt, event, payload } = parsed.data;
  return {
    id: `hook:${sha256Hex(line)}`,
    type: `hook.${event ?? payload.hook_event_name ?? 'unknown'}`,
    claudeSessionId: payload.session_id,
    toolName: payload.tool_name ?? null,
    payload,
    ts: Date.parse(receivedAt),
  };
}

function appendEvents(tx: StoreTransaction, resolver: ClaudeSessionResolver, lines: ParsedHookLine[], report: SpoolIngestReport): void {
  for (const line of lines) {
    if (tx.events.get(line.id)) {
      report.duplicates++;
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
    report.ingested++;
  }
}

interface IngestContext {
  store: TransactionalStore;
  resolver: ClaudeSessionResolver;
  batchLines: number;
  report: SpoolIngestReport;
}

/** Ingests the complete lines of `file` after `state.offset`, saving the offset (and `rotatedAt`) after each chunk; returns the new offset. */
async function ingestFile(ctx: IngestContext, file: string, state: SpoolState): Promise<number> {
  const { report, batchLines } = ctx;
  let offset = state.offset;
  for (const chunk of readCompleteLines(file, offset)) {
    for (let i = 0; i < chunk.lines.length; i += batchLines) {
      const parsed: ParsedHookLine[] = [];
      const rejected: string[] = [];
      for (const line of chunk.lines.slice(i, i + batchLines)) {
        if (line.trim() === '') continue;
        const result = parseSpoolLine(line);
        if ('error' in result) rejected.push(rejectedLine(result.error, line));
        else parsed.push(result);
      }
      if (rejected.length > 0) fs.appendFileSync(report.rejectedPath, rejected.join('\n') + '\n');
      report.rejected += rejected.length;
      await ctx.store.transaction((tx) => appendEvents(tx, ctx.resolver, parsed, report));
    }
    offset = chunk.endOffset;
    writeSpoolState(file, { ...state, offset });
  }
  return offset;
}

const rejectedLine = (reason: string, line: string): string => JSON.stringify({ rejectedAt: new Date().toISOString(), reason, line });

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
    fs.appendFileSync(ctx.report.rejectedPath, rejectedLine('unterminated last line of a rotated spool', tail.toString('utf8')) + '\n');
    ctx.report.rejected++;
  }
  fs.rmSync(rotated, { force: true });
  fs.rmSync(spoolOffsetPath(rotated), { force: true });
  ctx.report.rotatedRemoved = true;
}

/** Renames the fully ingested live spool aside; its offset goes with it. False when the rename failed (tried again next time). */
function rotate(spoolPath: string, offset: number, now: () => number): boolean {
  const rotated = spoolRotatedPath(spoolPath);
  writeSpoolState(rotated, { offset, rotatedAt: now() });
  writeSpoolState(spoolPath, { offset: 0 }); // a crash before the rename re-reads the spool: duplicates only
  try {
    fs.renameSync(spoolPath, rotated);
    return true;
  } catch {
    writeSpoolState(spoolPath, { offset }); // e.g. a Windows file lock: keep reading it in place
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
    createdSessionIds: [],
    nextOffset: readSpoolOffset(spoolPath),
    rotated: false,
    rotatedRemoved: false,
  };
  if (!spoolExists(spoolPath)) return report;
  const ctx: IngestContext = { store, resolver: new ClaudeSessionResolver(allSessions(store.sessions)), batchLines: options.batchLines ?? 500, report };

  const rotated = spoolRotatedPath(spoolPath);
  if (fs.existsSync(rotated)) await ingestRotated(ctx, rotated, options.rotationGraceMs ?? DEFAULT_ROTATION_GRACE_MS, now);
  if (fs.existsSync(spoolPath)) {
    report.nextOffset = await ingestFile(ctx, spoolPath, { offset: report.nextOffset });
    const size = fileSize(spoolPath) ?? 0;
    if (!fs.existsSync(rotated) && size > 0 && size >= (options.rotateAtBytes ?? DEFAULT_ROTATE_AT_BYTES) && rotate(spoolPath, report.nextOffset, now)) {
      report.rotated = true;
      report.nextOffset = 0;
    }
  }
  report.createdSessionIds = [...ctx.resolver.created];
  return report;
}
