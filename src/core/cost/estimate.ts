// Live cost of a request while it streams, and the cost to record if usage never arrives
// (a cancelled or broken stream is still billed for its prompt and what was generated).

import { costOf, type ModelPrice, type TokenUsage } from './pricing';
import { countTextTokens } from './tokenCount';

/**
 * Longest stretch without a safe split point kept uncounted before it is counted anyway, so text
 * without spaces (minified code, base64) cannot make each delta re-count an ever-growing tail.
 */
const MAX_PENDING_CHARS = 256;

/**
 * Index of the last space that follows a non-whitespace character, or -1. o200k's pre-tokenizer always
 * starts a new piece there (no piece ends in a space after a non-space), and BPE never merges across
 * pieces, so counting the text before and after separately gives the same total as counting it whole.
 */
function lastSafeSplit(text: string): number {
  for (let i = text.length - 1; i > 0; i--) {
    if (text.charCodeAt(i) === 0x20 && !/\s/.test(text[i - 1])) return i;
  }
  return -1;
}

export class RequestCostEstimator {
  private countedTokens = 0;
  /** Streamed text not yet counted for good: the piece after the last safe split point. */
  private pending = '';
  private pendingTokens = 0;

  constructor(
    private readonly promptTokens: number,
    private readonly price: ModelPrice | undefined,
  ) {}

  /**
   * Adds a streamed delta. Text is counted once up to the last safe split point; only the short
   * unfinished tail is re-counted per delta, so the total matches counting the whole answer.
   */
  addCompletionText(text: string): void {
    if (text.length === 0) return;
    this.pending += text;
    let split = lastSafeSplit(this.pending);
    if (split <= 0 && this.pending.length > MAX_PENDING_CHARS) split = this.pending.length;
    if (split > 0) {
      this.countedTokens += countTextTokens(this.pending.slice(0, split));
      this.pending = this.pending.slice(split);
    }
    this.pendingTokens = countTextTokens(this.pending);
  }

  get completionTokens(): number {
    return this.countedTokens + this.pendingTokens;
  }

  current(): { usage: TokenUsage; usd: number | null } {
    const usage: TokenUsage = { promptTokens: this.promptTokens, cachedTokens: 0, completionTokens: this.completionTokens };
    return { usage, usd: this.price ? costOf(usage, this.price) : null };
  }
}
