/**
 * The API responses of one Claude Code transcript, read whole: what a manual Claude step's usage is
 * taken from when its Stop/SessionEnd hook arrives (the full import, transcriptImport.ts, does the
 * same incrementally with every line's events). Same rules as the import: one response per
 * (`message.id`, `requestId`), its figure the line with the most output tokens, `<synthetic>`
 * lines not billed, damaged lines skipped (the import reports them).
 */
import type { TokenUsage } from '../model/session';
import { SYNTHETIC_MODEL } from './responseUsageCounter';
import { classifyTranscriptLine, usageKey } from './transcriptRecord';

export interface TranscriptResponse {
  key: string;
  model: string;
  /** When the response's first line was written (ms; NaN when the line has no time). */
  at: number;
  usage: TokenUsage;
  /** 1-based line number of the line counted. */
  line: number;
}

export function transcriptResponses(text: string): TranscriptResponse[] {
  const responses = new Map<string, TranscriptResponse>();
  text.split('\n').forEach((raw, index) => {
    if (!raw.includes('"usage"')) return;
    const parsed = classifyTranscriptLine(raw);
    if (parsed.kind !== 'record') return;
    const { record } = parsed;
    const key = usageKey(record);
    if (!key || !record.usage || record.model === SYNTHETIC_MODEL) return;
    const known = responses.get(key);
    if (known && record.usage.outputTokens <= known.usage.outputTokens) return;
    responses.set(key, {
      key,
      model: record.model ?? 'unknown',
      at: known?.at ?? record.timestamp ?? NaN,
      usage: record.usage,
      line: index + 1,
    });
  });
  return [...responses.values()];
}
