/*
 * The CI recipe of docs/cli.md ("In CI (GitHub Actions)"), run as written: its workflow file and its
 * GitHub Actions job are read from the page (the blocks after `<!-- ci-recipe: <path> -->`), so the
 * test fails when the page changes in a way that no longer works. The job's `run` steps are run as
 * GitHub's runner runs them (bash -eo pipefail, the step's `env` with its expressions evaluated,
 * `if: always()`), against a fake Anthropic API; the step that builds the CLI from a clone of Session
 * Ledger is replaced by the CLI built from this checkout, laid out where that step leaves it.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { holdsLedger } from '../../../src/core/store/ledgerAdoption';
import { sampleWorkflow } from '../../../src/core/workflow/sampleWorkflow';
import { startFakeAnthropic, type FakeAnthropic } from '../../fakes/fakeAnthropic';
import { buildCli, cleanEnv, runCli } from './cliHarness';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const DOC = path.join(repoRoot, 'docs', 'cli.md');
/** The step of the job that builds the CLI from a clone (no network here): this checkout's build stands in for it. */
const BUILD_STEP_ID = 'session-ledger-cli';

// js-yaml comes with mocha (a dependency of it, resolved from mocha's own folder): no dependency of our own for one test.
const yaml = createRequire(require.resolve('mocha'))('js-yaml') as { load(text: string): unknown };

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}

/** The code blocks of the page that follow a `<!-- ci-recipe: <path> -->` marker, by path. */
function recipeBlocks(markdown: string): Map<string, { language: string; text: string }> {
  const blocks = new Map<string, { language: string; text: string }>();
  for (const match of markdown.matchAll(/<!-- ci-recipe: (\S+) -->\n```(\w+)\n([\s\S]*?)\n```/g)) {
    assert.ok(!blocks.has(match[1]), `${match[1]} is given twice in ${DOC}`);
    blocks.set(match[1], { language: match[2], text: match[3] + '\n' });
  }
  return blocks;
}

/** Evaluates the `${{ … }}` expressions the recipe uses; any other fails the test (it would have to be taught here). */
function evaluate(text: string, contexts: Record<string, string>): string {
  return text.replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (_, expression: string) => {
    assert.ok(Object.hasOwn(contexts, expression), `the recipe uses \${{ ${expression} }}, which this test does not know`);
    return contexts[expression];
  });
}

const temp = (name: string) => fs.realpathSync(fs.mkdtempSync(path.join(tmpdir(), `ci-recipe-${name}-`)));

/**
 * A project whose tests fail on their first run and pass on the next (as if Claude's fix worked):
 * the recipe's session then runs the tests, has Claude fix them, runs them again and completes.
 */
function project(): string {
  const workspace = temp('workspace');
  const files: Record<string, string> = {
    'package.json': JSON.stringify(
      { name: 'ci-recipe-project', version: '1.0.0', private: true, scripts: { test: 'node test.js' } },
      null,
      2,
    ),
    'package-lock.json': JSON.stringify(
      {
        name: 'ci-recipe-project',
        version: '1.0.0',
        lockfileVersion: 3,
        requires: true,
        packages: { '': { name: 'ci-recipe-project', version: '1.0.0' } },
      },
      null,
      2,
    ),
    'test.js': [
      "const fs = require('node:fs');",
      "const runs = Number(fs.existsSync('.test-runs') ? fs.readFileSync('.test-runs', 'utf8') : 0) + 1;",
      "fs.writeFileSync('.test-runs', String(runs));",
      "if (runs === 1) { console.error('1 failing: add(1, 1) expected 2, got 3'); process.exit(1); }",
      "console.log('1 passing');",
    ].join('\n'),
  };
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(workspace, name), content + '\n');
  return workspace;
}

/** Runs a step's script as GitHub's runner does (asynchronously: the fake API answers from this process). */
function shell(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('docs/cli.md CI recipe (GitHub Actions): run as written', function () {
  this.timeout(240_000);
  let anthropic: FakeAnthropic | undefined;
  before(() => buildCli());
  after(async () => anthropic?.close());

  it('runs the session headless to completion and leaves the ledger and the export where the artifact step takes them', async () => {
    const blocks = recipeBlocks(fs.readFileSync(DOC, 'utf8'));
    assert.deepEqual([...blocks.keys()].sort(), ['.github/workflows/session.yml', '.vscode/session-ledger/workflows/test-and-fix.json']);
    const workflowBlock = blocks.get('.vscode/session-ledger/workflows/test-and-fix.json')!;
    assert.deepEqual(JSON.parse(workflowBlock.text), sampleWorkflow(), 'the page shows the workflow New Workflow File writes');

    // The job, parsed as YAML (a syntax error fails here).
    const document = yaml.load(blocks.get('.github/workflows/session.yml')!.text) as {
      on: unknown;
      jobs: Record<string, { steps: Step[] }>;
    };
    assert.deepEqual(document.on, ['push']);
    const jobs = Object.values(document.jobs);
    assert.equal(jobs.length, 1);
    const steps = jobs[0].steps;
    assert.ok(
      steps.some((step) => step.id === BUILD_STEP_ID && step.run),
      `the job has a step with id ${BUILD_STEP_ID} that builds the CLI`,
    );

    // The runner: a checked-out project holding the recipe's workflow file, RUNNER_TEMP, the CLI where the build step leaves it.
    const workspace = project();
    const workflowFile = path.join(workspace, '.vscode/session-ledger/workflows/test-and-fix.json');
    fs.mkdirSync(path.dirname(workflowFile), { recursive: true });
    fs.writeFileSync(workflowFile, workflowBlock.text);
    const runnerTemp = temp('runner');
    const cliRoot = path.dirname(path.dirname(await buildCli())); // dist/cli.js, dist/sql-wasm.wasm, migrations/
    fs.symlinkSync(cliRoot, path.join(runnerTemp, 'sl'));
    anthropic = await startFakeAnthropic({
      apiKey: 'sk-ci-secret',
      idPrefix: 'ci',
      script: [
        { content: [{ type: 'text', text: 'Fixed add(): it returned a + b + 1.' }], usage: { input_tokens: 1200, output_tokens: 150 } },
      ],
    });
    const sha = '0123456789abcdef0123456789abcdef01234567';
    const contexts = { 'secrets.ANTHROPIC_API_KEY': 'sk-ci-secret', 'runner.temp': runnerTemp };
    const runnerEnv = cleanEnv({
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_SHA: sha,
      GITHUB_WORKSPACE: workspace,
      RUNNER_TEMP: runnerTemp,
      // Not in the recipe: where the fake API listens (GitHub's runner reaches the real one).
      ANTHROPIC_BASE_URL: anthropic.url,
      npm_config_update_notifier: 'false',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
    });

    const ran: { step: string; code: number | null; output: string }[] = [];
    let failed = false;
    let artifact: Step | undefined;
    for (const step of steps) {
      const condition = step.if?.trim();
      assert.ok(condition === undefined || condition === 'always()', `a step's if: ${condition} is not known to this test`);
      if (failed && condition !== 'always()') continue;
      if (step.uses?.startsWith('actions/upload-artifact@')) artifact = step;
      if (step.uses) {
        assert.match(step.uses, /^actions\/(checkout|setup-node|upload-artifact)@v\d+$/, 'only the actions this test stands in for');
        continue;
      }
      if (step.id === BUILD_STEP_ID) continue;
      assert.ok(step.run, 'a step runs a command or uses an action');
      assert.doesNotMatch(step.run, /\$\{\{/, 'run scripts take values from the environment (expressions stay in env:)');
      const env = { ...runnerEnv };
      for (const [name, value] of Object.entries(step.env ?? {})) env[name] = evaluate(String(value), contexts);
      const script = path.join(runnerTemp, `step-${ran.length + 1}.sh`);
      fs.writeFileSync(script, step.run);
      // GitHub's default shell on Linux: `bash --noprofile --norc -eo pipefail {0}`, in the workspace.
      const result = await shell(script, workspace, env);
      ran.push({ step: step.run.trim().split('\n')[0], ...result });
      if (result.code !== 0) failed = true;
    }
    for (const step of ran) assert.equal(step.code, 0, `${step.step}\n${step.output}`);
    assert.ok(
      ran.some((step) => step.step.includes('dist/cli.js" run test-and-fix')),
      'the session step ran',
    );

    // What the artifact step uploads: the ledger folder and the export.
    assert.ok(artifact && artifact.if === 'always()', 'the artifact is uploaded even when the session failed');
    const uploaded = evaluate(String(artifact.with?.path), contexts)
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean)
      .map((entry) => path.resolve(workspace, entry));
    assert.equal(uploaded.length, 2);
    const [ledger, exported] = uploaded;
    assert.equal(ledger, path.join(runnerTemp, 'ledger'));
    assert.ok(holdsLedger(ledger), `the ledger folder ${ledger} holds the ledger`);
    const exportData = JSON.parse(fs.readFileSync(exported, 'utf8')) as { sessions: { title: string; status: string }[] };
    assert.deepEqual(
      exportData.sessions.map((entry) => [entry.title, entry.status]),
      [[`CI ${sha}`, 'complete']],
    );

    // The session, read from the artifact's ledger: completed, every step recorded.
    const listed = await runCli(['list', '--json', '--ledger', ledger]);
    assert.equal(listed.code, 0, listed.stderr);
    const data = JSON.parse(listed.stdout) as {
      total: number;
      sessions: { title: string; status: string; type: string; interactionCount: number; goal?: string }[];
    };
    assert.equal(data.total, 1);
    assert.equal(data.sessions[0].title, `CI ${sha}`);
    assert.equal(data.sessions[0].status, 'complete');
    assert.equal(data.sessions[0].type, 'test-and-fix');
    assert.equal(data.sessions[0].interactionCount, 3, 'test (failed), fix, test (passed)');
    assert.equal(fs.readFileSync(path.join(workspace, '.test-runs'), 'utf8'), '2');
    assert.equal(anthropic.requests.length, 1, 'Claude was asked once, to fix the failure');
    assert.match(JSON.stringify(anthropic.requests[0].body), /add\(1, 1\) expected 2, got 3/);
  });
});
