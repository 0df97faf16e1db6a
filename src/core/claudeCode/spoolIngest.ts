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
}

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
  /** The offset saved for the next ingest. */
  nextOffset: number;
}

export const spoolOffsetPath = (spoolPath: string): string => `${spoolPath}.offset`;
export const spoolRejectedPath = (spoolPath: string): string => `${spoolPath}.rejected`;

export function readSpoolOffset(spoolPath: string): number {
  try {
    const value = Number(JSON.parse(fs.readFileSync(spoolOffsetPath(spoolPath), 'utf8')).offset);
    return Number.isSafeInteger(value) && value >= 0 ? value : 0;
  } catch {
    return 0;
  }
}

export function writeSpoolOffset(spoolPath: string, offset: number): void {
  writeFileAtomic(spoolOffsetPath(spoolPath), JSON.stringify({ offset }));
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

/** Ingests what was appended to the spool since the last call. Safe to call concurrently with hook writers. */
export async function ingestHookSpool(store: TransactionalStore, options: SpoolIngestOptions): Promise<SpoolIngestReport> {
  const { spoolPath } = options;
  const batchLines = options.batchLines ?? 500;
  const report: SpoolIngestReport = {
    ingested: 0,
    duplicates: 0,
    rejected: 0,
    rejectedPath: spoolRejectedPath(spoolPath),
    createdSessionIds: [],
    nextOffset: readSpoolOffset(spoolPath),
  };
  if (!fs.existsSync(spoolPath)) return report;
  const resolver = new ClaudeSessionResolver(allSessions(store.sessions));

  for (const chunk of readCompleteLines(spoolPath, report.nextOffset)) {
    for (let i = 0; i < chunk.lines.length; i += batchLines) {
      const parsed: ParsedHookLine[] = [];
      const rejected: string[] = [];
      for (const line of chunk.lines.slice(i, i + batchLines)) {
        if (line.trim() === '') continue;
        const result = parseSpoolLine(line);
        if ('error' in result) rejected.push(JSON.stringify({ rejectedAt: new Date().toISOString(), reason: result.error, line }));
        else parsed.push(result);
      }
      if (rejected.length > 0) fs.appendFileSync(report.rejectedPath, rejected.join('\n') + '\n');
      report.rejected += rejected.length;
      await store.transaction((tx) => appendEvents(tx, resolver, parsed, report));
    }
    report.nextOffset = chunk.endOffset;
    writeSpoolOffset(spoolPath, report.nextOffset);
  }
  report.createdSessionIds = [...resolver.created];
  return report;
}
