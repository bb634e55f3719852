import assert from 'node:assert/strict';
import { formatTokens, formatUsd } from '../../../src/core/cost/format';

describe('format', () => {
  it('shows small amounts with two significant digits', () => {
    const cases: [number | null, string][] = [
      [null, 'price unknown'],
      [0, '$0'],
      [0.000214, '$0.00021'],
      [0.00021, '$0.00021'],
      [0.0042, '$0.0042'],
      [0.004, '$0.004'],
      [0.00406, '$0.0041'],
      [0.013, '$0.013'],
      [0.0999, '$0.10'],
      [0.5, '$0.50'],
      [0.123, '$0.12'],
      [0.00000015, '$0.00000015'],
      [0.99, '$0.99'],
      [0.9999, '$1.00'],
    ];
    for (const [usd, text] of cases) assert.equal(formatUsd(usd), text, String(usd));
  });

  it('shows cents from one dollar on', () => {
    const cases: [number, string][] = [
      [1, '$1.00'],
      [1.234, '$1.23'],
      [12.345678, '$12.35'],
      [1234.567, '$1,234.57'],
      [1234567.891, '$1,234,567.89'],
      [-0.0042, '-$0.0042'],
      [-2.5, '-$2.50'],
    ];
    for (const [usd, text] of cases) assert.equal(formatUsd(usd), text, String(usd));
  });

  it('shortens token counts', () => {
    const cases: [number, string][] = [
      [0, '0'],
      [999, '999'],
      [1234, '1,234'],
      [9999, '9,999'],
      [10_000, '10k'],
      [12_345, '12.3k'],
      [99_949, '99.9k'],
      [99_960, '100k'],
      [123_456, '123k'],
      [999_499, '999k'],
      [999_999, '1M'],
      [1_234_567, '1.2M'],
      [45_600_000, '45.6M'],
      [3_400_000_000, '3.4B'],
      [-1234, '-1,234'],
      [12.6, '13'],
    ];
    for (const [n, text] of cases) assert.equal(formatTokens(n), text, String(n));
  });
});
