import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AnthropicProvider, type AnthropicProviderOptions } from '../../../src/core/agent/anthropicProvider';
import type { AgentEvent, ClaudeRunRequest, ConversationMessage } from '../../../src/core/agent/claudeProvider';
import { RUN_COMMAND_REFUSED } from '../../../src/core/agent/tools/workspaceTools';
import { startFakeAnthropic, type FakeAnthropic, type FakeTurn } from '../../fakes/fakeAnthropic';
import { isAlive, readPid, waitFor } from '../exec/processProbe';

const MODEL = 'claude-sonnet-5';

describe('AnthropicProvider against the fake Messages API (real SDK)', () => {
  let fake: FakeAnthropic | undefined;
  let sandbox: string;
  let root: string;

  beforeEach(() => {
    sandbox = mkdtempSync(join(tmpdir(), 'agent-test-'));
    root = join(sandbox, 'workspace');
    mkdirSync(root);
  });
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
    rmSync(sandbox, { recursive: true, force: true });
  });

  async function setUp(script: FakeTurn[], options: Partial<AnthropicProviderOptions> = {}) {
    fake = await startFakeAnthropic({ script, apiKey: 'sk-test-key' });
    return new AnthropicProvider({ apiKey: 'sk-test-key', baseURL: fake.url, model: MODEL, ...options });
  }

  function request(overrides: Partial<ClaudeRunRequest> = {}): ClaudeRunRequest {
    return { prompt: 'Hello', conversationId: 'conv-1', resume: false, workingDir: root, ...overrides };
  }

  function recorder() {
    const texts: string[] = [];
    const events: AgentEvent[] = [];
    return { texts, events, callbacks: { onText: (t: string) => texts.push(t), onEvent: (e: AgentEvent) => events.push(e) } };
  }

  it('streams text in batches and returns the conversation history', async () => {
    const text = 'The quick brown fox jumps over the lazy dog.'; // 44 chars → 9 deltas of ≤5 chars
    const provider = await setUp([{ content: [{ type: 'text', text }] }]);
    const { texts, callbacks } = recorder();
    const result = await provider.run(request(), new AbortController().signal, callbacks);

    assert.equal(result.status, 'ok');
    assert.equal(result.finalText, text);
    assert.equal(texts.join(''), text);
    assert.ok(texts.length < 9, `text is batched, got ${texts.length} callbacks`);
    assert.equal(result.stopReason, 'end_turn');
    assert.deepEqual(result.history, [
      { role: 'user', content: [{ type: 'text', text: 'Hello' }] },
      { role: 'assistant', content: [{ type: 'text', text }] },
    ]);
    const sent = fake!.requests[0]!;
    assert.equal(sent.headers['x-api-key'] ?? sent.headers.authorization, 'Bearer sk-test-key');
    assert.equal(sent.body.stream, true);
    assert.equal(sent.body.model, MODEL);
    assert.deepEqual(
      sent.body.tools?.map((t) => t.name),
      ['read_file', 'list_files', 'search_text', 'write_file', 'edit_file'],
    );
  });

  it('adds usage over turns and prices it (checked by hand)', async () => {
    const provider = await setUp([
      {
        content: [{ type: 'tool_use', name: 'list_files', input: {} }],
        usage: {
          input_tokens: 1000,
          output_tokens: 2000,
          cache_creation_input_tokens: 10_000,
          cache_creation: { ephemeral_5m_input_tokens: 6_000, ephemeral_1h_input_tokens: 4_000 },
          cache_read_input_tokens: 100_000,
        },
      },
      { content: [{ type: 'text', text: 'ok' }], usage: { input_tokens: 500, output_tokens: 100 } },
    ]);
    const { events, callbacks } = recorder();
    const result = await provider.run(request(), new AbortController().signal, callbacks);

    assert.equal(result.status, 'ok');
    assert.equal(result.turns, 2);
    assert.deepEqual(result.usage, {
      inputTokens: 1500,
      outputTokens: 2100,
      cacheCreationTokens: 10_000,
      cacheCreation1hTokens: 4_000,
      cacheReadTokens: 100_000,
    });
    // Sonnet 5 ($/MTok): input 2, output 10, 5-minute cache write 2.50, 1-hour cache write 4, cache read 0.20
    // turn 1: 1000*2 + 2000*10 + 6000*2.5 + 4000*4 + 100000*0.2 = 2000 + 20000 + 15000 + 16000 + 20000 = 73 000 → $0.073
    // turn 2: 500*2 + 100*10 = 2 000 → $0.002
    assert.deepEqual(result.cost, { usd: 0.075 });
    const usageEvents = events.filter((e) => e.type === 'usage');
    assert.deepEqual(
      usageEvents.map((e) => e.type === 'usage' && e.cost),
      [{ usd: 0.073 }, { usd: 0.002 }],
    );
  });

  it('records tokens but marks cost unknown for an unpriced model', async () => {
    const provider = await setUp([{ content: [{ type: 'text', text: 'hi' }], model: 'claude-unreleased-9' }]);
    const result = await provider.run(request(), new AbortController().signal);
    assert.equal(result.model, 'claude-unreleased-9');
    assert.deepEqual(result.cost, { unknown: true });
    assert.equal(result.usage.inputTokens, 10);
  });

  it('runs confined tools on a tool_use turn and refuses escapes', async () => {
    writeFileSync(join(sandbox, 'secret.txt'), 'top secret');
    symlinkSync(join(sandbox, 'secret.txt'), join(root, 'link-out.txt'));
    writeFileSync(join(root, 'readme.md'), 'hello readme');
    const provider = await setUp([
      {
        content: [
          { type: 'text', text: 'Working.' },
          { type: 'tool_use', id: 'tu_write', name: 'write_file', input: { path: 'notes/a.txt', content: 'written' } },
          { type: 'tool_use', id: 'tu_read', name: 'read_file', input: { path: 'readme.md' } },
          { type: 'tool_use', id: 'tu_dotdot', name: 'read_file', input: { path: '../secret.txt' } },
          { type: 'tool_use', id: 'tu_abs', name: 'write_file', input: { path: join(sandbox, 'evil.txt'), content: 'x' } },
          { type: 'tool_use', id: 'tu_link', name: 'read_file', input: { path: 'link-out.txt' } },
        ],
      },
      { content: [{ type: 'text', text: 'Done.' }] },
    ]);
    const { events, callbacks } = recorder();
    const result = await provider.run(request(), new AbortController().signal, callbacks);

    assert.equal(result.status, 'ok');
    assert.equal(result.finalText, 'Done.');
    assert.equal(readFileSync(join(root, 'notes/a.txt'), 'utf8'), 'written');
    assert.equal(existsSync(join(sandbox, 'evil.txt')), false);

    const results = new Map(events.flatMap((e) => (e.type === 'tool.result' ? [[e.toolUseId, e] as const] : [])));
    assert.equal(results.get('tu_write')!.isError, false);
    assert.equal(results.get('tu_read')!.content, 'hello readme');
    assert.match(results.get('tu_dotdot')!.content, /Refused: "\.\.\/secret\.txt" is outside the workspace folder/);
    assert.match(results.get('tu_abs')!.content, /Refused: .* is outside the workspace folder/);
    assert.match(results.get('tu_link')!.content, /Refused: .*symbolic link/);
    for (const id of ['tu_dotdot', 'tu_abs', 'tu_link']) assert.equal(results.get(id)!.isError, true);
    assert.equal(events.filter((e) => e.type === 'tool.call').length, 5);

    // The second request carries the tool results back to the model.
    const lastSent = fake!.requests[1]!.body.messages.at(-1) as { role: string; content: Array<Record<string, unknown>> };
    assert.equal(lastSent.role, 'user');
    assert.deepEqual(
      lastSent.content.map((b) => [b.tool_use_id, b.is_error]),
      [
        ['tu_write', false],
        ['tu_read', false],
        ['tu_dotdot', true],
        ['tu_abs', true],
        ['tu_link', true],
      ],
    );
    assert.ok(!JSON.stringify(fake!.requests[1]!.body).includes('top secret'));
  });

  it('refuses run_command unless the request allows it', async () => {
    const turns: FakeTurn[] = [
      { content: [{ type: 'tool_use', id: 'tu_cmd', name: 'run_command', input: { command: 'echo ran > ran.txt' } }] },
      { content: [{ type: 'text', text: 'ok' }] },
    ];
    const refused = await setUp(turns);
    const first = recorder();
    await refused.run(request(), new AbortController().signal, first.callbacks);
    const refusal = first.events.find((e) => e.type === 'tool.result');
    assert.deepEqual(refusal && refusal.type === 'tool.result' && [refusal.isError, refusal.content], [true, RUN_COMMAND_REFUSED]);
    assert.equal(existsSync(join(root, 'ran.txt')), false);
    assert.ok(!fake!.requests[0]!.body.tools!.some((t) => t.name === 'run_command'));
    await fake!.close();

    const allowed = await setUp(turns);
    const second = recorder();
    await allowed.run(request({ allowRunCommand: true }), new AbortController().signal, second.callbacks);
    assert.equal(readFileSync(join(root, 'ran.txt'), 'utf8'), 'ran\n');
    const ran = second.events.find((e) => e.type === 'tool.result');
    assert.deepEqual(ran && ran.type === 'tool.result' && [ran.isError, ran.content.split('\n')[0]], [false, 'exit 0']);
    assert.ok(fake!.requests[0]!.body.tools!.some((t) => t.name === 'run_command'));
  });

  const errorCases: Array<[FakeTurn, string, RegExp]> = [
    [{ kind: 'error', status: 401 }, 'auth', /Set Anthropic API Key/],
    [{ kind: 'error', status: 403 }, 'permission', /model access/],
    [{ kind: 'error', status: 429, headers: { 'retry-after': '7' } }, 'rate_limit', /Wait, then resume/],
    [{ kind: 'error', status: 500 }, 'server', /Resume the session later/],
    [{ kind: 'error', status: 529 }, 'overloaded', /Resume the session in a few minutes/],
    [{ kind: 'stream_error', errorType: 'overloaded_error' }, 'overloaded', /Resume the session in a few minutes/],
  ];
  for (const [turn, kind, action] of errorCases) {
    const label =
      turn.kind === 'error' ? `HTTP ${turn.status}` : turn.kind === 'stream_error' ? `a mid-stream ${turn.errorType} event` : 'a message';
    it(`ends the step on ${label} as a classified "${kind}" error, without retrying`, async () => {
      const provider = await setUp([turn, { content: [{ type: 'text', text: 'should never be requested' }] }]);
      const history: ConversationMessage[] = [
        { role: 'user', content: 'earlier' },
        { role: 'assistant', content: 'reply' },
      ];
      const result = await provider.run(request({ history }), new AbortController().signal);
      assert.equal(result.status, 'error');
      assert.equal(result.error?.kind, kind);
      assert.match(result.error!.action, action);
      assert.equal(fake!.requests.length, 1, 'exactly one request: no retry');
      assert.deepEqual(result.history, history, 'a failed step leaves the stored history as it was');
      if (turn.kind === 'error') {
        assert.equal(result.error?.status, turn.status);
        assert.match(result.error!.requestId ?? '', /^req_fake_/);
      }
      if (kind === 'rate_limit') assert.match(result.error!.message, /retry after 7 s/);
      assert.ok(!JSON.stringify(result).includes('sk-test-key'), 'the key never appears in a result');
    });
  }

  it('classifies an unreachable server as a network error', async () => {
    const closed = await startFakeAnthropic({ script: [] });
    const url = closed.url;
    await closed.close();
    const provider = new AnthropicProvider({ apiKey: 'sk-test-key', baseURL: url, model: MODEL });
    const result = await provider.run(request(), new AbortController().signal);
    assert.equal(result.error?.kind, 'network');
    assert.equal(result.error?.transient, true);
    assert.match(result.error!.message, new RegExp(url.replace(/[.]/g, '\\.')));
  });

  it('reports a key the server rejects as auth', async () => {
    const provider = await setUp([{ content: [{ type: 'text', text: 'hi' }] }], { apiKey: 'sk-wrong' });
    const result = await provider.run(request(), new AbortController().signal);
    assert.equal(result.error?.kind, 'auth');
    assert.equal(result.error?.status, 401);
  });

  it('says to set the API key when there is none, without calling the API', async () => {
    const provider = await setUp([], { apiKey: async () => undefined });
    const result = await provider.run(request(), new AbortController().signal);
    assert.equal(result.error?.kind, 'auth');
    assert.match(result.error!.action, /Set Anthropic API Key/);
    assert.equal(fake!.requests.length, 0);
  });

  it('cancels mid-stream: the abort reaches the SDK stream while the server holds it open', async () => {
    const provider = await setUp([{ content: [{ type: 'text', text: 'Streaming forever...' }], holdOpen: true }], {
      textBatchIntervalMs: 10,
    });
    const controller = new AbortController();
    const texts: string[] = [];
    const result = await provider.run(request(), controller.signal, {
      onText: (text) => {
        texts.push(text);
        controller.abort(); // the first text proves the stream is open and unfinished
      },
    });
    assert.equal(result.status, 'cancelled');
    assert.equal(texts.join(''), 'Strea');
    assert.deepEqual(result.history, [], 'the unfinished message is not part of the history');
    await waitUntil(() => fake!.requests[0]!.clientDisconnected);
  });

  it('cancels while a run_command tool runs: the subprocess tree is ended and the history stays resumable', async () => {
    const provider = await setUp([
      { content: [{ type: 'tool_use', id: 'tu_sleep', name: 'run_command', input: { command: 'sleep 30 & echo $! > sleep.pid; wait' } }] },
    ]);
    const controller = new AbortController();
    const running = provider.run(request({ allowRunCommand: true }), controller.signal, {
      onEvent: (event) => {
        if (event.type === 'tool.call') void waitFor(() => readPid(join(root, 'sleep.pid')), 'sleep pid').then(() => controller.abort());
      },
    });
    const result = await running;
    assert.equal(result.status, 'cancelled');
    const sleeper = readPid(join(root, 'sleep.pid'))!;
    await waitFor(() => (isAlive(sleeper) ? undefined : true), 'sleep to be gone');
    const last = result.history.at(-1) as unknown as { role: string; content: Array<Record<string, unknown>> };
    assert.equal(last.role, 'user');
    assert.deepEqual(
      last.content.map((b) => [b.tool_use_id, b.is_error]),
      [['tu_sleep', true]],
    );
    assert.equal(fake!.requests.length, 1, 'no further request after the cancel');
  });

  it('stops after max turns with a clear error and a resumable history', async () => {
    const loop: FakeTurn = { content: [{ type: 'tool_use', name: 'list_files', input: {} }] };
    const provider = await setUp([loop, loop, loop]);
    const result = await provider.run(request({ maxTurns: 2 }), new AbortController().signal);
    assert.equal(result.status, 'error');
    assert.equal(result.error?.kind, 'max_turns');
    assert.equal(fake!.requests.length, 2);
    assert.deepEqual(
      result.history.map((m) => m.role),
      ['user', 'assistant', 'user', 'assistant', 'user'],
    );
  });

  it('resumes the same conversation with its stored history after a simulated reload', async () => {
    const provider = await setUp([
      { content: [{ type: 'text', text: 'First answer.' }] },
      { content: [{ type: 'text', text: 'Second answer.' }] },
    ]);
    const stored: ConversationMessage[][] = [];
    const first = await provider.run(request({ prompt: 'First question' }), new AbortController().signal, {
      onHistory: (messages) => stored.push(JSON.parse(JSON.stringify(messages))),
    });
    assert.equal(first.status, 'ok');

    // A new provider instance (as after a window reload) gets the history back from the store.
    const reloaded = new AnthropicProvider({ apiKey: 'sk-test-key', baseURL: fake!.url, model: MODEL });
    const second = await reloaded.run(
      request({ prompt: 'Second question', resume: true, history: stored.at(-1) }),
      new AbortController().signal,
    );
    assert.equal(second.conversationId, 'conv-1');
    assert.deepEqual(fake!.requests[1]!.body.messages, [
      { role: 'user', content: [{ type: 'text', text: 'First question' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'First answer.' }] },
      { role: 'user', content: [{ type: 'text', text: 'Second question' }] },
    ]);
    assert.equal(second.history.length, 4);
    assert.equal(second.finalText, 'Second answer.');
  });

  it('resumes after a crash that left tool calls without results', async () => {
    const provider = await setUp([{ content: [{ type: 'text', text: 'Continuing.' }] }]);
    const crashed: ConversationMessage[] = [
      { role: 'user', content: [{ type: 'text', text: 'Build it' }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'tu_lost', name: 'list_files', input: {} }] },
    ];
    const result = await provider.run(request({ prompt: 'Go on', resume: true, history: crashed }), new AbortController().signal);
    assert.equal(result.status, 'ok');
    const last = fake!.requests[0]!.body.messages.at(-1) as { role: string; content: Array<Record<string, unknown>> };
    assert.equal(last.role, 'user');
    assert.deepEqual(
      last.content.map((b) => [b.type, b.tool_use_id ?? b.text, b.is_error ?? null]),
      [
        ['tool_result', 'tu_lost', true],
        ['text', 'Go on', null],
      ],
    );
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
