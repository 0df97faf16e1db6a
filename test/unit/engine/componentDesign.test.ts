import { strict as assert } from 'node:assert';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runToCompletion } from '../../../src/core/engine/runToCompletion';
import type { Interaction } from '../../../src/core/model/interaction';
import type { Session } from '../../../src/core/model/session';
import { createEngineFixture, type EngineFixture } from './support/engineFixture';
import { claudeFails, claudeSays, FakeExecutor } from './support/FakeExecutor';

const PLAN = '{ "summary": "s", "steps": [{ "title": "t" }] }';
const COMPONENTS = [
  { name: 'API', description: 'The REST API' },
  { name: 'UI', description: 'The web UI', interfaces: ['GET /items'] },
];

/** Children plan fine; a child whose title contains `failWhen` fails its build. */
function childExecutor(failWhen?: string): FakeExecutor {
  return new FakeExecutor({
    plan: [claudeSays(PLAN)],
    build: [
      (_i: Interaction, session: Session) =>
        failWhen !== undefined && session.title.includes(failWhen) ? claudeFails('cannot build') : claudeSays('built'),
    ],
    design: [claudeSays(`\`\`\`json\n${JSON.stringify({ overview: 'two parts', components: COMPONENTS })}\n\`\`\``)],
  });
}

describe('built-in type: component-design', () => {
  let fixture: EngineFixture;

  beforeEach(async () => {
    fixture = await createEngineFixture();
  });
  afterEach(() => fixture.dispose());

  /** By title: children created in one transaction share a creation time, so the store's order is not theirs. */
  function childrenOf(parentId: string): Session[] {
    return fixture.store.sessions.children(parentId).sort((a, b) => a.title.localeCompare(b.title));
  }

  function startDesign(options: Record<string, unknown> = { components: COMPONENTS }) {
    return fixture.engine.start({
      type: 'component-design',
      title: 'Shop',
      intention: 'Build a shop',
      constraints: ['TypeScript'],
      options: options as never,
    });
  }

  it('spawns one child per component, linked to the parent, and completes when all children complete', async () => {
    const parent = await startDesign();
    const executor = childExecutor();
    const outcome = await runToCompletion(fixture.engine, executor, parent.id);

    assert.equal(outcome.reason, 'finished');
    assert.equal(outcome.session.status, 'complete');
    const children = childrenOf(parent.id);
    assert.deepEqual(
      children.map((c) => [c.title, c.type, c.status, c.parentSessionId]),
      [
        ['Shop: API', 'quick', 'complete', parent.id],
        ['Shop: UI', 'quick', 'complete', parent.id],
      ],
    );
    assert.deepEqual(children[1].successCriteria, ['Provides: GET /items']);
    assert.deepEqual(children[1].constraints, ['TypeScript']);
    const [spawn] = fixture.interactionsOf(parent.id);
    assert.equal(spawn.command.kind, 'spawn_sessions');
    assert.deepEqual(
      spawn.command.metadata.childSessionIds,
      children.map((c) => c.id),
    );
    assert.equal(spawn.result.status, 'ok');
    // Each child's outcome reaches the parent: status, steps (plan + build), cost, summary.
    assert.deepEqual(spawn.result.data, {
      children: children.map((c) => ({
        id: c.id,
        title: c.title,
        status: 'complete',
        steps: 2,
        costUsd: 0,
        costUnknown: false,
        summary: null,
        error: null,
      })),
    });
    assert.equal(spawn.result.output, 'complete: Shop: API (2 steps, $0.0000)\ncomplete: Shop: UI (2 steps, $0.0000)');
    assert.ok(fixture.eventsOf(parent.id).some((e) => e.type === 'children.spawned'));
  });

  it('designs the components with Claude first when none are given, keeping components.json', async () => {
    const parent = await startDesign({});
    const outcome = await runToCompletion(fixture.engine, childExecutor(), parent.id);
    assert.equal(outcome.session.status, 'complete');
    const saved = JSON.parse(await readFile(join(fixture.workspace, '.sessions', parent.slug, 'components.json'), 'utf8'));
    assert.deepEqual(
      saved.components.map((c: { name: string }) => c.name),
      ['API', 'UI'],
    );
    assert.equal(childrenOf(parent.id).length, 2);
  });

  it('fails the parent when a child fails', async () => {
    const parent = await startDesign();
    const outcome = await runToCompletion(fixture.engine, childExecutor('UI'), parent.id);
    assert.equal(outcome.session.status, 'failed');
    assert.deepEqual(
      childrenOf(parent.id).map((c) => c.status),
      ['complete', 'failed'],
    );
    assert.equal(fixture.store.notes.list(parent.id).at(-1)?.content, 'Child sessions did not complete: "Shop: UI" (failed).');
    // Why the child failed reaches the parent's spawn result, with the last step's error.
    const spawn = fixture.interactionsOf(parent.id).find((i) => i.command.kind === 'spawn_sessions')!;
    const failed = (spawn.result.data as { children: { title: string; status: string; error: string | null }[] }).children.find(
      (c) => c.title === 'Shop: UI',
    )!;
    assert.equal(failed.status, 'failed');
    const lastError = fixture.store.interactions.latest(childrenOf(parent.id)[1].id)?.result.errorMessage;
    assert.ok(lastError, 'the failed child recorded an error');
    assert.equal(failed.error, lastError);
    assert.match(
      spawn.result.output ?? '',
      new RegExp(`failed: Shop: UI \\(\\d+ steps?, \\$0\\.0000\\)\\n  ${lastError.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
    );
  });

  it('completes despite a failed child when configured to, with a note', async () => {
    const parent = await startDesign({ components: COMPONENTS, continueOnChildFailure: true });
    const outcome = await runToCompletion(fixture.engine, childExecutor('API'), parent.id);
    assert.equal(outcome.session.status, 'complete');
    assert.match(
      fixture.store.notes.list(parent.id).at(-1)?.content ?? '',
      /Completed although some child sessions did not: "Shop: API" \(failed\)/,
    );
  });

  it('cancelling the parent cancels its unfinished children', async () => {
    const parent = await startDesign();
    const spawn = await fixture.engine.next(parent.id);
    assert.ok(spawn.kind === 'command');
    const [first] = childrenOf(parent.id);
    await runToCompletion(fixture.engine, childExecutor(), first.id);
    await fixture.engine.cancel(parent.id);
    assert.deepEqual(
      childrenOf(parent.id).map((c) => c.status),
      ['complete', 'cancelled'],
    );
    assert.equal(fixture.store.interactions.get(spawn.interaction.id)?.result.status, 'cancelled');
  });

  it('pausing the parent pauses its active children; resuming it resumes exactly those', async () => {
    const parent = await startDesign({ components: [...COMPONENTS, { name: 'Worker', description: 'The job runner' }] });
    const spawn = await fixture.engine.next(parent.id);
    assert.ok(spawn.kind === 'command');
    const [api, ui, worker] = childrenOf(parent.id);
    await runToCompletion(fixture.engine, childExecutor(), api.id);
    await fixture.engine.pause(worker.id); // paused on its own
    const uiStep = await fixture.engine.next(ui.id);
    assert.ok(uiStep.kind === 'command');

    const paused = await fixture.engine.pause(parent.id);

    assert.equal(paused.status, 'paused');
    assert.deepEqual(
      childrenOf(parent.id).map((c) => [c.title, c.status]),
      [
        ['Shop: API', 'complete'],
        ['Shop: UI', 'paused'],
        ['Shop: Worker', 'paused'],
      ],
    );
    assert.deepEqual(fixture.eventsOf(ui.id).at(-1)?.payload, { from: 'active', to: 'paused', reason: 'its parent session was paused' });
    assert.equal(
      fixture.store.interactions.get(uiStep.interaction.id)?.result.status,
      'pending',
      'a paused child keeps its command, as any paused session',
    );
    assert.equal(fixture.store.interactions.get(spawn.interaction.id)?.result.status, 'pending');

    await fixture.engine.resume(parent.id);
    assert.equal(fixture.engine.getSession(parent.id).status, 'active');
    assert.deepEqual(
      childrenOf(parent.id).map((c) => c.status),
      ['complete', 'active', 'paused'],
      'the child paused on its own stays paused',
    );
    await fixture.engine.resume(worker.id);
    const outcome = await runToCompletion(fixture.engine, childExecutor(), parent.id);
    assert.equal(outcome.session.status, 'complete');
  });

  it('cancelling a parent whose children are mid-step closes their commands and cancels them', async () => {
    const parent = await startDesign();
    await fixture.engine.next(parent.id);
    const steps = [];
    for (const child of childrenOf(parent.id)) {
      const step = await fixture.engine.next(child.id);
      assert.ok(step.kind === 'command');
      steps.push(step.interaction.id);
    }
    await fixture.engine.pause(childrenOf(parent.id)[1].id);
    await fixture.engine.cancel(parent.id);
    assert.deepEqual(
      childrenOf(parent.id).map((c) => c.status),
      ['cancelled', 'cancelled'],
      'active and paused children alike',
    );
    assert.deepEqual(
      steps.map((id) => fixture.store.interactions.get(id)?.result.status),
      ['cancelled', 'cancelled'],
    );
    for (const session of [parent, ...childrenOf(parent.id)]) assert.equal(fixture.store.interactions.listPending(session.id).length, 0);
  });

  it('waits for children a run could not finish, and settles when they end later', async () => {
    const parent = await startDesign();
    const freeformChild = await runToCompletion(fixture.engine, childExecutor(), parent.id, { maxSteps: 1, childConcurrency: 1 });
    assert.equal(freeformChild.reason, 'max_steps');
    const spawn = await fixture.engine.next(parent.id);
    assert.ok(spawn.kind === 'command' && spawn.interaction.command.kind === 'spawn_sessions');
    for (const child of childrenOf(parent.id)) {
      await fixture.engine.pause(child.id);
    }
    const waiting = await runToCompletion(fixture.engine, childExecutor(), parent.id);
    assert.equal(waiting.reason, 'waiting_for_children');
    for (const child of childrenOf(parent.id)) {
      await fixture.engine.resume(child.id);
      await runToCompletion(fixture.engine, childExecutor(), child.id);
    }
    assert.equal(fixture.engine.getSession(parent.id).status, 'complete');
  });

  it('an interrupted parent keeps its spawn pending and still settles when the children end', async () => {
    const parent = await startDesign();
    await fixture.engine.next(parent.id);
    const interrupted = await fixture.engine.markInterrupted(parent.id);
    assert.equal(interrupted.status, 'interrupted');
    assert.equal(fixture.store.interactions.listPending(parent.id).length, 1, 'the spawn waits for its children');
    for (const child of childrenOf(parent.id)) {
      await runToCompletion(fixture.engine, childExecutor(), child.id);
    }
    assert.equal(fixture.engine.getSession(parent.id).status, 'complete');
  });

  it('fails the parent clearly when a child type does not exist', async () => {
    const parent = await startDesign({ components: COMPONENTS, childType: 'no-such-type' });
    const outcome = await runToCompletion(fixture.engine, childExecutor(), parent.id);
    assert.equal(outcome.session.status, 'failed');
    assert.match(
      fixture.store.notes.list(parent.id)[0].content,
      /The spawn step cannot spawn its sessions: Unknown session type "no-such-type"/,
    );
    assert.equal(childrenOf(parent.id).length, 0);
  });
});
