/**
 * The importer's figures on REAL Claude Code transcripts from public repositories (provenance:
 * test/fixtures/claudeCode/public/README.md), checked against a recount written here: every line
 * parsed by hand, grouped by (message.id, requestId), the line with the most output tokens taken
 * whole, priced by hand at the published rates. The same files imported in small chunks and
 * across appends at every line boundary give identical figures. A second recount takes each
 * response's FIRST line (what the importer did before issue 19): where the two differ, the
 * fixture shows the bug on real data, and the importer must match the final-line recount.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import pricingJson from '../../../src/core/agent/pricing.json';
import { loadPricing } from '../../../src/core/agent/pricing';
import { importedSessionId } from '../../../src/core/claudeCode/claudeSessions';
import { claudeProjectDir } from '../../../src/core/claudeCode/transcriptFiles';
import { importClaudeTranscripts, type TranscriptImportOptions } from '../../../src/core/claudeCode/transcriptImport';
import type { TranscriptImportReport } from '../../../src/core/claudeCode/transcriptImportReport';
import type { SessionStore } from '../../../src/core/store/SessionStore';
import { ManualClock } from '../store/storeTestSupport';
import { openTestStore, tempDir } from './testStore';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'claudeCode', 'public');
const WORKSPACE = '/work/public-transcripts';

interface Fixture {
  file: string;
  /** The Claude session id its lines carry (the file is imported as `<session id>.jsonl`). */
  sessionId: string;
  /** Claude Code version on its lines. */
  version: string;
  /** API responses in the file (distinct message.id + requestId). */
  responses: number;
  /** Output tokens of the final-line and of the first-line recount, counted by hand from the file. */
  output: { final: number; first: number };
  /** Responses whose recorded output is implausibly small for what they wrote (lower bounds). */
  lowerBounds: number;
}

const FIXTURE_LIST: Fixture[] = [
  {
    file: '1.0.43-0d3a8e6f-290f-4105-a327-a2496e5e2a83.head.jsonl',
    sessionId: '0d3a8e6f-290f-4105-a327-a2496e5e2a83',
    version: '1.0.43',
    responses: 3,
    // msg_01Bbfh… is written as two lines: output_tokens 3 (text block), then 190 (tool_use block).
    output: { final: 190 + 94 + 81, first: 3 + 94 + 81 },
    lowerBounds: 0,
  },
  {
    file: '2.0.37-agent-3be551df.jsonl',
    sessionId: '58edcfae-5291-436c-91e4-54fbb188a0ca',
    version: '2.0.37',
    responses: 1,
    output: { final: 247, first: 247 },
    lowerBounds: 0,
  },
  {
    file: '2.1.17-94604a7b-062f-4369-bdf0-da948381c3e5.jsonl',
    sessionId: '94604a7b-062f-4369-bdf0-da948381c3e5',
    version: '2.1.17',
    responses: 1,
    // One line whose output_tokens is 1 for ~2,000 characters of text: the known Claude Code issue.
    output: { final: 1, first: 1 },
    lowerBounds: 1,
  },
  {
    file: '2.1.42-03eb5929-52b3-4b13-ada3-b93ae35806b8.head.jsonl',
    sessionId: '03eb5929-52b3-4b13-ada3-b93ae35806b8',
    version: '2.1.42',
    responses: 3,
    // Every line of a response repeats its first snapshot at this version (msg_01UHi2… reads 12 on all four lines).
    output: { final: 12 + 25 + 1, first: 12 + 25 + 1 },
    lowerBounds: 2,
  },
  {
    file: '2.1.114-agent-a36efb2a1231c41e2.jsonl',
    sessionId: 'ef958aa1-0e93-49f0-bb71-150f63befcd1',
    version: '2.1.114',
    responses: 6,
    // msg_019ey8… reads 4 then 184; msg_01M3jV… 42, 42, 335; msg_01J9W3… 5 then 1593 (the line with `iterations`).
    output: { final: 184 + 335 + 1593 + 239 + 155 + 2, first: 4 + 42 + 5 + 239 + 155 + 2 },
    lowerBounds: 1,
  },
];

/**
 * USD per million tokens, written from the published Anthropic pricing (platform.claude.com
 * pricing page and model overviews): 5-minute cache writes 1.25×, 1-hour writes 2×, reads 0.1×
 * the input rate. Claude Sonnet 4 above 200K prompt tokens: input 2×, output 1.5×, cache rates
 * scaled like input.
 */
const PUBLISHED: Record<string, { input: number; output: number; longContext?: true }> = {
  'claude-sonnet-4-20250514': { input: 3, output: 15, longContext: true },
  'claude-haiku-4-5-20251001': { input: 1, output: 5 },
  'claude-opus-4-5-20251101': { input: 5, output: 25 },
  'claude-opus-4-6': { input: 5, output: 25 },
  'claude-opus-4-7': { input: 5, output: 25 },
};

interface Usage {
  input_tokens?: number;
  output_tokens?: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
  cache_creation?: { ephemeral_5m_input_tokens?: number; ephemeral_1h_input_tokens?: number };
}

interface Recount {
  responses: number;
  input: number;
  output: number;
  write: number;
  write1h: number;
  read: number;
  /** null: a model the published rates above do not price. */
  usd: number | null;
}

function usdOf(model: string, u: Required<Omit<Usage, 'cache_creation'>> & { write1h: number }): number | null {
  const rate = PUBLISHED[model];
  if (!rate) return null;
  const prompt = u.input_tokens + u.cache_creation_input_tokens + u.cache_read_input_tokens;
  const long = rate.longContext && prompt > 200_000;
  const input = long ? rate.input * 2 : rate.input;
  const output = long ? rate.output * 1.5 : rate.output;
  const write5m = u.cache_creation_input_tokens - u.write1h;
  return (
    (u.input_tokens * input +
      u.output_tokens * output +
      write5m * input * 1.25 +
      u.write1h * input * 2 +
      u.cache_read_input_tokens * (input / 10)) /
    1e6
  );
}

/**
 * The recount: assistant lines with a usage, grouped by (message.id, requestId), each group
 * counted once from one line taken whole: the one with the most output tokens (`final`, the
 * first of equals), or the first line written (`first`, the pre-issue-19 importer). The model
 * `<synthetic>` is not billed.
 */
function recount(lines: readonly string[], take: 'final' | 'first'): Recount {
  const chosen = new Map<string, { model: string; usage: Usage }>();
  for (const line of lines) {
    const value = JSON.parse(line) as {
      type?: string;
      requestId?: string;
      uuid?: string;
      message?: { id?: string; model?: string; usage?: Usage };
    };
    const usage = value.message?.usage;
    if (value.type !== 'assistant' || !usage || value.message?.model === '<synthetic>') continue;
    const key = value.message?.id ? `${value.message.id}:${value.requestId ?? ''}` : `line:${value.uuid}`;
    const seen = chosen.get(key);
    if (!seen || (take === 'final' && (usage.output_tokens ?? 0) > (seen.usage.output_tokens ?? 0)))
      chosen.set(key, { model: value.message!.model!, usage });
  }
  const total: Recount = { responses: chosen.size, input: 0, output: 0, write: 0, write1h: 0, read: 0, usd: 0 };
  for (const { model, usage } of chosen.values()) {
    const u = {
      input_tokens: usage.input_tokens ?? 0,
      output_tokens: usage.output_tokens ?? 0,
      cache_creation_input_tokens: usage.cache_creation_input_tokens ?? 0,
      cache_read_input_tokens: usage.cache_read_input_tokens ?? 0,
      write1h: usage.cache_creation?.ephemeral_1h_input_tokens ?? 0,
    };
    total.input += u.input_tokens;
    total.output += u.output_tokens;
    total.write += u.cache_creation_input_tokens;
    total.write1h += u.write1h;
    total.read += u.cache_read_input_tokens;
    const usd = usdOf(model, u);
    total.usd = usd === null || total.usd === null ? null : total.usd + usd;
  }
  return total;
}

const readLines = (fixture: Fixture): string[] =>
  fs
    .readFileSync(path.join(FIXTURES, fixture.file), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');

/**
 * Line boundaries (1-based: after line `split`) where an append would split a response, i.e.
 * a response has lines on both sides; and the middle of the file. Importing up to there and the
 * rest later must correct the response from its later lines exactly once.
 */
function splitsInsideResponses(lines: readonly string[]): number[] {
  const span = new Map<string, [number, number]>();
  lines.forEach((line, index) => {
    const value = JSON.parse(line) as { type?: string; requestId?: string; message?: { id?: string } };
    if (value.type !== 'assistant' || !value.message?.id) return;
    const key = `${value.message.id}:${value.requestId ?? ''}`;
    const [first] = span.get(key) ?? [index, index];
    span.set(key, [first, index]);
  });
  const splits = new Set<number>([Math.floor(lines.length / 2)]);
  for (const [first, last] of span.values()) for (let split = first + 1; split <= last; split++) splits.add(split);
  return [...splits].filter((split) => split > 0 && split < lines.length).sort((a, b) => a - b);
}

describe('Claude Code transcript import on real public transcripts', function () {
  this.timeout(180_000);
  const stores: SessionStore[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
  });

  /** A fresh store and config folder with `content` as the session's transcript; returns the import function and the file path. */
  async function setUp(fixture: Fixture, content: string) {
    const store = await openTestStore(new ManualClock(Date.UTC(2026, 11, 1)));
    stores.push(store);
    const configDir = tempDir('claude-config');
    const projectDir = claudeProjectDir(WORKSPACE, configDir);
    fs.mkdirSync(projectDir, { recursive: true });
    const file = path.join(projectDir, `${fixture.sessionId}.jsonl`);
    fs.writeFileSync(file, content);
    const statePath = path.join(tempDir('state'), 'claude-transcripts.json');
    const options: TranscriptImportOptions = { workspacePath: WORKSPACE, configDir, statePath, pricing: loadPricing() };
    return {
      store,
      file,
      statePath,
      importNow: (extra: Partial<TranscriptImportOptions> = {}) => importClaudeTranscripts(store, { ...options, ...extra }),
    };
  }

  function figures(store: SessionStore, fixture: Fixture) {
    const session = store.sessions.require(importedSessionId(fixture.sessionId));
    return {
      input: session.inputTokens,
      output: session.outputTokens,
      write: session.cacheCreationTokens,
      write1h: session.cacheCreation1hTokens,
      read: session.cacheReadTokens,
      usd: session.costUnknown ? null : session.totalCostUsd,
    };
  }

  type Figures = ReturnType<typeof figures>;

  /** Token counts exactly; cost to a billionth of a dollar (sums of the same prices in another order). */
  function assertSameFigures(actual: Figures, expected: Figures, message: string): void {
    assert.deepEqual({ ...actual, usd: undefined }, { ...expected, usd: undefined }, message);
    if (actual.usd === null || expected.usd === null) assert.equal(actual.usd, expected.usd, `${message}: cost unknown`);
    else assert.ok(Math.abs(actual.usd - expected.usd) < 1e-9, `${message}: cost $${actual.usd} vs $${expected.usd}`);
  }

  function expectedFigures(expected: Recount): Figures {
    const { responses: _responses, ...figures } = expected;
    return figures;
  }

  /** Per fixture: final-line vs first-line figures, for the report and the CHANGELOG. */
  const measured: string[] = [];
  after(() => {
    if (measured.length)
      console.log(`\n      measured on real transcripts (final line vs first line per response):\n${measured.join('\n')}`);
  });

  it('the published rates written here agree with the pricing table for every model the fixtures use', () => {
    const models = pricingJson.models as Record<
      string,
      { input: number; output: number; cacheWrite5m: number; cacheWrite1h: number; cacheRead: number }
    >;
    const table = loadPricing();
    for (const [model, rate] of Object.entries(PUBLISHED)) {
      const price = Object.entries(models).find(([id]) => id === model.replace(/-\d{8}$/, ''))?.[1];
      assert.ok(price, `${model} is in src/core/agent/pricing.json`);
      assert.deepEqual(
        [price.input, price.output, price.cacheWrite5m, price.cacheWrite1h, price.cacheRead],
        [rate.input, rate.output, rate.input * 1.25, rate.input * 2, rate.input / 10],
        model,
      );
      assert.ok(table.priceOf(model), `the table resolves ${model}`);
    }
  });

  for (const fixture of FIXTURE_LIST) {
    describe(`${fixture.file} (Claude Code ${fixture.version})`, () => {
      it('is what the README says: real lines of that version, whole, each valid JSON', () => {
        const text = fs.readFileSync(path.join(FIXTURES, fixture.file), 'utf8');
        assert.ok(text.endsWith('\n'), 'ends at a line boundary');
        const lines = readLines(fixture).map((l) => JSON.parse(l) as { version?: string; sessionId?: string });
        const versions = new Set(lines.map((l) => l.version).filter(Boolean));
        assert.deepEqual([...versions], [fixture.version]);
        assert.ok(lines.every((l) => l.sessionId === undefined || l.sessionId === fixture.sessionId));
      });

      it('stores the final-line recount: tokens, 5-minute and 1-hour writes, and cost', async () => {
        const lines = readLines(fixture);
        const final = recount(lines, 'final');
        const first = recount(lines, 'first');
        assert.equal(final.responses, fixture.responses);
        assert.deepEqual({ final: final.output, first: first.output }, fixture.output, 'the recount agrees with the hand count');
        for (const model of new Set(
          lines
            .map((l) => (JSON.parse(l) as { message?: { model?: string } }).message?.model)
            .filter((m): m is string => !!m && m !== '<synthetic>'),
        )) {
          assert.ok(model in PUBLISHED || final.usd === null, `${model}: priced here, or the session must be cost-unknown`);
        }

        const { store, importNow } = await setUp(fixture, `${lines.join('\n')}\n`);
        const report: TranscriptImportReport = await importNow();
        assert.equal(report.linesDamaged, 0, JSON.stringify(report.damagedLines));
        assert.equal(report.usageResponses, fixture.responses);
        assert.equal(report.lowerBoundResponses, fixture.lowerBounds);
        assertSameFigures(figures(store, fixture), expectedFigures(final), 'the final-line recount');

        // The bug of issue 19 on real data: where the first line's usage differs, the importer takes the final one.
        if (fixture.output.first !== fixture.output.final) {
          assert.ok(first.output < final.output && first.usd !== null && final.usd !== null && first.usd < final.usd);
          assert.notEqual(figures(store, fixture).output, first.output);
        }
        const pct = (a: number, b: number) => (b === 0 ? '0' : (((b - a) / b) * 100).toFixed(1));
        measured.push(
          `      ${fixture.file}: output ${final.output} vs ${first.output} (first-line ${pct(first.output, final.output)}% low), ` +
            `cost $${final.usd?.toFixed(6)} vs $${first.usd?.toFixed(6)} (${final.usd && first.usd !== null ? pct(first.usd, final.usd) : '?'}% low)`,
        );
      });

      it('gives identical figures imported in 2,000-byte chunks, re-imported from scratch, and across appends that split a response', async () => {
        const lines = readLines(fixture);
        const content = `${lines.join('\n')}\n`;
        const whole = await setUp(fixture, content);
        await whole.importNow();
        const reference = figures(whole.store, fixture);

        const chunked = await setUp(fixture, content);
        await chunked.importNow({ chunkBytes: 2000 });
        assertSameFigures(figures(chunked.store, fixture), reference, 'chunks of 2000 bytes');
        fs.rmSync(chunked.statePath);
        const again = await chunked.importNow({ chunkBytes: 2000 });
        assert.equal(again.linesRead, lines.length, 'read again from the start');
        assert.equal(again.eventsAdded, 0, 're-import from scratch adds nothing');
        assert.equal(again.usageRevisions, 0);
        assertSameFigures(figures(chunked.store, fixture), reference, 're-imported from scratch');

        for (const split of splitsInsideResponses(lines)) {
          const grown = await setUp(fixture, `${lines.slice(0, split).join('\n')}\n`);
          await grown.importNow();
          fs.appendFileSync(grown.file, `${lines.slice(split).join('\n')}\n`);
          await grown.importNow({ chunkBytes: 2000 });
          assertSameFigures(figures(grown.store, fixture), reference, `appended after line ${split}`);
          await grown.store.close();
          stores.splice(stores.indexOf(grown.store), 1);
        }
      });
    });
  }
});
