import { strict as assert } from 'node:assert';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AnthropicProvider } from '../../../src/core/agent/anthropicProvider';
import { ClaudeCliProvider } from '../../../src/core/agent/claudeCliProvider';
import type { ClaudeProvider } from '../../../src/core/agent/claudeProvider';
import { AGENTIC_EVENT, runAgentic, type AgenticBudgets, type AgenticOptions } from '../../../src/core/engine/agenticLoop';
import { SessionEngine } from '../../../src/core/engine/SessionEngine';
import { runShellCommand } from '../../../src/core/exec/runShellCommand';
import { SessionStore } from '../../../src/core/store/SessionStore';
import { SessionTypeRegistry } from '../../../src/core/workflow/SessionTypeRegistry';
import { DEFAULT_WORKFLOW_SETTINGS } from '../../../src/core/workflow/StepBehaviour';
import { NodeWorkspaceFiles } from '../../../src/core/workflow/workspaceFiles';
import { startFakeAnthropic, type FakeAnthropic, type FakeTurn, type RecordedRequest } from '../../fakes/fakeAnthropic';
import { installFakeClaude } from '../../fakes/fakeClaude';

const MODEL = 'claude-sonnet-5';
const KEY = 'sk-test-key';
const PLAN = '```json\n{ "summary": "Add a login page", "steps": [{ "title": "Form", "files": ["src/login.ts"] }] }\n```';
const BUDGETS: AgenticBudgets = { maxSteps: 50, maxCostUsd: 0, stepTimeoutMs: 0 };

/** Answers every request with a valid plan (spec, build and docs accept any text). */
const answerWithPlan = (): FakeTurn => ({ content: [{ type: 'text', text: PLAN }], usage: { input_tokens: 1000, output_tokens: 200 } });

interface World {
  root: string;
  workspace: string;
  store: SessionStore;
  engine: SessionEngine;
  fake?: FakeAnthropic;
}

async function openWorld(root: string): Promise<World> {
  const workspace = join(root, 'workspace');
  const store = await SessionStore.open({ directory: join(root, 'store'), snapshotInWorker: false, snapshotIdleMs: 0 });
  const engine = new SessionEngine({
    store,
    types: new SessionTypeRegistry(),
    workspaceFiles: new NodeWorkspaceFiles(workspace),
    settings: () => ({ ...DEFAULT_WORKFLOW_SETTINGS }),
  });
  return { root, workspace, store, engine };
}

function requestText(request: RecordedRequest): string {
  return JSON.stringify(request.body.messages);
}

describe('agentic loop (runAgentic)', () => {
  let world: World;
  let fake: FakeAnthropic | undefined;

  beforeEach(async () => {
    world = await openWorld(await mkdtemp(join(tmpdir(), 'agentic-')));
  });
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
    await world.store.close().catch(() => undefined);
    await rm(world.root, { recursive: true, force: true });
  });

  async function api(script: Parameters<typeof startFakeAnthropic>[0]['script']): Promise<AnthropicProvider> {
    fake = await startFakeAnthropic({ script, apiKey: KEY });
    return new AnthropicProvider({ apiKey: KEY, baseURL: fake.url, model: MODEL, textBatchIntervalMs: 5 });
  }

  function options(claude: ClaudeProvider, extra: Partial<AgenticOptions> = {}): AgenticOptions {
    return { engine: world.engine, store: world.store, executeShell: runShellCommand, claude, budgets: BUDGETS, defaultWorkingDir: world.workspace, ...extra };
  }

  function startFull(testCommand?: string) {
    return world.engine.start({ type: 'full', title: 'Login page', intention: 'Add a login page', options: testCommand ? { testCommand } : {} });
  }

  it('runs a full session to completion over one conversation, recording runs, usage, cost and events', async () => {
    const claude = await api(answerWithPlan);
    const session = await startFull('echo tests pass');

    const outcome = await runAgentic(session.id, options(claude));

    assert.equal(outcome.reason, 'finished');
    assert.equal(outcome.session.status, 'complete');
    const interactions = world.store.interactions.list(session.id);
    assert.deepEqual(interactions.map((i) => [i.command.step, i.result.status]), [
      ['spec', 'ok'], ['plan', 'ok'], ['build', 'ok'], ['test', 'ok'], ['docs', 'ok'],
    ]);
    assert.equal(interactions[3].result.exitCode, 0);
    assert.match(interactions[3].result.output ?? '', /tests pass/);
    const folder = join(world.workspace, '.sessions', session.slug);
    assert.match(await readFile(join(folder, 'spec.md'), 'utf8'), /Add a login page/);
    assert.equal(JSON.parse(await readFile(join(folder, 'plan.json'), 'utf8')).summary, 'Add a login page');

    // One conversation: the id is stored on the session, every request after the first carries the history.
    const after = world.store.sessions.require(session.id);
    assert.ok(after.externalConversationId);
    assert.equal(fake!.requests.length, 4);
    assert.deepEqual(fake!.requests.map((r) => r.body.messages.length), [1, 3, 5, 7]);
    assert.equal(world.store.conversations.messages(after.externalConversationId!, { limit: 100 }).length, 8);

    const runs = world.store.runs.listBySession(session.id);
    assert.equal(runs.length, 4);
    for (const run of runs) {
      assert.deepEqual([run.status, run.inputTokens, run.outputTokens, run.conversationId], ['ok', 1000, 200, after.externalConversationId]);
      assert.ok(run.costUsd > 0);
    }
    assert.equal(after.inputTokens, 4000);
    assert.equal(after.outputTokens, 800);
    assert.ok(Math.abs(after.totalCostUsd - runs.reduce((sum, r) => sum + r.costUsd, 0)) < 1e-9);
    const types = new Set(world.store.events.list(session.id, { limit: 10_000 }).map((e) => e.type));
    for (const type of [AGENTIC_EVENT.agentText, AGENTIC_EVENT.usage]) assert.ok(types.has(type), `has ${type}`);
  });

  it('records tool calls and results as events', async () => {
    const claude = await api((_request, index) =>
      index === 0
        ? { content: [{ type: 'tool_use', id: 'toolu_1', name: 'list_files', input: { path: '.' } }] }
        : answerWithPlan(),
    );
    const session = await world.engine.start({ type: 'quick', title: 'Tools', intention: 'Use tools' });
    await runAgentic(session.id, options(claude, { budgets: { ...BUDGETS, maxSteps: 1 } }));
    const events = world.store.events.list(session.id, { limit: 10_000 });
    const call = events.find((e) => e.type === AGENTIC_EVENT.toolCall);
    const result = events.find((e) => e.type === AGENTIC_EVENT.toolResult);
    assert.equal(call?.toolName, 'list_files');
    assert.equal(result?.toolName, 'list_files');
  });

  it('records an unknown model\u2019s tokens with its cost marked unknown, never a made-up figure', async () => {
    const claude = await api(() => ({ ...answerWithPlan(), model: 'claude-unreleased-9' }));
    const session = await world.engine.start({ type: 'quick', title: 'Unknown', intention: 'x' });
    await runAgentic(session.id, options(claude, { budgets: { ...BUDGETS, maxSteps: 1 } }));
    const [plan] = world.store.interactions.list(session.id);
    assert.equal(plan.result.data?.costUnknown, true);
    assert.equal(plan.result.data?.costUsd, null);
    const usage = world.store.events.list(session.id, { type: AGENTIC_EVENT.usage });
    assert.equal(usage[0].payload && (usage[0].payload as { costUnknown: boolean }).costUnknown, true);
    assert.equal(world.store.sessions.require(session.id).inputTokens, 1000);
    const [run] = world.store.runs.listByInteraction(plan.id);
    assert.equal(run.costUnknown, true, 'the run says its cost is unknown');
    assert.equal(run.costUsd, 0);
    assert.equal(world.store.sessions.require(session.id).costUnknown, true, 'the session total is marked a lower bound');
  });

  it('pauses with a recorded reason when the step budget is reached', async () => {
    const claude = await api(answerWithPlan);
    const session = await startFull();
    const outcome = await runAgentic(session.id, options(claude, { budgets: { ...BUDGETS, maxSteps: 2 } }));
    assert.equal(outcome.reason, 'budget');
    assert.equal(outcome.session.status, 'paused');
    assert.equal(outcome.steps, 2);
    const [event] = world.store.events.list(session.id, { type: AGENTIC_EVENT.budgetExceeded });
    assert.equal((event.payload as { budget: string }).budget, 'maxSteps');
    assert.equal(world.store.interactions.listPending(session.id).length, 0, 'no command left pending');
  });

  it('pauses when the session\u2019s cost reaches the maximum', async () => {
    const claude = await api(() => ({ content: [{ type: 'text', text: PLAN }], usage: { input_tokens: 1_000_000, output_tokens: 0 } }));
    const session = await startFull();
    const outcome = await runAgentic(session.id, options(claude, { budgets: { ...BUDGETS, maxCostUsd: 0.01 } }));
    assert.equal(outcome.reason, 'budget');
    assert.equal(outcome.steps, 1);
    assert.equal(outcome.session.status, 'paused');
    const [event] = world.store.events.list(session.id, { type: AGENTIC_EVENT.budgetExceeded });
    assert.equal((event.payload as { budget: string }).budget, 'maxCostUsd');
  });

  it('cancels mid-stream: the request is aborted and the interaction recorded cancelled', async () => {
    const claude = await api([{ content: [{ type: 'text', text: 'Streaming a long spec…' }], holdOpen: true }]);
    const session = await startFull();
    const controller = new AbortController();
    const outcome = await runAgentic(session.id, options(claude, {
      signal: controller.signal,
      onProgress: (p) => p.kind === 'text' && controller.abort(),
    }));
    assert.equal(outcome.reason, 'aborted');
    const [spec] = world.store.interactions.list(session.id);
    assert.equal(spec.result.status, 'cancelled');
    await waitFor(() => fake!.requests[0].clientDisconnected);
    const [run] = world.store.runs.listBySession(session.id);
    assert.equal(run.status, 'cancelled');
  });

  it('cancels mid-subprocess: the process tree is ended and the interaction recorded cancelled', async () => {
    const claude = await api(answerWithPlan);
    const session = await startFull('sleep 30');
    const controller = new AbortController();
    const started = Date.now();
    const outcome = await runAgentic(session.id, options(claude, {
      signal: controller.signal,
      onProgress: (p) => p.kind === 'step' && p.interaction.command.kind === 'shell' && setTimeout(() => controller.abort(), 100),
    }));
    assert.ok(Date.now() - started < 10_000);
    assert.equal(outcome.reason, 'aborted');
    const test = world.store.interactions.list(session.id).find((i) => i.command.step === 'test');
    assert.equal(test?.result.status, 'cancelled');
    assert.equal(outcome.session.status, 'active');
  });

  it('times a shell step out with the step timeout', async () => {
    const claude = await api(answerWithPlan);
    const session = await startFull('sleep 30');
    await runAgentic(session.id, options(claude, { budgets: { ...BUDGETS, maxSteps: 4, stepTimeoutMs: 300 } }));
    const test = world.store.interactions.list(session.id).find((i) => i.command.step === 'test');
    assert.equal(test?.result.status, 'error');
    assert.match(test?.result.errorMessage ?? '', /timed out/);
  });

  it('an API error ends the step with its message and pauses the session, without retrying', async () => {
    const claude = await api([{ kind: 'error', status: 429, message: 'slow down' }]);
    const session = await startFull();
    const outcome = await runAgentic(session.id, options(claude));
    assert.equal(outcome.reason, 'stopped');
    assert.equal(outcome.session.status, 'paused');
    assert.equal(fake!.requests.length, 1);
    const [spec] = world.store.interactions.list(session.id);
    assert.match(spec.result.errorMessage ?? '', /rate limit/);
    assert.equal(world.store.events.list(session.id, { type: AGENTIC_EVENT.agentError }).length, 1);
    const [run] = world.store.runs.listBySession(session.id);
    assert.equal(run.status, 'error');
  });

  it('resumes after a simulated crash, continuing the same conversation id with its history', async () => {
    const claude = await api(answerWithPlan);
    const session = await startFull();
    await runAgentic(session.id, options(claude, { budgets: { ...BUDGETS, maxSteps: 1 } }));
    await world.engine.resume(session.id);
    await world.engine.next(session.id); // the plan command is issued… and the window dies.
    const conversationId = world.store.sessions.require(session.id).externalConversationId;
    assert.ok(conversationId);
    await world.store.close();

    world = { ...(await openWorld(world.root)) };
    const [interrupted] = await world.engine.interruptOrphans();
    assert.equal(interrupted.id, session.id);
    await world.engine.resume(session.id);
    const reloaded = new AnthropicProvider({ apiKey: KEY, baseURL: fake!.url, model: MODEL });
    const outcome = await runAgentic(session.id, options(reloaded));

    assert.equal(outcome.session.status, 'complete');
    assert.equal(world.store.sessions.require(session.id).externalConversationId, conversationId);
    const planRequest = fake!.requests[1];
    assert.equal(planRequest.body.messages.length, 3, 'the spec exchange is sent again');
    assert.match(requestText(planRequest), /Add a login page/);
    assert.equal(world.store.runs.listBySession(session.id).every((r) => r.conversationId === conversationId), true);
  });

  it('runs the Claude Code CLI with --session-id first and --resume after', async () => {
    const cli = installFakeClaude();
    try {
      const claude = new ClaudeCliProvider({ executable: cli.executable, env: cli.env('normal') });
      const session = await world.engine.start({ type: 'quick', title: 'CLI', intention: 'x' });
      await runAgentic(session.id, options(claude, { budgets: { ...BUDGETS, maxSteps: 2 } }));
      const id = world.store.sessions.require(session.id).externalConversationId!;
      const argv = cli.invocations().map((i) => i.argv.join(' '));
      assert.ok(argv[0].includes(`--session-id ${id}`));
      assert.ok(argv[1]?.includes(`--resume ${id}`));
      assert.ok(world.store.runs.listBySession(session.id).length >= 1);
    } finally {
      cli.cleanup();
    }
  });

  describe('child sessions', () => {
    const COMPONENTS = [
      { name: 'API', description: 'The REST API' },
      { name: 'UI', description: 'The web UI' },
    ];

    /** Wraps a provider to measure how many Claude steps run at once. */
    function measuring(inner: ClaudeProvider): { provider: ClaudeProvider; max: () => number } {
      let inFlight = 0;
      let max = 0;
      return {
        max: () => max,
        provider: {
          id: inner.id,
          run: async (request, signal, callbacks) => {
            inFlight++;
            max = Math.max(max, inFlight);
            try {
              await new Promise((resolve) => setTimeout(resolve, 50));
              return await inner.run(request, signal, callbacks);
            } finally {
              inFlight--;
            }
          },
        },
      };
    }

    for (const concurrency of [1, 2]) {
      it(`runs the children of a spawn ${concurrency} at a time and settles the parent`, async () => {
        const claude = measuring(await api(answerWithPlan));
        const parent = await world.engine.start({ type: 'component-design', title: 'Shop', intention: 'Build a shop', options: { components: COMPONENTS } as never });
        const outcome = await runAgentic(parent.id, options(claude.provider, { childConcurrency: concurrency }));
        assert.equal(outcome.session.status, 'complete');
        const children = world.store.sessions.children(parent.id);
        assert.equal(children.length, 2);
        assert.ok(children.every((c) => c.status === 'complete'));
        assert.equal(claude.max(), concurrency);
        assert.notEqual(children[0].externalConversationId, children[1].externalConversationId);
      });
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
