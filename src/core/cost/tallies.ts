// Spending added up: per local day (what the ledger caches per file), then into the cost report or
// into today's and this month's totals. Money is summed in integer nano-dollars (see pricing.ts), so
// totals are exact. Pure: the days come in, totals go out.

import { localDay, localMonth, utcMonth } from './dates';
import { unitsToUsd, usdToUnits } from './pricing';
import { isRequestLine, type Feature, type LedgerRecord, type ParsedLine, type UseRecord } from './record';

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
  /** What the money bought this local month, by feature, model and language (most spent first). */
  value: ValueFigures[];
  /** What the money bought on each of the last 30 local days, oldest first: completions and answers. */
  valueByDay: { day: string; completions: ValueFigures; answers: ValueFigures }[];
}

/** What a group of requests cost and what became of their answers. */
export interface ValueFigures {
  /** The group: a feature, model and language, or '' where the figures add up several. */
  feature: string;
  model: string;
  language: string;
  requests: number;
  /** Priced cost of the requests (estimates included). */
  usd: number;
  /** Completions shown, accepted (Tab) and typed out by the user while shown. */
  offered: number;
  accepted: number;
  acceptedChars: number;
  typedThrough: number;
  typedChars: number;
  /** accepted / offered; null when nothing was offered. */
  acceptanceRate: number | null;
  /** USD per 1,000 accepted characters; null when none were accepted. */
  usdPer1kAcceptedChars: number | null;
  /** Answers whose code was used (copied, inserted, applied, opened as a file) and escalated rewrites applied. */
  usedAnswers: number;
  rewritesApplied: number;
  /** USD per answer whose code was used; null when none was. */
  usdPerUsedAnswer: number | null;
}

/** What the budgets and the status bar need: one pass over this month's days. */
export interface PeriodTotals {
  /** The local day of `now()`. */
  today: Totals;
  /** The local calendar month of `now()`. */
  month: Totals;
  /** Today's spend in USD by feature. */
  todayByFeature: Record<string, number>;
  /** What today's completions and answers bought. */
  todayValue: { completions: ValueFigures; answers: ValueFigures };
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

/** Requests and what became of their answers, for one feature, model and language. */
export class ValueTally {
  requests = 0;
  units = 0;
  offered = 0;
  accepted = 0;
  acceptedChars = 0;
  typedThrough = 0;
  typedChars = 0;
  usedAnswers = 0;
  rewritesApplied = 0;

  addRequest(record: LedgerRecord): void {
    this.requests++;
    if (record.costUsd !== null) this.units += usdToUnits(record.costUsd);
  }

  addUse(use: UseRecord): void {
    switch (use.use) {
      case 'offered':
        this.offered++;
        return;
      case 'accepted':
        this.accepted++;
        this.acceptedChars += use.chars ?? 0;
        return;
      case 'acceptedMore':
        this.acceptedChars += use.chars ?? 0;
        return;
      case 'typedThrough':
        this.typedThrough++;
        this.typedChars += use.chars ?? 0;
        return;
      case 'used':
        this.usedAnswers++;
        return;
      case 'rewriteApplied':
        this.rewritesApplied++;
        return;
      // A use a newer Penny writes is kept in the file and counted by that Penny.
    }
  }

  merge(other: ValueTally): void {
    this.requests += other.requests;
    this.units += other.units;
    this.offered += other.offered;
    this.accepted += other.accepted;
    this.acceptedChars += other.acceptedChars;
    this.typedThrough += other.typedThrough;
    this.typedChars += other.typedChars;
    this.usedAnswers += other.usedAnswers;
    this.rewritesApplied += other.rewritesApplied;
  }

  figures(feature: string, model: string, language: string): ValueFigures {
    const usd = unitsToUsd(this.units);
    return {
      feature,
      model,
      language,
      requests: this.requests,
      usd,
      offered: this.offered,
      accepted: this.accepted,
      acceptedChars: this.acceptedChars,
      typedThrough: this.typedThrough,
      typedChars: this.typedChars,
      acceptanceRate: this.offered > 0 ? this.accepted / this.offered : null,
      usdPer1kAcceptedChars: this.acceptedChars > 0 ? unitsToUsd((this.units * 1000) / this.acceptedChars) : null,
      usedAnswers: this.usedAnswers,
      rewritesApplied: this.rewritesApplied,
      usdPerUsedAnswer: this.usedAnswers > 0 ? unitsToUsd(this.units / this.usedAnswers) : null,
    };
  }
}

const KEY_SEPARATOR = '\u0000';
const valueKey = (feature: string, model: string, language: string | undefined) => [feature, model, language ?? ''].join(KEY_SEPARATOR);
const isCompletion = (feature: string) => feature === ('completion' satisfies Feature);

/** One local day's spending, in all and by model and feature, and its value by feature, model and language. */
export class DayTally {
  readonly total = new Tally();
  readonly byModel = new Map<string, Tally>();
  readonly byFeature = new Map<string, Tally>();
  readonly value = new Map<string, ValueTally>();

  add(record: LedgerRecord): void {
    const units = record.costUsd === null ? null : usdToUnits(record.costUsd);
    this.total.add(units, record.exact);
    tallyFor(this.byModel, record.model).add(units, record.exact);
    tallyFor(this.byFeature, record.feature).add(units, record.exact);
    valueTallyFor(this.value, valueKey(record.feature, record.model, record.language)).addRequest(record);
  }

  addUse(use: UseRecord): void {
    valueTallyFor(this.value, valueKey(use.feature, use.model, use.language)).addUse(use);
  }

  /** This day's value summed into completions and answers (chat and escalation). */
  addValueTo(completions: ValueTally, answers: ValueTally): void {
    for (const [key, tally] of this.value) (isCompletion(key.split(KEY_SEPARATOR)[0]) ? completions : answers).merge(tally);
  }
}

function valueTallyFor(map: Map<string, ValueTally>, key: string): ValueTally {
  let tally = map.get(key);
  if (!tally) map.set(key, (tally = new ValueTally()));
  return tally;
}

/** A local day (YYYY-MM-DD) and its tally. */
export type DayEntry = readonly [day: string, tally: DayTally];

/** Adds a request or use record to the tally of its local day in `days`. */
export function addToDay(days: Map<string, DayTally>, day: string, line: ParsedLine): void {
  let tally = days.get(day);
  if (!tally) days.set(day, (tally = new DayTally()));
  if (isRequestLine(line)) tally.add(line.record);
  else tally.addUse(line.use);
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
  const byDay = new Map(windowDays.map((day) => [day, { total: new Tally(), completions: new ValueTally(), answers: new ValueTally() }]));
  const month = new Tally();
  const byModel = new Map<string, Tally>();
  const byFeature = new Map<string, Tally>();
  const value = new Map<string, ValueTally>();
  for (const [day, tally] of days) {
    const inWindow = byDay.get(day);
    if (inWindow) {
      inWindow.total.merge(tally.total);
      tally.addValueTo(inWindow.completions, inWindow.answers);
    }
    if (day.startsWith(thisMonth)) {
      month.merge(tally.total);
      mergeInto(byModel, tally.byModel);
      mergeInto(byFeature, tally.byFeature);
      for (const [key, part] of tally.value) valueTallyFor(value, key).merge(part);
    }
  }
  const dayOf = (day: string) => byDay.get(day)!;
  return {
    today: dayOf(windowDays[REPORT_DAYS - 1]).total.toTotals(),
    month: month.toTotals(),
    byDay: windowDays.map((day) => ({ day, totals: dayOf(day).total.toTotals() })),
    byModel: totalsOf(byModel),
    byFeature: totalsOf(byFeature),
    value: [...value]
      .map(([key, tally]) => {
        const [feature, model, language] = key.split(KEY_SEPARATOR);
        return tally.figures(feature, model, language);
      })
      .sort((a, b) => b.usd - a.usd || a.feature.localeCompare(b.feature) || a.model.localeCompare(b.model) || a.language.localeCompare(b.language)),
    valueByDay: windowDays.map((day) => ({
      day,
      completions: dayOf(day).completions.figures('completion', '', ''),
      answers: dayOf(day).answers.figures('', '', ''),
    })),
  };
}

/** Today's and this month's totals at `now` from the day tallies of (at least) the files from `monthFirstFile(now)` on. */
export function periodTotals(days: Iterable<DayEntry>, now: Date): PeriodTotals {
  const today = localDay(now);
  const thisMonth = localMonth(now);
  const todayTally = new Tally();
  const month = new Tally();
  const todayByFeature = new Map<string, Tally>();
  const completions = new ValueTally();
  const answers = new ValueTally();
  for (const [day, tally] of days) {
    if (!day.startsWith(thisMonth)) continue;
    month.merge(tally.total);
    if (day !== today) continue;
    todayTally.merge(tally.total);
    mergeInto(todayByFeature, tally.byFeature);
    tally.addValueTo(completions, answers);
  }
  const byFeatureUsd: Record<string, number> = {};
  for (const [feature, tally] of todayByFeature) byFeatureUsd[feature] = unitsToUsd(tally.units);
  return {
    today: todayTally.toTotals(),
    month: month.toTotals(),
    todayByFeature: byFeatureUsd,
    todayValue: { completions: completions.figures('completion', '', ''), answers: answers.figures('', '', '') },
  };
}
