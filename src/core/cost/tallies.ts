// Spending added up: per local day (what the ledger caches per file), then into the cost report or
// into today's and this month's totals. Money is summed in integer nano-dollars (see pricing.ts), so
// totals are exact. Pure: the days come in, totals go out.

import { localDay, localMonth, utcMonth } from './dates';
import { unitsToUsd, usdToUnits } from './pricing';
import type { LedgerRecord } from './record';

export interface Totals {
  /** Everything priced, estimated costs included. */
  usd: number;
  requests: number;
  /** Requests whose price is unknown (not in `usd`). */
  unpriced: number;
  /** The part of `usd` that is estimated rather than reported by the API. */
  estimatedUsd: number;
}

export interface CostReport {
  /** The local day of `now()`. */
  today: Totals;
  /** The local calendar month of `now()`. */
  month: Totals;
  /** The last 30 local days, oldest first, days without requests included; `day` is YYYY-MM-DD. */
  byDay: { day: string; totals: Totals }[];
  /** This local calendar month, by model. */
  byModel: Record<string, Totals>;
  /** This local calendar month, by feature. */
  byFeature: Record<string, Totals>;
}

/** What the budgets and the status bar need: one pass over this month's days. */
export interface PeriodTotals {
  /** The local day of `now()`. */
  today: Totals;
  /** The local calendar month of `now()`. */
  month: Totals;
  /** Today's spend in USD by feature. */
  todayByFeature: Record<string, number>;
}

const REPORT_DAYS = 30;

/** Running sums; money in integer nano-dollars so totals are exact. */
export class Tally {
  units = 0;
  requests = 0;
  unpriced = 0;
  estimatedUnits = 0;

  add(units: number | null, exact: boolean): void {
    this.requests++;
    if (units === null) {
      this.unpriced++;
      return;
    }
    this.units += units;
    if (!exact) this.estimatedUnits += units;
  }

  merge(other: Tally): void {
    this.units += other.units;
    this.requests += other.requests;
    this.unpriced += other.unpriced;
    this.estimatedUnits += other.estimatedUnits;
  }

  toTotals(): Totals {
    return {
      usd: unitsToUsd(this.units),
      requests: this.requests,
      unpriced: this.unpriced,
      estimatedUsd: unitsToUsd(this.estimatedUnits),
    };
  }
}

/** One local day's spending, in all and by model and feature. */
export class DayTally {
  readonly total = new Tally();
  readonly byModel = new Map<string, Tally>();
  readonly byFeature = new Map<string, Tally>();

  add(record: LedgerRecord): void {
    const units = record.costUsd === null ? null : usdToUnits(record.costUsd);
    this.total.add(units, record.exact);
    tallyFor(this.byModel, record.model).add(units, record.exact);
    tallyFor(this.byFeature, record.feature).add(units, record.exact);
  }
}

/** A local day (YYYY-MM-DD) and its tally. */
export type DayEntry = readonly [day: string, tally: DayTally];

/** Adds a record to the tally of its local day in `days`. */
export function addToDay(days: Map<string, DayTally>, day: string, record: LedgerRecord): void {
  let tally = days.get(day);
  if (!tally) days.set(day, (tally = new DayTally()));
  tally.add(record);
}

function tallyFor(map: Map<string, Tally>, key: string): Tally {
  let tally = map.get(key);
  if (!tally) map.set(key, (tally = new Tally()));
  return tally;
}

function mergeInto(target: Map<string, Tally>, source: Map<string, Tally>): void {
  for (const [key, tally] of source) tallyFor(target, key).merge(tally);
}

function totalsOf(map: Map<string, Tally>): Record<string, Totals> {
  const result: Record<string, Totals> = {};
  for (const [key, tally] of map) result[key] = tally.toTotals();
  return result;
}

/** Local midnight `daysBack` days before the day of `now`. */
function daysBefore(now: Date, daysBack: number): Date {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate() - daysBack);
}

/** Local midnight of the first day of the local month of `now`. */
function monthStart(now: Date): Date {
  return new Date(now.getFullYear(), now.getMonth(), 1);
}

/** The UTC month of the first file that can hold a record of this local month. */
export function monthFirstFile(now: Date): string {
  return utcMonth(monthStart(now));
}

/** The UTC month of the first file that can hold a record of the report: the last 30 local days and this local month. */
export function reportFirstFile(now: Date): string {
  const firstDay = daysBefore(now, REPORT_DAYS - 1);
  return utcMonth(firstDay < monthStart(now) ? firstDay : monthStart(now));
}

/** The cost report at `now` from the day tallies of (at least) the files from `reportFirstFile(now)` on. */
export function costReport(days: Iterable<DayEntry>, now: Date): CostReport {
  const thisMonth = localMonth(now);
  const windowDays: string[] = [];
  for (let back = REPORT_DAYS - 1; back >= 0; back--) windowDays.push(localDay(daysBefore(now, back)));
  const byDay = new Map(windowDays.map((day) => [day, new Tally()]));
  const month = new Tally();
  const byModel = new Map<string, Tally>();
  const byFeature = new Map<string, Tally>();
  for (const [day, tally] of days) {
    byDay.get(day)?.merge(tally.total);
    if (day.startsWith(thisMonth)) {
      month.merge(tally.total);
      mergeInto(byModel, tally.byModel);
      mergeInto(byFeature, tally.byFeature);
    }
  }
  const totalsOn = (day: string): Totals => (byDay.get(day) as Tally).toTotals();
  return {
    today: totalsOn(windowDays[REPORT_DAYS - 1]),
    month: month.toTotals(),
    byDay: windowDays.map((day) => ({ day, totals: totalsOn(day) })),
    byModel: totalsOf(byModel),
    byFeature: totalsOf(byFeature),
  };
}

/** Today's and this month's totals at `now` from the day tallies of (at least) the files from `monthFirstFile(now)` on. */
export function periodTotals(days: Iterable<DayEntry>, now: Date): PeriodTotals {
  const today = localDay(now);
  const thisMonth = localMonth(now);
  const todayTally = new Tally();
  const month = new Tally();
  const todayByFeature = new Map<string, Tally>();
  for (const [day, tally] of days) {
    if (!day.startsWith(thisMonth)) continue;
    month.merge(tally.total);
    if (day !== today) continue;
    todayTally.merge(tally.total);
    mergeInto(todayByFeature, tally.byFeature);
  }
  const byFeatureUsd: Record<string, number> = {};
  for (const [feature, tally] of todayByFeature) byFeatureUsd[feature] = unitsToUsd(tally.units);
  return { today: todayTally.toTotals(), month: month.toTotals(), todayByFeature: byFeatureUsd };
}
