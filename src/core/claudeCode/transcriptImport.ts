/**
 * Imports a workspace's Claude Code transcripts (`<CLAUDE_CONFIG_DIR or ~/.claude>/projects/
 * <encoded workspace path>/*.jsonl`, and its sub-agents' files) into the store: one session per
 * Claude session id, its prompts, replies and tool uses as interactions and events, usage counted
 * once per API response from its final line and priced with the pricing table. See
 * {@link TranscriptApplier} for the mapping, subagentLaunch.ts for how a sub-agent's file finds
 * the turn that launched it, and transcriptImportReport.ts for what an import reports.
 *
 * Incremental: a file whose size and mtime did not change is skipped; an appended file resumes at
 * the offset after its last complete line; a file replaced by another (another inode, another head,
 * or shorter) is read from the start. Sessions' own transcripts are read before sub-agents' files,
 * and a sub-agent's file waits (is not read) until the turn that launched it is imported, so the
 * figures are the same whatever order files appear in. Nothing is skipped silently: damaged lines
 * are reported by file and line and kept aside in a rejects file; harmless line types and unknown
 * ones are counted. The imported copy stays when Claude Code deletes its file. Progress is reported
 * per chunk; an AbortSignal stops between chunks with everything imported so far committed.
 *
 * Reading does not wait for each chunk's journal sync: the next chunk is parsed and applied while
 * the disk syncs the previous one ({@link transactNow}). What the import state records (how far
 * each file is read) is saved only once the chunks it covers are durable, and at most once a second
 * while the import goes on, so a crash at any moment re-reads at most what was not yet synced or
 * recorded (and re-reading writes nothing twice).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PricingTable } from '../agent/pricing';
import { ClaudeSessionResolver } from './claudeSessions';
import { readCompleteLines } from './lineReader';
import type { StoreTransaction } from '../store/repositoryApi';
import type { PipelinedStore } from '../store/ports';
import { parentImported, resolveLaunch, type SubagentFile } from './subagentLaunch';
import { TranscriptApplier } from './transcriptApply';
import { emptyApplyTotals, type AppliedLine } from './transcriptApplyContext';
import {
  claudeConfigDir,
  claudeProjectDir,
  fileStateAfter,
  listTranscriptFiles,
  loadImportState,
  resumePoint,
  saveImportState,
  subagentFileInfo,
} from './transcriptFiles';
import { findCostDifferences, type DamagedLine, type TranscriptImportReport } from './transcriptImportReport';
import { classifyTranscriptLine } from './transcriptRecord';
import { describeError } from '../../protocol/describeError';

export interface TranscriptImportProgress {
  file: string;
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
}

export interface TranscriptImportOptions {
  /** The workspace folder whose transcripts to import (absolute path, as Claude Code saw it). */
  workspacePath: string;
  /** Where the incremental state is kept (a JSON file in the extension's storage). */
  statePath: string;
  pricing: PricingTable;
  /** Default: `$CLAUDE_CONFIG_DIR`, else `~/.claude`. */
  configDir?: string;
  onProgress?: (progress: TranscriptImportProgress) => void;
  signal?: AbortSignal;
  /** Bytes read (and committed) at a time. Default {@link CHUNK_BYTES}. */
  chunkBytes?: number;
}

/**
 * Bytes read and committed at a time: 512 KiB. A chunk's lines, records and statements live until
 * its commit, and V8 sizes its heap from what is live at a full collection (about four times that):
 * a 200 MB import of bench/import.mjs's transcripts peaked at 311 MB on Node 20 in three runs at
 * 512 KiB, against 345–356 MB at 1 MiB, in the same time (9.0 s); at 256 KiB, 292–299 MB but 4%
 * slower (the commits and journal syncs per chunk). At 4 MiB it had peaked 20 MB above 1 MiB.
 */
const CHUNK_BYTES = 512 * 1024;

/** Damaged lines listed in a report at most (all are counted and kept in the rejects file). */
const DAMAGED_LISTED_MAX = 50;
/** Characters of a damaged line kept in the rejects file. */
const REJECT_TEXT_MAX = 20_000;

interface FileToRead extends SubagentFile {
  key: string;
  stat: fs.Stats;
  offset: number;
  lines: number;
}

/** The rejects file kept beside the import state. */
export function rejectsPathOf(statePath: string): string {
  return statePath.replace(/\.json$/, '') + '.rejected.jsonl';
}

export async function importClaudeTranscripts(store: PipelinedStore, options: TranscriptImportOptions): Promise<TranscriptImportReport> {
  const projectDir = claudeProjectDir(options.workspacePath, options.configDir ?? claudeConfigDir());
  const state = loadImportState(options.statePath);
  const totals = emptyApplyTotals();
  const report = {
    projectDir,
    filesSeen: 0,
    filesSkipped: 0,
    filesRead: 0,
    filesReplaced: [] as string[],
    subagentFilesWaiting: [] as string[],
    filesFailed: [] as { file: string; error: string }[],
    subagentFilesUnlinked: [] as string[],
    linesRead: 0,
    linesUnparsed: 0,
    linesHarmless: 0,
    unknownLineTypes: {} as Record<string, number>,
    linesDamaged: 0,
    damagedLines: [] as DamagedLine[],
    rejectedPath: undefined as string | undefined,
    cancelled: false,
  };

  const changed: FileToRead[] = [];
  for (const file of listTranscriptFiles(projectDir)) {
    report.filesSeen++;
    const key = path.relative(projectDir, file);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      continue; // deleted since it was listed
    }
    const known = state.files[key];
    if (known && known.size === stat.size && known.mtimeMs === stat.mtimeMs && known.ino === stat.ino) {
      report.filesSkipped++;
      continue;
    }
    const resume = resumePoint(file, known);
    if (resume.replaced) report.filesReplaced.push(key);
    changed.push({
      file,
      key,
      stat: resume.stat,
      offset: resume.offset,
      lines: resume.lines,
      subagent: subagentFileInfo(projectDir, file),
    });
  }

  const resolver = new ClaudeSessionResolver(store.sessions.listAll({ deleted: 'include' }));
  const applier = new TranscriptApplier(resolver, options.pricing, totals, options.workspacePath, state.agents);
  const bytesTotal = changed.reduce((sum, f) => sum + (f.stat.size - f.offset), 0);
  const rejectsPath = rejectsPathOf(options.statePath);
  let bytesDone = 0;

  const reject = (damaged: DamagedLine, raw: string): void => {
    report.linesDamaged++;
    if (report.damagedLines.length < DAMAGED_LISTED_MAX) report.damagedLines.push(damaged);
    fs.mkdirSync(path.dirname(rejectsPath), { recursive: true });
    fs.appendFileSync(
      rejectsPath,
      JSON.stringify({ ...damaged, text: raw.length > REJECT_TEXT_MAX ? raw.slice(0, REJECT_TEXT_MAX) : raw }) + '\n',
    );
    report.rejectedPath = rejectsPath;
  };

  let filesDone = 0;
  /**
   * Everything written so far is durable and recorded in the import state (in memory; the file
   * follows, see `saveState`). Each chunk chains its state update here; the import waits for it
   * only where it reads that state (before sub-agents' files) and before returning.
   */
  let synced: Promise<void> = Promise.resolve();
  const afterDurable = (durable: Promise<void>, update: () => void): void => {
    synced = Promise.all([synced, durable]).then(() => {
      update();
      stateUnsaved = true;
      saveState(false);
    });
    synced.catch(() => undefined); // awaited at the next sync point, which reports it
  };
  /**
   * The state in memory only ever records what is durable, and the file is a copy of it: written
   * at most every {@link STATE_SAVE_MS} while chunks become durable (writing it after every chunk
   * was a tenth of a large import), and always at a sync point. A crash re-reads at most what was
   * read since the last write, and re-reading writes nothing twice.
   */
  let stateUnsaved = false;
  let stateSavedAt = performance.now();
  const saveState = (now: boolean): void => {
    if (!stateUnsaved || (!now && performance.now() - stateSavedAt < STATE_SAVE_MS)) return;
    saveImportState(options.statePath, state);
    stateUnsaved = false;
    stateSavedAt = performance.now();
  };
  /** Waits until everything written so far is durable, then writes the state file (also when a sync failed: what was durable before it is recorded). */
  const settle = async (): Promise<void> => {
    try {
      await synced;
    } finally {
      saveState(true);
    }
  };
  /** Chunks committed whose sync has not been waited for (at most {@link CHUNKS_IN_FLIGHT}). */
  const inFlight: Promise<void>[] = [];
  /** After each chunk: bounds what waits to be synced, and lets the event loop run (progress, cancellation, the syncs themselves). */
  const pace = async (durable: Promise<void>): Promise<void> => {
    inFlight.push(durable);
    if (inFlight.length >= CHUNKS_IN_FLIGHT)
      await inFlight.shift()!.catch(() => undefined); // a failure is reported at the next sync point
    else await new Promise<void>((resolve) => setImmediate(resolve));
  };
  /** Reads one file; a failure is reported for that file and the import goes on with the next one. */
  const readFile = async (entry: FileToRead, launchedBy?: { interactionId: string | null }): Promise<boolean> => {
    try {
      return await readFileFrom(entry, launchedBy);
    } catch (error) {
      report.filesFailed.push({ file: entry.key, error: describeError(error) });
      applier.forget(); // what it remembered of the rolled-back chunk is not in the store
      return true;
    }
  };
  /** Reads one file from its resume point; false when cancelled. */
  const readFileFrom = async (entry: FileToRead, launchedBy?: { interactionId: string | null }): Promise<boolean> => {
    report.filesRead++;
    let offset = entry.offset;
    let lineNo = entry.lines;
    const mainSessionId = entry.subagent ? null : path.basename(entry.file, '.jsonl');
    for (const chunk of readCompleteLines(entry.file, entry.offset, options.chunkBytes ?? CHUNK_BYTES)) {
      if (options.signal?.aborted) {
        report.cancelled = true;
        return false;
      }
      const { durable } = transactNow(store, (tx) => {
        let batch: AppliedLine[] = [];
        const flush = (): void => {
          if (batch.length) applier.apply(tx, batch, { file: entry.key, ...(launchedBy ? { launchedBy } : {}) });
          batch = [];
        };
        for (const raw of chunk.lines) {
          lineNo++;
          if (raw.trim() === '') continue;
          report.linesRead++;
          const parsed = classifyTranscriptLine(raw);
          if (parsed.kind === 'record') {
            batch.push({ raw, record: parsed.record, lineNo });
            continue;
          }
          report.linesUnparsed++;
          if (parsed.kind === 'costState') {
            flush();
            applier.recordCostState(tx, parsed.costState, raw);
          } else if (parsed.kind === 'harmless') {
            report.linesHarmless++;
          } else if (parsed.kind === 'unknown') {
            report.unknownLineTypes[parsed.type] = (report.unknownLineTypes[parsed.type] ?? 0) + 1;
          } else {
            reject({ file: entry.key, line: lineNo, reason: parsed.reason }, raw);
            if (mainSessionId && mayBePrompt(raw)) {
              flush();
              applier.recordGap(tx, mainSessionId, entry.key, lineNo, parsed.reason);
            }
          }
        }
        flush();
      });
      bytesDone += chunk.endOffset - offset;
      offset = chunk.endOffset;
      const readTo = fileStateAfter(entry.file, entry.stat, offset, lineNo, false);
      afterDurable(durable, () => (state.files[entry.key] = readTo));
      options.onProgress?.({ file: entry.file, filesDone, filesTotal: changed.length, bytesDone, bytesTotal });
      await pace(durable);
    }
    const readToEnd = fileStateAfter(entry.file, entry.stat, offset, lineNo, offset >= entry.stat.size);
    afterDurable(Promise.resolve(), () => (state.files[entry.key] = readToEnd));
    filesDone++;
    options.onProgress?.({ file: entry.file, filesDone, filesTotal: changed.length, bytesDone, bytesTotal });
    return true;
  };

  read: {
    for (const entry of changed.filter((f) => !f.subagent)) {
      if (!(await readFile(entry))) break read;
    }
    // Sub-agents' files, once the turn that launched them is stored; a nested agent's launch is
    // in another sub-agent's file, so go round again while a round read something. Which parent
    // transcripts are read to the end is in the state: wait for it first.
    let waiting = changed.filter((f) => f.subagent);
    if (waiting.length > 0) await settle();
    for (let progress = true; progress && waiting.length > 0;) {
      progress = false;
      const next: FileToRead[] = [];
      for (const entry of waiting) {
        const { value: launchedBy } = transactNow(store, (tx) => resolveLaunch(tx, entry, state, projectDir));
        if (!launchedBy) {
          next.push(entry);
          continue;
        }
        progress = true;
        if (!(await readFile(entry, launchedBy))) break read;
      }
      waiting = next;
    }
    // A sub-agent whose launching call can never arrive (its line is damaged, or it names no call)
    // while its parent transcript is fully imported: its usage is the session's, not lost.
    for (const entry of waiting) {
      if (!parentImported(entry, state, projectDir)) {
        report.subagentFilesWaiting.push(entry.key);
        continue;
      }
      report.subagentFilesUnlinked.push(entry.key);
      if (!(await readFile(entry, { interactionId: null }))) break read;
    }
  }

  // Everything imported is durable and recorded in the state before the import says it is done.
  await settle();

  const costDifferences = await findCostDifferences(store, applier.claudeCodeCosts);

  return {
    ...report,
    interactionsAdded: totals.interactionsAdded,
    eventsAdded: totals.eventsAdded,
    usageResponses: totals.usageResponses,
    usageRevisions: totals.usageRevisions,
    lowerBoundResponses: totals.lowerBoundResponses,
    unpricedModels: [...totals.unpricedModels].sort(),
    costDifferences,
    sessionIds: [...totals.touchedSessionIds],
    createdSessionIds: [...resolver.created],
  };
}

/**
 * Chunks committed at once whose syncs the import does not wait for: the next chunk is parsed and
 * applied while the previous one syncs. Two keeps memory to about two chunks' journal records.
 */
const CHUNKS_IN_FLIGHT = 2;
/** How often at most the import state file is written while an import goes on (see `saveState`). */
const STATE_SAVE_MS = 1000;

/** Commits `work` now; its durability is awaited at the import's next sync point, which reports a failure. */
function transactNow<T>(store: PipelinedStore, work: (tx: StoreTransaction) => T): { value: T; durable: Promise<void> } {
  const committed = store.commit(work);
  committed.durable.catch(() => undefined);
  return committed;
}

/** A damaged line that may have been a person's prompt (a user line that is not a tool result). */
function mayBePrompt(raw: string): boolean {
  return /"type"\s*:\s*"user"/.test(raw) && !raw.includes('tool_result');
}
