import * as fs from 'node:fs';
import * as path from 'node:path';
import { AnthropicProvider } from '../../core/agent/anthropicProvider';
import { ClaudeCliProvider } from '../../core/agent/claudeCliProvider';
import type { ClaudeProvider } from '../../core/agent/claudeProvider';
import { PricingTable } from '../../core/agent/pricing';
import { runAgentic } from '../../core/engine/agenticLoop';
import { SessionEngine } from '../../core/engine/SessionEngine';
import { runShellCommand } from '../../core/exec/runShellCommand';
import type { JsonObject } from '../../core/model/json';
import type { Provider } from '../../core/model/session';
import { SessionTypeRegistry } from '../../core/workflow/SessionTypeRegistry';
import { DEFAULT_WORKFLOW_SETTINGS } from '../../core/workflow/StepBehaviour';
import { WorkflowLoader, type LoadedWorkflow } from '../../core/workflow/WorkflowLoader';
import { NodeWorkflowFileSystem, WORKFLOWS_DIRECTORY } from '../../core/workflow/workflowFileSystem';
import { NodeWorkspaceFiles } from '../../core/workflow/workspaceFiles';
import { CliError, EXIT, usageError } from '../cliError';
import { listOption, stringOption, type Command, type CommandContext } from '../command';
import { formatUsd, oneLine } from '../format';
import { sessionJson } from '../jsonOutput';

/** The extension's defaults for the same settings (src/vscode/configSchema.ts), so a headless run has the same budgets. */
const DEFAULTS = {
  model: 'claude-sonnet-4-6',
  maxSteps: 100,
  maxCostUsd: 5,
  stepTimeoutSeconds: 1800,
  childConcurrency: 2,
  permissionMode: 'acceptEdits',
} as const;

/** Reads exactly one workflow file (validated like the workspace's: file, field and why on error). */
class SingleFileSystem extends NodeWorkflowFileSystem {
  constructor(private readonly file: string) {
    super();
  }
  override async listJsonFiles(): Promise<string[]> {
    return [this.file];
  }
}

async function loadTypes(
  cwd: string,
  typeArgument: string,
  err: (text: string) => void,
): Promise<{ types: SessionTypeRegistry; typeId: string }> {
  const types = new SessionTypeRegistry();
  const workspace = await new WorkflowLoader(new NodeWorkflowFileSystem(), path.join(cwd, WORKFLOWS_DIRECTORY), types.builtinIds).load();
  const workflows: LoadedWorkflow[] = [...workspace.workflows];
  let typeId = typeArgument;
  const asFile = path.resolve(cwd, typeArgument);
  if (typeArgument.endsWith('.json') || (fs.existsSync(asFile) && fs.statSync(asFile).isFile())) {
    if (!fs.existsSync(asFile)) throw new CliError(`The workflow file ${asFile} does not exist.`, EXIT.usage);
    const single = await new WorkflowLoader(new SingleFileSystem(asFile), path.dirname(asFile), types.builtinIds).load();
    if (single.errors.length)
      throw new CliError(
        `The workflow file is invalid:\n${single.errors.map((e) => `  ${e.toString()}`).join('\n')}\nFix it (the JSON schema is media/schemas/workflow.schema.json) and run again.`,
        EXIT.usage,
      );
    const loaded = single.workflows[0];
    if (loaded === undefined) throw new CliError(`The workflow file ${asFile} defines no workflow.`, EXIT.usage);
    typeId = loaded.definition.id;
    workflows.splice(0, workflows.length, ...workflows.filter((w) => w.definition.id !== typeId), loaded);
  } else {
    for (const error of workspace.errors) err(`warning: workflow ${error.toString()} (the other workflows are loaded)\n`);
  }
  types.setUserWorkflows(workflows);
  if (!types.get(typeId)) {
    throw usageError(
      `Unknown session type "${typeId}". Known: ${types
        .list()
        .map((t) => t.id)
        .join(', ')}. Or give a workflow file's path.`,
      'run',
    );
  }
  return { types, typeId };
}

function number(context: CommandContext, name: string, fallback: number, min: number): number {
  const value = stringOption(context.values, name);
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) throw usageError(`--${name} must be a number ≥ ${min} (got "${value}").`, 'run');
  return n;
}

function parseOptions(pairs: readonly string[]): JsonObject {
  const options: JsonObject = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw usageError(`--option takes key=value (got "${pair}").`, 'run');
    options[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return options;
}

export const runCommand: Command = {
  name: 'run',
  summary: 'Run a session headless in agentic mode (CI); exit 0 only if it completes',
  usage: 'session-ledger run <type|workflow.json> --title <title> --goal <goal> [--criteria <c>]... [options]',
  help: `Starts a session of a built-in type, a workflow of .vscode/session-ledger/workflows/, or the
workflow file given, and runs it to its end: shell steps as subprocesses, Claude steps through
the Anthropic API (ANTHROPIC_API_KEY, optional ANTHROPIC_BASE_URL) or the Claude Code CLI.
Step output streams to stderr; stdout gets the outcome (or --json).

Options:
  --title <title>             the session's title (required)
  --goal <text>               its goal (required)
  --criteria <text>           a success criterion (repeatable)
  --constraint <text>         a constraint (repeatable)
  --option <key=value>        a workflow option, as {{options.key}} (repeatable)
  --provider <p>              anthropic-api or claude-code-cli (default: anthropic-api when
                              ANTHROPIC_API_KEY is set, else claude-code-cli)
  --model <model>             default ${DEFAULTS.model}
  --claude-path <path>        the Claude Code CLI (default: claude on PATH)
  --permission-mode <mode>    Claude Code's --permission-mode (default ${DEFAULTS.permissionMode})
  --test-command <command>    the project's test command, for built-in workflows that test
  --max-steps <n>             commands this run may execute per session (default ${DEFAULTS.maxSteps})
  --max-cost-usd <usd>        pause once the session cost this much (default ${DEFAULTS.maxCostUsd}; 0 = no limit)
  --step-timeout-seconds <s>  longest one step may take (default ${DEFAULTS.stepTimeoutSeconds}; 0 = no limit)
  --allow-run-command         let API Claude steps run shell commands (run_command tool)

Exit: 0 the session completed; 1 it failed, was paused by a budget, or waits for input (its
id is printed: resume it in VS Code); 3 the ledger is held by VS Code; 130 interrupted.`,
  options: {
    title: { type: 'string' },
    goal: { type: 'string' },
    criteria: { type: 'string', multiple: true },
    constraint: { type: 'string', multiple: true },
    option: { type: 'string', multiple: true },
    provider: { type: 'string' },
    model: { type: 'string' },
    'claude-path': { type: 'string' },
    'permission-mode': { type: 'string' },
    'test-command': { type: 'string' },
    'max-steps': { type: 'string' },
    'max-cost-usd': { type: 'string' },
    'step-timeout-seconds': { type: 'string' },
    'allow-run-command': { type: 'boolean' },
  },
  positionals: { min: 1, max: 1 },
  async run(context: CommandContext): Promise<number> {
    const title = stringOption(context.values, 'title');
    const goal = stringOption(context.values, 'goal');
    if (!title || !goal)
      throw usageError(`run needs --title and --goal${title ? '' : ' (missing --title)'}${goal ? '' : ' (missing --goal)'}.`, 'run');
    const providerName = (stringOption(context.values, 'provider') ??
      (context.env.ANTHROPIC_API_KEY ? 'anthropic-api' : 'claude-code-cli')) as Provider;
    if (providerName !== 'anthropic-api' && providerName !== 'claude-code-cli')
      throw usageError(`--provider must be anthropic-api or claude-code-cli (got "${providerName}").`, 'run');
    if (providerName === 'anthropic-api' && !context.env.ANTHROPIC_API_KEY)
      throw new CliError(
        'The anthropic-api provider needs ANTHROPIC_API_KEY in the environment (or use --provider claude-code-cli).',
        EXIT.usage,
      );
    const budgets = {
      maxSteps: number(context, 'max-steps', DEFAULTS.maxSteps, 1),
      maxCostUsd: number(context, 'max-cost-usd', DEFAULTS.maxCostUsd, 0),
      stepTimeoutMs: number(context, 'step-timeout-seconds', DEFAULTS.stepTimeoutSeconds, 0) * 1000,
    };
    const model = stringOption(context.values, 'model') ?? DEFAULTS.model;
    const options = parseOptions(listOption(context.values, 'option'));
    const { types, typeId } = await loadTypes(context.cwd, context.positionals[0]!, context.err); // positionals: { min: 1 }
    const { store } = await context.openLedger(true);
    const testCommand = stringOption(context.values, 'test-command');
    const engine = new SessionEngine({
      store,
      types,
      workspaceFiles: new NodeWorkspaceFiles(context.cwd),
      settings: () => ({ ...DEFAULT_WORKFLOW_SETTINGS, ...(testCommand ? { testCommand } : {}) }),
      onBackgroundError: (error, what) => context.err(`warning: ${what}: ${(error as Error).message}\n`),
    });
    const claude: ClaudeProvider =
      providerName === 'claude-code-cli'
        ? new ClaudeCliProvider({
            executable: stringOption(context.values, 'claude-path') ?? 'claude',
            model,
            permissionMode: stringOption(context.values, 'permission-mode') ?? DEFAULTS.permissionMode,
            env: context.env,
          })
        : new AnthropicProvider({
            apiKey: context.env.ANTHROPIC_API_KEY,
            baseURL: context.env.ANTHROPIC_BASE_URL || undefined,
            model,
            pricing: PricingTable.builtIn(),
            commandEnv: context.env,
          });
    const session = await engine.start({
      type: typeId,
      title,
      intention: goal,
      successCriteria: listOption(context.values, 'criteria'),
      constraints: listOption(context.values, 'constraint'),
      options,
      executionMode: 'agentic',
      provider: providerName,
      workingDir: context.cwd,
      workspaceFolder: context.cwd,
      tags: ['cli'],
    });
    const e = context.errStyle;
    context.err(`${e.bold('session')} ${session.id} (${session.slug}): ${typeId}, ${providerName}\n`);
    const outcome = await runAgentic(session.id, {
      engine,
      store,
      executeShell: runShellCommand,
      claude,
      budgets,
      signal: context.signal,
      childConcurrency: DEFAULTS.childConcurrency,
      defaultWorkingDir: context.cwd,
      env: context.env,
      model,
      allowRunCommand: Boolean(context.values['allow-run-command']),
      onProgress: (p) => {
        if (p.kind === 'step')
          context.err(
            `${e.cyan(`#${p.interaction.seq}`)} ${p.interaction.command.step} [${p.interaction.command.kind}] ${oneLine(p.interaction.command.command, 100)}\n`,
          );
        else if (p.kind === 'recorded') context.err(`   → ${p.status === 'ok' ? e.green(p.status) : e.red(p.status)}\n`);
        else if (p.kind === 'text') context.err(e.dim(p.text));
      },
    });
    const final = outcome.session;
    if (context.values.json) {
      context.out(
        JSON.stringify(
          {
            session: sessionJson(final),
            reason: outcome.reason,
            steps: outcome.steps,
            detail: outcome.detail ?? null,
            agentError: outcome.agentError ? { kind: outcome.agentError.kind, message: outcome.agentError.message } : null,
          },
          null,
          2,
        ) + '\n',
      );
    } else {
      const why = outcome.agentError
        ? `: ${outcome.agentError.message} ${outcome.agentError.action}`
        : outcome.detail
          ? `: ${outcome.detail}`
          : '';
      context.out(
        `${final.status} after ${outcome.steps} step(s), ${formatUsd(final.totalCostUsd, final.costUnknown)} (${outcome.reason}${why}) — session ${final.id}\n`,
      );
    }
    if (final.status === 'complete') return EXIT.ok;
    if (outcome.reason === 'aborted' || context.signal.aborted) return EXIT.interrupted;
    return EXIT.failure;
  },
};
