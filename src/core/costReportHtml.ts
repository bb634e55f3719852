// The cost report's body: spend by day (a 30-day bar chart), by model and by feature. Pure HTML
// built from escaped text, so the webview panel only wraps it in its CSP shell.
import type { CostReport, Totals } from './cost/ledger';
import { formatUsd } from './cost/format';
import { PRICE_TABLE_DATE } from './cost/pricing';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function costReportBody(report: CostReport): string {
  return [
    '<h1>Penny — cost report</h1>',
    `<p class="summary">Today <strong>${formatUsd(report.today.usd)}</strong> (${report.today.requests} requests) · ` +
      `this month <strong>${formatUsd(report.month.usd)}</strong> (${report.month.requests} requests)` +
      `${report.month.estimatedUsd > 0 ? ` · of which estimated ${formatUsd(report.month.estimatedUsd)}` : ''}` +
      `${report.month.unpriced > 0 ? ` · ${report.month.unpriced} requests with unknown price` : ''}</p>`,
    '<h2>Last 30 days</h2>',
    dayChart(report.byDay),
    '<h2>By model</h2>',
    totalsTable('Model', report.byModel),
    '<h2>By feature</h2>',
    totalsTable('Feature', report.byFeature),
    `<p class="note">Exact costs come from the usage the API reports; requests cancelled or cut off before it arrived are estimated (o200k token counts). Prices as of ${escapeHtml(PRICE_TABLE_DATE)}; override them with <code>penny.prices</code>.</p>`,
  ].join('\n');
}

function totalsTable(label: string, rows: Record<string, Totals>): string {
  const entries = Object.entries(rows).sort((a, b) => b[1].usd - a[1].usd);
  if (entries.length === 0) return '<p class="empty">No requests yet.</p>';
  const body = entries
    .map(
      ([name, t]) =>
        `<tr><td>${escapeHtml(name)}</td><td class="num">${t.requests}</td><td class="num">${formatUsd(t.usd)}</td><td class="num">${formatUsd(t.estimatedUsd)}</td><td class="num">${t.unpriced}</td></tr>`,
    )
    .join('');
  return `<table><thead><tr><th>${label}</th><th>Requests</th><th>Cost</th><th>Estimated part</th><th>Unpriced</th></tr></thead><tbody>${body}</tbody></table>`;
}

function dayChart(days: CostReport['byDay']): string {
  const width = 600;
  const height = 120;
  const max = Math.max(...days.map((d) => d.totals.usd), 0);
  const barWidth = width / Math.max(days.length, 1);
  const bars = days
    .map((d, i) => {
      const h = max > 0 ? Math.max(d.totals.usd > 0 ? 1 : 0, (d.totals.usd / max) * (height - 10)) : 0;
      return `<rect class="bar" x="${(i * barWidth + 1).toFixed(1)}" y="${(height - h).toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${h.toFixed(1)}"><title>${escapeHtml(d.day)}: ${formatUsd(d.totals.usd)} (${d.totals.requests} requests)</title></rect>`;
    })
    .join('');
  const first = days[0]?.day ?? '';
  const last = days[days.length - 1]?.day ?? '';
  return `<svg class="chart" viewBox="0 0 ${width} ${height}" preserveAspectRatio="none" role="img" aria-label="Daily spend, ${escapeHtml(first)} to ${escapeHtml(last)}; highest ${formatUsd(max)}">${bars}</svg><div class="axis"><span>${escapeHtml(first)}</span><span>max ${formatUsd(max)}</span><span>${escapeHtml(last)}</span></div>`;
}
