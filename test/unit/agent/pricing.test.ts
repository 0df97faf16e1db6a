import * as assert from 'node:assert/strict';
import { PricingOverrideError, PricingTable, addCosts, costOf, loadPricing } from '../../../src/core/agent/pricing';

describe('pricing', () => {
	const usage = { inputTokens: 1_000, outputTokens: 2_000, cacheCreationTokens: 10_000, cacheReadTokens: 100_000 };

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
