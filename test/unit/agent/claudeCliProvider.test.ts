import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { AgentEvent, ClaudeRunRequest } from '../../../src/core/agent/claudeProvider';
import { ClaudeCliProvider, type ClaudeCliProviderOptions } from '../../../src/core/agent/claudeCliProvider';
import { ConfigSchema } from '../../../src/vscode/configSchema';
import { agenticClaudeCliOptions } from '../../../src/vscode/claudeCliOptions';
import { installFakeClaude, type FakeClaude, type FakeClaudeMode } from '../../fakes/fakeClaude';
import { isAlive, waitFor } from '../exec/processProbe';
import { claudeProjectDir } from '../../../src/core/claudeCode/transcriptFiles';
import { startFakeAnthropic, type FakeAnthropic } from '../../fakes/fakeAnthropic';
import {
  FINAL_ANSWER_USAGE,
  makeRealClaudeHome,
  readJsonLines,
  REAL_CLAUDE_MODEL,
  realClaudeEnv,
  realClaudeToolScript,
  requireRealClaude,
  TOOL_CALL_USAGE,
  type RealClaudeHome,
} from '../../harness/realClaude';

describe('ClaudeCliProvider against a fake claude on PATH', () => {
  let fake: FakeClaude;
  let workingDir: string;

  beforeEach(() => {
    fake = installFakeClaude();
    workingDir = mkdtempSync(join(tmpdir(), 'cli-work-'));
  });
  afterEach(() => {
    fake.cleanup();
    rmSync(workingDir, { recursive: true, force: true });
  });

  function provider(mode: FakeClaudeMode = 'normal', options: ClaudeCliProviderOptions = {}) {
    return new ClaudeCliProvider({ env: fake.env(mode), textBatchIntervalMs: 5, ...options });
  }

  function request(overrides: Partial<ClaudeRunRequest> = {}): ClaudeRunRequest {
    return { prompt: 'Write the spec', conversationId: randomUUID(), resume: false, workingDir, ...overrides };
  }

  it('starts a new conversation with --session-id and parses session id, cost, usage and turns', async () => {
    const texts: string[] = [];
    const events: AgentEvent[] = [];
    const req = request();
    const result = await provider().run(req, new AbortController().signal, {
      onText: (t) => texts.push(t),
      onEvent: (e) => events.push(e),
    });

    assert.equal(result.status, 'ok');
    assert.equal(result.provider, 'claude-code-cli');
    assert.equal(result.conversationId, req.conversationId);
    assert.equal(result.model, 'claude-sonnet-5');
    assert.deepEqual(result.cost, { usd: 0.0123 });
    assert.deepEqual(result.usage, {
      inputTokens: 100,
      outputTokens: 40,
      cacheCreationTokens: 200,
      cacheCreation1hTokens: 0,
      cacheReadTokens: 300,
    });
    assert.equal(result.turns, 1);
    assert.equal(result.finalText, 'Answer 1 to: Write the spec');
    assert.equal(texts.join(''), 'Answer 1 to: Write the spec');
    assert.deepEqual(events[0], {
      type: 'agent.init',
      conversationId: req.conversationId,
      model: 'claude-sonnet-5',
      tools: ['Bash', 'Read', 'Edit'],
    });

    const [invocation] = fake.invocations();
    assert.deepEqual(invocation!.argv.slice(0, 6), [
      '-p',
      '--output-format',
      'stream-json',
      '--verbose',
      '--session-id',
      req.conversationId,
    ]);
    assert.ok(!invocation!.argv.includes('--resume'));
    assert.equal(invocation!.stdin, 'Write the spec');
    assert.equal(invocation!.cwd, workingDir);
  });

  it('continues the same conversation with --resume', async () => {
    const req = request();
    await provider().run(req, new AbortController().signal);
    const second = await provider().run(
      request({ conversationId: req.conversationId, resume: true, prompt: 'Now the plan' }),
      new AbortController().signal,
    );
    assert.equal(second.status, 'ok');
    assert.equal(second.conversationId, req.conversationId);
    assert.equal(second.finalText, 'Answer 2 to: Now the plan', 'the fake saw the earlier prompt in this session');
    const argv = fake.invocations()[1]!.argv;
    assert.deepEqual(argv.slice(4, 6), ['--resume', req.conversationId]);
    assert.ok(!argv.includes('--session-id'));
  });

  it('reports tool calls and results as events', async () => {
    const events: AgentEvent[] = [];
    const result = await provider('tool').run(request(), new AbortController().signal, { onEvent: (e) => events.push(e) });
    assert.equal(result.turns, 2);
    assert.deepEqual(
      events.filter((e) => e.type === 'tool.call' || e.type === 'tool.result'),
      [
        { type: 'tool.call', toolUseId: 'toolu_fake_1', toolName: 'Read', input: { file_path: 'README.md' } },
        { type: 'tool.result', toolUseId: 'toolu_fake_1', toolName: 'Read', isError: false, content: 'file contents' },
      ],
    );
  });

  it('passes model, max turns and the run_command permission as flags', () => {
    const cli = new ClaudeCliProvider({ model: 'claude-opus-5', permissionMode: 'acceptEdits' });
    const args = cli.argsFor(request({ conversationId: 'c1', maxTurns: 7 }));
    assert.deepEqual(args.slice(4), [
      '--session-id',
      'c1',
      '--model',
      'claude-opus-5',
      '--max-turns',
      '7',
      '--permission-mode',
      'acceptEdits',
      '--disallowedTools',
      'Bash',
    ]);
    assert.ok(!cli.argsFor(request({ allowRunCommand: true })).includes('--disallowedTools'));
  });

  it('agentic runs pass the permission mode setting to the CLI, acceptEdits by default', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{}, 'acceptEdits'],
      [{ claudeCodePermissionMode: 'plan' }, 'plan'],
      [{ claudeCodePermissionMode: 'default' }, 'default'],
    ];
    for (const [settings, mode] of cases) {
      const options = agenticClaudeCliOptions(ConfigSchema.parse(settings));
      const result = await new ClaudeCliProvider({ ...options, executable: fake.executable, env: fake.env() }).run(
        request(),
        new AbortController().signal,
      );
      assert.equal(result.status, 'ok');
      const argv = fake.invocations().at(-1)!.argv;
      assert.equal(argv[argv.indexOf('--permission-mode') + 1], mode, `${JSON.stringify(settings)} runs --permission-mode ${mode}`);
      assert.equal(argv.filter((a) => a === '--permission-mode').length, 1);
    }
    assert.equal(ConfigSchema.shape.claudeCodePermissionMode.safeParse('yolo').success, false, 'an unknown mode is refused');
  });

  it('says how to install the CLI or switch provider when the executable is missing', async () => {
    const missing = new ClaudeCliProvider({ executable: join(workingDir, 'no-such-claude') });
    const result = await missing.run(request(), new AbortController().signal);
    assert.equal(result.status, 'error');
    assert.equal(result.error?.kind, 'cli_missing');
    assert.match(result.error!.message, /was not found/);
    assert.match(result.error!.action, /npm install -g @anthropic-ai\/claude-code/);
    assert.match(result.error!.action, /switch the provider to anthropic-api/);
  });

  it('uses the executable path option when claude is not on PATH', async () => {
    const result = await new ClaudeCliProvider({
      executable: fake.executable,
      env: { ...fake.env(), PATH: `${dirname(process.execPath)}:/usr/bin:/bin` },
    }).run(request(), new AbortController().signal);
    assert.equal(result.status, 'ok');
  });

  it('cancels: the CLI and the child it started are both gone', async () => {
    const controller = new AbortController();
    const running = provider('hang').run(request(), controller.signal, { onText: () => controller.abort() });
    const result = await running;
    assert.equal(result.status, 'cancelled');
    const cliPid = fake.invocations()[0]!.pid;
    const childPid = await waitFor(() => fake.hangingChildPid(), 'the fake CLI child pid');
    await waitFor(() => (isAlive(cliPid) || isAlive(childPid) ? undefined : true), 'the CLI tree to be gone');
  });

  it('stops a CLI that runs past the time limit', async () => {
    const result = await provider('hang', { timeoutMs: 300, killGraceMs: 200 }).run(request(), new AbortController().signal);
    assert.equal(result.status, 'error');
    assert.equal(result.error?.kind, 'timeout');
  });

  it('classifies failures: max turns, an auth error, and a crash without a result line', async () => {
    const maxTurns = await provider('max_turns').run(request(), new AbortController().signal);
    assert.equal(maxTurns.error?.kind, 'max_turns');
    assert.deepEqual(maxTurns.cost, { usd: 0.0123 }, 'cost is still recorded');

    const auth = await provider('auth_error').run(request(), new AbortController().signal);
    assert.equal(auth.error?.kind, 'auth');
    assert.match(auth.error!.message, /Invalid API key/);

    const crash = await provider('no_result').run(request(), new AbortController().signal);
    assert.equal(crash.error?.kind, 'cli_failed');
    assert.match(crash.error!.message, /exit 2.*fatal: something broke/s);
    assert.deepEqual(crash.cost, { unknown: true });
  });

  it('reports resuming an unknown session as a CLI failure with its message', async () => {
    const result = await provider().run(request({ resume: true }), new AbortController().signal);
    assert.equal(result.error?.kind, 'cli_failed');
    assert.match(result.error!.message, /No conversation found with session ID/);
  });
});

describe('ClaudeCliProvider against the REAL Claude Code CLI and a fake Anthropic API', function () {
  // The real CLI starts in about a second; a loaded machine can take several.
  this.timeout(120_000);
  let bin: string;
  let fake: FakeAnthropic | undefined;
  let home: RealClaudeHome;
  let workingDir: string;

  before(function () {
    bin = requireRealClaude(this);
  });
  beforeEach(() => {
    home = makeRealClaudeHome('cli-provider-real-');
    workingDir = mkdtempSync(join(tmpdir(), 'cli-work-real-'));
  });
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
    home.cleanup();
    rmSync(workingDir, { recursive: true, force: true });
  });

  async function realProvider(script: Parameters<typeof startFakeAnthropic>[0]['script']) {
    fake = await startFakeAnthropic({ script });
    return new ClaudeCliProvider({
      executable: bin,
      env: realClaudeEnv(fake.url, home),
      allowedTools: ['Bash(echo:*)'],
      textBatchIntervalMs: 5,
      timeoutMs: 90_000,
    });
  }

  it('runs a tool-using turn headless: the run gets the final usage of each response and the CLI\u2019s own cost, not the stream\u2019s first snapshots', async () => {
    const cli = await realProvider(
      realClaudeToolScript({ command: 'echo real-cli-tool-output', finalText: 'It printed real-cli-tool-output.' }),
    );
    const events: AgentEvent[] = [];
    const texts: string[] = [];
    const req: ClaudeRunRequest = {
      prompt: 'Run echo and report.',
      conversationId: randomUUID(),
      resume: false,
      workingDir,
      allowRunCommand: true,
    };
    const result = await cli.run(req, new AbortController().signal, { onEvent: (e) => events.push(e), onText: (t) => texts.push(t) });

    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    assert.equal(result.conversationId, req.conversationId);
    assert.equal(result.model, REAL_CLAUDE_MODEL);
    assert.equal(result.turns, 2);
    assert.equal(result.finalText, 'It printed real-cli-tool-output.');
    assert.ok(texts.join('').includes('It printed real-cli-tool-output.'));
    // The CLI really ran the command and sent its output back to the API.
    const toolEvents = events.filter((e) => e.type === 'tool.call' || e.type === 'tool.result');
    assert.deepEqual(
      toolEvents.map((e) => [e.type, 'toolName' in e ? e.toolName : undefined]),
      [
        ['tool.call', 'Bash'],
        ['tool.result', 'Bash'],
      ],
    );
    assert.equal((toolEvents[1] as { content: string }).content.trim(), 'real-cli-tool-output');
    assert.equal(fake!.requests.filter((r) => r.body.tools?.length).length, 2, 'two API calls of the conversation');

    // Tokens: the sum of the two responses' final usage (the stream-json assistant lines carry
    // the first snapshot, output_tokens 1, which must not be what is counted).
    const expected = {
      inputTokens: TOOL_CALL_USAGE.input_tokens + FINAL_ANSWER_USAGE.input_tokens,
      outputTokens: TOOL_CALL_USAGE.output_tokens + FINAL_ANSWER_USAGE.output_tokens,
      cacheCreationTokens: TOOL_CALL_USAGE.cache_creation_input_tokens! + FINAL_ANSWER_USAGE.cache_creation_input_tokens!,
      cacheReadTokens: TOOL_CALL_USAGE.cache_read_input_tokens! + FINAL_ANSWER_USAGE.cache_read_input_tokens!,
    };
    assert.deepEqual(
      {
        inputTokens: result.usage.inputTokens,
        outputTokens: result.usage.outputTokens,
        cacheCreationTokens: result.usage.cacheCreationTokens,
        cacheReadTokens: result.usage.cacheReadTokens,
      },
      expected,
    );
    // Cost: the CLI prices its own run; the provider keeps that figure — the same one Claude Code
    // wrote into the transcript's cost-state line.
    assert.ok('usd' in result.cost && result.cost.usd > 0, JSON.stringify(result.cost));
    const transcript = readJsonLines(join(claudeProjectDir(workingDir, home.configDir), `${req.conversationId}.jsonl`));
    const costState = transcript.filter((l) => l.type === 'cost-state').pop() as { totalCostUSD: number } | undefined;
    assert.ok(costState, 'the transcript has a cost-state line');
    assert.equal((result.cost as { usd: number }).usd, costState.totalCostUSD);
    const usageEvent = events.find((e) => e.type === 'usage') as Extract<AgentEvent, { type: 'usage' }> | undefined;
    assert.equal(usageEvent?.usage.outputTokens, expected.outputTokens);
  });

  it('continues the conversation with --resume: the API sees the earlier turn', async () => {
    let answer = 0;
    const cli = await realProvider((request) => ({
      content: [{ type: 'text', text: `Answer ${++answer} after ${request.body.messages.length} messages` }],
      model: REAL_CLAUDE_MODEL,
    }));
    const conversationId = randomUUID();
    const first = await cli.run({ prompt: 'First question', conversationId, resume: false, workingDir }, new AbortController().signal);
    assert.equal(first.status, 'ok', JSON.stringify(first.error));
    const second = await cli.run({ prompt: 'Second question', conversationId, resume: true, workingDir }, new AbortController().signal);
    assert.equal(second.status, 'ok', JSON.stringify(second.error));
    assert.equal(second.conversationId, conversationId);
    const last = fake!.requests[fake!.requests.length - 1]!;
    const texts = JSON.stringify(last.body.messages);
    assert.ok(texts.includes('First question') && texts.includes('Second question'), 'the resumed request carries both prompts');
  });

  // API errors stay with the fake CLI above: the real one retries them with backoff for minutes.
});
