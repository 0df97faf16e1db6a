import { z } from 'zod';
import type { UsageTotals } from '../model/session';
import builtInPricing from './pricing.json';

/**
 * Tokens of one run or one API response (the store's UsageTotals shape). Cache creation tokens are
 * billed at the 5-minute cache write rate.
 */
export type TokenUsage = UsageTotals;

/** USD per million tokens. */
export interface ModelPrice {
	displayName?: string;
	aliases?: string[];
	input: number;
	output: number;
	cacheWrite5m: number;
	cacheRead: number;
}

/** A cost is either a number or honestly unknown: an unpriced model never gets a made-up figure. */
export type Cost = { usd: number } | { unknown: true };

export const ZERO_USAGE: TokenUsage = Object.freeze({
	inputTokens: 0,
	outputTokens: 0,
	cacheCreationTokens: 0,
	cacheReadTokens: 0,
});

export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
	return {
		inputTokens: a.inputTokens + b.inputTokens,
		outputTokens: a.outputTokens + b.outputTokens,
		cacheCreationTokens: a.cacheCreationTokens + b.cacheCreationTokens,
		cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens,
	};
}

export function addCosts(a: Cost, b: Cost): Cost {
	if ('unknown' in a || 'unknown' in b) return { unknown: true };
	return { usd: roundUsd(a.usd + b.usd) };
}

const PRICE_FIELDS = ['input', 'output', 'cacheWrite5m', 'cacheRead'] as const;

const rate = z.number().finite().nonnegative();

/** What a user may write in settings: any subset of rates per model id. */
const pricingOverridesSchema = z.record(
	z.string().min(1),
	z
		.object({
			displayName: z.string().optional(),
			aliases: z.array(z.string().min(1)).optional(),
			input: rate.optional(),
			output: rate.optional(),
			cacheWrite5m: rate.optional(),
			cacheRead: rate.optional(),
		})
		.strict(),
);

export type PricingOverrides = z.infer<typeof pricingOverridesSchema>;

export class PricingOverrideError extends Error {
	constructor(
		readonly field: string,
		detail: string,
	) {
		super(`Invalid pricing override "${field}": ${detail}`);
		this.name = 'PricingOverrideError';
	}
}

const DATE_SUFFIX = /-(\d{8}|latest)$/;

export class PricingTable {
	private constructor(private readonly prices: ReadonlyMap<string, ModelPrice>) {}

	static builtIn(): PricingTable {
		return new PricingTable(new Map(Object.entries(builtInPricing.models as Record<string, ModelPrice>)));
	}

	/**
	 * A new table with the user's overrides merged over this one. An override may change some
	 * rates of a known model; a model not in the table needs all four rates.
	 * Throws PricingOverrideError naming the bad field.
	 */
	withOverrides(raw: unknown): PricingTable {
		const parsed = pricingOverridesSchema.safeParse(raw ?? {});
		if (!parsed.success) {
			const issue = parsed.error.issues[0]!;
			const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]] : issue.path;
			throw new PricingOverrideError(path.map(String).join('.') || '(root)', issue.message);
		}
		const merged = new Map(this.prices);
		for (const [model, override] of Object.entries(parsed.data)) {
			const base = merged.get(model);
			const candidate = { ...base, ...stripUndefined(override) };
			for (const field of PRICE_FIELDS) {
				if (candidate[field] === undefined) {
					throw new PricingOverrideError(
						`${model}.${field}`,
						`missing; a model that is not in the built-in table needs ${PRICE_FIELDS.join(', ')}`,
					);
				}
			}
			merged.set(model, candidate as ModelPrice);
		}
		return new PricingTable(merged);
	}

	/** The price of a model id such as `claude-sonnet-4-5-20250929`, `claude-opus-4-0` or `claude-opus-4-6`. */
	priceOf(model: string): ModelPrice | undefined {
		const exact = this.prices.get(model);
		if (exact) return exact;
		const undated = model.replace(DATE_SUFFIX, '');
		const byUndated = this.prices.get(undated);
		if (byUndated) return byUndated;
		for (const price of this.prices.values()) {
			if (price.aliases?.includes(model) || price.aliases?.includes(undated)) return price;
		}
		return undefined;
	}

	costOf(model: string, usage: TokenUsage): Cost {
		const price = this.priceOf(model);
		if (!price) return { unknown: true };
		const usd =
			(usage.inputTokens * price.input +
				usage.outputTokens * price.output +
				usage.cacheCreationTokens * price.cacheWrite5m +
				usage.cacheReadTokens * price.cacheRead) /
			1_000_000;
		return { usd: roundUsd(usd) };
	}

	models(): string[] {
		return [...this.prices.keys()];
	}
}

/** The built-in table with the user's overrides (settings JSON, untrusted) merged in. */
export function loadPricing(overrides?: unknown): PricingTable {
	return PricingTable.builtIn().withOverrides(overrides);
}

const builtInTable = PricingTable.builtIn();

/** Cost against the built-in table, or against `table` when given. */
export function costOf(model: string, usage: TokenUsage, table: PricingTable = builtInTable): Cost {
	return table.costOf(model, usage);
}

/** Nano-dollar precision hides binary floating-point noise (0.1 + 0.2). */
function roundUsd(usd: number): number {
	return Math.round(usd * 1e9) / 1e9;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
	return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
