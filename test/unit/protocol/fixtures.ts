import type { Interaction } from '../../../src/core/model/interaction';
import type { Run } from '../../../src/core/model/run';
import type { Session } from '../../../src/core/model/session';
import type { LedgerEvent } from '../../../src/core/model/event';
import type { InteractionRow } from '../../../src/protocol/timelineModel';

export const SESSION_ID = '11111111-1111-4111-8111-111111111111';

export function uuid(n: number): string {
  return `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

export function session(overrides: Partial<Session> = {}): Session {
  return {
    id: SESSION_ID,
    parentSessionId: null,
    followsSessionId: null,
    type: 'test-fix',
    title: 'Fix the flaky test',
    slug: 'fix-the-flaky-test',
    intention: 'The suite passes.',
    successCriteria: ['npm test exits 0'],
    completionCriteria: [],
    constraints: [],
    procedureNotes: '',
    agent: 'claude_code',
    provider: 'claude-code-cli',
    environment: 'vscode',
    executionMode: 'manual',
    status: 'active',
    phase: 'test',
    state: {},
    externalConversationId: null,
    workingDir: null,
    workspaceFolder: null,
    tags: [],
    summary: null,
    outcome: null,
    progress: null,
    scheduledAt: null,
    expectedMinutes: null,
    startedAt: 1_700_000_000_000,
    inputTokens: 0,
    outputTokens: 0,
    cacheCreationTokens: 0,
    cacheCreation1hTokens: 0,
    cacheReadTokens: 0,
    totalCostUsd: 0,
    costUnknown: false,
    interactionCount: 0,
    eventCount: 0,
    lastEventAt: null,
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000,
    endedAt: null,
    deletedAt: null,
    ...overrides,
  };
}

export function interaction(
  seq: number,
  overrides: { kind?: Interaction['command']['kind']; command?: string; result?: Partial<Interaction['result']> } = {},
): Interaction {
  return {
    id: uuid(seq),
    sessionId: SESSION_ID,
    seq,
    command: { step: 'test', kind: overrides.kind ?? 'shell', command: overrides.command ?? `npm test # ${seq}`, metadata: {} },
    commandAtMicros: 1_700_000_000_000_000 + seq * 1_000_000,
    result: {
      status: 'ok',
      exitCode: 0,
      output: `output ${seq}`,
      data: null,
      errorMessage: null,
      durationMs: 1_200,
      completedAt: 1_700_000_000_000 + seq * 1000,
      ...overrides.result,
    },
  };
}

export function run(n: number, interactionId: string, tokens: number, costUsd: number): Run {
  return {
    id: uuid(100_000 + n),
    sessionId: SESSION_ID,
    interactionId,
    provider: 'claude-code-cli',
    model: 'claude',
    modelAlias: null,
    phase: null,
    conversationId: null,
    status: 'ok',
    inputTokens: tokens,
    outputTokens: tokens,
    cacheCreationTokens: 0,
    cacheCreation1hTokens: 0,
    cacheReadTokens: 0,
    costUsd,
    costUnknown: false,
    startedAt: 1_700_000_000_000,
    endedAt: null,
    error: null,
  };
}

export function event(seq: number, interactionId: string | null, overrides: Partial<LedgerEvent> = {}): LedgerEvent {
  return {
    id: `event-${seq}`,
    sessionId: SESSION_ID,
    seq,
    interactionId,
    runId: null,
    type: 'hook.PreToolUse',
    toolName: 'Bash',
    payload: { command: 'ls' },
    correlationId: null,
    ts: 1_700_000_000_000 + seq,
    ...overrides,
  };
}

export function row(seq: number, overrides: Partial<InteractionRow> = {}): InteractionRow {
  return {
    id: uuid(seq),
    seq,
    step: 'test',
    phase: null,
    kind: 'shell',
    command: 'npm test',
    commandTruncated: false,
    status: 'ok',
    exitCode: 0,
    durationMs: 10,
    startedAt: 1_700_000_000_000,
    tokens: null,
    costUsd: null,
    hasOutput: true,
    errorMessage: null,
    ...overrides,
  };
}
