/**
 * Every token and dollar of a Claude Code transcript, checked against an independent recount
 * written here (final line per response, priced by hand), however the lines reach the importer:
 * in one go, in small chunks, across appends, or with a sub-agent's file before its parent's.
 * Fixture shapes and where they come from: test/fixtures/claudeCode/realShape.ts.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadPricing } from '../../../src/core/agent/pricing';
import { importedSessionId } from '../../../src/core/claudeCode/claudeSessions';
import { claudeProjectDir } from '../../../src/core/claudeCode/transcriptFiles';
import { importClaudeTranscripts, type TranscriptImportOptions } from '../../../src/core/claudeCode/transcriptImport';
import { describeTranscriptImport, type TranscriptImportReport } from '../../../src/core/claudeCode/transcriptImportReport';
import type { SessionStore } from '../../../src/core/store/SessionStore';
import {
  AGENT,
  HAIKU,
  mainLines,
  OLD_SESSION,
  oldLines,
  OPUS,
  SESSION,
  subagentLines,
  subagentMeta,
  WORKSPACE,
  writeLines,
} from '../../fixtures/claudeCode/realShape';
import { ManualClock } from '../store/storeTestSupport';
import { openTestStore, tempDir } from './testStore';

/** USD per million tokens, from the published pricing (5-minute writes 1.25×, 1-hour writes 2× the input rate). */
const RATES: Record<string, { input: number; output: number; write5m: number; write1h: number; read: number }> = {
  [OPUS]: { input: 5, output: 25, write5m: 6.25, write1h: 10, read: 0.5 },
  [HAIKU]: { input: 1, output: 5, write5m: 1.25, write1h: 2, read: 0.1 },
  'claude-sonnet-4-20250514': { input: 3, output: 15, write5m: 3.75, write1h: 6, read: 0.3 },
  'claude-3-5-haiku-20241022': { input: 0.8, output: 4, write5m: 1, write1h: 1.6, read: 0.08 },
};

interface Recount {
  responses: number;
  input: number;
  output: number;
  write: number;
  write1h: number;
  read: number;
  usd: number;
  byModel: Record<string, { output: number; usd: number }>;
}

/**
 * The recount: every line that parses as JSON with an assistant message and a plausible usage,
 * grouped by (message.id, requestId), the line with the most output tokens taken whole; the
 * model `<synthetic>` is not billed.
 */
function recount(lines: readonly string[]): Recount {
  const best = new Map<string, { model: string; usage: Record<string, number> & { cache_creation?: Record<string, number> } }>();
  for (const line of lines) {
    let value: {
      type?: string;
      requestId?: string;
      message?: { id?: string; model?: string; usage?: Record<string, number> & { cache_creation?: Record<string, number> } };
    };
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    const usage = value.message?.usage;
    if (value.type !== 'assistant' || !usage || value.message?.model === '<synthetic>') continue;
    if (Object.values(usage).some((v) => typeof v === 'number' && v > 1e10)) continue;
    const key = `${value.message!.id}:${value.requestId ?? ''}`;
    const seen = best.get(key);
    if (!seen || usage.output_tokens > seen.usage.output_tokens) best.set(key, { model: value.message!.model!, usage });
  }
  const total: Recount = { responses: best.size, input: 0, output: 0, write: 0, write1h: 0, read: 0, usd: 0, byModel: {} };
  for (const { model, usage } of best.values()) {
    const rate = RATES[model];
    const write1h = usage.cache_creation?.ephemeral_1h_input_tokens ?? 0;
    const write5m = usage.cache_creation_input_tokens - write1h;
    const usd =
      (usage.input_tokens * rate.input +
        usage.output_tokens * rate.output +
        write5m * rate.write5m +
        write1h * rate.write1h +
        usage.cache_read_input_tokens * rate.read) /
      1e6;
    total.input += usage.input_tokens;
    total.output += usage.output_tokens;
    total.write += usage.cache_creation_input_tokens;
    total.write1h += write1h;
    total.read += usage.cache_read_input_tokens;
    total.usd += usd;
    const m = (total.byModel[model] ??= { output: 0, usd: 0 });
    m.output += usage.output_tokens;
    m.usd += usd;
  }
  return total;
}

describe('Claude Code transcript import: every token and dollar', function () {
  this.timeout(60_000);
  let store: SessionStore;
  let projectDir: string;
  let options: TranscriptImportOptions;
  const mainFile = () => path.join(projectDir, `${SESSION}.jsonl`);
  const subagentFile = () => path.join(projectDir, SESSION, 'subagents', `agent-${AGENT}.jsonl`);
  const metaFile = () => subagentFile().replace(/\.jsonl$/, '.meta.json');
  const importNow = (extra: Partial<TranscriptImportOptions> = {}) => importClaudeTranscripts(store, { ...options, ...extra });

  async function freshStore(): Promise<void> {
    store = await openTestStore(new ManualClock(Date.UTC(2026, 11, 1)));
    const configDir = tempDir('claude-config');
    projectDir = claudeProjectDir(WORKSPACE, configDir);
    fs.mkdirSync(projectDir, { recursive: true });
    options = {
      workspacePath: WORKSPACE,
      configDir,
      statePath: path.join(tempDir('state'), 'claude-transcripts.json'),
      pricing: loadPricing(),
    };
  }
  beforeEach(freshStore);
  afterEach(() => store.close());

  /** What the ledger says of the session: totals, runs (by turn command and model) and turns. */
  function figures(claudeSessionId = SESSION) {
    const session = store.sessions.require(importedSessionId(claudeSessionId));
    const interactions = store.interactions.list(session.id);
    const commandOf = new Map(interactions.map((i) => [i.id, i.command.command]));
    return {
      totals: {
        input: session.inputTokens,
        output: session.outputTokens,
        write: session.cacheCreationTokens,
        write1h: session.cacheCreation1hTokens,
        read: session.cacheReadTokens,
        usd: Math.round(session.totalCostUsd * 1e9) / 1e9,
      },
      runs: store.runs
        .listBySession(session.id)
        .filter((r) => r.outputTokens + r.inputTokens + r.cacheReadTokens + r.cacheCreationTokens > 0)
        .map((r) => ({
          turn: r.interactionId ? commandOf.get(r.interactionId) : null,
          model: r.model,
          output: r.outputTokens,
          usd: Math.round(r.costUsd * 1e9) / 1e9,
        }))
        .sort((a, b) => `${a.turn}${a.model}`.localeCompare(`${b.turn}${b.model}`)),
      turns: interactions.map((i) => ({ command: i.command.command, status: i.result.status, output: i.result.output })),
    };
  }

  function assertMatchesRecount(expected: Recount, claudeSessionId = SESSION): void {
    const { totals } = figures(claudeSessionId);
    assert.deepEqual(
      { ...totals, usd: undefined },
      {
        input: expected.input,
        output: expected.output,
        write: expected.write,
        write1h: expected.write1h,
        read: expected.read,
        usd: undefined,
      },
    );
    assert.ok(Math.abs(totals.usd - expected.usd) < 1e-8, `cost ${totals.usd} vs recount ${expected.usd}`);
  }

  it('counts each response once from its final line, prices 5-minute and 1-hour cache writes apart, and bills no <synthetic> line', async () => {
    writeLines(mainFile(), mainLines());
    writeLines(subagentFile(), subagentLines());
    fs.writeFileSync(metaFile(), subagentMeta());
    const report = await importNow();
    const expected = recount([...mainLines(), ...subagentLines()]);
    assert.equal(expected.responses, 6, 'R1 R2 R3 R4 in the main file, S1 S2 in the sub-agent');
    assert.equal(expected.output, 310 + 120 + 50 + 30 + 80 + 40, 'the final lines, not the first snapshots');
    assertMatchesRecount(expected);
    assert.equal(report.usageResponses, 6);
    assert.equal(report.usageRevisions, 0, 'read in one chunk, each response is counted once, from its final line');

    // Per model: the sub-agent's Haiku responses are their own run, attributed to the turn that launched it.
    const { runs, turns } = figures();
    const near = (a: number, b: number) => Math.abs(a - b) < 1e-8;
    const haiku = runs.find((r) => r.model === HAIKU)!;
    assert.equal(haiku.turn, 'Find the flaky test');
    assert.equal(haiku.output, 120);
    assert.ok(near(haiku.usd, expected.byModel[HAIKU].usd));
    assert.ok(
      near(
        runs.filter((r) => r.model === OPUS).reduce((s, r) => s + r.usd, 0),
        expected.byModel[OPUS].usd,
      ),
    );
    assert.ok(runs.every((r) => r.model !== '<synthetic>'));

    // Only a person's prompt starts a turn; a damaged prompt line leaves a gap turn, not a merge.
    assert.deepEqual(
      turns.map((t) => t.command),
      ['Find the flaky test', 'Now fix it', turns[2].command],
    );
    assert.match(turns[2].command, new RegExp(`^\\[prompt not readable: line 20 of ${SESSION}\\.jsonl is damaged \\(not valid JSON`));
    assert.match(turns[0].output ?? '', /flaky test is checkout\.spec\.ts[\s\S]*Shall I fix it\?/);
    assert.doesNotMatch(turns[0].output ?? '', /setTimeout/, 'the sub-agent’s text is not the reply');
    assert.equal(turns[2].output, 'All 212 tests pass.');

    const session = importedSessionId(SESSION);
    const events = store.events.list(session, { limit: 1000 });
    const compactions = events.filter((e) => e.type === 'claude.compaction');
    assert.equal(compactions.length, 2, 'the boundary and the summary');
    assert.deepEqual(
      events.filter((e) => e.type === 'claude.notice').map((e) => (e.payload as { kind: string }).kind),
      ['task-notification', 'interrupted', 'command', 'local-command'],
    );
    const turn1 = store.interactions.list(session)[0].id;
    assert.ok(
      compactions.every((e) => e.interactionId === turn1),
      'a compaction is an event of the current turn',
    );
    assert.ok(events.some((e) => e.type === 'claude.costState' && (e.payload as { totalCostUsd: number }).totalCostUsd === 0.2));
    // Claude Code's own figure ($0.20) is kept beside the ledger's, and the difference is reported.
    assert.deepEqual(
      report.costDifferences.map((d) => [d.claudeSessionId, d.claudeCodeUsd, Math.abs(d.ledgerUsd - expected.usd) < 1e-8]),
      [[SESSION, 0.2, true]],
    );
    assert.match(describeTranscriptImport(report), /Claude Code's own figure for session 7f3c2a10 is \$0\.2000; the ledger counts \$/);

    // Nothing skipped silently: the damaged lines are named by file and line and kept aside.
    assert.equal(report.linesDamaged, 3);
    assert.deepEqual(
      report.damagedLines.map((d) => [d.file, d.line]),
      [
        [`${SESSION}.jsonl`, 18],
        [`${SESSION}.jsonl`, 20],
        [`${SESSION}.jsonl`, 22],
      ],
    );
    assert.match(report.damagedLines[2].reason, /output_tokens is 100000000000000000000/);
    assert.equal(fs.readFileSync(report.rejectedPath!, 'utf8').trim().split('\n').length, 3);
    assert.equal(report.linesHarmless, 3, 'queue operation, bridge session, last prompt');
    assert.deepEqual(report.subagentFilesWaiting, []);
  });

  /** The same transcript reaching the importer another way gives exactly these figures. */
  async function oneGoFigures(): Promise<ReturnType<typeof figures>> {
    writeLines(mainFile(), mainLines());
    writeLines(subagentFile(), subagentLines());
    fs.writeFileSync(metaFile(), subagentMeta());
    await importNow();
    return figures();
  }

  it('gives identical figures in one go, in chunks of any size, across appends, and with the sub-agent file first', async () => {
    const reference = await oneGoFigures();
    assertMatchesRecount(recount([...mainLines(), ...subagentLines()]));

    for (const chunkBytes of [200, 700, 3000]) {
      await store.close();
      await freshStore();
      writeLines(mainFile(), mainLines());
      writeLines(subagentFile(), subagentLines());
      fs.writeFileSync(metaFile(), subagentMeta());
      await importNow({ chunkBytes });
      assert.deepEqual(figures(), reference, `chunks of ${chunkBytes} bytes`);
    }

    // Appends: the file grows between imports, splitting responses R1 and S1 across them.
    await store.close();
    await freshStore();
    const main = mainLines();
    const sub = subagentLines();
    writeLines(mainFile(), main.slice(0, 4));
    await importNow();
    writeLines(mainFile(), main.slice(4, 6), true);
    writeLines(subagentFile(), sub.slice(0, 2));
    fs.writeFileSync(metaFile(), subagentMeta());
    const split = await importNow();
    assert.equal(split.usageRevisions, 1, 'R1: its snapshot line was counted first, its final line corrects it');
    writeLines(mainFile(), main.slice(6, 12), true);
    writeLines(subagentFile(), sub.slice(2), true);
    await importNow();
    writeLines(mainFile(), main.slice(12), true);
    await importNow();
    assert.deepEqual(figures(), reference, 'appended');

    // The sub-agent's file before its parent's: it waits, then lands in the launching turn.
    await store.close();
    await freshStore();
    writeLines(subagentFile(), sub);
    fs.writeFileSync(metaFile(), subagentMeta());
    const early = await importNow();
    assert.deepEqual(early.subagentFilesWaiting, [path.join(SESSION, 'subagents', `agent-${AGENT}.jsonl`)]);
    writeLines(mainFile(), main);
    const late = await importNow();
    assert.deepEqual(late.subagentFilesWaiting, []);
    assert.deepEqual(figures(), reference, 'sub-agent file first');

    // Without the .meta.json (older 2.x): linked through the parent's toolUseResult.agentId.
    await store.close();
    await freshStore();
    writeLines(mainFile(), main);
    writeLines(subagentFile(), sub);
    await importNow();
    assert.deepEqual(figures(), reference, 'linked by toolUseResult.agentId');
  });

  it('re-importing from scratch changes no figure and adds no event', async () => {
    const reference = await oneGoFigures();
    const lastSeq = store.events.lastSeq(importedSessionId(SESSION));
    fs.rmSync(options.statePath);
    const again = await importNow();
    assert.equal(again.eventsAdded, 0);
    assert.equal(again.interactionsAdded, 0);
    assert.equal(store.events.lastSeq(importedSessionId(SESSION)), lastSeq);
    assert.deepEqual(figures(), reference);
    const unchanged = await importNow();
    assert.equal(unchanged.filesRead, 0);
  });

  it('counts 1.0.x responses without requestId from their final line, and an inline sidechain in the launching turn', async () => {
    writeLines(path.join(projectDir, `${OLD_SESSION}.jsonl`), oldLines());
    await importNow();
    const expected = recount(oldLines());
    assert.equal(expected.output, 299 + 25 + 12);
    const { totals, runs } = figures(OLD_SESSION);
    assert.equal(totals.output, expected.output);
    assert.ok(Math.abs(totals.usd - expected.usd) < 1e-8);
    assert.deepEqual(
      runs.map((r) => [r.turn, r.model, r.output]),
      [
        ['Explain the build', 'claude-3-5-haiku-20241022', 25],
        ['Explain the build', 'claude-sonnet-4-20250514', 299 + 12],
      ],
    );
  });

  it('reads a replaced transcript from the start instead of resuming at the old offset', async () => {
    const main = mainLines();
    writeLines(mainFile(), main.slice(0, 4));
    await importNow();
    // Another file now stands at the path (a different head, longer than the old offset).
    const replacement = main.map((l) => l.replace('Find the flaky test', 'Find the slow test').replace(/"u-001"/g, '"v-001"'));
    const temp = `${mainFile()}.new`;
    writeLines(temp, replacement.slice(0, 9));
    fs.renameSync(temp, mainFile());
    const report = await importNow();
    assert.deepEqual(report.filesReplaced, [`${SESSION}.jsonl`]);
    const commands = store.interactions.list(importedSessionId(SESSION)).map((i) => i.command.command);
    assert.ok(commands.includes('Find the slow test'), commands.join(' | '));
  });

  it('isolates a line with an impossible count: the clean files and lines import, the bad one is named', async () => {
    writeLines(path.join(projectDir, `${OLD_SESSION}.jsonl`), oldLines());
    const poisoned = mainLines().slice(0, 3).concat(mainLines()[21]);
    writeLines(mainFile(), poisoned);
    const report = await importNow();
    assert.equal(report.linesDamaged, 1);
    assert.deepEqual(
      report.damagedLines.map((d) => [d.file, d.line]),
      [[`${SESSION}.jsonl`, 4]],
    );
    assert.equal(figures(OLD_SESSION).totals.output, recount(oldLines()).output);
    assert.equal(figures().turns.length, 1);
  });

  it('marks a response whose recorded output is implausibly small for what it wrote as a lower bound, keeping the figure', async () => {
    const lines = mainLines().slice(0, 3);
    const long = 'word '.repeat(800);
    lines.push(
      mainLines()[4].replace('I will search the specs with a sub-agent.', long).replace('"output_tokens":10', '"output_tokens":1'),
    );
    writeLines(mainFile(), lines);
    const report = await importNow();
    assert.equal(report.lowerBoundResponses, 1);
    const usage = store.events.list(importedSessionId(SESSION), { type: 'claude.usage' });
    assert.equal(usage.length, 1);
    assert.equal((usage[0].payload as { lowerBound: boolean; outputTokens: number }).lowerBound, true);
    assert.equal((usage[0].payload as { outputTokens: number }).outputTokens, 1, 'the recorded figure is kept, never invented');
  });

  it('traces a counted figure to the line it came from', async () => {
    writeLines(mainFile(), mainLines());
    await importNow();
    const usage = store.events.list(importedSessionId(SESSION), { type: 'claude.usage' });
    const r1 = usage.filter((e) => (e.payload as { messageId: string }).messageId === 'msg_R1');
    const last = r1[r1.length - 1].payload as { outputTokens: number; line: { file: string; line: number; uuid: string } };
    assert.equal(last.outputTokens, 310);
    assert.deepEqual(last.line, { file: `${SESSION}.jsonl`, line: 6, uuid: 'a-003' });
  });

  it('counts once a response whose lines are in two files: the later file’s better line revises the first count', async () => {
    // The importer keeps what it counted for one file at a time and looks up the store for a
    // response it meets again in another file (as when a session's lines are copied into another).
    const OTHER = 'f0b7e1c5-9d3a-4f61-8a20-5c4e3d2b1a09'; // listed after SESSION: its file is read second
    // mainLines() holds damaged lines on purpose: those stay as they are.
    const edited = (lines: string[], edit: (value: Record<string, unknown>) => string): string[] =>
      lines.map((line) => {
        try {
          return edit(JSON.parse(line) as Record<string, unknown>);
        } catch {
          return line;
        }
      });
    const copy = edited(mainLines(), (value) => {
      return JSON.stringify({
        ...value,
        sessionId: OTHER,
        ...(typeof value.uuid === 'string' ? { uuid: `copy-${value.uuid}` } : {}),
        ...(typeof value.parentUuid === 'string' ? { parentUuid: `copy-${value.parentUuid}` } : {}),
      });
    });
    // The first file: the same lines, each as an early streaming snapshot (0 output tokens).
    const early = edited(mainLines(), (value) => {
      const usage = (value.message as { usage?: { output_tokens: number } } | undefined)?.usage;
      if (usage && usage.output_tokens < 1e10) usage.output_tokens = 0; // the impossible count stays damaged
      return JSON.stringify(value);
    });
    const expected = recount([...early, ...copy]);
    for (const chunkBytes of [undefined, 700]) {
      await store.close();
      await freshStore();
      writeLines(mainFile(), early);
      writeLines(path.join(projectDir, `${OTHER}.jsonl`), copy);
      const report = await importNow(chunkBytes ? { chunkBytes } : {});
      // Every better line is in OTHER's file: each response's figure moved there whole, tokens and cost.
      const moved = figures(SESSION).totals;
      assert.deepEqual({ ...moved, usd: undefined }, { input: 0, output: 0, write: 0, write1h: 0, read: 0, usd: undefined });
      assert.ok(Math.abs(moved.usd) < 1e-8, `cost left in the first session: ${moved.usd} (chunks of ${chunkBytes ?? 'default'} bytes)`);
      assertMatchesRecount(expected, OTHER);
      assert.equal(report.usageResponses, expected.responses);
      // Each response is counted first from its snapshot, then revised (more than once where a chunk splits its lines).
      assert.ok(report.usageRevisions >= expected.responses, `${report.usageRevisions} revisions`);
    }
  });
});

export type { TranscriptImportReport };

describe('describing a transcript import to a person', () => {
  it('names damaged lines by file and line, where they are kept, and files that wait', () => {
    const text = describeTranscriptImport({
      projectDir: '/p',
      filesSeen: 2,
      filesSkipped: 0,
      filesRead: 2,
      filesReplaced: [],
      subagentFilesWaiting: ['s/subagents/agent-a1.jsonl'],
      subagentFilesUnlinked: [],
      filesFailed: [],
      linesRead: 10,
      linesUnparsed: 1,
      linesHarmless: 0,
      unknownLineTypes: { 'new-kind': 2 },
      linesDamaged: 1,
      damagedLines: [{ file: 's.jsonl', line: 7, reason: 'not valid JSON' }],
      rejectedPath: '/state/claude-transcripts.rejected.jsonl',
      interactionsAdded: 1,
      eventsAdded: 3,
      usageResponses: 1,
      usageRevisions: 1,
      lowerBoundResponses: 0,
      unpricedModels: [],
      costDifferences: [],
      sessionIds: ['x'],
      createdSessionIds: ['x'],
      cancelled: false,
    });
    assert.match(text, /1 damaged line skipped and kept in \/state\/claude-transcripts\.rejected\.jsonl: s\.jsonl:7 \(not valid JSON\)/);
    assert.match(text, /1 sub-agent transcript wait for the turn that launched them/);
    assert.match(text, /new-kind ×2/);
    assert.match(text, /1 response corrected to the figure of its final line/);
  });
});

describe('Claude Code transcript import: one bad file or line never blocks the rest', function () {
  this.timeout(60_000);
  let store: SessionStore;
  afterEach(() => store.close());

  it('refuses ids no transcript has (the store would refuse them) as damaged lines, and imports the rest', async () => {
    store = await openTestStore();
    const configDir = tempDir('claude-config');
    const projectDir = claudeProjectDir(WORKSPACE, configDir);
    const lines = mainLines().slice(0, 9);
    lines.splice(3, 0, lines[3].replace('"a-001"', `"${'x'.repeat(300)}"`));
    writeLines(path.join(projectDir, `${SESSION}.jsonl`), lines);
    const report = await importClaudeTranscripts(store, {
      workspacePath: WORKSPACE,
      configDir,
      statePath: path.join(tempDir('state'), 's.json'),
      pricing: loadPricing(),
    });
    assert.deepEqual(
      report.damagedLines.map((d) => [d.line, d.reason]),
      [[4, 'uuid is 300 characters long (at most 128)']],
    );
    assert.equal(store.sessions.require(importedSessionId(SESSION)).outputTokens, 310 + 120);
  });

  it('reports a file whose import failed, goes on with the others, and retries it next time with nothing lost or doubled', async () => {
    store = await openTestStore();
    const configDir = tempDir('claude-config');
    const projectDir = claudeProjectDir(WORKSPACE, configDir);
    writeLines(path.join(projectDir, `${OLD_SESSION}.jsonl`), oldLines());
    writeLines(path.join(projectDir, `${SESSION}.jsonl`), mainLines());
    const options = { workspacePath: WORKSPACE, configDir, statePath: path.join(tempDir('state'), 's.json'), pricing: loadPricing() };
    // The first file's transaction fails (as a full disk or a store error would) after its work ran.
    let transactions = 0;
    const failing = {
      sessions: store.sessions,
      transaction: <T>(work: Parameters<SessionStore['transaction']>[0]) => store.transaction(work) as Promise<T>,
      commit: <T>(work: Parameters<SessionStore['commit']>[0]) =>
        store.commit((tx) => {
          const result = work(tx);
          if (++transactions === 1) throw new Error('disk I/O error (injected)');
          return result as T;
        }),
    };
    const first = await importClaudeTranscripts(failing as never, options);
    assert.deepEqual(first.filesFailed, [{ file: `${OLD_SESSION}.jsonl`, error: 'disk I/O error (injected)' }]);
    assert.match(
      describeTranscriptImport(first),
      /Could not import 0a1b2c3d-0000-4000-8000-000000000001\.jsonl: disk I\/O error \(injected\); it is tried again/,
    );
    assert.equal(store.sessions.get(importedSessionId(OLD_SESSION)), undefined, 'nothing of the failed chunk was kept');
    assert.equal(store.sessions.require(importedSessionId(SESSION)).outputTokens, recount(mainLines()).output, 'the other file imported');
    const second = await importClaudeTranscripts(store, options);
    assert.deepEqual(second.filesFailed, []);
    assert.equal(store.sessions.require(importedSessionId(OLD_SESSION)).outputTokens, recount(oldLines()).output);
    assert.equal(store.sessions.require(importedSessionId(SESSION)).outputTokens, recount(mainLines()).output, 'not doubled');
  });
});
