/**
 * Imports a workspace's Claude Code transcripts (`<CLAUDE_CONFIG_DIR or ~/.claude>/projects/
 * <encoded workspace path>/*.jsonl`) into the store: one session per Claude session id, its
 * prompts, replies and tool uses as interactions and events, usage counted once per API response
 * and priced with the pricing table. See {@link TranscriptApplier} for the mapping.
 *
 * Incremental: a file whose size and mtime did not change is skipped; an appended file resumes
 * at the offset after its last complete line. The imported copy stays when Claude Code deletes
 * its file (nothing here deletes). Progress is reported per chunk; an AbortSignal stops between
 * chunks with everything imported so far committed and remembered.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PricingTable } from '../agent/pricing';
import { allSessions, ClaudeSessionResolver } from './claudeSessions';
import { readCompleteLines } from './lineReader';
import type { TransactionalStore } from './storeAccess';
import { TranscriptApplier, type ApplyTotals } from './transcriptApply';
import { claudeConfigDir, claudeProjectDir, listTranscriptFiles, loadImportState, saveImportState } from './transcriptFiles';
import { parseTranscriptLine, type TranscriptRecord } from './transcriptRecord';

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

export interface TranscriptImportReport {
  projectDir: string;
  filesSeen: number;
  /** Unchanged since the last import (same size and mtime). */
  filesSkipped: number;
  filesRead: number;
  linesRead: number;
  /** Lines that are not JSON objects with a sessionId (damaged, or not conversation records). */
  linesUnparsed: number;
  interactionsAdded: number;
  eventsAdded: number;
  /** API responses whose usage was counted (after de-duplication). */
  usageResponses: number;
  /** Models without a price: their tokens are counted, their cost is unknown (not included). */
  unpricedModels: string[];
  sessionIds: string[];
  createdSessionIds: string[];
  cancelled: boolean;
}

export async function importClaudeTranscripts(store: TransactionalStore, options: TranscriptImportOptions): Promise<TranscriptImportReport> {
  const projectDir = claudeProjectDir(options.workspacePath, options.configDir ?? claudeConfigDir());
  const state = loadImportState(options.statePath);
  const totals: ApplyTotals = { interactionsAdded: 0, eventsAdded: 0, usageResponses: 0, unpricedModels: new Set(), touchedSessionIds: new Set() };
  const report = { projectDir, filesSeen: 0, filesSkipped: 0, filesRead: 0, linesRead: 0, linesUnparsed: 0, cancelled: false };

  const changed = listTranscriptFiles(projectDir).flatMap((file) => {
    report.filesSeen++;
    const key = path.relative(projectDir, file);
    const stat = fs.statSync(file);
    const known = state.files[key];
    if (known && known.size === stat.size && known.mtimeMs === stat.mtimeMs) {
      report.filesSkipped++;
      return [];
    }
    const offset = known && known.offset <= stat.size ? known.offset : 0;
    return [{ file, key, size: stat.size, mtimeMs: stat.mtimeMs, offset }];
  });

  const resolver = new ClaudeSessionResolver(allSessions(store.sessions));
  const applier = new TranscriptApplier(resolver, options.pricing, totals, options.workspacePath);
  const bytesTotal = changed.reduce((sum, f) => sum + (f.size - f.offset), 0);
  let bytesDone = 0;

  files: for (const [index, entry] of changed.entries()) {
    report.filesRead++;
    let offset = entry.offset;
    for (const chunk of readCompleteLines(entry.file, entry.offset, options.chunkBytes ?? 4 * 1024 * 1024)) {
      if (options.signal?.aborted) {
        report.cancelled = true;
        break files;
      }
      const records: { raw: string; record: TranscriptRecord }[] = [];
      for (const raw of chunk.lines) {
        if (raw.trim() === '') continue;
        report.linesRead++;
        const record = parseTranscriptLine(raw);
        if (record) records.push({ raw, record });
        else report.linesUnparsed++;
      }
      await store.transaction((tx) => applier.apply(tx, records));
      bytesDone += chunk.endOffset - offset;
      offset = chunk.endOffset;
      // Size/mtime are only remembered once the whole file is read, so a cancelled file resumes.
      state.files[entry.key] = { size: -1, mtimeMs: -1, offset };
      saveImportState(options.statePath, state);
      options.onProgress?.({ file: entry.file, filesDone: index, filesTotal: changed.length, bytesDone, bytesTotal });
    }
    state.files[entry.key] = { size: entry.size, mtimeMs: entry.mtimeMs, offset };
    saveImportState(options.statePath, state);
    options.onProgress?.({ file: entry.file, filesDone: index + 1, filesTotal: changed.length, bytesDone, bytesTotal });
  }

  return {
    ...report,
    interactionsAdded: totals.interactionsAdded,
    eventsAdded: totals.eventsAdded,
    usageResponses: totals.usageResponses,
    unpricedModels: [...totals.unpricedModels].sort(),
    sessionIds: [...totals.touchedSessionIds],
    createdSessionIds: [...resolver.created],
  };
}
