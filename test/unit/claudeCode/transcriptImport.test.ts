import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadPricing } from '../../../src/core/agent/pricing';
import { importedSessionId } from '../../../src/core/claudeCode/claudeSessions';
import { planRetention } from '../../../src/core/ledger/retention';
import { IMPORTED_TURN_STEP } from '../../../src/core/claudeCode/transcriptTurns';
import { claudeConfigDir, claudeProjectDir, encodeWorkspacePath } from '../../../src/core/claudeCode/transcriptFiles';
import { importClaudeTranscripts, type TranscriptImportOptions } from '../../../src/core/claudeCode/transcriptImport';
import { parseTranscriptLine, usageKey } from '../../../src/core/claudeCode/transcriptRecord';
import type { SessionStore } from '../../../src/core/store/SessionStore';
import { ManualClock } from '../store/storeTestSupport';
import { openTestStore, tempDir } from './testStore';

const FIXTURES = path.join(__dirname, '../../fixtures/claudeCode/transcripts');
const MAIN = '5e551017-0000-4000-8000-00000000000a';
const UNPRICED = '5e551017-0000-4000-8000-00000000000b';
const WORKSPACE = '/home/dev/my app';
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name), 'utf8');

/*
 * Usage in the fixtures, by hand (input, output, cache write, cache read), one row per API response:
 *   main (claude-sonnet-4-5: $3 in, $15 out, $3.75 cache write, $0.30 cache read per MTok)
 *     msg_A1 ×3 lines  10  50 100 1000      msg_A4 ×2 lines (1 in part 1, 1 in part 2)  4 60 0 1400
 *     msg_A2 ×2 lines   5  30   0 1200      msg_A5 ×1 line   6 25 10 1500  (part 2)
 *     msg_A3 ×1 line    3  20  50 1300      msg_A6 ×1 line   1  5  0 1600  (part 2)
 *     → 29 in, 190 out, 160 write, 8000 read → (87 + 2850 + 600 + 2400) / 1e6 = $0.005937
 *   sidechain (claude-haiku-4-5: $1, $5, $1.25, $0.10)
 *     msg_S1 ×2 lines   7  11   0  500      msg_S2 ×1 line   2 40 20 600
 *     → 9 in, 51 out, 20 write, 1100 read → (9 + 255 + 25 + 110) / 1e6 = $0.000399
 *   total $0.006336; after part 1 only: sonnet 22 in, 160 out, 150 write, 4900 read, haiku all.
 */
const AFTER_PART1 = { inputTokens: 22 + 9, outputTokens: 160 + 51, cacheCreationTokens: 150 + 20, cacheReadTokens: 4900 + 1100 };
const AFTER_PART1_USD = (22 * 3 + 160 * 15 + 150 * 3.75 + 4900 * 0.3 + 399) / 1e6;
const TOTAL = { inputTokens: 38, outputTokens: 241, cacheCreationTokens: 180, cacheReadTokens: 9100 };
const TOTAL_USD = 0.006336;

describe('Claude Code transcript lines', () => {
  it('parses the documented line shape and keys usage by message id and request id', () => {
    const lines = fixture(`${MAIN}.part1.jsonl`).trim().split('\n');
    const records = lines.map(parseTranscriptLine);
    assert.equal(records[0], undefined, 'a summary has no sessionId');
    assert.equal(records[6], undefined, 'the damaged line');
    const thinking = records[2]!;
    assert.equal(thinking.role, 'assistant');
    assert.equal(thinking.blocks[0].type, 'thinking');
    assert.deepEqual(thinking.usage, {
      inputTokens: 10,
      outputTokens: 50,
      cacheCreationTokens: 100,
      cacheCreation1hTokens: 0,
      cacheReadTokens: 1000,
    });
    assert.equal(usageKey(thinking), 'msg_A1:req_A1');
    assert.equal(usageKey(records[3]!), usageKey(thinking));
    assert.ok(records.some((r) => r?.isSidechain));
  });

  it('a naive per-line sum over-counts what de-duplication counts once', () => {
    const records = [...fixture(`${MAIN}.part1.jsonl`).split('\n'), ...fixture(`${MAIN}.part2.jsonl`).split('\n')]
      .map(parseTranscriptLine)
      .filter((r) => r?.usage);
    const naiveOutput = records.reduce((sum, r) => sum + r!.usage!.outputTokens, 0);
    const unique = new Map(records.map((r) => [usageKey(r!), r!.usage!.outputTokens]));
    const dedupedOutput = [...unique.values()].reduce((a, b) => a + b, 0);
    assert.equal(dedupedOutput, TOTAL.outputTokens);
    assert.equal(naiveOutput, 50 * 3 + 30 * 2 + 11 * 2 + 40 + 20 + 60 * 2 + 25 + 5);
  });

  it('finds the project folder: non-alphanumerics become "-", CLAUDE_CONFIG_DIR wins over ~/.claude', () => {
    assert.equal(encodeWorkspacePath('/home/dev/my app.v2'), '-home-dev-my-app-v2');
    assert.equal(encodeWorkspacePath('C:\\Users\\me\\proj'), 'C--Users-me-proj');
    assert.equal(claudeConfigDir({ CLAUDE_CONFIG_DIR: '/cfg' }, '/home/x'), '/cfg');
    assert.equal(claudeConfigDir({}, '/home/x'), path.join('/home/x', '.claude'));
    assert.equal(claudeProjectDir('/w/a_b', '/cfg'), path.join('/cfg', 'projects', '-w-a-b'));
  });
});

describe('Claude Code transcript import', function () {
  this.timeout(30_000);
  let store: SessionStore;
  let configDir: string;
  let projectDir: string;
  let options: TranscriptImportOptions;
  const mainFile = () => path.join(projectDir, `${MAIN}.jsonl`);

  beforeEach(async () => {
    store = await openTestStore();
    configDir = tempDir('claude-config');
    projectDir = claudeProjectDir(WORKSPACE, configDir);
    fs.mkdirSync(projectDir, { recursive: true });
    fs.writeFileSync(mainFile(), fixture(`${MAIN}.part1.jsonl`));
    options = { workspacePath: WORKSPACE, configDir, statePath: path.join(tempDir('state'), 'transcripts.json'), pricing: loadPricing() };
  });
  afterEach(() => store.close());

  const mainSession = () => store.sessions.require(importedSessionId(MAIN));
  const totalsOf = (s: ReturnType<typeof mainSession>) => ({
    inputTokens: s.inputTokens,
    outputTokens: s.outputTokens,
    cacheCreationTokens: s.cacheCreationTokens,
    cacheReadTokens: s.cacheReadTokens,
  });

  it('imports one session with turns as interactions, blocks as events, usage counted once', async () => {
    const report = await importClaudeTranscripts(store, options);
    assert.equal(report.linesUnparsed, 2); // the summary and the damaged line
    const session = mainSession();
    assert.equal(session.externalConversationId, MAIN);
    assert.equal(session.title, 'Write a CSV parser that handles "quoted" fields');
    assert.equal(session.workingDir, WORKSPACE);
    assert.deepEqual(totalsOf(session), AFTER_PART1);
    assert.ok(Math.abs(session.totalCostUsd - AFTER_PART1_USD) < 1e-9);

    const interactions = store.interactions.list(session.id);
    assert.deepEqual(
      interactions.map((i) => [i.command.step, i.command.kind, i.command.command]),
      [
        [IMPORTED_TURN_STEP, 'claude', 'Write a CSV parser that handles "quoted" fields'],
        [IMPORTED_TURN_STEP, 'claude', 'Now add a zanzibar delimiter option'],
      ],
    );
    assert.equal(interactions[0].result.status, 'ok');
    assert.match(interactions[0].result.output ?? '', /layout[\s\S]*sub-agent[\s\S]*doubled quotes/);
    assert.doesNotMatch(interactions[0].result.output ?? '', /Reading the RFC/, 'sidechain text is not the reply');

    const events = store.events.list(session.id, { limit: 1000 });
    const toolResult = events.find(
      (e) => e.type === 'claude.tool_result' && (e.payload as { toolUseId: string }).toolUseId === 'toolu_bash1',
    );
    assert.equal(toolResult?.toolName, 'Bash');
    const sidechain = events.filter((e) => (e.payload as { isSidechain?: boolean }).isSidechain);
    assert.ok(sidechain.some((e) => e.type === 'claude.tool_use' && e.toolName === 'Read'));
    assert.equal(events.filter((e) => e.type === 'claude.usage').length, 6); // A1 A2 S1 S2 A3 A4
  });

  it('resumes an appended file at its offset and counts a response split across imports once', async () => {
    await importClaudeTranscripts(store, options);
    fs.appendFileSync(mainFile(), fixture(`${MAIN}.part2.jsonl`));
    const second = await importClaudeTranscripts(store, options);
    assert.equal(second.filesRead, 1);
    assert.equal(second.linesRead, 5);
    const session = mainSession();
    assert.deepEqual(totalsOf(session), TOTAL);
    assert.ok(Math.abs(session.totalCostUsd - TOTAL_USD) < 1e-9);
    const interactions = store.interactions.list(session.id);
    assert.equal(interactions.length, 3);
    assert.equal(interactions[2].result.output, 'All 12 tests pass.');
    const edit = store.events.list(session.id, { limit: 1000, type: 'claude.tool_use' }).find((e) => e.toolName === 'Edit');
    assert.equal(edit?.interactionId, interactions[1].id, 'appended blocks attach to the turn they belong to');
  });

  it("names a tool result's tool when its call was read by an earlier import", async () => {
    const lines = fixture(`${MAIN}.part1.jsonl`).split('\n');
    const call = lines.findIndex((line) => line.includes('"id": "toolu_bash1"'));
    assert.ok(call >= 0 && lines.slice(call + 1).some((line) => line.includes('"tool_use_id": "toolu_bash1"')));
    fs.writeFileSync(mainFile(), lines.slice(0, call + 1).join('\n') + '\n');
    await importClaudeTranscripts(store, options);
    fs.appendFileSync(mainFile(), lines.slice(call + 1).join('\n'));
    await importClaudeTranscripts(store, options);
    const result = store.events
      .list(mainSession().id, { limit: 1000, type: 'claude.tool_result' })
      .find((e) => (e.payload as { toolUseId: string }).toolUseId === 'toolu_bash1');
    assert.equal(result?.toolName, 'Bash');
  });

  /** What the timeline shows of each imported turn: its command, when it was issued, and its whole result. */
  const turnsOf = (s: SessionStore) =>
    s.interactions
      .list(importedSessionId(MAIN))
      .map((i) => ({ seq: i.seq, command: i.command.command, commandAtMicros: i.commandAtMicros, result: i.result }));

  /** The same transcript (both parts) imported in one go into a store of its own, with the same clock. */
  async function turnsImportedInOneGo(clock: ManualClock): Promise<ReturnType<typeof turnsOf>> {
    const reference = await openTestStore(clock);
    try {
      const dir = tempDir('claude-config-ref');
      const refProject = claudeProjectDir(WORKSPACE, dir);
      fs.mkdirSync(refProject, { recursive: true });
      fs.writeFileSync(path.join(refProject, `${MAIN}.jsonl`), fixture(`${MAIN}.part1.jsonl`) + fixture(`${MAIN}.part2.jsonl`));
      await importClaudeTranscripts(reference, {
        ...options,
        configDir: dir,
        statePath: path.join(tempDir('state-ref'), 'transcripts.json'),
      });
      return turnsOf(reference);
    } finally {
      await reference.close();
    }
  }

  it('completes the reply of a turn continued in an appended file, exactly as an import in one go would', async () => {
    const clock = new ManualClock();
    await store.close();
    store = await openTestStore(clock);
    await importClaudeTranscripts(store, options);
    assert.equal(turnsOf(store)[1].result.output, 'Adding a delimiter option.');
    clock.advanceDays(1);
    fs.appendFileSync(mainFile(), fixture(`${MAIN}.part2.jsonl`));
    await importClaudeTranscripts(store, options);

    const turns = turnsOf(store);
    assert.equal(turns[1].result.status, 'ok');
    assert.equal(turns[1].result.output, 'Adding a delimiter option.\n\nThe delimiter option is in place.');
    assert.deepEqual(turns[1].result.data, { toolUses: 1, model: 'claude-sonnet-4-5-20250929' });
    assert.deepEqual(turns, await turnsImportedInOneGo(clock));

    fs.rmSync(options.statePath);
    const again = await importClaudeTranscripts(store, options);
    assert.equal(again.eventsAdded, 0);
    assert.deepEqual(turnsOf(store), turns, 're-importing from scratch changes no result');
  });

  it('keeps a reply whole when a chunk boundary falls inside its turn', async () => {
    const clock = new ManualClock();
    await store.close();
    store = await openTestStore(clock);
    fs.appendFileSync(mainFile(), fixture(`${MAIN}.part2.jsonl`));
    const progress: number[] = [];
    await importClaudeTranscripts(store, { ...options, chunkBytes: 700, onProgress: (p) => progress.push(p.bytesDone) });
    assert.ok(progress.length > 10, 'one or two lines per chunk');
    const turns = turnsOf(store);
    assert.equal(turns[0].result.output, (await turnsImportedInOneGo(clock))[0].result.output);
    assert.match(turns[0].result.output ?? '', /layout[\s\S]*doubled quotes/);
    assert.equal(turns[1].result.output, 'Adding a delimiter option.\n\nThe delimiter option is in place.');
    assert.deepEqual(turns, await turnsImportedInOneGo(clock));
    assert.deepEqual(totalsOf(mainSession()), TOTAL);
  });

  it('dates turns and the session by the transcript lines, not by when they were imported', async () => {
    const clock = new ManualClock(Date.UTC(2026, 5, 1));
    await store.close();
    store = await openTestStore(clock);
    const at = (time: string) => Date.parse(`2026-03-01T${time}.000Z`);
    await importClaudeTranscripts(store, options);
    assert.deepEqual(
      [mainSession().createdAt, mainSession().updatedAt, mainSession().endedAt],
      [at('10:00:00'), at('10:00:16'), at('10:00:16')],
    );
    clock.advanceDays(1);
    fs.appendFileSync(mainFile(), fixture(`${MAIN}.part2.jsonl`));
    await importClaudeTranscripts(store, options);

    const session = mainSession();
    assert.deepEqual([session.createdAt, session.updatedAt, session.endedAt], [at('10:00:00'), at('10:00:21'), at('10:00:21')]);
    // Turn 1 ends with the /cost meta line (10:00:14), turn 2 with the reply appended later (10:00:19).
    assert.deepEqual(
      turnsOf(store).map((t) => [t.commandAtMicros, t.result.completedAt, t.result.durationMs]),
      [
        [at('10:00:00') * 1000, at('10:00:14'), 14_000],
        [at('10:00:15') * 1000, at('10:00:19'), 4_000],
        [at('10:00:20') * 1000, at('10:00:21'), 1_000],
      ],
    );

    // Retention measures from when it happened: three months ago, not the import a day ago.
    const plan = planRetention({ maxAgeDays: 30 }, store.sessions.list({ deleted: 'include' }), new Map(), clock.now());
    assert.deepEqual(
      plan.softDelete.map((p) => [p.sessionId, p.since]),
      [[session.id, at('10:00:21')]],
    );
  });

  it('skips unchanged files, and re-importing everything from scratch adds nothing', async () => {
    fs.appendFileSync(mainFile(), fixture(`${MAIN}.part2.jsonl`));
    await importClaudeTranscripts(store, options);
    const before = { session: mainSession(), events: store.events.lastSeq(importedSessionId(MAIN)) };
    const unchanged = await importClaudeTranscripts(store, options);
    assert.equal(unchanged.filesSkipped, 1);
    assert.equal(unchanged.filesRead, 0);
    fs.rmSync(options.statePath);
    const again = await importClaudeTranscripts(store, options);
    assert.equal(again.filesRead, 1);
    assert.equal(again.eventsAdded, 0);
    assert.equal(again.interactionsAdded, 0);
    assert.equal(store.events.lastSeq(importedSessionId(MAIN)), before.events);
    assert.deepEqual(totalsOf(mainSession()), totalsOf(before.session));
    assert.equal(mainSession().totalCostUsd, before.session.totalCostUsd);
  });

  it('counts tokens of an unpriced model but never invents its cost', async () => {
    fs.writeFileSync(path.join(projectDir, `${UNPRICED}.jsonl`), fixture(`${UNPRICED}.jsonl`));
    const report = await importClaudeTranscripts(store, options);
    assert.deepEqual(report.unpricedModels, ['claude-imaginary-9']);
    const session = store.sessions.require(importedSessionId(UNPRICED));
    assert.equal(session.inputTokens, 10);
    assert.equal(session.outputTokens, 10);
    assert.equal(session.totalCostUsd, 0);
    assert.equal(session.costUnknown, true);
    assert.ok(store.runs.listBySession(session.id).every((r) => r.costUnknown));
    const usage = store.events.list(session.id, { type: 'claude.usage' });
    assert.equal(usage.length, 1);
    assert.equal((usage[0].payload as { costUsd: number | null }).costUsd, null);
  });

  it('attaches history to the session that already has the Claude session id', async () => {
    const own = await store.sessions.create({
      type: 'spec-plan-build',
      title: 'My session',
      intention: 'csv',
      externalConversationId: MAIN,
    });
    const report = await importClaudeTranscripts(store, options);
    assert.deepEqual(report.createdSessionIds, []);
    assert.equal(store.interactions.list(own.id).length, 2);
    assert.equal(store.sessions.get(importedSessionId(MAIN)), undefined);
  });

  it('reads on while the journal syncs, but records a chunk as read only once it is durable', async () => {
    fs.appendFileSync(mainFile(), fixture(`${MAIN}.part2.jsonl`));
    // Chunks commit at once; their syncs are held back, and the third one fails (as a full disk would).
    const syncs: { release: () => void; fail: (e: Error) => void }[] = [];
    const held = {
      sessions: store.sessions,
      transaction: store.transaction.bind(store),
      commit: <T>(work: Parameters<SessionStore['commit']>[0]) => {
        const { value, durable } = store.commit(work);
        const gate = new Promise<void>((release, fail) => syncs.push({ release, fail }));
        return { value: value as T, durable: durable.then(() => gate) };
      },
    };
    let settled = false;
    const importing = importClaudeTranscripts(held, { ...options, chunkBytes: 2048 }).finally(() => (settled = true));
    const until = async (what: string, done: () => boolean) => {
      for (let i = 0; i < 400 && !done(); i++) await new Promise((r) => setTimeout(r, 5));
      assert.ok(done(), what);
    };
    // The import runs ahead by one chunk: two committed, neither synced, nothing recorded as read.
    await until('two chunks committed before the first sync', () => syncs.length >= 2);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(syncs.length, 2, 'no more than two chunks wait for their sync');
    assert.equal(fs.existsSync(options.statePath), false, 'nothing recorded as read before it is durable');
    syncs[0].release();
    await until('a third chunk once the first synced', () => syncs.length >= 3);
    syncs[1].release();
    syncs[2].fail(new Error('fsync failed (injected)'));
    for (let next = 3; !settled; next++) {
      await until('the import goes on or ends', () => settled || syncs.length > next);
      syncs[next]?.release();
    }
    await assert.rejects(importing, /fsync failed \(injected\)/);
    // The state covers exactly the two synced chunks: the next import reads on from there.
    const state = JSON.parse(fs.readFileSync(options.statePath, 'utf8')) as { files: Record<string, { offset: number }> };
    const recorded = state.files[`${MAIN}.jsonl`].offset;
    assert.ok(recorded > 0 && recorded < fs.statSync(mainFile()).size, `recorded offset ${recorded}`);
    await importClaudeTranscripts(store, options);
    assert.deepEqual(totalsOf(mainSession()), TOTAL);
  });

  it('writes the import state file at most about once a second while reading, and all of it before returning', async () => {
    fs.appendFileSync(mainFile(), fixture(`${MAIN}.part2.jsonl`));
    // What the state file holds whenever a chunk commits: a file written after every chunk would differ at each.
    const seen = new Set<string>();
    let commits = 0;
    const watched = {
      sessions: store.sessions,
      transaction: store.transaction.bind(store),
      commit: <T>(work: Parameters<SessionStore['commit']>[0]) => {
        commits++;
        seen.add(fs.existsSync(options.statePath) ? fs.readFileSync(options.statePath, 'utf8') : '');
        return store.commit(work) as { value: T; durable: Promise<void> };
      },
    };
    const started = performance.now();
    await importClaudeTranscripts(watched, { ...options, chunkBytes: 512 });
    const seconds = (performance.now() - started) / 1000;
    assert.ok(commits >= 8, `${commits} chunks committed`);
    assert.ok(
      seen.size <= Math.ceil(seconds) + 1,
      `${seen.size} versions of the state file over ${commits} chunks in ${seconds.toFixed(2)} s`,
    );
    // Written whole before the import returned: nothing is read again.
    const again = await importClaudeTranscripts(store, options);
    assert.equal(again.filesRead, 0);
    assert.deepEqual(totalsOf(mainSession()), TOTAL);
  });

  it('reports progress and stops between chunks when cancelled, then resumes', async () => {
    fs.appendFileSync(mainFile(), fixture(`${MAIN}.part2.jsonl`));
    const controller = new AbortController();
    const seen: number[] = [];
    const cancelled = await importClaudeTranscripts(store, {
      ...options,
      chunkBytes: 2048,
      signal: controller.signal,
      onProgress: (p) => {
        seen.push(p.bytesDone);
        if (seen.length === 2) controller.abort();
      },
    });
    assert.ok(cancelled.cancelled);
    assert.ok(seen.length >= 2 && seen[1] > seen[0]);
    await importClaudeTranscripts(store, options);
    assert.deepEqual(totalsOf(mainSession()), TOTAL);
  });
});
