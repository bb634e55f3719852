// Prices and exact cost arithmetic. Pure: no VS Code, no I/O.
//
// Money is computed in integer nano-dollars (1e-9 USD) so that any number of request costs adds up
// exactly (a float sum of 1.5e-7 a million times is not 0.15). A nano-dollar is a tenth of a
// micro-cent, finer than any invoice; integers stay exact in a double up to 2^53 nano-dollars
// (about 9 million USD).

/** USD per 1M tokens. `cachedInput` defaults to `input` when absent (no cache discount). */
export interface ModelPrice {
  input: number;
  cachedInput?: number;
  output: number;
}

/** Token counts as the API reports them: `promptTokens` INCLUDES `cachedTokens`. */
export interface TokenUsage {
  promptTokens: number;
  cachedTokens: number;
  completionTokens: number;
}

/** The date the built-in table was last checked against OpenAI's price list. */
export const PRICE_TABLE_DATE = '2026-11-25';

/** Nano-dollars per dollar: the integer unit all sums are kept in. */
export const UNITS_PER_USD = 1e9;

type PriceTier = 'standard' | 'batch' | 'priority';
type TieredPrice = Record<PriceTier, ModelPrice>;

const GPT_4O_MINI: TieredPrice = {
  standard: { input: 0.15, cachedInput: 0.075, output: 0.6 },
  batch: { input: 0.075, output: 0.3 },
  priority: { input: 0.25, cachedInput: 0.125, output: 1.0 },
};
const GPT_4O: TieredPrice = {
  standard: { input: 2.5, cachedInput: 1.25, output: 10.0 },
  batch: { input: 1.25, output: 5.0 },
  priority: { input: 4.25, cachedInput: 2.125, output: 17.0 },
};
const GPT_4O_2024_05_13: TieredPrice = {
  standard: { input: 5.0, output: 15.0 },
  batch: { input: 2.5, output: 7.5 },
  priority: { input: 8.75, output: 26.25 },
};

/** Built-in prices by model id: snapshots first, aliases as the fallback for unknown snapshots. */
const BUILT_IN_PRICES: ReadonlyMap<string, TieredPrice> = new Map([
  ['gpt-4o-mini', GPT_4O_MINI],
  ['gpt-4o-mini-2024-07-18', GPT_4O_MINI],
  ['gpt-4o', GPT_4O],
  ['gpt-4o-2024-08-06', GPT_4O],
  ['gpt-4o-2024-11-20', GPT_4O],
  ['gpt-4o-2024-05-13', GPT_4O_2024_05_13],
]);

interface ModelLimits {
  contextWindow: number;
  maxOutputTokens: number;
}
const GPT_4O_FAMILY_LIMITS: ModelLimits = { contextWindow: 128_000, maxOutputTokens: 16_384 };
const BUILT_IN_LIMITS: ReadonlyMap<string, ModelLimits> = new Map([
  ['gpt-4o-mini', GPT_4O_FAMILY_LIMITS],
  ['gpt-4o', GPT_4O_FAMILY_LIMITS],
]);

/** Maps a response's `service_tier` to the price tier it is billed at; undefined for a tier we have no prices for. */
function priceTierOf(serviceTier: string | undefined): PriceTier | undefined {
  switch (serviceTier?.toLowerCase()) {
    case undefined:
    case '':
    case 'default':
    case 'standard':
    case 'auto':
      return 'standard';
    // OpenAI bills Flex processing at Batch API rates.
    case 'flex':
    case 'batch':
      return 'batch';
    case 'priority':
      return 'priority';
    default:
      return undefined;
  }
}

const SNAPSHOT_SUFFIX = /-\d{4}-\d{2}-\d{2}$/;

/** `gpt-4o-mini-2024-07-18` -> `gpt-4o-mini`; ids without a date suffix are returned unchanged. */
export function baseModel(model: string): string {
  return model.replace(SNAPSHOT_SUFFIX, '');
}

function normalizeModel(model: string): string {
  return model.trim().toLowerCase();
}

function findBuiltIn<T>(table: ReadonlyMap<string, T>, model: string): T | undefined {
  const id = normalizeModel(model);
  return table.get(id) ?? table.get(baseModel(id));
}

/** Context window in tokens of a known model (snapshot or alias); undefined when unknown. */
export function contextWindow(model: string): number | undefined {
  return findBuiltIn(BUILT_IN_LIMITS, model)?.contextWindow;
}

/** Largest completion a known model can produce, in tokens; undefined when unknown. */
export function maxOutputTokens(model: string): number | undefined {
  return findBuiltIn(BUILT_IN_LIMITS, model)?.maxOutputTokens;
}

const PRICE_KEYS = new Set(['input', 'cachedInput', 'output']);

function isPrice(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

export class PriceBook {
  /** Human-readable problems found in the user's prices; the offending entries are ignored. */
  readonly problems: string[] = [];
  private readonly userPrices = new Map<string, ModelPrice>();

  /** `userPrices` comes from the `penny.prices` setting and may hold anything a user typed. */
  constructor(userPrices?: Record<string, ModelPrice>) {
    if (userPrices === undefined || userPrices === null) return;
    if (typeof userPrices !== 'object' || Array.isArray(userPrices)) {
      this.problems.push('penny.prices must be an object mapping model names to prices; it was ignored.');
      return;
    }
    for (const [model, entry] of Object.entries(userPrices as Record<string, unknown>)) {
      const price = this.validate(model, entry);
      if (price) this.userPrices.set(normalizeModel(model), price);
    }
  }

  private validate(model: string, entry: unknown): ModelPrice | undefined {
    const where = `penny.prices["${model}"]`;
    if (normalizeModel(model) === '') {
      this.problems.push(`${where}: the model name is empty; entry ignored.`);
      return undefined;
    }
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      this.problems.push(`${where}: expected {"input": n, "output": n}; entry ignored.`);
      return undefined;
    }
    const fields = entry as Record<string, unknown>;
    const bad = ['input', 'output'].filter((key) => !isPrice(fields[key]));
    if (fields.cachedInput !== undefined && !isPrice(fields.cachedInput)) bad.push('cachedInput');
    if (bad.length > 0) {
      this.problems.push(`${where}: ${bad.join(', ')} must be a number >= 0 (USD per 1M tokens); entry ignored.`);
      return undefined;
    }
    // A misspelt key (e.g. "cached_input") would silently bill cached tokens at the full price: say so.
    const unknown = Object.keys(fields).filter((key) => !PRICE_KEYS.has(key));
    if (unknown.length > 0) {
      this.problems.push(`${where}: unknown key(s) ${unknown.join(', ')} ignored (known: input, cachedInput, output).`);
    }
    const price: ModelPrice = { input: fields.input as number, output: fields.output as number };
    if (fields.cachedInput !== undefined) price.cachedInput = fields.cachedInput as number;
    return price;
  }

  /**
   * Price of a response by its resolved model (e.g. gpt-4o-mini-2024-07-18) and `service_tier`
   * (undefined, 'default', 'standard' or 'auto' mean standard; 'flex' is billed as batch). A user
   * price for the exact model wins, then a user price for the base alias (user prices apply to every
   * tier), then the built-in table: the snapshot, then its alias. Undefined when unknown.
   */
  lookup(model: string, serviceTier?: string): ModelPrice | undefined {
    const id = normalizeModel(model);
    const user = this.userPrices.get(id) ?? this.userPrices.get(baseModel(id));
    if (user) return user;
    const tier = priceTierOf(serviceTier);
    if (tier === undefined) return undefined;
    return findBuiltIn(BUILT_IN_PRICES, id)?.[tier];
  }
}

/** Price in USD per 1M tokens -> integer pico-dollars per token (1e-12 USD), exact for up to 6 decimals. */
function picoPerToken(usdPerMillion: number): number {
  return Math.round(usdPerMillion * 1e6);
}

function tokenCount(n: number): number {
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}

/**
 * Exact cost in integer nano-dollars. Computed in pico-dollars (exact for any price with at most 6
 * decimals), then rounded once to the nano-dollar; table prices never need that rounding.
 * Cached tokens beyond the prompt (a misbehaving server) are treated as a fully cached prompt.
 */
export function costUnits(usage: TokenUsage, price: ModelPrice): number {
  const prompt = tokenCount(usage.promptTokens);
  const cached = Math.min(tokenCount(usage.cachedTokens), prompt);
  const completion = tokenCount(usage.completionTokens);
  const pico =
    (prompt - cached) * picoPerToken(price.input) + cached * picoPerToken(price.cachedInput ?? price.input) + completion * picoPerToken(price.output);
  return Math.round(pico / 1000);
}

/** Exact cost in USD: ((prompt - cached) x input + cached x cachedInput + completion x output) / 1e6. */
export function costOf(usage: TokenUsage, price: ModelPrice): number {
  return unitsToUsd(costUnits(usage, price));
}

/** USD -> integer nano-dollars. Exact for any amount produced by `costOf` or `unitsToUsd`. */
export function usdToUnits(usd: number): number {
  return Math.round(usd * UNITS_PER_USD);
}

export function unitsToUsd(units: number): number {
  return units / UNITS_PER_USD;
}

/** Adds USD amounts without float drift (each is taken as a whole number of nano-dollars). */
export function sumUsd(amounts: Iterable<number>): number {
  let units = 0;
  for (const usd of amounts) units += usdToUnits(usd);
  return unitsToUsd(units);
}
