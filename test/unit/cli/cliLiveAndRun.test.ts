import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { SessionStore } from '../../../src/core/store/SessionStore';
import { startFakeAnthropic, type FakeAnthropic } from '../../fakes/fakeAnthropic';
import { installFakeClaude, type FakeClaude } from '../../fakes/fakeClaude';
import { buildCli, cleanEnv, runCli } from './cliHarness';

const temp = (name: string) => fs.realpathSync(fs.mkdtempSync(path.join(tmpdir(), `cli-${name}-`)));
const json = (text: string) => JSON.parse(text) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const WRITER = path.join(__dirname, '../store/fixtures/writerForReader.ts');

/** The writer process of the read-only store tests: holds the ledger's lock and appends on request. */
class Writer {
  private readonly lines: string[] = [];
  private waiting: ((line: string) => void) | undefined;
  readonly child: ChildProcess;

  constructor(directory: string, sessionId: string) {
    this.child = spawn(process.execPath, ['-r', 'tsx/cjs', WRITER, directory, sessionId], { stdio: ['pipe', 'pipe', 'inherit'] });
    readline.createInterface({ input: this.child.stdout! }).on('line', (line) => {
      if (this.waiting) {
        const resolve = this.waiting;
        this.waiting = undefined;
        resolve(line);
      } else this.lines.push(line);
    });
  }

  next(): Promise<string> {
    const line = this.lines.shift();
    return line !== undefined ? Promise.resolve(line) : new Promise((resolve) => (this.waiting = resolve));
  }

  async until(expected: string): Promise<void> {
    while ((await this.next()) !== expected);
  }

  send(command: string): void {
    this.child.stdin!.write(`${command}\n`);
  }

  async exit(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.send('exit');
    await exited;
  }
}

describe('session-ledger command line: a ledger VS Code holds, and headless runs', function () {
  this.timeout(180_000);
  before(() => buildCli());

  it('reads a ledger another process is writing, live, and refuses to write to it (exit 3, naming the holder)', async () => {
    const directory = path.join(temp('held'), 'ledger');
    const sessionId = randomUUID();
    const writer = new Writer(directory, sessionId);
    try {
      await writer.until('ready');
      writer.send('append 5 first');
      await writer.until('done');
      const listed = await runCli(['list', '--json', '--ledger', directory]);
      assert.equal(listed.code, 0, listed.stderr);
      const data = json(listed.stdout);
      assert.equal(data.readOnly, true);
      assert.match(data.holder, new RegExp(`^process ${writer.child.pid} on this machine`));
      assert.deepEqual(
        data.sessions.map((s: { id: string }) => s.id),
        [sessionId],
      );
      const text = await runCli(['list', '--ledger', directory]);
      assert.match(text.stderr, new RegExp(`read live: the ledger is held by process ${writer.child.pid}`));
      const events = async () =>
        json((await runCli(['show', sessionId, '--json', '--events', '--ledger', directory])).stdout).events.map(
          (e: { id: string }) => e.id,
        );
      assert.deepEqual(await events(), ['first-0', 'first-1', 'first-2', 'first-3', 'first-4']);
      writer.send('append 3 second');
      await writer.until('done');
      assert.deepEqual((await events()).slice(5), ['second-0', 'second-1', 'second-2'], 'what the writer added since is read');

      const exportFile = path.join(temp('held-export'), 'export.json');
      const exported = await runCli(['export', '--out', exportFile, '--ledger', directory]);
      assert.equal(exported.code, 0, 'exporting only reads');
      const refused = await runCli(['import', exportFile, '--ledger', directory]);
      assert.equal(refused.code, 3);
      assert.match(
        refused.stderr,
        new RegExp(`The ledger in .* is held by process ${writer.child.pid} on this machine .*cannot write to it\\. Close that window`),
      );
      const refusedRun = await runCli([
        'run',
        'test-fix',
        '--title',
        't',
        '--goal',
        'g',
        '--provider',
        'claude-code-cli',
        '--ledger',
        directory,
      ]);
      assert.equal(refusedRun.code, 3);
      assert.match(refusedRun.stderr, /is held by process/);
    } finally {
      await writer.exit();
    }
    const after = await SessionStore.open({ directory, snapshotInWorker: false, snapshotIdleMs: 0, fileCheckMs: 0 });
    try {
      assert.equal(after.sessions.count(), 1, 'the refused import wrote nothing');
      assert.equal(after.events.lastSeq(sessionId), 8);
    } finally {
      await after.close();
    }
  });

  describe('run', () => {
    let project: string;
    let claude: FakeClaude;
    let anthropic: FakeAnthropic | undefined;
    const workflow = {
      id: 'ci-check',
      label: 'CI check',
      steps: [
        { id: 'build', kind: 'shell', command: 'echo built {{options.target}}', onSuccess: 'review' },
        { id: 'review', kind: 'claude', prompt: 'Review this build output: {{steps.build.output}}', next: '$complete' },
      ],
    };

    beforeEach(() => {
      project = temp('run-project');
      fs.writeFileSync(path.join(project, 'ci-check.json'), JSON.stringify(workflow));
      claude = installFakeClaude();
    });
    afterEach(async () => {
      claude.cleanup();
      await anthropic?.close();
      anthropic = undefined;
    });

    const ledgerOf = () => path.join(project, '.ledger');

    it('runs a user workflow file to completion with the Claude Code CLI: exit 0, every step recorded', async () => {
      const result = await runCli(
        [
          'run',
          'ci-check.json',
          '--title',
          'CI check',
          '--goal',
          'the build is green',
          '--criteria',
          'build passes',
          '--option',
          'target=web',
          '--provider',
          'claude-code-cli',
          '--json',
          '--ledger',
          ledgerOf(),
        ],
        { cwd: project, env: claude.env('normal', cleanEnv()) },
      );
      assert.equal(result.code, 0, result.stderr);
      const outcome = json(result.stdout);
      assert.equal(outcome.session.status, 'complete');
      assert.equal(outcome.steps, 2);
      assert.deepEqual(outcome.session.successCriteria, ['build passes']);
      assert.match(result.stderr, /#1 build \[shell\] echo built 'web'[\s\S]*#2 review \[claude\]/);
      assert.match(claude.invocations()[0].stdin, /Review this build output: built web/);
      const shown = json((await runCli(['show', outcome.session.id, '--json', '--ledger', ledgerOf()])).stdout);
      assert.deepEqual(
        shown.interactions.map((i: { step: string; status: string }) => [i.step, i.status]),
        [
          ['build', 'ok'],
          ['review', 'ok'],
        ],
      );
      assert.match(shown.interactions[1].output, /^Answer 1 to: Review this build output/);
    });

    it('runs it through the Anthropic API (ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL) to completion, cost recorded', async () => {
      anthropic = await startFakeAnthropic({
        apiKey: 'sk-test',
        idPrefix: 'cli',
        script: [{ content: [{ type: 'text', text: 'The build looks fine.' }], usage: { input_tokens: 1000, output_tokens: 200 } }],
      });
      const env = cleanEnv({ ANTHROPIC_API_KEY: 'sk-test', ANTHROPIC_BASE_URL: anthropic.url });
      const result = await runCli(
        [
          'run',
          'ci-check.json',
          '--title',
          'API check',
          '--goal',
          'green',
          '--option',
          'target=api',
          '--model',
          'claude-sonnet-4-6',
          '--ledger',
          ledgerOf(),
        ],
        { cwd: project, env },
      );
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^complete after 2 step\(s\), \$0\.\d+ \(finished\) — session [0-9a-f-]{36}\n$/);
      assert.equal(anthropic.requests.length, 1);
      assert.match(JSON.stringify(anthropic.requests[0].body), /Review this build output: built api/);
    });

    it('exits 1 when the session fails or a budget stops it, 2 for a bad workflow file or missing --goal', async () => {
      const failing = { ...workflow, id: 'ci-fail', steps: [{ id: 'build', kind: 'shell', command: 'echo broken; exit 3' }] };
      fs.writeFileSync(path.join(project, 'ci-fail.json'), JSON.stringify(failing));
      const env = claude.env('normal', cleanEnv());
      const failed = await runCli(
        ['run', 'ci-fail.json', '--title', 't', '--goal', 'g', '--provider', 'claude-code-cli', '--json', '--ledger', ledgerOf()],
        { cwd: project, env },
      );
      assert.equal(failed.code, 1, failed.stderr);
      assert.equal(json(failed.stdout).session.status, 'failed');
      const budget = await runCli(
        [
          'run',
          'ci-check.json',
          '--title',
          't',
          '--goal',
          'g',
          '--option',
          'target=x',
          '--provider',
          'claude-code-cli',
          '--max-steps',
          '1',
          '--json',
          '--ledger',
          ledgerOf(),
        ],
        { cwd: project, env },
      );
      assert.equal(budget.code, 1, budget.stderr);
      assert.equal(json(budget.stdout).reason, 'budget');
      fs.writeFileSync(
        path.join(project, 'broken.json'),
        JSON.stringify({ id: 'broken', label: 'Broken', steps: [{ id: 'a', kind: 'shell' }] }),
      );
      const broken = await runCli(['run', 'broken.json', '--title', 't', '--goal', 'g', '--ledger', ledgerOf()], { cwd: project, env });
      assert.equal(broken.code, 2);
      assert.match(broken.stderr, /broken\.json: steps\[0\]\.command: /);
      const noGoal = await runCli(['run', 'ci-check.json', '--title', 't', '--ledger', ledgerOf()], { cwd: project, env });
      assert.equal(noGoal.code, 2);
      assert.match(noGoal.stderr, /run needs --title and --goal \(missing --goal\)/);
      const noKey = await runCli(
        ['run', 'ci-check.json', '--title', 't', '--goal', 'g', '--provider', 'anthropic-api', '--ledger', ledgerOf()],
        { cwd: project, env },
      );
      assert.equal(noKey.code, 2);
      assert.match(noKey.stderr, /needs ANTHROPIC_API_KEY/);
    });
  });
});
