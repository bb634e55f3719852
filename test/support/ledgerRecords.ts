// Ledger records like a day of coding, for the slow tests and the ledger benchmark.
import type { Feature, LedgerRecord, Outcome } from '../../src/core/cost/record';
import { costOf, type PriceBook } from '../../src/core/cost/pricing';

/** A record of a day of coding at `time`: mostly small completions, some chat, a few escalations; some cancelled or unpriced. */
export function randomLedgerRecord(time: Date, next: () => number, prices: PriceBook): LedgerRecord {
  const roll = next();
  const feature: Feature = roll < 0.85 ? 'completion' : roll < 0.98 ? 'chat' : 'escalation';
  const model = feature === 'escalation' ? 'gpt-4o-2024-08-06' : 'gpt-4o-mini-2024-07-18';
  const promptTokens = feature === 'completion' ? 400 + Math.floor(next() * 1200) : 800 + Math.floor(next() * 12_000);
  const completionTokens = feature === 'completion' ? Math.floor(next() * 64) : 50 + Math.floor(next() * 1500);
  const outcome: Outcome = next() < 0.12 ? 'cancelled' : next() < 0.01 ? 'error' : 'ok';
  const cachedTokens = outcome !== 'cancelled' && next() < 0.4 ? Math.floor((promptTokens * next()) / 128) * 128 : 0;
  const tier = next() < 0.995 ? 'default' : 'mystery'; // an unknown tier: price unknown
  const price = prices.lookup(model, tier);
  const usage = { promptTokens, cachedTokens, completionTokens };
  return {
    time: time.toISOString(),
    feature,
    model,
    tier,
    ...usage,
    costUsd: price ? costOf(usage, price) : null,
    exact: outcome !== 'cancelled',
    latencyMs: Math.floor(150 + next() * 3000),
    outcome,
    id: `r-${Math.floor(next() * 2 ** 52).toString(16)}`,
  };
}
