import { z } from 'zod';
import type { TokenUsage } from '../model/session';
import builtInPricing from './pricing.json';

/** The rates of one tier, USD per million tokens. */
export interface TierRates {
  input: number;
  output: number;
  /** 5-minute cache writes (the default TTL). */
  cacheWrite5m: number;
  /** 1-hour cache writes. */
  cacheWrite1h: number;
  cacheRead: number;
}

/** Rates for a response whose prompt (input + cache write + cache read tokens) exceeds the threshold. */
export interface LongContextRates extends TierRates {
  thresholdInputTokens: number;
}

/** USD per million tokens. */
export interface ModelPrice extends TierRates {
  displayName?: string;
  aliases?: string[];
  longContext?: LongContextRates;
}

/**
 * A cost is either a number or honestly unknown: an unpriced model never gets a made-up figure.
 * `pricedAtBaseRate`: the prompt was longer than {@link LONG_CONTEXT_THRESHOLD} tokens but the
 * table has no long-context rates for the model, so the figure may be too low.
 */
export type Cost = { usd: number; pricedAtBaseRate?: true } | { unknown: true };

/** Where the published pricing starts long-context rates (used to mark responses priced at base rate). */
export const LONG_CONTEXT_THRESHOLD = 200_000;

export const ZERO_USAGE: TokenUsage = Object.freeze({
  inputTokens: 0,
  outputTokens: 0,
  cacheCreationTokens: 0,
  cacheCreation1hTokens: 0,
  cacheReadTokens: 0,
});

export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheCreationTokens: a.cacheCreationTokens + b.cacheCreationTokens,
    cacheCreation1hTokens: (a.cacheCreation1hTokens ?? 0) + (b.cacheCreation1hTokens ?? 0),
    cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens,
  };
}

export function addCosts(a: Cost, b: Cost): Cost {
  if ('unknown' in a || 'unknown' in b) return { unknown: true };
  const usd = roundUsd(a.usd + b.usd);
  return a.pricedAtBaseRate || b.pricedAtBaseRate ? { usd, pricedAtBaseRate: true } : { usd };
}

/** The cache-write fields of an Anthropic API `usage` object (Messages API, stream-json, transcripts). */
export interface ApiCacheWriteUsage {
  cache_creation_input_tokens?: number | null;
  cache_creation?: { ephemeral_5m_input_tokens?: number | null; ephemeral_1h_input_tokens?: number | null } | null;
}

/**
 * Cache writes of an API `usage`: the total is `cache_creation_input_tokens` (or, when only the
 * `cache_creation` split is given, the sum of its two TTLs); the 1-hour part is
 * `cache_creation.ephemeral_1h_input_tokens` (0 without the split: such writes are 5-minute ones).
 */
export function cacheWritesOf(usage: ApiCacheWriteUsage): Pick<TokenUsage, 'cacheCreationTokens' | 'cacheCreation1hTokens'> {
  const count = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : 0);
  const split = usage.cache_creation;
  const write1h = count(split?.ephemeral_1h_input_tokens);
  const total =
    typeof usage.cache_creation_input_tokens === 'number'
      ? count(usage.cache_creation_input_tokens)
      : count(split?.ephemeral_5m_input_tokens) + write1h;
  return { cacheCreationTokens: total, cacheCreation1hTokens: Math.min(write1h, total) };
}

/** Prompt tokens of one response: what long-context tiers are decided on. */
export function promptTokens(usage: TokenUsage): number {
  return usage.inputTokens + usage.cacheCreationTokens + usage.cacheReadTokens;
}

const PRICE_FIELDS = ['input', 'output', 'cacheWrite5m', 'cacheRead'] as const;

const rate = z.number().finite().nonnegative();

const longContextSchema = z
  .object({
    thresholdInputTokens: z.number().int().positive(),
    input: rate,
    output: rate,
    cacheWrite5m: rate,
    cacheWrite1h: rate,
    cacheRead: rate,
  })
  .strict();

/** Where the table's figures come from: shown with usage reports and recomputed costs. */
export interface PricingInfo {
  /** `YYYY-MM-DD`: the day the built-in rates were read from the source. */
  effectiveDate: string;
  source: string;
  /** Model ids priced or re-priced by `sessionLedger.pricingOverrides`. */
  overriddenModels: string[];
}

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
      cacheWrite1h: rate.optional(),
      cacheRead: rate.optional(),
      longContext: longContextSchema.optional(),
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
  private constructor(
    private readonly prices: ReadonlyMap<string, ModelPrice>,
    private readonly nonBillable: ReadonlySet<string>,
    readonly info: PricingInfo,
  ) {}

  static builtIn(): PricingTable {
    return new PricingTable(
      new Map(Object.entries(builtInPricing.models as Record<string, ModelPrice>)),
      new Set(builtInPricing.nonBillableModels),
      {
        effectiveDate: builtInPricing.effectiveDate,
        source: builtInPricing.source,
        overriddenModels: [],
      },
    );
  }

  /**
   * A new table with the user's overrides merged over this one. An override may change some
   * rates of a known model; a model not in the table needs input, output, cacheWrite5m and
   * cacheRead, and its cacheWrite1h defaults to 2× its input rate (Anthropic's published rule)
   * when not given. Throws PricingOverrideError naming the bad field.
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
      if (candidate.cacheWrite1h === undefined) candidate.cacheWrite1h = candidate.input! * 2;
      merged.set(model, candidate as ModelPrice);
    }
    const overridden = [...new Set([...this.info.overriddenModels, ...Object.keys(parsed.data)])];
    return new PricingTable(merged, this.nonBillable, { ...this.info, overriddenModels: overridden });
  }

  /** Models that are not API responses (Claude Code's `<synthetic>` error lines): cost 0. */
  isBillable(model: string): boolean {
    return !this.nonBillable.has(model);
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

  /**
   * The cost of ONE API response: its prompt length decides the tier. A response over the
   * model's long-context threshold is priced at its long-context rates; a response over
   * {@link LONG_CONTEXT_THRESHOLD} of a model without them is priced at the base rates and
   * marked `pricedAtBaseRate`.
   */
  costOf(model: string, usage: TokenUsage): Cost {
    if (!this.isBillable(model)) return { usd: 0 };
    const price = this.priceOf(model);
    if (!price) return { unknown: true };
    const prompt = promptTokens(usage);
    if (price.longContext && prompt > price.longContext.thresholdInputTokens) return { usd: priceAt(price.longContext, usage) };
    if (!price.longContext && prompt > LONG_CONTEXT_THRESHOLD) return { usd: priceAt(price, usage), pricedAtBaseRate: true };
    return { usd: priceAt(price, usage) };
  }

  /**
   * The cost of usage summed over several responses (a run known only by its totals, e.g. the
   * headless CLI's result line): base rates, since the tier of each response is not known.
   */
  costOfTotals(model: string, usage: TokenUsage): Cost {
    if (!this.isBillable(model)) return { usd: 0 };
    const price = this.priceOf(model);
    if (!price) return { unknown: true };
    return { usd: priceAt(price, usage) };
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

/** (total − 1h) cache writes at the 5-minute rate, the 1-hour part at its own rate. */
function priceAt(rates: TierRates, usage: TokenUsage): number {
  const write1h = Math.min(usage.cacheCreation1hTokens ?? 0, usage.cacheCreationTokens);
  const write5m = usage.cacheCreationTokens - write1h;
  return roundUsd(
    (usage.inputTokens * rates.input +
      usage.outputTokens * rates.output +
      write5m * rates.cacheWrite5m +
      write1h * rates.cacheWrite1h +
      usage.cacheReadTokens * rates.cacheRead) /
      1_000_000,
  );
}

/** Nano-dollar precision hides binary floating-point noise (0.1 + 0.2). */
export function roundUsd(usd: number): number {
  return Math.round(usd * 1e9) / 1e9;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
