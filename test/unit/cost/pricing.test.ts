import assert from 'node:assert/strict';
import {
  PRICE_TABLE_DATE,
  PriceBook,
  baseModel,
  contextWindow,
  costOf,
  costUnits,
  maxOutputTokens,
  sumUsd,
  unitsToUsd,
  usdToUnits,
  type ModelPrice,
} from '../../../src/core/cost/pricing';
import { mulberry32 } from '../../support/random';

/** The table of openai-wire.md, as [models, standard, batch, priority]. */
const TABLE: [string[], ModelPrice, ModelPrice, ModelPrice][] = [
  [
    ['gpt-4o-mini', 'gpt-4o-mini-2024-07-18'],
    { input: 0.15, cachedInput: 0.075, output: 0.6 },
    { input: 0.075, output: 0.3 },
    { input: 0.25, cachedInput: 0.125, output: 1.0 },
  ],
  [
    ['gpt-4o', 'gpt-4o-2024-08-06', 'gpt-4o-2024-11-20'],
    { input: 2.5, cachedInput: 1.25, output: 10.0 },
    { input: 1.25, output: 5.0 },
    { input: 4.25, cachedInput: 2.125, output: 17.0 },
  ],
  [['gpt-4o-2024-05-13'], { input: 5.0, output: 15.0 }, { input: 2.5, output: 7.5 }, { input: 8.75, output: 26.25 }],
];

/** Deterministic pseudo-random integers, so failures reproduce. */
function randomInts(seed: number): (below: number) => number {
  const random = mulberry32(seed);
  return (below) => Math.floor(random() * below);
}

describe('pricing', () => {
  const book = new PriceBook();

  it('has a dated table', () => {
    assert.match(PRICE_TABLE_DATE, /^\d{4}-\d{2}-\d{2}$/);
  });

  describe('built-in table', () => {
    for (const [models, standard, batch, priority] of TABLE) {
      for (const model of models) {
        it(`prices ${model} in every tier`, () => {
          for (const tier of [undefined, 'default', 'standard', 'auto']) assert.deepEqual(book.lookup(model, tier), standard, `tier ${tier}`);
          assert.deepEqual(book.lookup(model, 'batch'), batch);
          assert.deepEqual(book.lookup(model, 'flex'), batch, 'flex is billed at batch rates');
          assert.deepEqual(book.lookup(model, 'priority'), priority);
        });
      }
    }

    it('matches tier and model names case-insensitively', () => {
      assert.deepEqual(book.lookup('GPT-4o-Mini', 'Priority'), TABLE[0][3]);
    });

    it('knows nothing of an unknown model or tier', () => {
      assert.equal(book.lookup('gpt-3.5-turbo'), undefined);
      assert.equal(book.lookup('llama3.1:8b'), undefined);
      assert.equal(book.lookup(''), undefined);
      assert.equal(book.lookup('gpt-4o-mini', 'scale'), undefined, 'no prices for that tier: unknown rather than wrong');
    });

    it('prices an unknown snapshot by its alias, but a known snapshot by its own row', () => {
      assert.equal(baseModel('gpt-4o-mini-2024-07-18'), 'gpt-4o-mini');
      assert.equal(baseModel('gpt-4o'), 'gpt-4o');
      assert.deepEqual(book.lookup('gpt-4o-mini-2099-01-01'), TABLE[0][1]);
      assert.deepEqual(book.lookup('gpt-4o-2099-01-01', 'priority'), TABLE[1][3]);
      assert.deepEqual(book.lookup('gpt-4o-2024-05-13'), TABLE[2][1]);
    });

    it('knows the context window and output limit of both families', () => {
      for (const model of ['gpt-4o-mini', 'gpt-4o-mini-2024-07-18', 'gpt-4o', 'gpt-4o-2024-05-13', 'gpt-4o-2024-11-20']) {
        assert.equal(contextWindow(model), 128_000, model);
        assert.equal(maxOutputTokens(model), 16_384, model);
      }
      assert.equal(contextWindow('llama3.1'), undefined);
      assert.equal(maxOutputTokens('llama3.1'), undefined);
    });
  });

  describe('costOf', () => {
    it('bills uncached prompt, cached prompt and completion tokens at their prices', () => {
      const mini = book.lookup('gpt-4o-mini-2024-07-18') as ModelPrice;
      // (600 x 0.15 + 400 x 0.075 + 100 x 0.60) / 1e6
      assert.equal(costOf({ promptTokens: 1000, cachedTokens: 400, completionTokens: 100 }, mini), 0.00018);
      assert.equal(costOf({ promptTokens: 1_000_000, cachedTokens: 0, completionTokens: 1_000_000 }, mini), 0.75);
      assert.equal(costOf({ promptTokens: 0, cachedTokens: 0, completionTokens: 0 }, mini), 0);
      const priority = book.lookup('gpt-4o', 'priority') as ModelPrice;
      // (1 x 4.25 + 1 x 2.125 + 1 x 17) / 1e6
      assert.equal(costOf({ promptTokens: 2, cachedTokens: 1, completionTokens: 1 }, priority), 0.000023375);
    });

    it('bills cached tokens at the input price where there is no cache discount', () => {
      const batch = book.lookup('gpt-4o', 'batch') as ModelPrice;
      assert.equal(costOf({ promptTokens: 1000, cachedTokens: 1000, completionTokens: 0 }, batch), 0.00125);
      const old = book.lookup('gpt-4o-2024-05-13') as ModelPrice;
      assert.equal(costOf({ promptTokens: 1000, cachedTokens: 600, completionTokens: 10 }, old), 0.00515);
    });

    it('treats more cached than prompt tokens as a fully cached prompt, and ignores nonsense counts', () => {
      const mini = book.lookup('gpt-4o-mini') as ModelPrice;
      assert.equal(costOf({ promptTokens: 100, cachedTokens: 500, completionTokens: 0 }, mini), 0.0000075);
      assert.equal(costOf({ promptTokens: -5, cachedTokens: NaN, completionTokens: 10 }, mini), 0.000006);
    });

    it('sums a million tiny costs to the exact figure', () => {
      const mini = book.lookup('gpt-4o-mini') as ModelPrice;
      const oneToken = costOf({ promptTokens: 1, cachedTokens: 0, completionTokens: 0 }, mini);
      assert.equal(oneToken, 1.5e-7);
      const costs = new Array<number>(1_000_000).fill(oneToken);
      let naive = 0;
      for (const usd of costs) naive += usd;
      assert.notEqual(naive, 0.15, 'a float sum drifts (this is why sums are kept in integers)');
      assert.equal(sumUsd(costs), 0.15);
      assert.equal(sumUsd(costs), costOf({ promptTokens: 1_000_000, cachedTokens: 0, completionTokens: 0 }, mini));
    });

    it('is additive: the sum of request costs equals the cost of the summed usage', () => {
      const next = randomInts(42);
      for (const [models, standard, batch, priority] of TABLE) {
        for (const price of [standard, batch, priority]) {
          const total = { promptTokens: 0, cachedTokens: 0, completionTokens: 0 };
          let units = 0;
          for (let i = 0; i < 2000; i++) {
            const promptTokens = next(130_000);
            const usage = { promptTokens, cachedTokens: next(promptTokens + 1), completionTokens: next(16_385) };
            units += costUnits(usage, price);
            total.promptTokens += usage.promptTokens;
            total.cachedTokens += usage.cachedTokens;
            total.completionTokens += usage.completionTokens;
          }
          assert.equal(units, costUnits(total, price), `${models[0]} ${JSON.stringify(price)}`);
        }
      }
    });

    it('converts between USD and integer nano-dollars without loss', () => {
      const next = randomInts(7);
      for (let i = 0; i < 100_000; i++) {
        const units = next(2 ** 30) * 2 ** 20 + next(2 ** 20); // up to 2^50 nano-dollars, about 1.1 million USD
        assert.equal(usdToUnits(unitsToUsd(units)), units);
      }
    });

    it('keeps user prices with many decimals exact to the nano-dollar', () => {
      const price = { input: 0.0375, output: 0.123456 };
      assert.equal(costOf({ promptTokens: 1000, cachedTokens: 0, completionTokens: 1000 }, price), 0.000160956);
    });
  });

  describe('user prices', () => {
    it('adds models and overrides the table, exact model first, then its alias', () => {
      const user = new PriceBook({
        'llama3.1': { input: 0, output: 0 },
        'gpt-4o-mini': { input: 1, output: 2 },
        'gpt-4o-2024-08-06': { input: 3, cachedInput: 0.5, output: 4 },
        'gpt-4o': { input: 9, output: 9 },
        'My-Azure-Deployment': { input: 0.15, cachedInput: 0.075, output: 0.6 },
      });
      assert.deepEqual(user.problems, []);
      assert.deepEqual(user.lookup('llama3.1'), { input: 0, output: 0 });
      assert.equal(costOf({ promptTokens: 5000, cachedTokens: 0, completionTokens: 5000 }, user.lookup('llama3.1') as ModelPrice), 0);
      assert.deepEqual(user.lookup('gpt-4o-mini-2024-07-18'), { input: 1, output: 2 }, 'the alias user price beats the built-in snapshot');
      assert.deepEqual(user.lookup('gpt-4o-2024-08-06'), { input: 3, cachedInput: 0.5, output: 4 }, 'the exact user price beats the alias');
      assert.deepEqual(user.lookup('gpt-4o-2024-11-20'), { input: 9, output: 9 });
      assert.deepEqual(user.lookup('gpt-4o-mini', 'priority'), { input: 1, output: 2 }, 'user prices apply to every tier');
      assert.deepEqual(user.lookup('my-azure-deployment'), { input: 0.15, cachedInput: 0.075, output: 0.6 });
      assert.deepEqual(user.lookup('gpt-4o-2024-05-13'), { input: 9, output: 9 });
    });

    it('ignores and reports bad entries, keeping the good ones', () => {
      const user = new PriceBook({
        good: { input: 1, output: 1 },
        negative: { input: -1, output: 1 },
        noOutput: { input: 1 },
        text: { input: '0.15', output: 1 },
        notANumber: { input: NaN, output: 1 },
        infinite: { input: 1, output: Infinity },
        badCached: { input: 1, cachedInput: -0.5, output: 1 },
        nothing: null,
        list: [1, 2],
        '  ': { input: 1, output: 1 },
      } as unknown as Record<string, ModelPrice>);
      assert.deepEqual(user.lookup('good'), { input: 1, output: 1 });
      for (const model of ['negative', 'noOutput', 'text', 'notANumber', 'infinite', 'badCached', 'nothing', 'list']) {
        assert.equal(user.lookup(model), undefined, model);
        assert.ok(
          user.problems.some((problem) => problem.includes(`"${model}"`)),
          `${model} reported in ${JSON.stringify(user.problems)}`,
        );
      }
      assert.equal(user.problems.length, 9);
      assert.match(user.problems.find((p) => p.includes('"negative"')) ?? '', /input must be a number >= 0/);
      assert.match(user.problems.find((p) => p.includes('"badCached"')) ?? '', /cachedInput/);
      assert.match(user.problems.find((p) => p.includes('"  "')) ?? '', /empty/);
    });

    it('reports a misspelt key but keeps the entry', () => {
      const user = new PriceBook({ custom: { input: 1, output: 2, cached_input: 0.5 } } as unknown as Record<string, ModelPrice>);
      assert.deepEqual(user.lookup('custom'), { input: 1, output: 2 });
      assert.equal(user.problems.length, 1);
      assert.match(user.problems[0], /cached_input/);
    });

    it('reports a setting that is not an object at all', () => {
      for (const setting of ['gpt-4o', [], 42]) {
        const user = new PriceBook(setting as unknown as Record<string, ModelPrice>);
        assert.equal(user.problems.length, 1, JSON.stringify(setting));
        assert.deepEqual(user.lookup('gpt-4o-mini'), TABLE[0][1], 'the built-in table still works');
      }
      assert.deepEqual(new PriceBook(undefined).problems, []);
      assert.deepEqual(new PriceBook({}).problems, []);
    });
  });
});
