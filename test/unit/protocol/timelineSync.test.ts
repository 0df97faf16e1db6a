import { strict as assert } from 'node:assert';
import type { Artifact } from '../../../src/core/model/artifact';
import type { LedgerEvent } from '../../../src/core/model/event';
import type { Interaction } from '../../../src/core/model/interaction';
import type { Run } from '../../../src/core/model/run';
import type { Session } from '../../../src/core/model/session';
import { HostMessageSchema, type HostMessage } from '../../../src/protocol/timelineMessages';
import { DETAIL_OUTPUT_TAIL_CHARS, ROW_COMMAND_MAX_CHARS } from '../../../src/protocol/timelineModel';
import { FIRST_PAGE, NEXT_PAGE, TimelineSync } from '../../../src/vscode/timeline/timelineSync';
import { toEventRow, toInteractionDetail, type TimelineStoreReads } from '../../../src/vscode/timeline/timelineViewModel';
import { SESSION_ID, event, interaction, run, session } from './fixtures';

/** A store of plain arrays with the read API the timeline uses. */
class FakeStore implements TimelineStoreReads {
  sessionRecord: Session = session();
  interactionRecords: Interaction[] = [];
  runRecords: Run[] = [];
  eventRecords: LedgerEvent[] = [];
  artifactRecords: Artifact[] = [];

  readonly sessions = { get: (id: string) => (id === SESSION_ID ? this.sessionRecord : undefined) };
  readonly interactions = {
    get: (id: string) => this.interactionRecords.find((i) => i.id === id),
    list: (_: string, o: { after?: number; limit?: number } = {}) =>
      this.interactionRecords.filter((i) => i.seq > (o.after ?? 0)).slice(0, o.limit ?? 200),
    latest: () => this.interactionRecords[this.interactionRecords.length - 1],
  };
  readonly events = {
    list: (_: string, o: { after?: number; limit?: number; interactionId?: string } = {}) =>
      this.eventRecords
        .filter((e) => e.seq > (o.after ?? 0) && (!o.interactionId || e.interactionId === o.interactionId))
        .slice(0, o.limit ?? 200),
    lastSeq: () => this.eventRecords.length,
  };
  readonly runs = { listByInteraction: (id: string) => this.runRecords.filter((r) => r.interactionId === id) };
  readonly artifacts = {
    get: (id: string) => this.artifactRecords.find((a) => a.id === id),
    list: () => this.artifactRecords,
  };

  add(count: number, at = this.interactionRecords.length + 1): void {
    for (let seq = at; seq < at + count; seq++) this.interactionRecords.push(interaction(seq, { kind: seq % 2 ? 'shell' : 'claude' }));
    this.sessionRecord = { ...this.sessionRecord, interactionCount: this.interactionRecords.length };
  }
}

function valid(messages: readonly HostMessage[]): HostMessage[] {
  for (const m of messages) HostMessageSchema.parse(m);
  return [...messages];
}

describe('TimelineSync', () => {
  it('sends the first page in the snapshot and the rest in pages, all valid', () => {
    const store = new FakeStore();
    store.add(FIRST_PAGE + NEXT_PAGE + 5);
    const sync = new TimelineSync(store, SESSION_ID);
    const snapshot = sync.snapshot(7)!;
    valid([snapshot]);
    assert.equal(snapshot.interactions.length, FIRST_PAGE);
    assert.equal(snapshot.totalInteractions, FIRST_PAGE + NEXT_PAGE + 5);
    assert.equal(snapshot.focusInteractionSeq, 7);
    const pages = [];
    for (let p = sync.nextPage(); p; p = sync.nextPage()) pages.push(valid([p])[0] as Extract<HostMessage, { type: 'interactionsLoaded' }>);
    assert.deepEqual(
      pages.map((p) => [p.interactions.length, p.done]),
      [
        [NEXT_PAGE, false],
        [5, true],
      ],
    );
    const seqs = [...snapshot.interactions, ...pages.flatMap((p) => p.interactions)].map((r) => r.seq);
    assert.deepEqual(
      seqs,
      Array.from({ length: seqs.length }, (_, i) => i + 1),
    );
  });

  it('is undefined for a session that is not in the store', () => {
    const store = new FakeStore();
    assert.equal(new TimelineSync(store, '22222222-2222-4222-8222-222222222222').snapshot(null), undefined);
  });

  it('sums the runs of claude steps into row tokens and cost', () => {
    const store = new FakeStore();
    store.add(2);
    store.runRecords = [run(1, store.interactionRecords[1]!.id, 100, 0.5), run(2, store.interactionRecords[1]!.id, 10, 0.25)];
    const rows = new TimelineSync(store, SESSION_ID).snapshot(null)!.interactions;
    assert.equal(rows[0]!.tokens, null);
    assert.deepEqual(rows[1]!.tokens, {
      inputTokens: 110,
      outputTokens: 110,
      cacheCreationTokens: 0,
      cacheCreation1hTokens: 0,
      cacheReadTokens: 0,
    });
    assert.equal(rows[1]!.costUsd, 0.75);
  });

  it('ignores changes of other sessions', () => {
    const store = new FakeStore();
    const sync = new TimelineSync(store, SESSION_ID);
    sync.snapshot(null);
    assert.deepEqual(sync.update({ sessionIds: ['other'], kinds: ['interaction'] }), []);
  });

  it('turns store changes into sessionUpdated, interactionUpdated and eventAppended', () => {
    const store = new FakeStore();
    store.add(1);
    const sync = new TimelineSync(store, SESSION_ID);
    sync.snapshot(null);
    assert.equal(sync.nextPage(), undefined, 'one page was all');

    // A step starts: a new pending interaction.
    store.interactionRecords.push(interaction(2, { result: { status: 'pending', exitCode: null, output: null, durationMs: null } }));
    let messages = valid(sync.update({ sessionIds: [SESSION_ID], kinds: ['interaction', 'session'] }));
    assert.deepEqual(
      messages.map((m) => m.type),
      ['sessionUpdated', 'interactionUpdated'],
    );

    // Its events arrive.
    store.eventRecords.push(event(1, uuid2()), event(2, uuid2()));
    messages = valid(sync.update({ sessionIds: [SESSION_ID], kinds: ['event'] }));
    assert.deepEqual(
      messages.map((m) => m.type),
      ['sessionUpdated', 'eventAppended', 'eventAppended'],
    );
    assert.deepEqual(
      messages.slice(1).map((m) => (m as Extract<HostMessage, { type: 'eventAppended' }>).event.seq),
      [1, 2],
    );

    // It finishes: the pending row is sent again, then no longer.
    store.interactionRecords[1] = interaction(2, { result: { status: 'error', exitCode: 3, output: 'hi' } });
    messages = valid(sync.update({ sessionIds: [SESSION_ID], kinds: ['interaction'] }));
    const updated = messages.filter((m) => m.type === 'interactionUpdated');
    assert.equal(updated.length, 1);
    assert.equal(updated[0]!.type === 'interactionUpdated' && updated[0]!.interaction.exitCode, 3);
    assert.deepEqual(
      sync.update({ sessionIds: [SESSION_ID], kinds: ['interaction'] }).map((m) => m.type),
      ['sessionUpdated'],
    );

    function uuid2() {
      return store.interactionRecords[1]!.id;
    }
  });

  it('does not send new interactions as updates while pages are still loading', () => {
    const store = new FakeStore();
    store.add(FIRST_PAGE + 10);
    const sync = new TimelineSync(store, SESSION_ID);
    sync.snapshot(null);
    store.add(1);
    assert.deepEqual(
      sync.update({ sessionIds: [SESSION_ID], kinds: ['interaction'] }).map((m) => m.type),
      ['sessionUpdated'],
    );
    const page = sync.nextPage()!;
    assert.equal(page.done, true);
    assert.equal(page.interactions.length, 11, 'the page brings the new one too');
    store.add(1);
    assert.deepEqual(
      sync.update({ sessionIds: [SESSION_ID], kinds: ['interaction'] }).map((m) => m.type),
      ['sessionUpdated', 'interactionUpdated'],
    );
  });

  it('resends a row when the tokens of its runs change', () => {
    const store = new FakeStore();
    store.add(2);
    const sync = new TimelineSync(store, SESSION_ID);
    sync.snapshot(null);
    store.runRecords = [run(1, store.interactionRecords[1]!.id, 5, 0.01)];
    const messages = valid(sync.update({ sessionIds: [SESSION_ID], kinds: ['run'] }));
    const updated = messages.find((m) => m.type === 'interactionUpdated');
    assert.ok(updated && updated.type === 'interactionUpdated');
    assert.equal(updated.interaction.costUsd, 0.01);
  });

  it('sends artifacts again when they change, without deleted ones', () => {
    const store = new FakeStore();
    const sync = new TimelineSync(store, SESSION_ID);
    sync.snapshot(null);
    const artifact: Artifact = {
      id: '33333333-3333-4333-8333-333333333333',
      sessionId: SESSION_ID,
      key: 'spec',
      kind: 'spec',
      review: null,
      contentType: 'text/markdown',
      byteSize: 1,
      sha256: '0'.repeat(64),
      path: 'docs/spec.md',
      content: null,
      createdAt: 1,
      deletedAt: null,
    };
    store.artifactRecords = [artifact, { ...artifact, id: '44444444-4444-4444-8444-444444444444', deletedAt: 2 }];
    const messages = valid(sync.update({ sessionIds: [SESSION_ID], kinds: ['artifact'] }));
    const artifacts = messages.find((m) => m.type === 'artifactsUpdated');
    assert.ok(artifacts && artifacts.type === 'artifactsUpdated');
    assert.deepEqual(artifacts.artifacts, [{ id: artifact.id, key: 'spec', kind: 'spec', path: 'docs/spec.md', review: null }]);
  });
});

describe('timeline view models', () => {
  it('cuts long commands in rows and says so', () => {
    const store = new FakeStore();
    store.interactionRecords = [interaction(1, { command: 'x'.repeat(ROW_COMMAND_MAX_CHARS + 50) })];
    const [r] = new TimelineSync(store, SESSION_ID).snapshot(null)!.interactions;
    assert.equal(r!.command.length, ROW_COMMAND_MAX_CHARS);
    assert.equal(r!.commandTruncated, true);
  });

  it('detail: output ANSI-stripped and tail-capped; Claude answers are markdown', () => {
    const long = `${'old line\n'.repeat(20_000)}\u001b[31mlast line\u001b[0m`;
    const detail = toInteractionDetail(interaction(1, { result: { output: long } }));
    assert.ok(detail.output!.endsWith('last line'));
    assert.ok(!detail.output!.includes('\u001b'));
    assert.ok(detail.output!.length <= DETAIL_OUTPUT_TAIL_CHARS);
    assert.ok(detail.outputOmittedChars > 0);
    assert.equal(detail.outputFormat, 'text');
    assert.equal(toInteractionDetail(interaction(2, { kind: 'claude' })).outputFormat, 'markdown');
  });

  it('event rows summarise the payload as compact JSON', () => {
    const e = toEventRow(event(1, null, { payload: { tool_input: { command: 'ls -la' } } }));
    assert.equal(e.summary, '{"tool_input":{"command":"ls -la"}}');
  });

  it('event rows show a text-only payload (streamed Claude text) as its text', () => {
    assert.equal(toEventRow(event(1, null, { payload: { text: 'Writing the spec…' } })).summary, 'Writing the spec…');
    // Anything more than a lone text field stays JSON, so nothing is hidden.
    assert.equal(toEventRow(event(2, null, { payload: { text: 'a', more: 1 } })).summary, '{"text":"a","more":1}');
    assert.equal(toEventRow(event(3, null, { payload: { text: 7 } })).summary, '{"text":7}');
  });
});
