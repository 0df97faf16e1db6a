/**
 * Writes parsed transcript records into the store, inside one transaction per chunk. The parts it
 * puts together: turns (transcriptTurns.ts), a line's events (transcriptEvents.ts), usage per API
 * response (responseUsageCounter.ts) and sub-agent links (subagentLaunch.ts).
 *
 * - Only a person's prompt starts a turn: an interaction (`step` `claude-code.turn`, kind
 *   `claude`, id derived from the line's uuid, issued at the line's timestamp); the assistant's text
 *   becomes its result output. Compactions, task notifications, meta lines, local command output and
 *   interruption markers become events of the current turn (`claude.compaction`, `claude.notice`).
 * - A turn's result is a function of its stored events (reply text, tool uses, model, time of its
 *   last line), so it is the same whether the file was imported in one go, in chunks, or across
 *   imports of a growing file. Re-importing writes nothing.
 * - Every content block becomes an event (`claude.prompt`, `claude.text`, `claude.thinking`,
 *   `claude.tool_use`, `claude.tool_result`) with an id derived from the line.
 * - Usage is counted once per API response, keyed by (`message.id`, `requestId`), from the
 *   response's line with the highest `output_tokens` (the earlier lines carry streaming snapshots).
 *   The first line seen records a `claude.usage` event (`cc:usage:<key>`); a later line with more
 *   output tokens records a revision (`cc:usage:<key>:r<n>`, naming the line counted) and moves the
 *   run's and session's totals by the difference, so the figures are the same however the lines
 *   were split across chunks and imports. A response whose recorded output is implausibly small
 *   for the text it wrote is kept as recorded and marked `lowerBound`. `<synthetic>` lines
 *   (client-side errors) are not billable.
 * - One run per turn and model (`claude-code-run:<turn>:<model>`): a turn that mixes models (a
 *   sub-agent on another model, a fallback) has a run per model, so per-model figures are exact.
 * - Sidechain lines (sub-agents) never start a turn or add to its reply; their usage belongs to
 *   the turn whose Task/Agent tool call launched them ({@link ApplyContext.launchedBy}).
 */
import type { PricingTable } from '../agent/pricing';
import { isTerminalSessionStatus } from '../model/sessionStatus';
import type { StoreTransaction } from '../store/repositoryApi';
import { type ClaudeSessionResolver, IMPORTED_SESSION_TYPE, importedSessionId, sha256Hex } from './claudeSessions';
import { ResponseUsageCounter } from './responseUsageCounter';
import type { AgentLinks } from './subagentLaunch';
import type { AppliedLine, ApplyContext, ApplyTotals } from './transcriptApplyContext';
import { appendEvent, appendLineEvents, capJson, ToolNames } from './transcriptEvents';
import { blocksText, isPrompt, type CostStateLine } from './transcriptRecord';
import { addToTurn, newTurn, TurnTracker, writeTurnResult, type Turn } from './transcriptTurns';

/** Applies records of ONE chunk, in file order. Keep one instance per import run: it remembers turns and responses across chunks. */
export class TranscriptApplier {
  private readonly turns: TurnTracker;
  private readonly usage: ResponseUsageCounter;
  private readonly toolNames = new ToolNames();
  /** Claude Code's own latest cost figure per Claude session id, from `cost-state` lines read in this run. */
  readonly claudeCodeCosts = new Map<string, { sessionId: string; totalCostUsd: number }>();

  constructor(
    private readonly resolver: ClaudeSessionResolver,
    pricing: PricingTable,
    private readonly totals: ApplyTotals,
    private readonly workspaceFolder: string | null,
    /** Learned and read across imports (kept in the import state). */
    readonly links: AgentLinks = { byAgent: {}, byPrompt: {} },
  ) {
    this.turns = new TurnTracker(totals);
    this.usage = new ResponseUsageCounter(pricing, totals);
  }

  /** Drops what this run remembers of turns and responses (after a chunk's transaction was rolled back). */
  forget(): void {
    this.turns.forget();
    this.usage.forget();
    this.toolNames.forget();
  }

  apply(tx: StoreTransaction, lines: readonly AppliedLine[], context: ApplyContext): void {
    const firstPrompts = new Map<string, string>();
    const firstTimes = new Map<string, number>();
    for (const { record } of lines) {
      if (isPrompt(record) && !firstPrompts.has(record.sessionId)) firstPrompts.set(record.sessionId, blocksText(record.blocks));
      if (record.timestamp !== null && !firstTimes.has(record.sessionId)) firstTimes.set(record.sessionId, record.timestamp);
    }
    this.usage.readFrom(context.file);
    this.usage.startChunk(tx, lines);
    this.toolNames.readFrom(context.file);
    const touched = new Set<Turn>();
    for (const line of lines) {
      const { record } = line;
      if (record.role === null && record.type !== 'system') continue;
      const sessionId = this.sessionOf(
        tx,
        record.sessionId,
        firstPrompts.get(record.sessionId),
        record.cwd,
        firstTimes.get(record.sessionId),
      );
      let turn: Turn | null;
      const prompt = context.launchedBy ? null : this.turns.promptOf(tx, record);
      if (context.launchedBy) {
        turn = context.launchedBy.interactionId ? newTurn(context.launchedBy.interactionId, null) : null;
      } else if (prompt !== null) {
        turn = this.turns.start(tx, sessionId, record, line.raw, touched, prompt);
      } else {
        turn = this.turns.current(tx, record.sessionId, sessionId);
      }
      if (turn && !context.launchedBy) touched.add(turn);
      const interactionId = turn?.interactionId ?? null;
      const added = appendLineEvents(tx, this.totals, this.links, this.toolNames, sessionId, interactionId, line, context, prompt);
      // An event stored before this run is already part of a turn loaded from the store.
      if (turn && !context.launchedBy) for (const event of added) addToTurn(turn, event);
      this.usage.count(tx, sessionId, interactionId, line, context);
    }
    for (const turn of touched) writeTurnResult(tx, turn);
    this.usage.writeRunChanges(tx);
    for (const sessionId of new Set(lines.map((l) => l.record.sessionId))) this.dateImportedSession(tx, sessionId);
  }

  /**
   * A damaged line where a prompt may have been: the lines after it must not be merged into the
   * previous turn, so a turn is recorded for the gap (its command says which line could not be read).
   */
  recordGap(tx: StoreTransaction, claudeSessionId: string, file: string, lineNo: number, reason: string): void {
    const sessionId = this.sessionOf(tx, claudeSessionId, undefined, null, undefined);
    this.turns.startGap(tx, claudeSessionId, sessionId, file, lineNo, reason);
  }

  /** Claude Code's own cost figure for the session, kept beside the ledger's count (not added to it). */
  recordCostState(tx: StoreTransaction, costState: CostStateLine, raw: string): void {
    const sessionId = this.sessionOf(tx, costState.sessionId, undefined, null, undefined);
    this.claudeCodeCosts.set(costState.sessionId, { sessionId, totalCostUsd: costState.totalCostUsd });
    appendEvent(tx, this.totals, {
      id: `cc:cost-state:${sha256Hex(raw).slice(0, 40)}`,
      sessionId,
      type: 'claude.costState',
      payload: { totalCostUsd: costState.totalCostUsd, modelUsage: capJson(costState.modelUsage) },
    });
  }

  private sessionOf(
    tx: StoreTransaction,
    claudeSessionId: string,
    firstPrompt: string | undefined,
    cwd: string | null,
    startedAt: number | undefined,
  ): string {
    const sessionId = this.resolver.resolve(tx, claudeSessionId, { firstPrompt, cwd, workspaceFolder: this.workspaceFolder, startedAt });
    this.totals.touchedSessionIds.add(sessionId);
    return sessionId;
  }

  /** A session the import created was updated and ended when its last line was written, not now. */
  private dateImportedSession(tx: StoreTransaction, claudeSessionId: string): void {
    const session = tx.sessions.get(importedSessionId(claudeSessionId));
    if (!session || session.type !== IMPORTED_SESSION_TYPE || session.externalConversationId !== claudeSessionId) return;
    const last = session.lastEventAt;
    if (last === null || last < session.createdAt || !isTerminalSessionStatus(session.status)) return; // imported before times were kept
    if (session.updatedAt !== last || session.endedAt !== last) tx.sessions.setTimes(session.id, { updatedAt: last, endedAt: last });
  }
}
