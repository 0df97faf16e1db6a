import { join } from 'node:path';
import { ZERO_USAGE, type PricingTable } from '../core/agent/pricing';
import { stableUuid } from '../core/claudeCode/claudeSessions';
import { IMPORTED_TURN_STEP } from '../core/claudeCode/transcriptTurns';
import { claudeConfigDir, claudeProjectDir } from '../core/claudeCode/transcriptFiles';
import type { TranscriptResponse } from '../core/claudeCode/transcriptResponses';
import { commandPhaseOf, stepOptionsOf } from '../core/engine/stepOptions';
import type { Interaction } from '../core/model/interaction';
import type { Session } from '../core/model/session';
import type { SessionStore } from '../core/store/SessionStore';

/* The tokens and cost of manual Claude steps, read from Claude Code's transcripts (used by ClaudeCodeHistory). */

/** Claude Code's clock and ours are the same machine's; this only absorbs rounding. */
const STEP_CLOCK_SLACK_MS = 2000;
/** The hook events after which a manual Claude step's usage is read from its transcript. */
export const USAGE_HOOK_EVENTS = ['hook.Stop', 'hook.SessionEnd'];

/** What a manual Claude step's transcript added up to (also kept in the step's result data). */
export interface ClaudeStepUsage {
  recorded: boolean;
  /** Why nothing was recorded (hooks not connected, no transcript). */
  reason?: string;
  transcriptPath?: string;
  responses?: number;
  inputTokens?: number;
  outputTokens?: number;
  cacheCreationTokens?: number;
  cacheCreation1hTokens?: number;
  cacheReadTokens?: number;
  costUsd?: number;
  costUnknown?: boolean;
}

/** The transcript path a hook of this session reported, else where Claude Code writes it for the session's folder. */
export function transcriptPathOf(store: SessionStore, workspaceRoot: string | undefined, session: Session, conversationId: string): string {
  const hooks = store.events.list(session.id, {
    type: ['hook.SessionStart', ...USAGE_HOOK_EVENTS, 'hook.UserPromptSubmit'],
    limit: 10_000,
  });
  for (let i = hooks.length - 1; i >= 0; i--) {
    const payload = hooks[i]!.payload as { transcript_path?: unknown; session_id?: unknown } | null;
    if (typeof payload?.transcript_path === 'string' && payload.session_id === conversationId) return payload.transcript_path;
  }
  const folder = session.workingDir ?? workspaceRoot ?? '';
  return join(claudeProjectDir(folder, claudeConfigDir()), `${conversationId}.jsonl`);
}

/** Sets the tokens and cost of each of the session's Claude steps from its transcript's responses (see recordClaudeStepUsage). */
export async function applyStepUsage(
  store: SessionStore,
  pricing: PricingTable,
  session: Session,
  conversationId: string,
  responses: readonly TranscriptResponse[],
): Promise<void> {
  await store.transaction((tx) => {
    const steps = tx.interactions
      .list(session.id, { limit: 100_000 })
      .filter((i) => i.command.kind === 'claude' && i.command.step !== IMPORTED_TURN_STEP)
      .sort((a, b) => a.seq - b.seq);
    if (steps.length === 0) return;
    const startOf = (step: Interaction) => step.commandAtMicros / 1000 - STEP_CLOCK_SLACK_MS;
    for (const [index, step] of steps.entries()) {
      const from = startOf(step);
      const next = steps[index + 1];
      const until = next !== undefined ? startOf(next) : Infinity;
      const mine = responses.filter((r) => Number.isFinite(r.at) && r.at >= from && r.at < until);
      if (mine.length === 0) continue;
      const runId = stableUuid(`claude-code-step-run:${step.id}`);
      const totals = {
        ...ZERO_USAGE,
        costUsd: 0,
        costUnknown: false,
      };
      let model: string | null = null;
      for (const response of mine) {
        const eventId = `cc:usage:${response.key}`;
        const counted = tx.events.get(eventId);
        if (counted && counted.runId !== runId) continue; // an import counted it already, in its own run
        const cost = pricing.costOf(response.model, response.usage);
        totals.inputTokens += response.usage.inputTokens;
        totals.outputTokens += response.usage.outputTokens;
        totals.cacheCreationTokens += response.usage.cacheCreationTokens;
        totals.cacheCreation1hTokens += response.usage.cacheCreation1hTokens ?? 0;
        totals.cacheReadTokens += response.usage.cacheReadTokens;
        if ('usd' in cost) totals.costUsd += cost.usd;
        else totals.costUnknown = true;
        model = response.model;
        if (!tx.runs.get(runId)) {
          tx.runs.start({
            id: runId,
            sessionId: session.id,
            interactionId: step.id,
            provider: 'claude-code-cli',
            model,
            // The terminal's `claude` gets `--model` only from the step (else Claude Code's own default).
            modelAlias: stepOptionsOf(step.command.metadata).model ?? null,
            phase: commandPhaseOf(step.command),
            conversationId,
          });
        }
        if (!counted) {
          tx.events.append({
            id: eventId,
            sessionId: session.id,
            interactionId: step.id,
            runId,
            type: 'claude.usage',
            payload: {
              ...response.usage,
              model: response.model,
              key: response.key,
              line: response.line,
              costUsd: 'usd' in cost ? cost.usd : null,
              source: 'manual-step',
            },
            ts: response.at,
          });
        }
      }
      const run = tx.runs.get(runId);
      if (!run) continue;
      const same =
        run.inputTokens === totals.inputTokens &&
        run.outputTokens === totals.outputTokens &&
        run.cacheCreationTokens === totals.cacheCreationTokens &&
        run.cacheCreation1hTokens === totals.cacheCreation1hTokens &&
        run.cacheReadTokens === totals.cacheReadTokens &&
        Math.abs(run.costUsd - totals.costUsd) < 1e-12 &&
        run.costUnknown === totals.costUnknown &&
        run.status === 'ok';
      if (!same) tx.runs.update(runId, { status: 'ok', model, ...totals });
    }
  });
}
