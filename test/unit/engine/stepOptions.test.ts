import { strict as assert } from 'node:assert';
import { ClaudeCliProvider } from '../../../src/core/agent/claudeCliProvider';
import type { ClaudeProvider, ClaudeRunRequest, ClaudeRunResult } from '../../../src/core/agent/claudeProvider';
import { runAgentic, type AgenticOptions } from '../../../src/core/engine/agenticLoop';
import { stepOptionsOf } from '../../../src/core/engine/stepOptions';
import { claudeCommandLine } from '../../../src/vscode/claudeCliOptions';
import type { ShellCommandOptions } from '../../../src/core/exec/runShellCommand';
import type { ProcessResult } from '../../../src/core/exec/runProcess';
import type { WorkflowDefinition } from '../../../src/core/model/workflow';
import { WorkflowDefinitionSchema } from '../../../src/core/model/workflow';
import { createEngineFixture, type EngineFixture } from './support/engineFixture';

const OPTIONED: WorkflowDefinition = WorkflowDefinitionSchema.parse({
  id: 'optioned',
  label: 'Step options',
  steps: [
    { id: 'test', kind: 'shell', command: 'npm test', timeoutSeconds: 7, next: 'fix' },
    { id: 'fix', kind: 'claude', prompt: 'Fix it', model: 'haiku', maxTurns: 3, timeoutSeconds: 0.2, next: '$complete' },
  ],
});

/** Records every request and answers after `answerAfterMs` unless the signal ends it first. */
class RecordingClaude implements ClaudeProvider {
  readonly id = 'claude-code-cli' as const;
  readonly requests: ClaudeRunRequest[] = [];
  constructor(private readonly answerAfterMs: number) {}

  run(request: ClaudeRunRequest, signal: AbortSignal): Promise<ClaudeRunResult> {
    this.requests.push(request);
    const result = (status: ClaudeRunResult['status']): ClaudeRunResult => ({
      status,
      provider: this.id,
      conversationId: request.conversationId,
      model: request.model ?? 'default-model',
      finalText: status === 'ok' ? 'fixed' : '',
      history: [],
      usage: { inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheCreation1hTokens: 0, cacheReadTokens: 0 },
      cost: { usd: 0 },
      turns: 1,
      durationMs: 1,
    });
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(result('ok')), this.answerAfterMs);
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve(result('cancelled'));
      });
    });
  }
}

describe("a workflow step's model, timeoutSeconds and maxTurns in the agentic runner", () => {
  let fixture: EngineFixture;
  const shellCalls: ShellCommandOptions[] = [];

  beforeEach(async () => {
    fixture = await createEngineFixture();
    fixture.types.setUserWorkflows([{ definition: OPTIONED, file: '/workspace/.vscode/session-workflows/optioned.json' }]);
    shellCalls.length = 0;
  });
  afterEach(() => fixture.dispose());

  function options(claude: ClaudeProvider, stepTimeoutMs: number): AgenticOptions {
    return {
      engine: fixture.engine,
      store: fixture.store,
      claude,
      budgets: { maxSteps: 10, maxCostUsd: 0, stepTimeoutMs },
      defaultWorkingDir: fixture.workspace,
      model: 'settings-model',
      maxTurns: 40,
      executeShell: async (shell): Promise<ProcessResult> => {
        shellCalls.push(shell);
        return { outcome: 'exited', exitCode: 0, signal: null, output: 'ok', droppedBytes: 0, durationMs: 1 } as ProcessResult;
      },
    };
  }

  it('runs the shell step with its own timeout, and Claude with its model and maxTurns (SDK request and CLI arguments)', async () => {
    const claude = new RecordingClaude(0);
    const session = await fixture.engine.start({ type: 'optioned', title: 'Options', intention: 'honour step options' });
    const outcome = await runAgentic(session.id, options(claude, 600_000));
    assert.equal(outcome.session.status, 'complete');
    assert.equal(shellCalls.length, 1);
    assert.equal(shellCalls[0].timeoutMs, 7000, 'the step timeoutSeconds, not the 600 s setting');
    assert.equal(claude.requests.length, 1);
    assert.equal(claude.requests[0].model, 'haiku');
    assert.equal(claude.requests[0].maxTurns, 3);
    const args = new ClaudeCliProvider({ model: 'settings-model' }).argsFor(claude.requests[0]);
    assert.deepEqual(args.slice(args.indexOf('--model'), args.indexOf('--model') + 4), ['--model', 'haiku', '--max-turns', '3']);
    const run = fixture.store.runs.listBySession(session.id)[0];
    assert.equal(run.model, 'haiku');
  });

  it("stops a Claude step at the step's timeoutSeconds even when the setting has no limit, and says which limit", async () => {
    const claude = new RecordingClaude(5000);
    const session = await fixture.engine.start({ type: 'optioned', title: 'Slow', intention: 'time out' });
    const started = Date.now();
    const outcome = await runAgentic(session.id, options(claude, 0));
    assert.ok(Date.now() - started < 4000, `stopped after ${Date.now() - started} ms`);
    assert.equal(outcome.session.status, 'paused');
    const fix = fixture.interactionsOf(session.id).find((i) => i.command.step === 'fix');
    assert.match(fix?.result.errorMessage ?? '', /did not finish within 200 ms \(the step's timeoutSeconds of step "fix"\)/);
  });

  it('keeps the settings when the step names nothing', async () => {
    fixture.types.setUserWorkflows([
      {
        definition: WorkflowDefinitionSchema.parse({
          id: 'optioned',
          label: 'Plain',
          steps: [{ id: 'fix', kind: 'claude', prompt: 'Fix it', next: '$complete' }],
        }),
        file: '/workspace/.vscode/session-workflows/optioned.json',
      },
    ]);
    const claude = new RecordingClaude(0);
    const session = await fixture.engine.start({ type: 'optioned', title: 'Plain', intention: 'defaults' });
    await runAgentic(session.id, options(claude, 0));
    assert.equal(claude.requests[0].model, 'settings-model');
    assert.equal(claude.requests[0].maxTurns, 40);
  });
});

describe("a workflow step's options in the manual (terminal) runner", () => {
  let fixture: EngineFixture;
  beforeEach(async () => {
    fixture = await createEngineFixture();
    fixture.types.setUserWorkflows([{ definition: OPTIONED, file: '/workspace/.vscode/session-workflows/optioned.json' }]);
  });
  afterEach(() => fixture.dispose());

  it('reads the timeout of a shell step and puts the model of a Claude step on the claude command line', async () => {
    const session = await fixture.engine.start({ type: 'optioned', title: 'Manual', intention: 'terminal options' });
    const shell = await fixture.engine.next(session.id);
    assert.ok(shell.kind === 'command');
    assert.deepEqual(stepOptionsOf(shell.interaction.command.metadata), { timeoutMs: 7000 });
    await fixture.engine.recordResult(session.id, shell.interaction.id, { status: 'ok', exitCode: 0, output: '' });
    const claude = await fixture.engine.next(session.id);
    assert.ok(claude.kind === 'command' && claude.interaction.command.kind === 'claude');
    const options = stepOptionsOf(claude.interaction.command.metadata);
    assert.deepEqual(options, { model: 'haiku', timeoutMs: 200, maxTurns: 3 });
    const line = claudeCommandLine('claude', 'conv-1', false, 'Fix it', undefined, 'posix', { model: options.model });
    assert.equal(line, "'claude' --session-id 'conv-1' --model 'haiku' 'Fix it'");
    assert.equal(claudeCommandLine('claude', 'conv-1', true, 'Go on', undefined, 'posix'), "'claude' --resume 'conv-1' 'Go on'");
  });
});
