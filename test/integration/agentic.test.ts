import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { StartSessionInput } from '../../src/core/engine/sessionInputs';
import type { Session } from '../../src/core/model/session';
import { startFakeAnthropic, type FakeAnthropic, type FakeTurn, type RecordedRequest } from '../fakes/fakeAnthropic';
import { activateExtension, waitFor } from './helpers';

const KEY = 'sk-integration-key';
const PLAN = '```json\n{ "summary": "Add a login page", "steps": [{ "title": "Form", "files": ["src/login.ts"] }] }\n```';
/** The components of the component-design sessions: two children that run at the same time. */
const SHOP = {
  components: [
    { name: 'API', description: 'The REST API' },
    { name: 'UI', description: 'The web UI' },
  ],
};
const SETTINGS: Record<string, unknown> = { provider: 'anthropic-api', model: 'claude-sonnet-4-6', childConcurrency: 2, maxCostUsd: 0 };

describe('agentic mode in the extension host, against a fake Anthropic API', function () {
  this.timeout(120_000);
  let fake: FakeAnthropic;
  let workspaceTestCommand: string | undefined;
  /** Turns answered before the default answer (a held-open stream, an error). */
  const queued: FakeTurn[] = [];
  const workspace = () => vscode.workspace.workspaceFolders![0].uri.fsPath;

  before(async () => {
    // Every answer is a valid plan: spec, build and docs take any text.
    fake = await startFakeAnthropic({
      apiKey: KEY,
      script: () =>
        queued.shift() ?? { content: [{ type: 'text', text: `Here it is.\n${PLAN}` }], usage: { input_tokens: 1200, output_tokens: 300 } },
    });
    const config = vscode.workspace.getConfiguration('sessionLedger');
    await config.update('anthropicBaseUrl', fake.url, vscode.ConfigurationTarget.Global);
    for (const [key, value] of Object.entries(SETTINGS)) await config.update(key, value, vscode.ConfigurationTarget.Global);
    // The fixture workspace's test command fails on purpose (for the manual suite); children here should pass.
    workspaceTestCommand = config.inspect<string>('testCommand')?.workspaceValue;
    await config.update('testCommand', 'true', vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('sessionLedger.setApiKey', KEY);
    const { config: typed } = await activateExtension();
    await waitFor('the settings to apply', () =>
      typed.value.anthropicBaseUrl === fake.url && typed.value.maxCostUsd === 0 && typed.value.testCommand === 'true' ? true : undefined,
    );
  });

  /** Sessions of a test (and their children) are deleted after it, so other suites see a clean tree. */
  const created: string[] = [];
  afterEach(async () => {
    const { store } = await activateExtension();
    for (const id of created.splice(0)) {
      for (const s of [...store.sessions.children(id), store.sessions.require(id)])
        await store.sessions.softDelete(s.id).catch(() => undefined);
    }
  });

  /** Starts an agentic session on the fake API in the fixture workspace, deleted after the test. */
  const startAgentic = async (input: Pick<StartSessionInput, 'type' | 'title' | 'intention' | 'options'>): Promise<Session> => {
    const { engine } = await activateExtension();
    const session = await engine.start({
      ...input,
      executionMode: 'agentic',
      provider: 'anthropic-api',
      workingDir: workspace(),
      workspaceFolder: workspace(),
    });
    created.push(session.id);
    return session;
  };

  after(async () => {
    const config = vscode.workspace.getConfiguration('sessionLedger');
    for (const key of ['anthropicBaseUrl', ...Object.keys(SETTINGS)])
      await config.update(key, undefined, vscode.ConfigurationTarget.Global);
    await config.update('testCommand', workspaceTestCommand, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('sessionLedger.setApiKey', '');
    await fake?.close();
  });

  it('runs a full session to completion: files written, usage and cost on the runs and the session', async () => {
    const { store, background, running } = await activateExtension();
    const before = fake.requests.length;
    const session = await startAgentic({
      type: 'full',
      title: 'Agentic login page',
      intention: 'Add a login page',
      // Without the review gates `full` has in agentic mode (spec and plan wait for Approve): this runs straight through.
      options: { testCommand: 'echo integration-tests-pass', approve: false },
    });
    const seenRunning: boolean[] = [];
    const sub = running.onDidChangeRunning((id) => id === session.id && seenRunning.push(running.isRunning(id)));
    const outcome = await background.start(session.id);
    sub.dispose();

    assert.equal(outcome?.reason, 'finished');
    const after = store.sessions.require(session.id);
    assert.equal(after.status, 'complete');
    assert.deepEqual(seenRunning, [true, false], 'the runner reported running, then idle');
    assert.equal(running.isRunning(session.id), false);

    const folder = join(workspace(), '.sessions', after.slug);
    assert.ok(existsSync(join(folder, 'spec.md')), 'spec.md written');
    assert.equal(JSON.parse(readFileSync(join(folder, 'plan.json'), 'utf8')).summary, 'Add a login page');
    const steps = store.interactions.list(session.id).map((i) => [i.command.step, i.result.status]);
    assert.deepEqual(steps, [
      ['spec', 'ok'],
      ['plan', 'ok'],
      ['build', 'ok'],
      ['test', 'ok'],
      ['docs', 'ok'],
    ]);
    assert.match(store.interactions.list(session.id)[3].result.output ?? '', /integration-tests-pass/);

    const mine = fake.requests.slice(before);
    assert.equal(mine.length, 4);
    const keyOf = (r: RecordedRequest) => r.headers['x-api-key'] ?? String(r.headers.authorization ?? '').replace(/^Bearer /, '');
    assert.deepEqual([...new Set(mine.map(keyOf))], [KEY], 'the key from SecretStorage reached the API');
    assert.deepEqual(
      mine.map((r) => r.body.messages.length),
      [1, 3, 5, 7],
      'one conversation, history carried',
    );

    const runs = store.runs.listBySession(session.id);
    assert.equal(runs.length, 4);
    for (const run of runs) {
      assert.deepEqual(
        [run.status, run.inputTokens, run.outputTokens, run.conversationId],
        ['ok', 1200, 300, after.externalConversationId],
      );
      assert.ok(run.costUsd > 0, 'a priced model has a cost');
    }
    assert.equal(after.inputTokens, 4800);
    assert.equal(after.outputTokens, 1200);
    assert.ok(Math.abs(after.totalCostUsd - runs.reduce((sum, r) => sum + r.costUsd, 0)) < 1e-9);
    assert.ok(store.events.list(session.id, { type: 'agent.text' }).length > 0, 'text recorded in the event log');
  });

  it('runs a component-design session whose two children run concurrently', async () => {
    const { store, background } = await activateExtension();
    const before = fake.requests.length;
    const parent = await startAgentic({ type: 'component-design', title: 'Agentic shop', intention: 'Build a shop', options: SHOP });
    const outcome = await background.start(parent.id);

    const children = store.sessions.children(parent.id);
    const notes = [parent, ...children].flatMap((s) => store.notes.list(s.id).map((n) => `${s.title}: ${n.content}`));
    assert.equal(outcome?.session.status, 'complete', notes.join('\n'));
    assert.deepEqual(
      children.map((c) => [c.executionMode, c.status]),
      [
        ['agentic', 'complete'],
        ['agentic', 'complete'],
      ],
    );
    const spawn = store.interactions.list(parent.id)[0];
    assert.equal(spawn.command.kind, 'spawn_sessions');
    assert.equal(spawn.result.status, 'ok');

    // Each child asks twice (plan, build). Run one at a time, a child's requests would come together;
    // run concurrently, the second child starts before the first one finishes.
    const mine = fake.requests.slice(before);
    assert.equal(mine.length, 4, 'plan and build of each child (the test command passes)');
    const childOf = (request: RecordedRequest) => (JSON.stringify(request.body.system ?? '').includes('Agentic shop: API') ? 'API' : 'UI');
    const order = mine.map(childOf);
    const firstOfSecond = order.indexOf(order[0] === 'API' ? 'UI' : 'API');
    const lastOfFirst = order.lastIndexOf(order[0]);
    assert.ok(firstOfSecond < lastOfFirst, `requests interleave (${order.join(', ')})`);
    const [a, b] = children.map((c) => store.runs.listBySession(c.id));
    const span = (runs: typeof a) => [Math.min(...runs.map((r) => r.startedAt)), Math.max(...runs.map((r) => r.endedAt ?? 0))];
    const [aStart, aEnd] = span(a);
    const [bStart, bEnd] = span(b);
    assert.ok(aStart < bEnd && bStart < aEnd, 'the children\u2019s runs overlap in time');
  });

  it('Pause aborts the running stream (recorded cancelled), Resume restarts the loop and it completes', async () => {
    const { store, background, running, statusBar, active } = await activateExtension();
    queued.push({ content: [{ type: 'text', text: 'A long spec that never ends…' }], holdOpen: true });
    const before = fake.requests.length;
    const session = await startAgentic({ type: 'quick', title: 'Agentic pause', intention: 'Pause me' });
    await active.set(session.id);
    const run = background.start(session.id);
    await waitFor('the stream to start', () => (store.events.list(session.id, { type: 'agent.text' }).length > 0 ? true : undefined));
    assert.equal(running.isRunning(session.id), true);
    await waitFor('the status bar to show it running', () => (statusBar.view.text.includes('$(sync~spin)') ? true : undefined));

    await vscode.commands.executeCommand('sessionLedger.pauseSession', session.id);
    const stopped = await run;
    assert.equal(stopped?.reason, 'aborted');
    assert.equal(store.sessions.require(session.id).status, 'paused');
    assert.equal(running.isRunning(session.id), false);
    const [first] = store.interactions.list(session.id);
    assert.equal(first.result.status, 'cancelled');
    await waitFor('the server to see the client go', () => (fake.requests[before].clientDisconnected ? true : undefined));

    await vscode.commands.executeCommand('sessionLedger.resumeSession', session.id);
    await waitFor(
      'the resumed loop to complete the session',
      () => (store.sessions.require(session.id).status === 'complete' ? true : undefined),
      30_000,
    );
    const steps = store.interactions.list(session.id).map((i) => [i.command.step, i.result.status]);
    assert.deepEqual(steps, [
      ['plan', 'cancelled'],
      ['plan', 'ok'],
      ['build', 'ok'],
      ['test', 'ok'],
    ]);
    const conversation = store.sessions.require(session.id).externalConversationId;
    assert.ok(
      store.runs.listBySession(session.id).every((r) => r.conversationId === conversation),
      'the same conversation after resume',
    );
  });

  it('Cancel Session while the stream is in flight aborts it, records the step and the session cancelled, and stops the runner', async () => {
    const { store, background, running } = await activateExtension();
    queued.push({ content: [{ type: 'text', text: 'A plan that never ends…' }], holdOpen: true });
    const before = fake.requests.length;
    const session = await startAgentic({ type: 'quick', title: 'Agentic cancel', intention: 'Cancel me' });
    const run = background.start(session.id);
    await waitFor('the stream to start', () => (store.events.list(session.id, { type: 'agent.text' }).length > 0 ? true : undefined));
    assert.equal(running.isRunning(session.id), true);
    assert.equal(store.interactions.list(session.id)[0].result.status, 'pending');

    // The programmatic form: the caller has confirmed, so no modal is shown.
    await vscode.commands.executeCommand('sessionLedger.cancelSession', session.id, { confirmed: true });

    assert.equal((await run)?.reason, 'aborted');
    assert.equal(store.sessions.require(session.id).status, 'cancelled');
    assert.equal(running.isRunning(session.id), false);
    assert.deepEqual(
      store.interactions.list(session.id).map((i) => [i.command.step, i.result.status]),
      [['plan', 'cancelled']],
    );
    assert.equal(store.interactions.listPending(session.id).length, 0);
    assert.deepEqual(
      store.runs.listBySession(session.id).map((r) => r.status),
      ['cancelled'],
    );
    await waitFor('the server to see the client go', () => (fake.requests[before].clientDisconnected ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(fake.requests.length - before, 1, 'no further turns after the cancel');
  });

  it('Pause Session on a running parent pauses its children with it; Resume Session runs the whole tree to completion', async () => {
    const { store, background, running } = await activateExtension();
    const hang: FakeTurn = { content: [{ type: 'text', text: 'Planning a component slowly…' }], holdOpen: true };
    queued.push(hang, hang);
    const before = fake.requests.length;
    const parent = await startAgentic({ type: 'component-design', title: 'Agentic paused shop', intention: 'Build a shop', options: SHOP });
    const run = background.start(parent.id);
    await waitFor('both children to stream', () => {
      const children = store.sessions.children(parent.id);
      return children.length === 2 && children.every((c) => store.events.list(c.id, { type: 'agent.text' }).length > 0) ? true : undefined;
    });

    await vscode.commands.executeCommand('sessionLedger.pauseSession', parent.id);

    assert.equal((await run)?.reason, 'aborted');
    const children = store.sessions.children(parent.id);
    assert.deepEqual(
      [store.sessions.require(parent.id), ...children].map((s) => s.status),
      ['paused', 'paused', 'paused'],
    );
    assert.ok(children.every((c) => !running.isRunning(c.id)) && !running.isRunning(parent.id), 'nothing runs');
    await waitFor('the server to see both streams go', () =>
      fake.requests.slice(before, before + 2).every((r) => r.clientDisconnected) ? true : undefined,
    );

    await vscode.commands.executeCommand('sessionLedger.resumeSession', parent.id);
    await waitFor(
      'the resumed tree to complete',
      () => (store.sessions.require(parent.id).status === 'complete' ? true : undefined),
      30_000,
    );
    assert.deepEqual(
      store.sessions.children(parent.id).map((c) => c.status),
      ['complete', 'complete'],
    );
  });

  it('an API error (a rejected key) pauses the session with the message recorded, without retrying', async () => {
    const { store, background } = await activateExtension();
    queued.push({ kind: 'error', status: 401, message: 'invalid x-api-key' });
    const before = fake.requests.length;
    const session = await startAgentic({ type: 'quick', title: 'Agentic 401', intention: 'x' });
    const outcome = await background.start(session.id);
    assert.equal(outcome?.reason, 'stopped');
    assert.equal(outcome?.agentError?.kind, 'auth');
    assert.equal(store.sessions.require(session.id).status, 'paused');
    assert.equal(fake.requests.length - before, 1, 'no retry');
    const [first] = store.interactions.list(session.id);
    assert.match(first.result.errorMessage ?? '', /401[\s\S]*Set Anthropic API Key/);
    assert.ok(!JSON.stringify(store.events.list(session.id, { limit: 10_000 })).includes(KEY), 'the key is never recorded');
  });
});
