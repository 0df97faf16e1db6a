import type { Interaction } from '../core/model/interaction';
import type { Session } from '../core/model/session';

/*
 * The `--json` shapes of the command line (documented in docs/cli.md). Fields are only ever added;
 * times are ISO 8601 strings (UTC), costs in US dollars.
 */

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export interface SessionJson {
  id: string;
  slug: string;
  title: string;
  type: string;
  status: string;
  phase: string | null;
  parentSessionId: string | null;
  executionMode: string;
  provider: string;
  intention: string;
  successCriteria: string[];
  summary: string | null;
  interactionCount: number;
  eventCount: number;
  costUsd: number;
  costUnknown: boolean;
  tokens: { input: number; output: number; cacheCreation: number; cacheCreation1h: number; cacheRead: number };
  workingDir: string | null;
  createdAt: string;
  updatedAt: string;
  endedAt: string | null;
}

export function sessionJson(session: Session): SessionJson {
  return {
    id: session.id,
    slug: session.slug,
    title: session.title,
    type: session.type,
    status: session.status,
    phase: session.phase,
    parentSessionId: session.parentSessionId,
    executionMode: session.executionMode,
    provider: session.provider,
    intention: session.intention,
    successCriteria: session.successCriteria,
    summary: session.summary,
    interactionCount: session.interactionCount,
    eventCount: session.eventCount,
    costUsd: session.totalCostUsd,
    costUnknown: session.costUnknown,
    tokens: {
      input: session.inputTokens,
      output: session.outputTokens,
      cacheCreation: session.cacheCreationTokens,
      cacheCreation1h: session.cacheCreation1hTokens,
      cacheRead: session.cacheReadTokens,
    },
    workingDir: session.workingDir,
    createdAt: iso(session.createdAt)!,
    updatedAt: iso(session.updatedAt)!,
    endedAt: iso(session.endedAt),
  };
}

export function interactionJson(interaction: Interaction) {
  return {
    id: interaction.id,
    seq: interaction.seq,
    step: interaction.command.step,
    kind: interaction.command.kind,
    command: interaction.command.command,
    at: iso(Math.floor(interaction.commandAtMicros / 1000)),
    status: interaction.result.status,
    exitCode: interaction.result.exitCode,
    output: interaction.result.output,
    errorMessage: interaction.result.errorMessage,
    durationMs: interaction.result.durationMs,
    completedAt: iso(interaction.result.completedAt),
  };
}
