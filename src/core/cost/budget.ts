// Daily and monthly budgets: how close the spend is, whether to block, and warning once per threshold.

import * as l10n from '@vscode/l10n';
import { localDay, localMonth } from './dates';
import { formatUsd } from './format';
import { usdToUnits } from './pricing';

export interface BudgetSettings {
  daily: number | null;
  monthly: number | null;
  enforce: boolean;
}

export type BudgetLevel = 'ok' | 'warn' /* >= 80% */ | 'exceeded'; /* >= 100% */

export interface BudgetStatus {
  level: BudgetLevel;
  /** exceeded && enforce */
  blocked: boolean;
  period?: 'daily' | 'monthly';
  spent?: number;
  limit?: number;
  /** Human text, e.g. "Daily budget $1.00: $0.82 spent (82%)". */
  message?: string;
}

type Period = 'daily' | 'monthly';
const LEVEL_RANK: Record<BudgetLevel, number> = { ok: 0, warn: 1, exceeded: 2 };

/** A limit that is not a number >= 0 (e.g. a hand-edited setting) means no budget. */
function isLimit(limit: number | null): limit is number {
  return typeof limit === 'number' && Number.isFinite(limit) && limit >= 0;
}

interface PeriodStatus {
  period: Period;
  level: BudgetLevel;
  spent: number;
  limit: number;
  /** Spent / limit in whole percent, rounded down (a zero budget counts as fully used). */
  percent: number;
}

function periodStatus(period: Period, spent: number, limit: number): PeriodStatus {
  // Compared in integer nano-dollars: 0.08 of a 0.10 budget is exactly 80%, which floats get wrong.
  const spentUnits = usdToUnits(Math.max(0, spent));
  const limitUnits = usdToUnits(limit);
  const level: BudgetLevel = spentUnits >= limitUnits ? 'exceeded' : spentUnits * 5 >= limitUnits * 4 ? 'warn' : 'ok';
  const percent = limitUnits === 0 ? 100 : Math.floor((spentUnits * 100) / limitUnits);
  return { period, level, spent, limit, percent };
}

function limitText(limit: number): string {
  return `$${limit.toFixed(2)}`;
}

function messageOf(status: PeriodStatus, enforce: boolean): string {
  const limit = limitText(status.limit);
  const spent = formatUsd(status.spent);
  const base =
    status.period === 'daily'
      ? l10n.t('Daily budget {0}: {1} spent ({2}%)', limit, spent, status.percent)
      : l10n.t('Monthly budget {0}: {1} spent ({2}%)', limit, spent, status.percent);
  if (status.level !== 'exceeded') return base;
  if (!enforce) return l10n.t('{0}. Budget reached.', base);
  return status.period === 'daily'
    ? l10n.t('{0}. Budget reached: new requests are paused until tomorrow.', base)
    : l10n.t('{0}. Budget reached: new requests are paused until next month.', base);
}

/**
 * Status of the worse of the two budgets: the higher level, then the higher share spent; on a tie the
 * monthly one, which lasts longer. Without any budget: `{ level: 'ok', blocked: false }`.
 */
export function budgetStatus(spentToday: number, spentMonth: number, settings: BudgetSettings): BudgetStatus {
  const candidates: PeriodStatus[] = [];
  if (isLimit(settings.daily)) candidates.push(periodStatus('daily', spentToday, settings.daily));
  if (isLimit(settings.monthly)) candidates.push(periodStatus('monthly', spentMonth, settings.monthly));
  if (candidates.length === 0) return { level: 'ok', blocked: false };
  const worst = candidates.reduce((a, b) => {
    const byLevel = LEVEL_RANK[b.level] - LEVEL_RANK[a.level];
    if (byLevel !== 0) return byLevel > 0 ? b : a;
    return b.percent >= a.percent ? b : a;
  });
  return {
    level: worst.level,
    blocked: worst.level === 'exceeded' && settings.enforce,
    period: worst.period,
    spent: worst.spent,
    limit: worst.limit,
    message: messageOf(worst, settings.enforce),
  };
}

/** Lets the UI warn once at 80% and once at 100% of each budget, per day or month. */
export class BudgetWarnings {
  private readonly shown = new Set<string>();

  /**
   * Returns the status only the first time its (period, level, periodKey) is reached, else undefined.
   * `periodKey` names the day or month (see `budgetPeriodKey`), so a new period warns again.
   * 'ok' never warns.
   */
  check(status: BudgetStatus, periodKey: string): BudgetStatus | undefined {
    if (status.level === 'ok' || status.period === undefined) return undefined;
    // The limit is part of the key: after the user raises a budget, reaching 80% of the new one warns again.
    const key = `${status.period}|${status.level}|${status.limit}|${periodKey}`;
    if (this.shown.has(key)) return undefined;
    this.shown.add(key);
    return status;
  }
}

/** The local day (YYYY-MM-DD) or month (YYYY-MM) a budget period covers at `now`: the key for `BudgetWarnings.check`. */
export function budgetPeriodKey(period: 'daily' | 'monthly', now: Date): string {
  return period === 'daily' ? localDay(now) : localMonth(now);
}
