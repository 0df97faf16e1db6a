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
		assert.deepEqual(result.usage, { inputTokens: 100, outputTokens: 40, cacheCreationTokens: 200, cacheReadTokens: 300 });
		assert.equal(result.turns, 1);
		assert.equal(result.finalText, 'Answer 1 to: Write the spec');
		assert.equal(texts.join(''), 'Answer 1 to: Write the spec');
		assert.deepEqual(events[0], { type: 'agent.init', conversationId: req.conversationId, model: 'claude-sonnet-5', tools: ['Bash', 'Read', 'Edit'] });

		const [invocation] = fake.invocations();
		assert.deepEqual(invocation!.argv.slice(0, 6), ['-p', '--output-format', 'stream-json', '--verbose', '--session-id', req.conversationId]);
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
		assert.deepEqual(args.slice(4), ['--session-id', 'c1', '--model', 'claude-opus-5', '--max-turns', '7', '--permission-mode', 'acceptEdits', '--disallowedTools', 'Bash']);
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
			const result = await new ClaudeCliProvider({ ...options, executable: fake.executable, env: fake.env() }).run(request(), new AbortController().signal);
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
		const result = await new ClaudeCliProvider({ executable: fake.executable, env: { ...fake.env(), PATH: `${dirname(process.execPath)}:/usr/bin:/bin` } }).run(
			request(),
			new AbortController().signal,
		);
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
