// Turns the meter's state into the status bar's text and tooltip. Pure, so it is unit tested.
import { formatTokens, formatUsd } from './cost/format';
import type { MeterState } from './costMeter';

export interface MeterView {
  text: string;
  /** Markdown. */
  tooltip: string;
  severity: 'normal' | 'warning' | 'error';
  accessibleLabel: string;
}

export function meterView(state: MeterState): MeterView {
  const severity = state.budget?.level === 'exceeded' ? 'error' : state.budget?.level === 'warn' ? 'warning' : 'normal';
  const today = `${formatUsd(state.todayUsd)} today`;
  let text: string;
  let label: string;
  if (state.live.length > 0) {
    const live = state.live.reduce<number | null>((sum, r) => (sum === null || r.usd === null ? null : sum + r.usd), 0);
    text = `$(loading~spin) ~${formatUsd(live)} · ${today}`;
    label = `Penny: request running, about ${formatUsd(live)} so far; ${today}`;
  } else if (state.recent.length > 0) {
    const last = state.recent[0];
    const mark = last.exact ? '' : '~';
    text = `$(pulse) ${mark}${formatUsd(last.costUsd)} · ${today}`;
    label = `Penny: last request ${mark}${formatUsd(last.costUsd)}${last.exact ? '' : ' (estimated)'}; ${today}`;
  } else {
    text = `$(pulse) ${today}`;
    label = `Penny: ${today}`;
  }
  if (state.pausedReason) {
    text = `$(debug-pause) ${text}`;
    label += `; ${state.pausedReason}`;
  }
  return { text, tooltip: tooltip(state), severity, accessibleLabel: label };
}

function tooltip(state: MeterState): string {
  const lines: string[] = ['**Penny — cost**', ''];
  if (state.pausedReason) lines.push(`$(debug-pause) ${state.pausedReason}`, '');
  if (state.budget?.message) lines.push(state.budget.message, '');
  const features = Object.entries(state.todayByFeature)
    .map(([feature, usd]) => `${feature} ${formatUsd(usd)}`)
    .join(' · ');
  lines.push(`Today: **${formatUsd(state.todayUsd)}**${features ? ` (${features})` : ''}`, '');
  for (const live of state.live) {
    lines.push(`Running: ${live.feature} · ${live.model} · ${formatTokens(live.tokensIn)} in · ${formatTokens(live.tokensOut)} out · ~${formatUsd(live.usd)}`, '');
  }
  if (state.recent.length > 0) {
    lines.push('| | model | in | cached | out | cost |', '|---|---|--:|--:|--:|--:|');
    for (const r of state.recent) {
      const cost = `${formatUsd(r.costUsd)}${r.exact ? '' : ' (estimated)'}`;
      lines.push(
        `| ${r.feature}${r.outcome === 'ok' ? '' : ` (${r.outcome})`} | ${r.model} | ${formatTokens(r.promptTokens)} | ${formatTokens(r.cachedTokens)} | ${formatTokens(r.completionTokens)} | ${cost} |`,
      );
    }
    lines.push('');
  }
  lines.push('Click for the cost report.');
  return lines.join('\n');
}
