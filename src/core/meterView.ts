// Turns the meter's state into the status bar's text and tooltip. Pure, so it is unit tested.
import * as l10n from '@vscode/l10n';
import type { Feature, Outcome } from './cost/record';
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
  const today = l10n.t('{0} today', formatUsd(state.todayUsd));
  let text: string;
  let label: string;
  if (state.live.length > 0) {
    const live = state.live.reduce<number | null>((sum, r) => (sum === null || r.usd === null ? null : sum + r.usd), 0);
    text = `$(loading~spin) ~${formatUsd(live)} · ${today}`;
    label = l10n.t('Penny: request running, about {0} so far; {1}', formatUsd(live), today);
  } else if (state.recent.length > 0) {
    const last = state.recent[0];
    text = `$(pulse) ${last.exact ? '' : '~'}${formatUsd(last.costUsd)} · ${today}`;
    label = last.exact
      ? l10n.t('Penny: last request {0}; {1}', formatUsd(last.costUsd), today)
      : l10n.t('Penny: last request ~{0} (estimated); {1}', formatUsd(last.costUsd), today);
  } else {
    text = `$(pulse) ${today}`;
    label = l10n.t('Penny: {0}', today);
  }
  if (state.pausedReason) {
    text = `$(debug-pause) ${text}`;
    label += `; ${state.pausedReason}`;
  }
  return { text, tooltip: tooltip(state), severity, accessibleLabel: label };
}

/** How the cost report and the tooltip name a feature. */
export function featureLabel(feature: Feature | string): string {
  switch (feature) {
    case 'completion':
      return l10n.t('completion');
    case 'chat':
      return l10n.t('chat');
    case 'escalation':
      return l10n.t('escalation');
    default:
      return feature;
  }
}

function outcomeLabel(outcome: Outcome): string {
  switch (outcome) {
    case 'ok':
      return l10n.t('ok');
    case 'cancelled':
      return l10n.t('cancelled');
    case 'error':
      return l10n.t('error');
    case 'cut':
      return l10n.t('cut off');
    case 'stalled':
      return l10n.t('stalled');
    case 'length':
      return l10n.t('token limit');
  }
}

/** What today's money bought: completions accepted and their price per 1,000 characters, answers whose code was used. */
function valueLines(value: MeterState['todayValue']): string[] {
  if (!value) return [];
  const lines: string[] = [];
  const { completions, answers } = value;
  if (completions.offered > 0) {
    const rate = formatShare(completions.acceptanceRate ?? 0);
    const per1k =
      completions.usdPer1kAcceptedChars === null ? '' : ` · ${l10n.t('{0} per 1,000 accepted characters', formatUsd(completions.usdPer1kAcceptedChars))}`;
    lines.push(
      l10n.t('Completions: {0} of {1} accepted ({2}), {3} characters', completions.accepted, completions.offered, rate, completions.acceptedChars) + per1k,
    );
  }
  if (answers.requests > 0) {
    const perUsed = answers.usdPerUsedAnswer === null ? '' : ` · ${l10n.t('{0} per used answer', formatUsd(answers.usdPerUsedAnswer))}`;
    lines.push(l10n.t('Answers: code used from {0} of {1}', answers.usedAnswers, answers.requests) + perUsed);
  }
  return lines.length > 0 ? [lines.join('  \n'), ''] : [];
}

/** A share as a whole percentage ("30%"). */
export function formatShare(share: number): string {
  return `${Math.round(share * 100)}%`;
}

function tooltip(state: MeterState): string {
  const lines: string[] = [`**${l10n.t('Penny — cost')}**`, ''];
  if (state.pausedReason) lines.push(`$(debug-pause) ${state.pausedReason}`, '');
  if (state.budget?.message) lines.push(state.budget.message, '');
  const features = Object.entries(state.todayByFeature)
    .map(([feature, usd]) => `${featureLabel(feature)} ${formatUsd(usd)}`)
    .join(' · ');
  const todayTotal = `**${formatUsd(state.todayUsd)}**`;
  lines.push(features ? l10n.t('Today: {0} ({1})', todayTotal, features) : l10n.t('Today: {0}', todayTotal), '');
  lines.push(...valueLines(state.todayValue));
  for (const live of state.live) {
    lines.push(
      l10n.t(
        'Running: {0} · {1} · {2} in · {3} out · ~{4}',
        featureLabel(live.feature),
        live.model,
        formatTokens(live.tokensIn),
        formatTokens(live.tokensOut),
        formatUsd(live.usd),
      ),
      '',
    );
  }
  if (state.recent.length > 0) {
    const header = [l10n.t('model'), l10n.t('in'), l10n.t('cached'), l10n.t('out'), l10n.t('cost')];
    lines.push(`| | ${header.join(' | ')} |`, '|---|---|--:|--:|--:|--:|');
    for (const r of state.recent) {
      const cost = r.exact ? formatUsd(r.costUsd) : l10n.t('{0} (estimated)', formatUsd(r.costUsd));
      const feature = r.outcome === 'ok' ? featureLabel(r.feature) : `${featureLabel(r.feature)} (${outcomeLabel(r.outcome)})`;
      lines.push(
        `| ${feature} | ${r.model} | ${formatTokens(r.promptTokens)} | ${formatTokens(r.cachedTokens)} | ${formatTokens(r.completionTokens)} | ${cost} |`,
      );
    }
    lines.push('');
  }
  lines.push(l10n.t('Click for the cost report.'));
  return lines.join('\n');
}
