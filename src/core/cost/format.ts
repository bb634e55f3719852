// Money and token counts for people: short, and precise enough that small costs are not shown as $0.00.
import * as l10n from '@vscode/l10n';

/** Significant digits shown below one dollar, where cents would hide the cost of most requests. */
const SMALL_AMOUNT_DIGITS = 2;

function withThousands(integer: string): string {
  return integer.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * `$0` for zero, `price unknown` for null; below $1, two significant digits with at least two
 * decimals and no trailing zeros beyond them ($0.00021, $0.0042, $0.013, $0.50); from $1 on,
 * cents with thousands separators ($1.23, $12.35, $1,234.57).
 */
export function formatUsd(usd: number | null): string {
  if (usd === null) return l10n.t('price unknown');
  if (!Number.isFinite(usd)) return String(usd);
  if (usd === 0) return '$0';
  const sign = usd < 0 ? '-' : '';
  const amount = Math.abs(usd);
  const rounded = Number(amount.toPrecision(SMALL_AMOUNT_DIGITS));
  if (rounded < 1) {
    const decimals = Math.max(2, SMALL_AMOUNT_DIGITS - 1 - Math.floor(Math.log10(rounded)));
    return `${sign}$${rounded.toFixed(decimals).replace(/(\.\d\d\d*?)0+$/, '$1')}`;
  }
  const [integer, cents] = amount.toFixed(2).split('.');
  return `${sign}$${withThousands(integer)}.${cents}`;
}

/** One decimal below 100 of a unit (12.3k), none from there on (123k). */
function scaled(count: number, scale: number): string {
  const value = count / scale;
  return Math.abs(value) < 99.95 ? value.toFixed(1).replace(/\.0$/, '') : value.toFixed(0);
}

/** Tokens: `999`, `1,234`, `12.3k`, `123k`, `1.2M`, `3.4B`. */
export function formatTokens(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const count = Math.round(n);
  const size = Math.abs(count);
  if (size < 10_000) return (count < 0 ? '-' : '') + withThousands(String(size));
  // Thresholds sit where rounding would show 1000 of a unit, so 999,999 reads 1M, not 1000k.
  if (size < 999_500) return `${scaled(count, 1e3)}k`;
  if (size < 999_500_000) return `${scaled(count, 1e6)}M`;
  return `${scaled(count, 1e9)}B`;
}
