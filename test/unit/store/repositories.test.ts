import * as assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import type { StoreChange } from '../../../src/core/model/change';
import { INTERACTION_OUTPUT_MAX_CHARS } from '../../../src/core/model/interaction';
import { decodeSegment } from '../../../src/core/store/journalRecord';
import { IllegalSessionTransitionError } from '../../../src/core/model/sessionStatus';
import { ValidationError } from '../../../src/core/model/validation';
import type { SessionStore } from '../../../src/core/store/SessionStore';
import { ManualClock, contiguousSeqs, crashCopy, journalFiles, newEventId, openStore, temporaryDirectory } from './storeTestSupport';

describe('SessionStore repositories', function () {
  this.timeout(30_000);
  let store: SessionStore;
  let clock: ManualClock;

  before(async () => {
    clock = new ManualClock();
    store = await openStore(temporaryDirectory(), { clock });
  });
  after(() => store.close());

  function newSession(overrides: Record<string, unknown> = {}) {
    clock.advance(1000);
    return store.sessions.create({ type: 'test-fix', title: 'Fix the flaky test', intention: 'make CI green', ...overrides });
  }

  describe('sessions', () => {
    it('creates with defaults, a slug and zeroed counters, and reads it back', async () => {
      const created = await newSession({ title: 'Ünïcode Title: Build it!', tags: ['ci'] });
      assert.equal(created.slug, 'unicode-title-build-it');
      assert.equal(created.status, 'active');
      assert.equal(created.executionMode, 'manual');
      assert.equal(created.eventCount, 0);
      assert.equal(created.createdAt, clock.millis);
      assert.deepEqual(store.sessions.get(created.id), created);
      assert.equal(store.sessions.get(randomUUID()), undefined);
      assert.throws(() => store.sessions.require(randomUUID()), /No session with id/);
    });

    it('validates input, naming the bad field', async () => {
      await assert.rejects(
        store.sessions.create({ type: 't', title: '', intention: 'x' }),
        (error: unknown) => error instanceof ValidationError && /title/.test(error.message),
      );
      const session = await newSession();
      await assert.rejects(store.sessions.update(session.id, { executionMode: 'robotic' as never }), /executionMode/);
      await assert.rejects(store.sessions.update(session.id, { eventCount: 5 } as never), /unknown field\(s\) "eventCount"/);
    });

    it('takes a caller-supplied createdAt (history recorded elsewhere), validated, default now', async () => {
      const then = clock.millis - 90 * 24 * 3600 * 1000;
      const imported = await newSession({ status: 'complete', createdAt: then });
      assert.deepEqual([imported.createdAt, imported.updatedAt, imported.endedAt], [then, then, then]);
      assert.equal(store.sessions.require(imported.id).createdAt, then);
      await assert.rejects(newSession({ createdAt: -1 }), /createdAt/);
      await assert.rejects(newSession({ createdAt: 1.5 }), /createdAt/);
    });

    it('setTimes records when activity happened: updatedAt, and endedAt only on an ended session, never before createdAt', async () => {
      const then = clock.millis - 10_000;
      const imported = await newSession({ status: 'complete', createdAt: then });
      const dated = await store.sessions.setTimes(imported.id, { updatedAt: then + 500, endedAt: then + 600 });
      assert.deepEqual([dated.createdAt, dated.updatedAt, dated.endedAt], [then, then + 500, then + 600]);
      assert.deepEqual(store.sessions.require(imported.id), dated);
      await assert.rejects(store.sessions.setTimes(imported.id, { endedAt: then - 1 }), /endedAt .* before the session was created/);
      await assert.rejects(store.sessions.setTimes(imported.id, { updatedAt: 'soon' as never }), /updatedAt/);
      await assert.rejects(store.sessions.setTimes(imported.id, { createdAt: then } as never), /unknown field\(s\) "createdAt"/);
      const live = await newSession();
      await assert.rejects(
        store.sessions.setTimes(live.id, { endedAt: clock.millis }),
        /only for a session that has ended; session .* is active/,
      );
      assert.equal(store.sessions.require(live.id).endedAt, null);
    });

    it('updates fields and enforces the status transition table in one place', async () => {
      const session = await newSession();
      clock.advance(10);
      const paused = await store.sessions.update(session.id, { status: 'paused', phase: 'build', state: { attempt: 2 } });
      assert.equal(paused.status, 'paused');
      assert.deepEqual(store.sessions.require(session.id).state, { attempt: 2 });
      assert.equal(paused.updatedAt, clock.millis);
      await store.sessions.update(session.id, { status: 'active' });
      clock.advance(10);
      const done = await store.sessions.update(session.id, { status: 'complete' });
      assert.equal(done.endedAt, clock.millis);
      await assert.rejects(
        store.sessions.update(session.id, { status: 'active' }),
        (error: unknown) => error instanceof IllegalSessionTransitionError && error.from === 'complete' && error.to === 'active',
      );
      assert.equal(store.sessions.require(session.id).status, 'complete');
    });

    it('lists with filters (status, type, parent, text, deleted) and paging', async () => {
      const parent = await newSession({ type: 'component-design', title: 'Design the parser' });
      const childA = await newSession({ type: 'spec-plan-build', title: 'Tokenizer', parentSessionId: parent.id });
      const childB = await newSession({
        type: 'spec-plan-build',
        title: 'Grammar 100%_done',
        parentSessionId: parent.id,
        status: 'paused',
      });
      assert.deepEqual(
        store.sessions.children(parent.id).map((s) => s.id),
        [childA.id, childB.id],
      );
      assert.deepEqual(
        store.sessions.list({ parentSessionId: parent.id }).map((s) => s.id),
        [childB.id, childA.id],
      );
      assert.ok(store.sessions.list({ parentSessionId: null }).every((s) => s.parentSessionId === null));
      assert.deepEqual(
        store.sessions.list({ type: 'component-design' }).map((s) => s.id),
        [parent.id],
      );
      assert.deepEqual(
        store.sessions.list({ status: 'paused', parentSessionId: parent.id }).map((s) => s.id),
        [childB.id],
      );
      assert.deepEqual(store.sessions.list({ status: ['paused', 'active'], parentSessionId: parent.id }).length, 2);
      assert.deepEqual(
        store.sessions.list({ text: 'GRAMMAR' }).map((s) => s.id),
        [childB.id],
      );
      assert.deepEqual(
        store.sessions.list({ text: '100%_' }).map((s) => s.id),
        [childB.id],
        'LIKE wildcards are escaped',
      );
      assert.deepEqual(store.sessions.list({ text: '0%x' }), []);
      const all = store.sessions.list({ limit: 1000 });
      assert.deepEqual(
        store.sessions.list({ limit: 2, offset: 1 }).map((s) => s.id),
        all.slice(1, 3).map((s) => s.id),
      );
      assert.equal(store.sessions.count(), all.length);
      assert.throws(() => store.sessions.list({ limit: 0 }), /limit/);
    });

    it('soft deletes and restores', async () => {
      const session = await newSession({ title: 'Disposable' });
      const deleted = await store.sessions.softDelete(session.id);
      assert.equal(deleted.deletedAt, clock.millis);
      assert.equal(store.sessions.list({ text: 'Disposable' }).length, 0);
      assert.deepEqual(
        store.sessions.list({ text: 'Disposable', deleted: 'only' }).map((s) => s.id),
        [session.id],
      );
      assert.equal(store.sessions.list({ text: 'Disposable', deleted: 'include' }).length, 1);
      assert.ok(store.sessions.get(session.id), 'still readable by id');
      const restored = await store.sessions.restore(session.id);
      assert.equal(restored.deletedAt, null);
      assert.equal(store.sessions.list({ text: 'Disposable' }).length, 1);
    });

    it('refuses a child of an unknown parent', async () => {
      await assert.rejects(newSession({ parentSessionId: randomUUID() }), /No session with id/);
    });
  });

  describe('interactions', () => {
    it('appends with contiguous seqs, records the result once, and keeps counts', async () => {
      const session = await newSession();
      clock.advance(5);
      const first = await store.interactions.append({
        sessionId: session.id,
        step: 'plan',
        kind: 'claude',
        command: 'Write a plan',
        metadata: { model: 'x' },
      });
      const second = await store.interactions.append({ sessionId: session.id, step: 'build', kind: 'shell', command: 'npm test' });
      assert.deepEqual([first.seq, second.seq], [1, 2]);
      assert.equal(first.commandAtMicros, clock.millis * 1000);
      assert.equal(first.result.status, 'pending');
      assert.equal(store.sessions.require(session.id).interactionCount, 2);
      assert.deepEqual(
        store.interactions.listPending(session.id).map((i) => i.id),
        [first.id, second.id],
      );
      const done = await store.interactions.setResult(second.id, {
        status: 'error',
        exitCode: 1,
        output: 'FAIL',
        durationMs: 1200,
        data: { failed: 3 },
      });
      assert.equal(done.result.exitCode, 1);
      assert.deepEqual(store.interactions.get(second.id), done);
      assert.deepEqual(store.interactions.getBySeq(session.id, 2), done);
      assert.deepEqual(store.interactions.latest(session.id), done);
      await assert.rejects(store.interactions.setResult(second.id, { status: 'ok' }), /already has a "error" result/);
      await assert.rejects(store.interactions.setResult(first.id, { status: 'pending' as never }), /status/);
      assert.deepEqual(
        store.interactions.list(session.id, { after: 1 }).map((i) => i.seq),
        [2],
      );
      assert.deepEqual(
        store.interactions.list(session.id, { limit: 1 }).map((i) => i.seq),
        [1],
      );
    });

    it('takes caller-supplied command and result times (validated, default now)', async () => {
      const session = await newSession();
      const issuedMicros = (clock.millis - 60_000) * 1000 + 7;
      const interaction = await store.interactions.append({
        sessionId: session.id,
        step: 'import',
        kind: 'claude',
        command: 'hi',
        commandAtMicros: issuedMicros,
      });
      assert.equal(store.interactions.get(interaction.id)!.commandAtMicros, issuedMicros);
      const done = await store.interactions.setResult(interaction.id, {
        status: 'ok',
        output: 'hello',
        completedAt: clock.millis - 59_000,
      });
      assert.equal(store.interactions.get(interaction.id)!.result.completedAt, clock.millis - 59_000);
      assert.equal(done.result.completedAt, clock.millis - 59_000);
      await assert.rejects(
        store.interactions.append({ sessionId: session.id, step: 'x', kind: 'shell', command: 'x', commandAtMicros: -5 }),
        /commandAtMicros/,
      );
      const other = await store.interactions.append({ sessionId: session.id, step: 'x', kind: 'shell', command: 'x' });
      await assert.rejects(store.interactions.setResult(other.id, { status: 'ok', completedAt: 2.5 }), /completedAt/);
      assert.equal((await store.interactions.setResult(other.id, { status: 'ok' })).result.completedAt, clock.millis);
    });

    it('revises the result of a finished interaction, and only of a finished one', async () => {
      const session = await newSession();
      const interaction = await store.interactions.append({ sessionId: session.id, step: 'import', kind: 'claude', command: 'hi' });
      await assert.rejects(
        store.interactions.reviseResult(interaction.id, { status: 'ok' }),
        /has no result yet; record it with setResult/,
      );
      await store.interactions.setResult(interaction.id, { status: 'ok', output: 'part one', completedAt: 1000 });
      const revised = await store.interactions.reviseResult(interaction.id, {
        status: 'ok',
        output: 'part one\n\npart two',
        data: { toolUses: 1 },
        durationMs: 40,
        completedAt: 2000,
      });
      assert.deepEqual(store.interactions.get(interaction.id), revised);
      assert.deepEqual(revised.result, {
        status: 'ok',
        exitCode: null,
        output: 'part one\n\npart two',
        data: { toolUses: 1 },
        errorMessage: null,
        durationMs: 40,
        completedAt: 2000,
      });
      await assert.rejects(store.interactions.reviseResult(interaction.id, { status: 'pending' as never }), /status/);
    });

    it('caps long output keeping the tail', async () => {
      const session = await newSession();
      const interaction = await store.interactions.append({ sessionId: session.id, step: 'build', kind: 'shell', command: 'yes' });
      const output = 'x'.repeat(INTERACTION_OUTPUT_MAX_CHARS + 10) + 'THE END';
      const done = await store.interactions.setResult(interaction.id, { status: 'ok', exitCode: 0, output });
      assert.ok(done.result.output!.endsWith('THE END'));
      assert.ok(done.result.output!.startsWith('[… 17 earlier characters dropped …]'));
    });
  });

  describe('events', () => {
    it('appends idempotently: the same id returns the stored event, no duplicate', async () => {
      const session = await newSession();
      const id = newEventId();
      clock.advance(3);
      const first = await store.events.append({ id, sessionId: session.id, type: 'agent.text', payload: { text: 'hi' } });
      const again = await store.events.append({ id, sessionId: session.id, type: 'agent.text', payload: { text: 'different' } });
      assert.deepEqual(again, first);
      assert.equal(first.ts, clock.millis);
      assert.equal(store.sessions.require(session.id).eventCount, 1);
      assert.equal(store.sessions.require(session.id).lastEventAt, clock.millis);
      assert.equal(store.events.list(session.id).length, 1);
    });

    it('pages by after/limit and filters by type, interaction (or none) and run', async () => {
      const session = await newSession();
      const interaction = await store.interactions.append({ sessionId: session.id, step: 's', kind: 'claude', command: 'go' });
      const run = await store.runs.start({ sessionId: session.id, interactionId: interaction.id, provider: 'anthropic-api' });
      await store.transaction((tx) => {
        for (let i = 0; i < 10; i++) {
          tx.events.append({
            id: `page-${session.id}-${i}`,
            sessionId: session.id,
            type: i % 2 ? 'hook.PreToolUse' : 'agent.text',
            toolName: i % 2 ? 'Bash' : null,
            interactionId: i < 4 ? interaction.id : null,
            runId: i >= 8 ? run.id : null,
            payload: { i },
            ts: 1000 + i,
          });
        }
      });
      assert.deepEqual(
        store.events.list(session.id, { after: 3, limit: 4 }).map((e) => e.seq),
        [4, 5, 6, 7],
      );
      assert.deepEqual(
        store.events.list(session.id, { type: 'hook.PreToolUse' }).map((e) => e.seq),
        [2, 4, 6, 8, 10],
      );
      assert.deepEqual(
        store.events.list(session.id, { type: ['agent.text'], after: 5 }).map((e) => e.seq),
        [7, 9],
      );
      assert.deepEqual(
        store.events.list(session.id, { interactionId: interaction.id }).map((e) => e.seq),
        [1, 2, 3, 4],
      );
      assert.deepEqual(
        store.events.list(session.id, { interactionId: null, after: 5, limit: 3 }).map((e) => e.seq),
        [6, 7, 8],
      );
      assert.deepEqual(
        store.events.list(session.id, { runId: run.id }).map((e) => e.seq),
        [9, 10],
      );
      assert.deepEqual(store.events.get(`page-${session.id}-4`)?.payload, { i: 4 });
      assert.equal(store.events.lastSeq(session.id), 10);
      assert.equal(store.sessions.require(session.id).lastEventAt, 1009);
    });

    it('keeps seqs unique and contiguous under interleaved appends from many async callers', async () => {
      const sessions = await Promise.all([newSession(), newSession(), newSession()]);
      const callers = Array.from({ length: 24 }, async (_, caller) => {
        for (let n = 0; n < 25; n++) {
          const session = sessions[(caller + n) % sessions.length];
          await store.events.append({ id: `c${caller}-${n}-${session.id}`, sessionId: session.id, type: 'tick', payload: { caller, n } });
          if (n % 7 === caller % 7) await new Promise((resolve) => setImmediate(resolve));
        }
      });
      await Promise.all(callers);
      const total = sessions.reduce((sum, session) => sum + contiguousSeqs(store, session.id).length, 0);
      assert.equal(total, 24 * 25);
      for (const session of sessions) assert.equal(store.sessions.require(session.id).eventCount, store.events.lastSeq(session.id));
    });

    it('counts a run of appends to one session in its row once, before anything reads it, never after a rollback, and replays as written', async () => {
      const directory = temporaryDirectory();
      const own = await openStore(directory);
      try {
        const [a, b] = [
          await own.sessions.create({ type: 't', title: 'A', intention: 'runs' }),
          await own.sessions.create({ type: 't', title: 'B', intention: 'runs' }),
        ];
        const append = (tx: Parameters<Parameters<SessionStore['transaction']>[0]>[0], sessionId: string, id: string, ts: number) =>
          tx.events.appendIfAbsent({ id, sessionId, type: 'tick', payload: { id }, ts });
        const seenInside = await own.transaction((tx) => {
          for (let i = 1; i <= 3; i++) append(tx, a.id, `a${i}`, 100 + i);
          const read = tx.sessions.require(a.id); // a read in the middle of the run sees it counted
          append(tx, a.id, 'a4', 90); // an earlier ts: last_event_at keeps the latest
          append(tx, b.id, 'b1', 200);
          append(tx, a.id, 'a5', 105);
          const again = append(tx, a.id, 'a1', 999); // stored already: nothing added, the run goes on
          assert.equal(tx.events.get('a2')?.seq, 2); // and so it does after a read of events only
          append(tx, a.id, 'a6', 106);
          return { eventCount: read.eventCount, lastEventAt: read.lastEventAt, again };
        });
        assert.deepEqual(seenInside, { eventCount: 3, lastEventAt: 103, again: undefined });
        const counters = (id: string) => {
          const session = own.sessions.require(id);
          return { eventCount: session.eventCount, lastEventAt: session.lastEventAt, seqs: contiguousSeqs(own, id).length };
        };
        assert.deepEqual(counters(a.id), { eventCount: 6, lastEventAt: 106, seqs: 6 });
        assert.deepEqual(counters(b.id), { eventCount: 1, lastEventAt: 200, seqs: 1 });

        // A rolled-back run leaves nothing behind: the next append claims its seq from the row again.
        await assert.rejects(
          own.transaction((tx) => {
            append(tx, a.id, 'gone1', 300);
            append(tx, a.id, 'gone2', 301);
            throw new Error('changed my mind');
          }),
          /changed my mind/,
        );
        await own.transaction((tx) => append(tx, a.id, 'a7', 107));
        assert.deepEqual(counters(a.id), { eventCount: 7, lastEventAt: 107, seqs: 7 });
        assert.equal(own.events.get('gone1'), undefined);

        // The journal holds one counter update per run, where it was made, and replays to the same rows.
        const updates = journalFiles(directory)
          .flatMap((file) => decodeSegment(fs.readFileSync(file)).records)
          .flatMap((record) => record.statements)
          .filter((statement) => /^UPDATE sessions SET event_count/.test(statement[0]));
        assert.equal(updates.length, 5, 'runs: a1–a3, a4, b1, a5–a6, a7');
        const recovered = await openStore(crashCopy(directory));
        try {
          for (const id of [a.id, b.id]) {
            assert.deepEqual(recovered.sessions.require(id), own.sessions.require(id));
            assert.deepEqual(recovered.events.list(id), own.events.list(id));
          }
        } finally {
          await recovered.close();
        }
      } finally {
        await own.close();
      }
    });

    it('refuses an event for an unknown session, naming it', async () => {
      const missing = randomUUID();
      await assert.rejects(store.events.append({ id: newEventId(), sessionId: missing, type: 'x' }), new RegExp(missing));
      await assert.rejects(store.events.append({ id: '', sessionId: missing, type: 'x' }), /Invalid event: id: /);
    });
  });

  describe('runs', () => {
    it('rolls tokens and cost up into the session as cumulative deltas', async () => {
      const session = await newSession();
      const run = await store.runs.start({ sessionId: session.id, provider: 'anthropic-api', model: 'claude-x' });
      assert.equal(run.status, 'running');
      await store.runs.update(run.id, { inputTokens: 100, outputTokens: 10, costUsd: 0.5 });
      clock.advance(7);
      const ended = await store.runs.update(run.id, {
        inputTokens: 150,
        outputTokens: 40,
        cacheReadTokens: 5,
        cacheCreationTokens: 2,
        costUsd: 0.75,
        status: 'ok',
        conversationId: 'conv-1',
      });
      assert.equal(ended.endedAt, clock.millis);
      const second = await store.runs.start({ sessionId: session.id, provider: 'claude-code-cli' });
      await store.runs.update(second.id, { inputTokens: 1, costUsd: 0.25, status: 'error', error: 'boom' });
      const totals = store.sessions.require(session.id);
      assert.deepEqual(
        [totals.inputTokens, totals.outputTokens, totals.cacheReadTokens, totals.cacheCreationTokens, totals.totalCostUsd],
        [151, 40, 5, 2, 1],
      );
      assert.deepEqual(
        store.runs.listBySession(session.id).map((r) => r.id),
        [run.id, second.id],
      );
      assert.deepEqual(store.runs.get(second.id)?.error, 'boom');
      await assert.rejects(store.runs.update(run.id, { costUsd: -1 }), /costUsd/);
    });

    it('lists runs of an interaction', async () => {
      const session = await newSession();
      const interaction = await store.interactions.append({ sessionId: session.id, step: 's', kind: 'claude', command: 'p' });
      const run = await store.runs.start({ sessionId: session.id, interactionId: interaction.id, provider: 'anthropic-api' });
      assert.deepEqual(
        store.runs.listByInteraction(interaction.id).map((r) => r.id),
        [run.id],
      );
    });
  });

  describe('conversations and messages', () => {
    it('stores a resumable history with contiguous message seqs', async () => {
      const session = await newSession();
      const conversation = await store.conversations.create({
        id: 'conv-abc',
        sessionId: session.id,
        provider: 'anthropic-api',
        model: 'm',
        system: 'be brief',
      });
      await store.conversations.appendMessage({ conversationId: conversation.id, role: 'user', content: 'hello' });
      const reply = await store.conversations.appendMessage({
        conversationId: conversation.id,
        role: 'assistant',
        content: [{ type: 'text', text: 'hi' }],
      });
      assert.equal(reply.seq, 2);
      assert.deepEqual(
        store.conversations.messages(conversation.id).map((m) => m.content),
        ['hello', [{ type: 'text', text: 'hi' }]],
      );
      assert.deepEqual(
        store.conversations.messages(conversation.id, { after: 1 }).map((m) => m.seq),
        [2],
      );
      assert.equal(store.conversations.get('conv-abc')?.messageCount, 2);
      assert.deepEqual(
        store.conversations.listBySession(session.id).map((c) => c.id),
        ['conv-abc'],
      );
      await assert.rejects(
        store.conversations.appendMessage({ conversationId: 'nope', role: 'user', content: 'x' }),
        /No conversation with id nope/,
      );
      await assert.rejects(
        store.conversations.appendMessage({ conversationId: conversation.id, role: 'system' as never, content: 'x' }),
        /role/,
      );
    });
  });

  describe('artifacts', () => {
    it('hashes inline content, keeps versions by key, soft deletes', async () => {
      const session = await newSession();
      const v1 = await store.artifacts.put({ sessionId: session.id, key: 'spec', kind: 'spec', content: 'héllo' });
      assert.equal(v1.byteSize, 6);
      assert.equal(v1.sha256, createHash('sha256').update('héllo').digest('hex'));
      clock.advance(1);
      const v2 = await store.artifacts.put({ sessionId: session.id, key: 'spec', kind: 'spec', content: 'v2' });
      assert.equal(store.artifacts.getByKey(session.id, 'spec')?.id, v2.id);
      await store.artifacts.softDelete(v2.id);
      assert.equal(store.artifacts.getByKey(session.id, 'spec')?.id, v1.id);
      assert.deepEqual(
        store.artifacts.list(session.id).map((a) => a.id),
        [v1.id],
      );
      assert.deepEqual(
        store.artifacts.list(session.id, { includeDeleted: true }).map((a) => a.id),
        [v1.id, v2.id],
      );
      const file = await store.artifacts.put({
        sessionId: session.id,
        key: 'src/a.ts',
        kind: 'file',
        contentType: 'text/typescript',
        path: 'src/a.ts',
        byteSize: 10,
        sha256: 'a'.repeat(64),
      });
      assert.equal(store.artifacts.get(file.id)?.path, 'src/a.ts');
      await assert.rejects(store.artifacts.put({ sessionId: session.id, key: 'x', kind: 'file', path: 'x' }), /sha256/);
      await assert.rejects(store.artifacts.put({ sessionId: session.id, key: 'x', kind: 'file' }), /content/);
    });
  });

  describe('notes', () => {
    it('adds and lists notes', async () => {
      const session = await newSession();
      const note = await store.notes.add({ sessionId: session.id, content: 'Looks good', interactionSeq: 1 });
      assert.equal(note.kind, 'note');
      assert.deepEqual(store.notes.list(session.id), [note]);
      assert.deepEqual(store.notes.get(note.id), note);
      await assert.rejects(store.notes.add({ sessionId: session.id, content: '' }), /content/);
    });
  });

  describe('transactions and change events', () => {
    it('commits several writes atomically and resolves with the callback value', async () => {
      const session = await newSession();
      const seq = await store.transaction((tx) => {
        tx.sessions.update(session.id, { phase: 'build' });
        return tx.events.append({ id: newEventId(), sessionId: session.id, type: 'phase.changed', payload: { to: 'build' } }).seq;
      });
      assert.equal(seq, 1);
      assert.equal(store.sessions.require(session.id).phase, 'build');
    });

    it('writes nothing when the callback throws', async () => {
      const session = await newSession();
      await assert.rejects(
        store.transaction((tx) => {
          tx.events.append({ id: newEventId(), sessionId: session.id, type: 'a' });
          tx.sessions.update(session.id, { status: 'cancelled' });
          tx.sessions.update(session.id, { status: 'active' });
        }),
        IllegalSessionTransitionError,
      );
      const after = store.sessions.require(session.id);
      assert.equal(after.status, 'active');
      assert.equal(after.eventCount, 0);
      assert.equal(store.events.list(session.id).length, 0);
    });

    it('refuses async callbacks, nested transactions and writes outside a transaction', async () => {
      const session = await newSession();
      await assert.rejects(
        store.transaction(async (tx) => tx.events.append({ id: newEventId(), sessionId: session.id, type: 'a' })),
        /must be synchronous/,
      );
      assert.equal(store.events.list(session.id).length, 0);
      await assert.rejects(
        store.transaction(() => store.transaction(() => 1)),
        /cannot be nested/,
      );
      let escaped: Parameters<Parameters<SessionStore['transaction']>[0]>[0] | undefined;
      await store.transaction((tx) => (escaped = tx));
      assert.throws(() => escaped!.notes.add({ sessionId: session.id, content: 'late' }), /inside store.transaction/);
    });

    it('fires onDidChange after durable commits with the sessions and kinds touched', async () => {
      const session = await newSession();
      const changes: StoreChange[] = [];
      const subscription = store.onDidChange((change) => changes.push(change));
      await store.events.append({ id: newEventId(), sessionId: session.id, type: 'x' });
      subscription.dispose();
      await store.notes.add({ sessionId: session.id, content: 'not seen' });
      assert.equal(changes.length, 1);
      assert.deepEqual(changes[0].sessionIds, [session.id]);
      assert.deepEqual([...changes[0].kinds].sort(), ['event', 'session']);
    });
  });
});
