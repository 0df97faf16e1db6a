/**
 * Imports a workspace's Claude Code transcripts (`<CLAUDE_CONFIG_DIR or ~/.claude>/projects/
 * <encoded workspace path>/*.jsonl`, and its sub-agents' files) into the store: one session per
 * Claude session id, its prompts, replies and tool uses as interactions and events, usage counted
 * once per API response from its final line and priced with the pricing table. See
 * {@link TranscriptApplier} for the mapping.
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
import type { PipelinedStore } from './storeAccess';
import { emptyApplyTotals, promptHash, TranscriptApplier, type AppliedLine } from './transcriptApply';
import {
  claudeConfigDir,
  claudeProjectDir,
  fileStateAfter,
  listTranscriptFiles,
  loadImportState,
  resumePoint,
  saveImportState,
  subagentFileInfo,
  subagentMetaToolUseId,
  type TranscriptImportState,
} from './transcriptFiles';
import { blocksText, classifyTranscriptLine } from './transcriptRecord';
import { describeError } from '../../protocol/describeError';
import { formatUsdPrecise } from '../../protocol/presentation';

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
  /** Bytes read (and committed) at a time. Default 4 MiB. */
  chunkBytes?: number;
}

/** A line that could not be read: where it is and why. */
export interface DamagedLine {
  /** Path relative to the project folder. */
  file: string;
  line: number;
  reason: string;
}

/** Damaged lines listed in a report at most (all are counted and kept in the rejects file). */
const DAMAGED_LISTED_MAX = 50;
/** Characters of a damaged line kept in the rejects file. */
const REJECT_TEXT_MAX = 20_000;

export interface TranscriptImportReport {
  projectDir: string;
  filesSeen: number;
  /** Unchanged since the last import (same size and mtime). */
  filesSkipped: number;
  filesRead: number;
  /** Read from the start because another file now stands at the path (or it was truncated). */
  filesReplaced: string[];
  /** Sub-agents' files not read yet: the turn that launched them is not imported yet. */
  subagentFilesWaiting: string[];
  /** Sub-agents' files whose launching turn cannot be found (its line damaged, or none named) though the parent is fully imported: counted in the session. */
  subagentFilesUnlinked: string[];
  /** Files whose import failed (the rest went on); what was committed before the failure stays, the file is retried next time. */
  filesFailed: { file: string; error: string }[];
  linesRead: number;
  /** Lines that are not conversation records: harmless + unknown + damaged + cost states. */
  linesUnparsed: number;
  /** Line types that carry no conversation (summaries, snapshots, queue operations, …). */
  linesHarmless: number;
  /** Valid JSON lines of a type this version does not know, by type. */
  unknownLineTypes: Record<string, number>;
  linesDamaged: number;
  /** The first damaged lines, by file and line number. */
  damagedLines: DamagedLine[];
  /** Where damaged lines are kept (absent when there were none). */
  rejectedPath?: string;
  interactionsAdded: number;
  eventsAdded: number;
  /** API responses whose usage was counted (after de-duplication). */
  usageResponses: number;
  /** Responses whose counted usage a later line of the same response corrected. */
  usageRevisions: number;
  /** Responses whose recorded output tokens are implausibly low for what they wrote: kept as recorded, marked as lower bounds. */
  lowerBoundResponses: number;
  /** Models without a price: their tokens are counted, their cost is unknown (not included). */
  unpricedModels: string[];
  /**
   * Sessions whose transcript carries Claude Code's own cost figure (`cost-state`) more than 1%
   * away from the ledger's count of the same conversation. Both are kept; the ledger's counts each
   * response once from its final line (its `claude.usage` events name the lines).
   */
  costDifferences: CostDifference[];
  sessionIds: string[];
  createdSessionIds: string[];
  cancelled: boolean;
}

export interface CostDifference {
  sessionId: string;
  claudeSessionId: string;
  claudeCodeUsd: number;
  ledgerUsd: number;
}

/** Differences of Claude Code's own figure from the ledger's below this share are not reported. */
const COST_DIFFERENCE_REPORTED = 0.01;

interface FileToRead {
  file: string;
  key: string;
  stat: fs.Stats;
  offset: number;
  lines: number;
  subagent?: { agentId: string; claudeSessionId: string | null };
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
    for (const chunk of readCompleteLines(entry.file, entry.offset, options.chunkBytes ?? 4 * 1024 * 1024)) {
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

  const costDifferences: CostDifference[] = [];
  if (applier.claudeCodeCosts.size > 0) {
    await store.transaction((tx) => {
      for (const [claudeSessionId, { sessionId, totalCostUsd }] of applier.claudeCodeCosts) {
        const runs = tx.runs
          .listBySession(sessionId)
          .filter((r) => r.provider === 'claude-code-cli' && r.conversationId === claudeSessionId);
        const ledgerUsd = Math.round(runs.reduce((sum, r) => sum + r.costUsd, 0) * 1e9) / 1e9;
        if (Math.abs(totalCostUsd - ledgerUsd) > COST_DIFFERENCE_REPORTED * Math.max(ledgerUsd, totalCostUsd)) {
          costDifferences.push({ sessionId, claudeSessionId, claudeCodeUsd: totalCostUsd, ledgerUsd });
        }
      }
    });
  }

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

/**
 * The turn that launched a sub-agent's file: through its `.meta.json` (2.1.x), the parent's tool
 * result naming the agent, or the Task call given the same prompt (2.0.x). Undefined while that
 * turn is not imported yet (the file waits); `{ interactionId: null }` when the parent transcript
 * is fully imported and names no launching call (the usage then belongs to the session).
 */
function resolveLaunch(
  tx: StoreTransaction,
  entry: FileToRead,
  state: TranscriptImportState,
  projectDir: string,
): { interactionId: string | null } | undefined {
  const info = entry.subagent!;
  const first = firstConversationLine(entry.file);
  const claudeSessionId = info.claudeSessionId ?? first?.sessionId ?? null;
  if (!claudeSessionId) return { interactionId: null };
  const toolUseId =
    subagentMetaToolUseId(entry.file) ??
    state.agents.byAgent[`${claudeSessionId}:${info.agentId}`] ??
    (first?.prompt ? state.agents.byPrompt[`${claudeSessionId}:${promptHash(first.prompt)}`] : undefined);
  if (toolUseId) {
    const launch = tx.events.get(`cc:tool_use:${toolUseId}`);
    if (launch) return { interactionId: launch.interactionId };
  }
  return !toolUseId && parentImported(entry, state, projectDir, claudeSessionId) ? { interactionId: null } : undefined;
}

/** Whether the transcript of the session a sub-agent's file belongs to is there and read to its end. */
function parentImported(entry: FileToRead, state: TranscriptImportState, projectDir: string, claudeSessionId?: string | null): boolean {
  const sessionId = claudeSessionId ?? entry.subagent?.claudeSessionId ?? firstConversationLine(entry.file)?.sessionId;
  if (!sessionId) return true; // no session to wait for
  const parentKey = `${sessionId}.jsonl`;
  const parent = state.files[parentKey];
  try {
    const size = fs.statSync(path.join(projectDir, parentKey)).size;
    return parent !== undefined && parent.offset >= size && parent.size === size;
  } catch {
    return false; // the parent transcript is not there (yet)
  }
}

/** The session id and prompt of a sub-agent file's first conversation line (read from its head). */
function firstConversationLine(file: string): { sessionId: string; prompt: string | null } | undefined {
  for (const chunk of readCompleteLines(file, 0, 256 * 1024)) {
    for (const raw of chunk.lines) {
      if (raw.trim() === '') continue;
      const parsed = classifyTranscriptLine(raw);
      if (parsed.kind !== 'record') continue;
      const record = parsed.record;
      return { sessionId: record.sessionId, prompt: record.type === 'user' && record.role === 'user' ? blocksText(record.blocks) : null };
    }
    return undefined;
  }
  return undefined;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** What an import did, for a person: counts, and every condition that needs a look (damaged lines by file:line, waiting files). */
export function describeTranscriptImport(report: TranscriptImportReport): string {
  if (report.filesSeen === 0) return `No Claude Code transcripts for this workspace in ${report.projectDir}.`;
  const parts = [
    `${plural(report.sessionIds.length, 'Claude Code session')} (${report.createdSessionIds.length} new)`,
    `${plural(report.interactionsAdded, 'prompt')} and ${plural(report.eventsAdded, 'event')} added`,
    `${plural(report.filesSkipped, 'file')} unchanged`,
  ];
  if (report.usageRevisions) parts.push(`${plural(report.usageRevisions, 'response')} corrected to the figure of its final line`);
  const notes: string[] = [];
  if (report.linesDamaged) {
    const listed = report.damagedLines.slice(0, 3).map((d) => `${d.file}:${d.line} (${d.reason})`);
    const more = report.linesDamaged - listed.length;
    notes.push(
      `${plural(report.linesDamaged, 'damaged line')} skipped and kept in ${report.rejectedPath}: ${listed.join('; ')}${more > 0 ? `; ${more} more` : ''}.`,
    );
  }
  for (const failed of report.filesFailed.slice(0, 3))
    notes.push(`Could not import ${failed.file}: ${failed.error}; it is tried again at the next import.`);
  if (report.filesReplaced.length)
    notes.push(
      `${plural(report.filesReplaced.length, 'transcript')} replaced by another file, read from the start: ${report.filesReplaced.join(', ')}.`,
    );
  if (report.subagentFilesUnlinked.length) {
    notes.push(
      `${plural(report.subagentFilesUnlinked.length, 'sub-agent transcript')} counted in the session: the tool call that launched them could not be read (${report.subagentFilesUnlinked.join(', ')}).`,
    );
  }
  if (report.subagentFilesWaiting.length) {
    notes.push(
      `${plural(report.subagentFilesWaiting.length, 'sub-agent transcript')} wait for the turn that launched them to be written: ${report.subagentFilesWaiting.join(', ')}.`,
    );
  }
  if (report.lowerBoundResponses)
    notes.push(
      `${plural(report.lowerBoundResponses, 'response')} recorded fewer output tokens than the text written: kept as recorded and marked as lower bounds.`,
    );
  const unknownTypes = Object.entries(report.unknownLineTypes);
  if (unknownTypes.length)
    notes.push(`Line types this version does not know (not imported): ${unknownTypes.map(([t, n]) => `${t} ×${n}`).join(', ')}.`);
  for (const d of report.costDifferences.slice(0, 3)) {
    notes.push(
      `Claude Code's own figure for session ${d.claudeSessionId.slice(0, 8)} is ${formatUsdPrecise(d.claudeCodeUsd)}; the ledger counts ${formatUsdPrecise(d.ledgerUsd)} ` +
        '(each API response once, from its final line; its claude.usage events name the lines counted).',
    );
  }
  if (report.unpricedModels.length)
    notes.push(`No price for ${report.unpricedModels.join(', ')}: add it in "sessionLedger.pricingOverrides".`);
  return [`${report.cancelled ? 'Import cancelled; kept what was imported: ' : 'Imported '}${parts.join(', ')}.`, ...notes].join(' ');
}
