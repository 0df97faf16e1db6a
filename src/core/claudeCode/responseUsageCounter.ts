/**
 * Counts each API response's usage once, keyed by (`message.id`, `requestId`), from the
 * response's line with the highest `output_tokens` (the earlier lines carry streaming snapshots).
 * The first line seen records a `claude.usage` event (`cc:usage:<key>`); a later line with more
 * output tokens records a revision (`cc:usage:<key>:r<n>`, naming the line counted) and moves the
 * run's and session's totals by the difference, so the figures are the same however the lines
 * were split across chunks and imports. A response whose recorded output is implausibly small for
 * the text it wrote is kept as recorded and marked `lowerBound`. `<synthetic>` lines (client-side
 * errors) are not billable. One run per turn and model (`claude-code-run:<turn>:<model>`).
 */
import { ZERO_USAGE, type PricingTable } from '../agent/pricing';
import type { RunUpdate } from '../model/run';
import type { TokenUsage } from '../model/session';
import type { StoreTransaction } from '../store/repositoryApi';
import { stableUuid } from './claudeSessions';
import type { AppliedLine, ApplyContext, ApplyTotals } from './transcriptApplyContext';
import { usageKey, type TranscriptRecord } from './transcriptRecord';

/** Not billable: Claude Code's own client-side error lines. */
export const SYNTHETIC_MODEL = '<synthetic>';
/**
 * A response is marked a lower bound when one of its lines wrote more than this many characters
 * per recorded output token (English text and code run at about 3–4): Claude Code sometimes
 * records the stream's first snapshot as the final figure. Judged on the longest line read, so
 * re-reading a line changes nothing. Only a counted line is written down with its length: a longer
 * line that neither raises the figure nor changes the mark is remembered while its file is read,
 * not stored, so a better line in a later import or file is judged without it.
 */
const LOWER_BOUND_CHARS_PER_TOKEN = 16;
const LOWER_BOUND_MIN_CHARS = 200;

/** The figure currently counted for one API response. */
interface CountedResponse {
  revision: number;
  runId: string;
  model: string;
  usage: TokenUsage;
  costUsd: number | null;
  lowerBound: boolean;
  /** Characters of the response's longest line seen (text, thinking, tool input). */
  chars: number;
}

const USAGE_FIELDS = Object.keys(ZERO_USAGE) as (keyof TokenUsage)[];

function usageOf(payload: Record<string, unknown>): TokenUsage {
  const usage = { ...ZERO_USAGE };
  for (const field of USAGE_FIELDS) {
    const value = payload[field];
    if (typeof value === 'number' && Number.isFinite(value)) usage[field] = value;
  }
  return usage;
}

/** Characters a response's line wrote: what its output tokens paid for. */
function writtenChars(record: TranscriptRecord): number {
  let chars = 0;
  for (const block of record.blocks) {
    if (block.type === 'text' || block.type === 'thinking') chars += block.text.length;
    else if (block.type === 'tool_use') chars += JSON.stringify(block.input ?? null).length + block.name.length;
  }
  return chars;
}

/** The event of a response's first counted line (its revisions add `:r<n>`). */
function usageEventId(key: string): string {
  return `cc:usage:${key}`;
}

function isLowerBound(outputTokens: number, chars: number): boolean {
  return chars >= LOWER_BOUND_MIN_CHARS && outputTokens * LOWER_BOUND_CHARS_PER_TOKEN < chars;
}

/** Counts responses' usage into runs. Keep one instance per import run: it remembers responses and runs across chunks. */
export class ResponseUsageCounter {
  /** Run ids by turn (or session) and model, once started. */
  private readonly runIds = new Map<string, string>();
  /** Per response key, the line of the current chunk that is counted and the longest line's characters. */
  private readonly chunkBest = new Map<string, { lineNo: number; outputTokens: number; chars: number }>();
  /** What this chunk adds to (or takes from) each run, written once at the chunk's end. */
  private readonly runChanges = new Map<string, { usage: TokenUsage; costUsd: number; costUnknown: boolean }>();
  private readonly responses = new Map<string, CountedResponse>();
  /** Responses of this chunk not in {@link responses} and found not stored: nothing to look up. */
  private readonly unstored = new Set<string>();

  constructor(
    private readonly pricing: PricingTable,
    private readonly totals: ApplyTotals,
  ) {}

  /** The file whose responses {@link responses} holds (see {@link readFrom}). */
  private file: string | undefined;

  /**
   * Starts counting another file's lines: what is remembered of the previous file's responses and
   * runs goes, as a response's lines are all in one file (a response seen again, as a resumed
   * session's copy of earlier lines, is looked up in the store: it is counted once either way).
   * Kept for the whole import, they were part of what V8 found live at its full collections late in
   * a 200 MB import (24–27 MB against 19–23 MB without them; --trace-gc-nvp), and V8 keeps about
   * four times that as heap.
   */
  readFrom(file: string): void {
    if (file === this.file) return;
    this.responses.clear();
    this.runIds.clear();
    this.file = file;
  }

  /** Drops what this run remembers of responses and runs (after a chunk's transaction was rolled back). */
  forget(): void {
    this.file = undefined;
    this.responses.clear();
    this.unstored.clear();
    this.runIds.clear();
    this.runChanges.clear();
  }

  /**
   * Finds each response's line with the most output tokens in this chunk: only it is counted (one
   * usage event per response per chunk; a later chunk or import revises it when it has a better line).
   */
  startChunk(tx: StoreTransaction, lines: readonly AppliedLine[]): void {
    this.chunkBest.clear();
    this.unstored.clear();
    for (const line of lines) {
      const key = usageKey(line.record);
      if (!key || !line.record.usage) continue;
      const best = this.chunkBest.get(key);
      const chars = Math.max(best?.chars ?? 0, writtenChars(line.record));
      if (!best || line.record.usage.outputTokens > best.outputTokens)
        this.chunkBest.set(key, { lineNo: line.lineNo, outputTokens: line.record.usage.outputTokens, chars });
      else best.chars = chars;
    }
    // Most of a chunk's responses are new: ask the store about them at once, not one query each.
    const unknown = [...this.chunkBest.keys()].filter((key) => !this.responses.has(key));
    const stored = tx.events.stored(unknown.map(usageEventId));
    for (const key of unknown) if (!stored.has(usageEventId(key))) this.unstored.add(key);
  }

  /** Counts the line's usage when it is its response's counted line (the turn's run, or the session's when `interactionId` is null). */
  count(tx: StoreTransaction, sessionId: string, interactionId: string | null, line: AppliedLine, context: ApplyContext): void {
    const { record } = line;
    const key = usageKey(record);
    if (!key || !record.usage) return;
    const model = record.model ?? 'unknown';
    if (model === SYNTHETIC_MODEL) return; // client-side error lines: nothing was billed
    const inChunk = this.chunkBest.get(key);
    if (inChunk && inChunk.lineNo !== line.lineNo) return; // a better (or equal, earlier) line of this response in this chunk counts
    const previous = this.counted(tx, key);
    // The longest line the response wrote (not a sum over lines: re-reading a line must not count it twice).
    const chars = Math.max(previous?.chars ?? 0, inChunk?.chars ?? writtenChars(record));
    const usage = record.usage;
    // The response's figure is its line with the most output tokens (a whole line: a fallback changes the model too).
    const better = !previous || usage.outputTokens > previous.usage.outputTokens;
    const lowerBound = isLowerBound(better ? usage.outputTokens : previous.usage.outputTokens, chars);
    if (!better && lowerBound === previous.lowerBound) {
      previous.chars = chars;
      return;
    }
    const counted = better ? { model, usage } : { model: previous.model, usage: previous.usage };
    const cost = this.pricing.costOf(counted.model, counted.usage);
    const costUsd = 'usd' in cost ? cost.usd : null;
    if (costUsd === null) this.totals.unpricedModels.add(counted.model);
    const runId = better ? this.runFor(tx, sessionId, interactionId, model, record.sessionId) : previous.runId;
    if (better) {
      if (previous) this.addToRun(previous.runId, previous.usage, previous.costUsd, -1);
      this.addToRun(runId, usage, costUsd, 1);
    }
    const revision = previous ? previous.revision + 1 : 0;
    tx.events.append({
      id: revision === 0 ? usageEventId(key) : `${usageEventId(key)}:r${revision}`,
      sessionId,
      interactionId,
      runId,
      type: 'claude.usage',
      payload: {
        key,
        messageId: record.messageId,
        requestId: record.requestId,
        model: counted.model,
        ...counted.usage,
        costUsd,
        ...('pricedAtBaseRate' in cost && cost.pricedAtBaseRate ? { pricedAtBaseRate: true } : {}),
        isSidechain: record.isSidechain || context.launchedBy !== undefined,
        ...(record.agentId ? { agentId: record.agentId } : {}),
        /** The line whose figure is counted. */
        line: { file: context.file, line: line.lineNo, uuid: record.uuid },
        chars,
        lowerBound,
        ...(previous ? { revision, revises: { outputTokens: previous.usage.outputTokens, model: previous.model } } : {}),
      },
      ts: record.timestamp ?? undefined,
    });
    this.totals.eventsAdded++;
    if (previous) this.totals.usageRevisions++;
    else this.totals.usageResponses++;
    if (lowerBound && !previous?.lowerBound) this.totals.lowerBoundResponses++;
    this.responses.set(key, { revision, runId, model: counted.model, usage: counted.usage, costUsd, lowerBound, chars });
  }

  /** Writes what this chunk added to (or took from) each run's totals. */
  writeRunChanges(tx: StoreTransaction): void {
    for (const [runId, change] of this.runChanges) {
      const run = tx.runs.get(runId);
      if (!run) continue;
      const patch: Record<string, unknown> = { status: 'ok' };
      for (const field of USAGE_FIELDS) patch[field] = Math.max(0, (run[field as keyof typeof run] as number) + change.usage[field]);
      patch.costUsd = Math.max(0, Math.round((run.costUsd + change.costUsd) * 1e9) / 1e9);
      if (change.costUnknown) patch.costUnknown = true;
      tx.runs.update(runId, patch as RunUpdate);
    }
    this.runChanges.clear();
  }

  /** The run holding a turn's (or the session's) responses of one model. */
  private runFor(tx: StoreTransaction, sessionId: string, interactionId: string | null, model: string, claudeSessionId: string): string {
    const owner = interactionId ?? sessionId;
    const known = this.runIds.get(`${owner}\n${model}`);
    if (known) return known;
    // Imports before per-model runs kept one run per turn: its model's responses stay in it.
    const legacyId = stableUuid(`claude-code-run:${owner}`);
    const legacy = tx.runs.get(legacyId);
    const runId = legacy && legacy.model === model ? legacyId : stableUuid(`claude-code-run:${owner}:${model}`);
    if (!tx.runs.get(runId)) {
      tx.runs.start({ id: runId, sessionId, interactionId, provider: 'claude-code-cli', model, conversationId: claudeSessionId });
    }
    this.runIds.set(`${owner}\n${model}`, runId);
    return runId;
  }

  /** Moves a run's totals by `sign` × the response's figure (written at the chunk's end, {@link writeRunChanges}). */
  private addToRun(runId: string, usage: TokenUsage, costUsd: number | null, sign: 1 | -1): void {
    if (!runId) return; // a response recorded without a run
    const change = this.runChanges.get(runId) ?? { usage: { ...ZERO_USAGE }, costUsd: 0, costUnknown: false };
    for (const field of USAGE_FIELDS) change.usage[field] += sign * usage[field];
    change.costUsd += sign * (costUsd ?? 0);
    if (costUsd === null && sign === 1) change.costUnknown = true;
    this.runChanges.set(runId, change);
  }

  /** The figure counted so far for a response (this run's memory, else its stored usage event and revisions). */
  private counted(tx: StoreTransaction, key: string): CountedResponse | undefined {
    const known = this.responses.get(key);
    if (known || this.unstored.has(key)) return known;
    let event = tx.events.get(usageEventId(key));
    if (!event) return undefined;
    let revision = 0;
    for (let next = tx.events.get(`cc:usage:${key}:r1`); next; next = tx.events.get(`cc:usage:${key}:r${revision + 1}`)) {
      event = next;
      revision++;
    }
    const payload = (event.payload ?? {}) as Record<string, unknown>;
    const counted: CountedResponse = {
      revision,
      runId: event.runId ?? '',
      model: typeof payload.model === 'string' ? payload.model : 'unknown',
      usage: usageOf(payload),
      costUsd: typeof payload.costUsd === 'number' ? payload.costUsd : null,
      lowerBound: payload.lowerBound === true,
      chars: typeof payload.chars === 'number' ? payload.chars : 0,
    };
    this.responses.set(key, counted);
    return counted;
  }
}
