/**
 * What applying transcript lines takes and counts, shared by the modules that apply them
 * (transcriptApply.ts and the turn, event and usage modules it uses): one line to apply, where it
 * comes from, and the totals an import adds up.
 */
import type { TranscriptRecord } from './transcriptRecord';

export interface ApplyTotals {
  interactionsAdded: number;
  eventsAdded: number;
  /** API responses counted for the first time. */
  usageResponses: number;
  /** Responses whose counted figure a later line corrected. */
  usageRevisions: number;
  /** Responses marked as lower bounds (recorded output implausibly small). */
  lowerBoundResponses: number;
  unpricedModels: Set<string>;
  touchedSessionIds: Set<string>;
}

export function emptyApplyTotals(): ApplyTotals {
  return {
    interactionsAdded: 0,
    eventsAdded: 0,
    usageResponses: 0,
    usageRevisions: 0,
    lowerBoundResponses: 0,
    unpricedModels: new Set(),
    touchedSessionIds: new Set(),
  };
}

/** One line to apply: its text, its parsed record and where it is (for tracing a figure to its line). */
export interface AppliedLine {
  raw: string;
  record: TranscriptRecord;
  /** 1-based line number in its file. */
  lineNo: number;
}

export interface ApplyContext {
  /** The transcript's path relative to the project folder. */
  file: string;
  /**
   * For a sub-agent's file: the turn whose Task/Agent tool call launched it (null: the session
   * itself, when no launching call can be found). Every line of the file belongs there.
   */
  launchedBy?: { interactionId: string | null };
}
