// The cost report's body: spend by day (a 30-day bar chart), by model and by feature, and what the
// money bought (completions accepted, answers used) by feature, model and language and by day. Pure
// HTML built from escaped text, so the webview panel only wraps it in its CSP shell.
import * as l10n from '@vscode/l10n';
import type { CostReport, Totals, ValueFigures } from './cost/tallies';
import { formatUsd } from './cost/format';
import { escapeHtml } from './html';
import { featureLabel, formatShare } from './meterView';
import { PRICE_TABLE_DATE } from './cost/pricing';

export function costReportBody(report: CostReport): string {
  const month = report.month;
  const summary = [
    `${text(l10n.t('Today'))} <strong>${formatUsd(report.today.usd)}</strong> (${text(requestCount(report.today.requests))})`,
    `${text(l10n.t('this month'))} <strong>${formatUsd(month.usd)}</strong> (${text(requestCount(month.requests))})`,
  ];
  if (month.estimatedUsd > 0) summary.push(text(l10n.t('of which estimated {0}', formatUsd(month.estimatedUsd))));
  if (month.unpriced > 0) summary.push(text(l10n.t('{0} requests with unknown price', month.unpriced)));
  const byFeature = Object.fromEntries(Object.entries(report.byFeature).map(([feature, totals]) => [featureLabel(feature), totals]));
  return [
    `<h1>${text(l10n.t('Penny — cost report'))}</h1>`,
    `<p class="summary">${summary.join(' · ')}</p>`,
    `<h2>${text(l10n.t('Last 30 days'))}</h2>`,
    dayChart(report.byDay),
    `<h2>${text(l10n.t('By model'))}</h2>`,
    totalsTable(l10n.t('Model'), report.byModel),
    `<h2>${text(l10n.t('By feature'))}</h2>`,
    totalsTable(l10n.t('Feature'), byFeature),
    `<h2>${text(l10n.t('What it bought'))}</h2>`,
    valueTable(report.value),
    `<h2>${text(l10n.t('What it bought, by day'))}</h2>`,
    valueByDayTable(report.valueByDay),
    `<p class="note">${text(
      l10n.t(
        'Exact costs come from the usage the API reports; requests cancelled or cut off before it arrived are estimated (o200k token counts). Prices as of {0}; override them with the {1} setting.',
        PRICE_TABLE_DATE,
        'penny.prices',
      ),
    )}</p>`,
  ].join('\n');
}

/** Translations are text too: a translator's `<` must not become markup. */
const text = escapeHtml;

function requestCount(count: number): string {
  return count === 1 ? l10n.t('1 request') : l10n.t('{0} requests', count);
}

function totalsTable(label: string, rows: Record<string, Totals>): string {
  const entries = Object.entries(rows).sort((a, b) => b[1].usd - a[1].usd);
  if (entries.length === 0) return `<p class="empty">${text(l10n.t('No requests yet.'))}</p>`;
  const body = entries
    .map(
      ([name, t]) =>
        `<tr><td>${text(name)}</td><td class="num">${t.requests}</td><td class="num">${formatUsd(t.usd)}</td><td class="num">${formatUsd(t.estimatedUsd)}</td><td class="num">${t.unpriced}</td></tr>`,
    )
    .join('');
  const headers = [label, l10n.t('Requests'), l10n.t('Cost'), l10n.t('Estimated part'), l10n.t('Unpriced')];
  return `<table><thead><tr>${headers.map((h) => `<th>${text(h)}</th>`).join('')}</tr></thead><tbody>${body}</tbody></table>`;
}

function dayChart(days: CostReport['byDay']): string {
  const width = 600;
  const height = 120;
  const max = Math.max(...days.map((d) => d.totals.usd), 0);
  const barWidth = width / Math.max(days.length, 1);
  const bars = days
    .map((d, i) => {
      const h = max > 0 ? Math.max(d.totals.usd > 0 ? 1 : 0, (d.totals.usd / max) * (height - 10)) : 0;
      const title = `${d.day}: ${formatUsd(d.totals.usd)} (${requestCount(d.totals.requests)})`;
      return `<rect class="bar" x="${(i * barWidth + 1).toFixed(1)}" y="${(height - h).toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${h.toFixed(1)}"><title>${text(title)}</title></rect>`;
    })
    .join('');
  const first = days[0]?.day ?? '';
  const last = days[days.length - 1]?.day ?? '';
  const label = l10n.t('Daily spend, {0} to {1}; highest {2}', first, last, formatUsd(max));
  return `<svg class="chart" viewBox="0 0 ${width} ${height}" preserveAspectRatio="none" role="img" aria-label="${text(label)}">${bars}</svg><div class="axis"><span>${text(first)}</span><span>${text(l10n.t('max {0}', formatUsd(max)))}</span><span>${text(last)}</span></div>`;
}

/** A figure that is undefined without its denominator ("—"), else formatted. */
function maybe<T>(value: T | null, format: (value: T) => string): string {
  return value === null ? '—' : format(value);
}

function valueCells(v: ValueFigures): string[] {
  const completion = v.feature === 'completion';
  return [
    completion ? String(v.offered) : '—',
    completion ? `${v.accepted} (${maybe(v.acceptanceRate, formatShare)})` : '—',
    completion ? v.acceptedChars.toLocaleString('en-US') : '—',
    completion ? maybe(v.usdPer1kAcceptedChars, formatUsd) : '—',
    completion ? '—' : String(v.usedAnswers),
    completion ? '—' : maybe(v.usdPerUsedAnswer, formatUsd),
  ];
}

const VALUE_HEADERS = () => [
  l10n.t('Offered'),
  l10n.t('Accepted'),
  l10n.t('Accepted characters'),
  l10n.t('Cost per 1,000 accepted characters'),
  l10n.t('Answers used'),
  l10n.t('Cost per used answer'),
];

function table(headers: string[], rows: string[][], numericFrom: number): string {
  const head = headers.map((h) => `<th>${text(h)}</th>`).join('');
  const body = rows.map((cells) => `<tr>${cells.map((cell, i) => `<td${i >= numericFrom ? ' class="num"' : ''}>${text(cell)}</td>`).join('')}</tr>`).join('');
  return `<table class="value"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/** This month by feature, model and language: what each group cost and what became of its answers. */
function valueTable(rows: ValueFigures[]): string {
  if (rows.length === 0) return `<p class="empty">${text(l10n.t('No requests yet.'))}</p>`;
  const headers = [l10n.t('Feature'), l10n.t('Model'), l10n.t('Language'), l10n.t('Requests'), l10n.t('Cost'), ...VALUE_HEADERS()];
  return table(
    headers,
    rows.map((v) => [featureLabel(v.feature), v.model, v.language || '—', String(v.requests), formatUsd(v.usd), ...valueCells(v)]),
    3,
  );
}

/** The days of the last 30 with requests, newest first: completions accepted and answers used. */
function valueByDayTable(days: CostReport['valueByDay']): string {
  const active = days.filter((d) => d.completions.requests + d.answers.requests > 0).reverse();
  if (active.length === 0) return `<p class="empty">${text(l10n.t('No requests yet.'))}</p>`;
  const headers = [l10n.t('Day'), l10n.t('Completion cost'), ...VALUE_HEADERS().slice(0, 4), l10n.t('Answer cost'), ...VALUE_HEADERS().slice(4)];
  const rows = active.map(({ day, completions, answers }) => {
    const c = valueCells(completions);
    const a = valueCells(answers);
    return [day, formatUsd(completions.usd), ...c.slice(0, 4), formatUsd(answers.usd), ...a.slice(4)];
  });
  return table(headers, rows, 1);
}
