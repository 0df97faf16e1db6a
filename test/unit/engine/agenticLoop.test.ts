import { strict as assert } from 'node:assert';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { AnthropicProvider } from '../../../src/core/agent/anthropicProvider';
import { ClaudeCliProvider } from '../../../src/core/agent/claudeCliProvider';
import type { ClaudeProvider } from '../../../src/core/agent/claudeProvider';
import {
  AGENTIC_EVENT,
  runAgentic,
  type AgenticBudgets,
  type AgenticOptions,
  type AgenticOutcome,
} from '../../../src/core/engine/agenticLoop';
import { SessionEngine } from '../../../src/core/engine/SessionEngine';
import { runShellCommand } from '../../../src/core/exec/runShellCommand';
import { SessionStore } from '../../../src/core/store/SessionStore';
import { SessionTypeRegistry } from '../../../src/core/workflow/SessionTypeRegistry';
import { DEFAULT_WORKFLOW_SETTINGS } from '../../../src/core/workflow/StepBehaviour';
import { NodeWorkspaceFiles } from '../../../src/core/workflow/workspaceFiles';
import { startFakeAnthropic, type FakeAnthropic, type FakeTurn, type RecordedRequest } from '../../fakes/fakeAnthropic';
import { installFakeClaude } from '../../fakes/fakeClaude';
import { isAlive } from '../exec/processProbe';

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
  const closeAfter: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closeAfter.splice(0)) await close();
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
    return {
      engine: world.engine,
      store: world.store,
      executeShell: runShellCommand,
      claude,
      budgets: BUDGETS,
      defaultWorkingDir: world.workspace,
      ...extra,
    };
  }

  function startFull(testCommand?: string) {
    return world.engine.start({
      type: 'full',
      title: 'Login page',
      intention: 'Add a login page',
      options: testCommand ? { testCommand } : {},
    });
  }

  it('runs a full session to completion over one conversation, recording runs, usage, cost and events', async () => {
    const claude = await api(answerWithPlan);
    const session = await startFull('echo tests pass');

    const outcome = await runAgentic(session.id, options(claude));

    assert.equal(outcome.reason, 'finished');
    assert.equal(outcome.session.status, 'complete');
    const interactions = world.store.interactions.list(session.id);
    assert.deepEqual(
      interactions.map((i) => [i.command.step, i.result.status]),
      [
        ['spec', 'ok'],
        ['plan', 'ok'],
        ['build', 'ok'],
        ['test', 'ok'],
        ['docs', 'ok'],
      ],
    );
    assert.equal(interactions[3].result.exitCode, 0);
    assert.match(interactions[3].result.output ?? '', /tests pass/);
    const folder = join(world.workspace, '.sessions', session.slug);
    assert.match(await readFile(join(folder, 'spec.md'), 'utf8'), /Add a login page/);
    assert.equal(JSON.parse(await readFile(join(folder, 'plan.json'), 'utf8')).summary, 'Add a login page');

    // One conversation: the id is stored on the session, every request after the first carries the history.
    const after = world.store.sessions.require(session.id);
    assert.ok(after.externalConversationId);
    assert.equal(fake!.requests.length, 4);
    assert.deepEqual(
      fake!.requests.map((r) => r.body.messages.length),
      [1, 3, 5, 7],
    );
    assert.equal(world.store.conversations.messages(after.externalConversationId!, { limit: 100 }).length, 8);

    const runs = world.store.runs.listBySession(session.id);
    assert.equal(runs.length, 4);
    for (const run of runs) {
      assert.deepEqual(
        [run.status, run.inputTokens, run.outputTokens, run.conversationId],
        ['ok', 1000, 200, after.externalConversationId],
      );
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
      index === 0 ? { content: [{ type: 'tool_use', id: 'toolu_1', name: 'list_files', input: { path: '.' } }] } : answerWithPlan(),
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
    const outcome = await runAgentic(
      session.id,
      options(claude, {
        signal: controller.signal,
        onProgress: (p) => p.kind === 'text' && controller.abort(),
      }),
    );
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
    const outcome = await runAgentic(
      session.id,
      options(claude, {
        signal: controller.signal,
        onProgress: (p) => p.kind === 'step' && p.interaction.command.kind === 'shell' && setTimeout(() => controller.abort(), 100),
      }),
    );
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

  /** One failure per row: each ends the step with a message saying what happened and what to do, and pauses the session. */
  const FAILURES: { name: string; turn?: FakeTurn; kind: string; message: RegExp }[] = [
    {
      name: '401 (rejected key)',
      turn: { kind: 'error', status: 401, message: 'invalid x-api-key' },
      kind: 'auth',
      message: /rejected the API key \(401\)[\s\S]*Set Anthropic API Key/,
    },
    {
      name: '403 (no access)',
      turn: { kind: 'error', status: 403, message: 'model not allowed' },
      kind: 'permission',
      message: /may not use this model or resource \(403\)[\s\S]*Anthropic Console/,
    },
    {
      name: '429 (rate limit)',
      turn: { kind: 'error', status: 429, message: 'slow down' },
      kind: 'rate_limit',
      message: /rate limit reached \(429\)[\s\S]*Wait, then resume/,
    },
    {
      name: '500 (server error)',
      turn: { kind: 'error', status: 500, message: 'boom' },
      kind: 'server',
      message: /server error \(500\)[\s\S]*Resume the session later/,
    },
    {
      name: '529 (overloaded)',
      turn: { kind: 'error', status: 529, message: 'busy' },
      kind: 'overloaded',
      message: /overloaded \(529\)[\s\S]*Resume the session in a few minutes/,
    },
    {
      name: 'network (connection reset)',
      kind: 'network',
      message: /Could not reach Anthropic at http:\/\/127\.0\.0\.1:\d+[\s\S]*Check the network connection/,
    },
  ];
  for (const failure of FAILURES) {
    it(`an API ${failure.name} ends the step with its message and pauses the session, after exactly one request`, async () => {
      let requests: () => number;
      let claude: AnthropicProvider;
      if (failure.turn) {
        claude = await api([failure.turn]);
        requests = () => fake!.requests.length;
      } else {
        const refusing = await startRefusingServer();
        closeAfter.push(refusing.close);
        claude = new AnthropicProvider({ apiKey: KEY, baseURL: refusing.url, model: MODEL });
        requests = () => refusing.connections();
      }
      const session = await startFull();

      const outcome = await runAgentic(session.id, options(claude));

      assert.equal(outcome.reason, 'stopped');
      assert.equal(outcome.agentError?.kind, failure.kind);
      assert.equal(outcome.session.status, 'paused');
      assert.equal(requests(), 1, 'no retry');
      const [spec, ...rest] = world.store.interactions.list(session.id);
      assert.equal(rest.length, 0, 'nothing ran after the failed step');
      assert.equal(spec.result.status, 'cancelled', 'left to be issued again on resume');
      assert.match(spec.result.errorMessage ?? '', failure.message);
      const errors = world.store.events.list(session.id, { type: AGENTIC_EVENT.agentError });
      assert.deepEqual(
        errors.map((e) => (e.payload as { kind: string }).kind),
        [failure.kind],
      );
      const [run] = world.store.runs.listBySession(session.id);
      assert.equal(run.status, 'error');
      assert.match(run.error ?? '', failure.message);

      await world.engine.resume(session.id);
      const again = await world.engine.next(session.id);
      assert.ok(again.kind === 'command' && again.interaction.command.step === 'spec', 'resume runs the failed step again');
    });
  }

  it('a Claude step (API) that exceeds the step timeout is aborted, recorded with how long it had, and pauses the session', async () => {
    const claude = await api([{ content: [{ type: 'text', text: 'A spec that takes forever…' }], holdOpen: true }]);
    const session = await startFull();
    const started = Date.now();

    const outcome = await runAgentic(session.id, options(claude, { budgets: { ...BUDGETS, stepTimeoutMs: 400 } }));

    assert.ok(Date.now() - started < 5000, 'stopped at the timeout, not when the stream ended');
    assert.equal(outcome.reason, 'stopped');
    assert.equal(outcome.agentError?.kind, 'timeout');
    assert.equal(outcome.session.status, 'paused');
    await waitFor(() => fake!.requests[0].clientDisconnected);
    assert.equal(fake!.requests.length, 1);
    const [spec] = world.store.interactions.list(session.id);
    assert.equal(spec.result.status, 'cancelled');
    assert.match(
      spec.result.errorMessage ?? '',
      /did not finish within 400 ms \(sessionLedger\.stepTimeoutSeconds\) and was stopped\. .*raise sessionLedger\.stepTimeoutSeconds/,
    );
    const [run] = world.store.runs.listBySession(session.id);
    assert.equal(run.status, 'error');
    assert.match(run.error ?? '', /did not finish within 400 ms/);
    assert.equal(world.store.events.list(session.id, { type: AGENTIC_EVENT.agentError }).length, 1);
  });

  it('a Claude step (CLI) that exceeds the step timeout is stopped with its process tree, and pauses the session', async () => {
    const cli = installFakeClaude();
    try {
      const claude = new ClaudeCliProvider({ executable: cli.executable, env: cli.env('hang'), killGraceMs: 200 });
      const session = await world.engine.start({ type: 'quick', title: 'CLI timeout', intention: 'x' });

      const outcome = await runAgentic(session.id, options(claude, { budgets: { ...BUDGETS, stepTimeoutMs: 1500 } }));

      assert.equal(outcome.agentError?.kind, 'timeout');
      assert.equal(outcome.session.status, 'paused');
      const [plan] = world.store.interactions.list(session.id);
      assert.match(plan.result.errorMessage ?? '', /did not finish within 1\.5 s/);
      const cliPid = cli.invocations()[0].pid;
      const childPid = cli.hangingChildPid();
      assert.ok(childPid !== undefined, 'the fake CLI started its child');
      await waitFor(() => !isAlive(cliPid) && !isAlive(childPid));
    } finally {
      cli.cleanup();
    }
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
    assert.equal(
      world.store.runs.listBySession(session.id).every((r) => r.conversationId === conversationId),
      true,
    );
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

    /** Starts a component-design parent whose two children each hang in their first Claude step (later requests get a plan); resolves once both stream. */
    async function parentWithHangingChildren(): Promise<{
      parentId: string;
      claude: ClaudeProvider;
      controller: AbortController;
      run: Promise<AgenticOutcome>;
    }> {
      const claude = await api((_request, index) =>
        index < 2 ? { content: [{ type: 'text', text: 'Planning slowly…' }], holdOpen: true } : answerWithPlan(),
      );
      const parent = await world.engine.start({
        type: 'component-design',
        title: 'Shop',
        intention: 'Build a shop',
        options: { components: COMPONENTS } as never,
      });
      const controller = new AbortController();
      const streaming = new Set<string>();
      let bothStreaming!: () => void;
      const started = new Promise<void>((resolve) => (bothStreaming = resolve));
      const run = runAgentic(
        parent.id,
        options(claude, {
          signal: controller.signal,
          childConcurrency: 2,
          onProgress: (p) => p.kind === 'text' && streaming.add(p.sessionId).size === 2 && bothStreaming(),
        }),
      );
      await started;
      return { parentId: parent.id, claude, controller, run };
    }

    it('pausing a running parent leaves its unfinished children paused, and resuming the parent runs them to completion', async () => {
      const { parentId, claude, controller, run } = await parentWithHangingChildren();
      // What Pause Session does: stop the run, then pause the session.
      controller.abort();
      assert.equal((await run).reason, 'aborted');
      await world.engine.pause(parentId);

      const children = world.store.sessions.children(parentId);
      assert.deepEqual(
        children.map((c) => c.status),
        ['paused', 'paused'],
        'no child is left active without a runner',
      );
      for (const child of children) {
        assert.deepEqual(
          world.store.interactions.list(child.id).map((i) => [i.command.step, i.result.status]),
          [['plan', 'cancelled']],
        );
      }
      await waitFor(() => fake!.requests.slice(0, 2).every((r) => r.clientDisconnected));

      await world.engine.resume(parentId);
      assert.deepEqual(
        world.store.sessions.children(parentId).map((c) => c.status),
        ['active', 'active'],
      );
      const resumed = await runAgentic(parentId, options(claude));
      assert.equal(resumed.session.status, 'complete');
      assert.deepEqual(
        world.store.sessions.children(parentId).map((c) => c.status),
        ['complete', 'complete'],
      );
    });

    it('cancelling a running parent cancels its unfinished children and leaves nothing pending', async () => {
      const { parentId, controller, run } = await parentWithHangingChildren();
      controller.abort();
      await run;
      await world.engine.cancel(parentId);

      assert.equal(world.engine.getSession(parentId).status, 'cancelled');
      const children = world.store.sessions.children(parentId);
      assert.deepEqual(
        children.map((c) => c.status),
        ['cancelled', 'cancelled'],
      );
      for (const session of [world.engine.getSession(parentId), ...children]) {
        assert.equal(world.store.interactions.listPending(session.id).length, 0, `${session.title} has no pending command`);
      }
      assert.equal(world.store.interactions.list(parentId)[0].result.status, 'cancelled', 'the spawn is closed');
    });

    for (const concurrency of [1, 2]) {
      it(`runs the children of a spawn ${concurrency} at a time and settles the parent`, async () => {
        const claude = measuring(await api(answerWithPlan));
        const parent = await world.engine.start({
          type: 'component-design',
          title: 'Shop',
          intention: 'Build a shop',
          options: { components: COMPONENTS } as never,
        });
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

/** A loopback TCP server that resets every connection (a network failure the SDK sees), counting them. */
async function startRefusingServer(): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.resetAndDestroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => (sockets.forEach((s) => s.destroy()), server.close(() => resolve()))),
  };
}
