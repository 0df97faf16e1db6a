/**
 * What a transcript import did ({@link TranscriptImportReport}): counts, damaged lines, files that
 * wait or failed, and Claude Code's own cost figures that differ from the ledger's; and the
 * sentence that tells a person about it ({@link describeTranscriptImport}).
 */
import type { PipelinedStore } from '../store/ports';
import { formatUsdPrecise } from '../../protocol/presentation';

/** A line that could not be read: where it is and why. */
export interface DamagedLine {
  /** Path relative to the project folder. */
  file: string;
  line: number;
  reason: string;
}

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

/** Sessions whose Claude Code cost figure (read in this import) differs from the ledger's count of the same conversation. */
export async function findCostDifferences(
  store: PipelinedStore,
  claudeCodeCosts: ReadonlyMap<string, { sessionId: string; totalCostUsd: number }>,
): Promise<CostDifference[]> {
  const costDifferences: CostDifference[] = [];
  if (claudeCodeCosts.size > 0) {
    await store.transaction((tx) => {
      for (const [claudeSessionId, { sessionId, totalCostUsd }] of claudeCodeCosts) {
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
  return costDifferences;
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
