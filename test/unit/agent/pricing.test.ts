import * as assert from 'node:assert/strict';
import { PricingOverrideError, PricingTable, addCosts, cacheWritesOf, costOf, loadPricing } from '../../../src/core/agent/pricing';

describe('pricing', () => {
  const usage = {
    inputTokens: 1_000,
    outputTokens: 2_000,
    cacheCreationTokens: 10_000,
    cacheCreation1hTokens: 0,
    cacheReadTokens: 100_000,
  };
  /** The same, 4,000 of the 10,000 cache-write tokens with the 1-hour TTL. */
  const usage1h = { ...usage, cacheCreation1hTokens: 4_000 };

  it('prices a run by hand-checkable arithmetic (Sonnet 4.5: $3 in, $15 out, $3.75 cache write, $0.30 cache read)', () => {
    // 1000*3 + 2000*15 + 10000*3.75 + 100000*0.3 = 3000 + 30000 + 37500 + 30000 = 100500 per million → $0.1005
    assert.deepEqual(costOf('claude-sonnet-4-5', usage), { usd: 0.1005 });
  });

  it('matches dated ids, -latest and aliases to the undated entry', () => {
    assert.deepEqual(costOf('claude-sonnet-4-5-20250929', usage), { usd: 0.1005 });
    assert.equal(PricingTable.builtIn().priceOf('claude-opus-4-0')?.input, 15);
    assert.equal(PricingTable.builtIn().priceOf('claude-opus-4-20250514')?.output, 75);
    assert.equal(PricingTable.builtIn().priceOf('claude-3-7-sonnet-latest')?.input, 3);
  });

  it('does not confuse claude-opus-4 with claude-opus-4-1 or claude-opus-4-6', () => {
    const table = PricingTable.builtIn();
    assert.equal(table.priceOf('claude-opus-4-1-20250805')?.input, 15);
    assert.equal(table.priceOf('claude-opus-4-6')?.input, 5);
  });

  it('never makes up a number for an unknown model', () => {
    assert.deepEqual(costOf('claude-imaginary-9', usage), { unknown: true });
    assert.deepEqual(addCosts({ usd: 1 }, { unknown: true }), { unknown: true });
    assert.deepEqual(addCosts({ usd: 0.1 }, { usd: 0.2 }), { usd: 0.3 });
  });

  it('merges user overrides: a partial override of a known model, a full one for a new model', () => {
    const table = loadPricing({
      'claude-sonnet-4-5': { output: 10 },
      'my-proxy-model': { input: 1, output: 2, cacheWrite5m: 1.25, cacheRead: 0.1 },
    });
    // 3000 + 2000*10 + 37500 + 30000 = 90500 → $0.0905
    assert.deepEqual(table.costOf('claude-sonnet-4-5', usage), { usd: 0.0905 });
    // 1000 + 4000 + 12500 + 10000 = 27500 → $0.0275
    assert.deepEqual(table.costOf('my-proxy-model', usage), { usd: 0.0275 });
  });

  it('prices 1-hour cache writes at their own rate (2x input) and the rest of the writes at the 5-minute rate', () => {
    // 1000*3 + 2000*15 + 6000*3.75 + 4000*6 + 100000*0.3 = 3000 + 30000 + 22500 + 24000 + 30000 = 109500 → $0.1095
    assert.deepEqual(costOf('claude-sonnet-4-5', usage1h), { usd: 0.1095 });
    // Every built-in model: 1-hour writes at 2x input, 5-minute writes at 1.25x (Claude Haiku 3: as published).
    const table = PricingTable.builtIn();
    for (const model of table.models()) {
      const price = table.priceOf(model)!;
      assert.equal(price.cacheWrite1h, price.input * 2, `${model} cacheWrite1h`);
      if (model !== 'claude-3-haiku') assert.equal(price.cacheWrite5m, price.input * 1.25, `${model} cacheWrite5m`);
    }
    // A 1h count above the total (a damaged record) is capped at the total: all 10000 at $6 → 3000 + 30000 + 60000 + 30000.
    assert.deepEqual(costOf('claude-sonnet-4-5', { ...usage, cacheCreation1hTokens: 99_999 }), { usd: 0.123 });
  });

  it('reads the TTL split of an API usage object', () => {
    const split = { ephemeral_5m_input_tokens: 300, ephemeral_1h_input_tokens: 700 };
    assert.deepEqual(cacheWritesOf({ cache_creation_input_tokens: 1_000, cache_creation: split }), {
      cacheCreationTokens: 1_000,
      cacheCreation1hTokens: 700,
    });
    assert.deepEqual(cacheWritesOf({ cache_creation: split }), { cacheCreationTokens: 1_000, cacheCreation1hTokens: 700 });
    assert.deepEqual(cacheWritesOf({ cache_creation_input_tokens: 1_000 }), { cacheCreationTokens: 1_000, cacheCreation1hTokens: 0 });
    assert.deepEqual(cacheWritesOf({ cache_creation_input_tokens: 1_000, cache_creation: null }), {
      cacheCreationTokens: 1_000,
      cacheCreation1hTokens: 0,
    });
    assert.deepEqual(cacheWritesOf({}), { cacheCreationTokens: 0, cacheCreation1hTokens: 0 });
  });

  it('does not bill Claude Code <synthetic> lines: cost 0, not unknown', () => {
    assert.deepEqual(costOf('<synthetic>', usage1h), { usd: 0 });
    assert.equal(PricingTable.builtIn().isBillable('<synthetic>'), false);
    assert.equal(PricingTable.builtIn().isBillable('claude-sonnet-4-5'), true);
  });

  it('prices a prompt over 200K tokens at the long-context rates where the table has them', () => {
    const long = { inputTokens: 150_000, outputTokens: 1_000, cacheCreationTokens: 0, cacheCreation1hTokens: 0, cacheReadTokens: 60_000 };
    // Prompt 210000 > 200000: 150000*6 + 1000*22.5 + 60000*0.6 = 900000 + 22500 + 36000 = 958500 → $0.9585
    assert.deepEqual(costOf('claude-sonnet-4-5-20250929', long), { usd: 0.9585 });
    // Exactly 200000 is not over: 140000*3 + 1000*15 + 60000*0.3 = 420000 + 15000 + 18000 = 453000 → $0.453
    assert.deepEqual(costOf('claude-sonnet-4-5', { ...long, inputTokens: 140_000 }), { usd: 0.453 });
    // Cache writes count towards the prompt and have long-context rates of both TTLs (Sonnet 4):
    // prompt 100000 + 20000 + 100000 = 220000: 100000*6 + 2000*22.5 + 15000*7.5 + 5000*12 + 100000*0.6
    // = 600000 + 45000 + 112500 + 60000 + 60000 = 877500 → $0.8775
    const withWrites = {
      inputTokens: 100_000,
      outputTokens: 2_000,
      cacheCreationTokens: 20_000,
      cacheCreation1hTokens: 5_000,
      cacheReadTokens: 100_000,
    };
    assert.deepEqual(costOf('claude-sonnet-4-0', withWrites), { usd: 0.8775 });
  });

  it('prices a prompt over 200K tokens of a model without long-context rates at the base rates, and says so', () => {
    const long = { inputTokens: 150_000, outputTokens: 1_000, cacheCreationTokens: 0, cacheCreation1hTokens: 0, cacheReadTokens: 60_000 };
    // 150000*5 + 1000*25 + 60000*0.5 = 750000 + 25000 + 30000 = 805000 → $0.805
    assert.deepEqual(costOf('claude-opus-4-6', long), { usd: 0.805, pricedAtBaseRate: true });
    assert.deepEqual(costOf('claude-opus-4-6', { ...long, inputTokens: 100_000 }), { usd: 0.555 });
    assert.deepEqual(addCosts({ usd: 0.805, pricedAtBaseRate: true }, { usd: 0.195 }), { usd: 1, pricedAtBaseRate: true });
    // Totals over several responses are priced at the base rates, without a tier.
    assert.deepEqual(PricingTable.builtIn().costOfTotals('claude-sonnet-4-5', long), { usd: 0.483 });
  });

  it('accepts cacheWrite1h in overrides; a new model without it gets 2x its input rate', () => {
    const table = loadPricing({
      'claude-sonnet-4-5': { cacheWrite1h: 5 },
      'my-proxy-model': { input: 1, output: 2, cacheWrite5m: 1.25, cacheWrite1h: 3, cacheRead: 0.1 },
      'my-other-model': { input: 1, output: 2, cacheWrite5m: 1.25, cacheRead: 0.1 },
    });
    // 3000 + 30000 + 6000*3.75 + 4000*5 + 30000 = 3000 + 30000 + 22500 + 20000 + 30000 = 105500 → $0.1055
    assert.deepEqual(table.costOf('claude-sonnet-4-5', usage1h), { usd: 0.1055 });
    // 1000 + 4000 + 6000*1.25 + 4000*3 + 100000*0.1 = 1000 + 4000 + 7500 + 12000 + 10000 = 34500 → $0.0345
    assert.deepEqual(table.costOf('my-proxy-model', usage1h), { usd: 0.0345 });
    // cacheWrite1h defaults to 2 * 1: 1000 + 4000 + 7500 + 8000 + 10000 = 30500 → $0.0305
    assert.deepEqual(table.costOf('my-other-model', usage1h), { usd: 0.0305 });
    assert.deepEqual(table.info.overriddenModels, ['claude-sonnet-4-5', 'my-proxy-model', 'my-other-model']);
    assert.throws(
      () => loadPricing({ 'claude-sonnet-4-5': { cacheWrite1h: -1 } }),
      (err: unknown) => err instanceof PricingOverrideError && err.field === 'claude-sonnet-4-5.cacheWrite1h',
    );
  });

  it('keeps an unknown model unknown, 1-hour writes or not', () => {
    assert.deepEqual(costOf('claude-imaginary-9', usage1h), { unknown: true });
    assert.deepEqual(PricingTable.builtIn().costOfTotals('claude-imaginary-9', usage1h), { unknown: true });
  });

  it('carries its effective date and source', () => {
    const { info } = PricingTable.builtIn();
    assert.match(info.effectiveDate, /^\d{4}-\d{2}-\d{2}$/);
    assert.match(info.source, /^https:\/\/platform\.claude\.com\//);
    assert.deepEqual(info.overriddenModels, []);
  });

  it('rejects a bad override with an error naming the field', () => {
    assert.throws(
      () => loadPricing({ 'claude-sonnet-4-5': { output: 'cheap' } }),
      (err: unknown) => err instanceof PricingOverrideError && err.field === 'claude-sonnet-4-5.output',
    );
    assert.throws(
      () => loadPricing({ 'new-model': { input: 1, output: 2, cacheWrite5m: 1 } }),
      (err: unknown) => err instanceof PricingOverrideError && err.field === 'new-model.cacheRead',
    );
    assert.throws(
      () => loadPricing({ 'claude-sonnet-4-5': { inptu: 1 } }),
      (err: unknown) => err instanceof PricingOverrideError && err.field === 'claude-sonnet-4-5.inptu',
    );
    assert.throws(() => loadPricing({ m: { input: -1 } }), /m\.input/);
  });
});
