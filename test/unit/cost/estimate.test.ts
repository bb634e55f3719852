import assert from 'node:assert/strict';
import { RequestCostEstimator } from '../../../src/core/cost/estimate';
import { PriceBook, costOf, type ModelPrice } from '../../../src/core/cost/pricing';
import { countTextTokens, warmUpTokenizer } from '../../../src/core/cost/tokenCount';

const mini = new PriceBook().lookup('gpt-4o-mini') as ModelPrice;

/** Splits text into deltas of 1 to 7 characters, like a stream of small chunks. */
function deltas(text: string): string[] {
  const pieces: string[] = [];
  for (let i = 0, size = 1; i < text.length; i += size, size = (size % 7) + 1) pieces.push(text.slice(i, i + size));
  return pieces;
}

const ANSWERS = [
  'The quick brown fox jumps over the lazy dog. It was not amused, and said so twice.',
  'function add(a, b) {\n  return a + b;\n}\n\nconsole.log(add(1, 2)); // 3\n',
  '```ts\nconst xs = [1, 2, 3].map((x) => x * 2);\n```\n  Indented  text\twith\ttabs  and   runs of   spaces. ',
  'Ünïcödé wörds, 日本語のテキスト, emoji 😀🎉 and numbers 1234567 3.14159 -42.',
  'A line\r\nwith CRLF\r\n\r\nand a blank line, then <|endoftext|> as text.',
];

describe('RequestCostEstimator', () => {
  before(function () {
    this.timeout(30_000); // loading the encoder takes ~0.4 s, more on a busy machine
    warmUpTokenizer();
  });

  it('starts with the prompt alone', () => {
    const estimator = new RequestCostEstimator(1000, mini);
    assert.equal(estimator.completionTokens, 0);
    assert.deepEqual(estimator.current(), {
      usage: { promptTokens: 1000, cachedTokens: 0, completionTokens: 0 },
      usd: 0.00015,
    });
  });

  it('counts streamed deltas exactly as the whole answer would be counted', () => {
    for (const answer of ANSWERS) {
      const estimator = new RequestCostEstimator(0, mini);
      for (const delta of deltas(answer)) estimator.addCompletionText(delta);
      assert.equal(estimator.completionTokens, countTextTokens(answer), JSON.stringify(answer));
    }
  });

  it('prices the tokens so far', () => {
    const estimator = new RequestCostEstimator(1200, mini);
    for (const delta of deltas(ANSWERS[0])) estimator.addCompletionText(delta);
    const { usage, usd } = estimator.current();
    assert.deepEqual(usage, { promptTokens: 1200, cachedTokens: 0, completionTokens: countTextTokens(ANSWERS[0]) });
    assert.equal(usd, costOf(usage, mini));
  });

  it('has no price for an unknown model, but still counts', () => {
    const estimator = new RequestCostEstimator(50, undefined);
    estimator.addCompletionText('Hello there');
    assert.equal(estimator.completionTokens, 2);
    assert.equal(estimator.current().usd, null);
  });

  it('stays close on long text without spaces, and ignores empty deltas', () => {
    const base64 = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919) % 256)).toString('base64');
    const estimator = new RequestCostEstimator(0, mini);
    estimator.addCompletionText('');
    for (const delta of deltas(base64)) estimator.addCompletionText(delta);
    const exact = countTextTokens(base64);
    assert.ok(Math.abs(estimator.completionTokens - exact) <= exact * 0.02, `${estimator.completionTokens} vs ${exact}`);
  });

  // Re-counting the whole answer per delta would take minutes here and trip mocha's 2 s timeout.
  it('keeps up with a long stream (no re-count of the whole answer per delta)', () => {
    const estimator = new RequestCostEstimator(0, mini);
    for (let i = 0; i < 20_000; i++) estimator.addCompletionText(i % 10 === 9 ? ' word.\n' : ' word');
    assert.equal(estimator.completionTokens, countTextTokens(Array.from({ length: 20_000 }, (_, i) => (i % 10 === 9 ? ' word.\n' : ' word')).join('')));
  });
});
