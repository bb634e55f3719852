import assert from 'node:assert/strict';
import { localDay } from '../../../src/core/cost/dates';
import type { LedgerRecord } from '../../../src/core/cost/record';
import {
  addToDay,
  costReport,
  DayTally,
  monthFirstFile,
  periodTotals,
  reportFirstFile,
  Tally,
  type DayEntry,
  type Totals,
} from '../../../src/core/cost/tallies';
import { makeRecord } from './helpers';

const NOW = new Date(2026, 10, 25, 15, 0, 0); // 25 Nov 2026, 15:00 local

function totals(usd: number, requests: number, unpriced = 0, estimatedUsd = 0): Totals {
  return { usd, requests, unpriced, estimatedUsd };
}

/** Local noon `daysBack` days before NOW's day. */
function daysAgo(daysBack: number): string {
  return localDay(new Date(2026, 10, 25 - daysBack, 12));
}

function daysOf(records: [day: string, record: LedgerRecord][]): DayEntry[] {
  const days = new Map<string, DayTally>();
  for (const [day, record] of records) addToDay(days, day, { record, timeMs: Date.parse(record.time) });
  return [...days];
}

describe('ledger tallies', () => {
  it('sums money exactly, unpriced and estimated apart', () => {
    const tally = new Tally();
    for (let i = 0; i < 300; i++) tally.add(100, true); // 300 x 0.0000001 USD
    tally.add(null, true);
    tally.add(2_000_000, false);
    const other = new Tally();
    other.add(1_000_000_000, true);
    tally.merge(other);
    assert.deepEqual(tally.toTotals(), totals(1.00203, 303, 1, 0.002));
  });

  it('tallies a day in all, by model and by feature', () => {
    const day = new DayTally();
    day.add(makeRecord({ costUsd: 0.5 }));
    day.add(makeRecord({ costUsd: null, model: 'llama3.1', feature: 'completion' }));
    day.add(makeRecord({ costUsd: 0.25, exact: false, feature: 'completion' }));
    assert.deepEqual(day.total.toTotals(), totals(0.75, 3, 1, 0.25));
    assert.deepEqual([...day.byModel.keys()], ['gpt-4o-mini-2024-07-18', 'llama3.1']);
    assert.deepEqual(day.byFeature.get('completion')?.toTotals(), totals(0.25, 2, 1, 0.25));
  });

  const days = daysOf([
    [daysAgo(0), makeRecord({ costUsd: 1 })],
    [daysAgo(0), makeRecord({ costUsd: 2, feature: 'completion', exact: false })],
    [daysAgo(0), makeRecord({ costUsd: null, feature: 'escalation', model: 'gpt-4o' })],
    [daysAgo(3), makeRecord({ costUsd: 4 })],
    [daysAgo(27), makeRecord({ costUsd: 8 })], // October, in the 30 days
    [daysAgo(40), makeRecord({ costUsd: 16 })], // outside everything
  ]);

  it('reports today, this month, the last 30 days, by model and by feature', () => {
    const report = costReport(days, NOW);
    assert.deepEqual(report.today, totals(3, 3, 1, 2));
    assert.deepEqual(report.month, totals(7, 4, 1, 2));
    assert.equal(report.byDay.length, 30);
    assert.deepEqual(report.byDay[29], { day: '2026-11-25', totals: report.today });
    assert.deepEqual(report.byDay[26], { day: '2026-11-22', totals: totals(4, 1) });
    assert.deepEqual(report.byDay[2], { day: '2026-10-29', totals: totals(8, 1) });
    assert.deepEqual(report.byDay[3].totals, totals(0, 0));
    assert.deepEqual(report.byModel, { 'gpt-4o-mini-2024-07-18': totals(7, 3, 0, 2), 'gpt-4o': totals(0, 1, 1) });
    assert.deepEqual(report.byFeature, { chat: totals(5, 2), completion: totals(2, 1, 0, 2), escalation: totals(0, 1, 1) });
  });

  it('adds up today and this month in one pass, as the report does', () => {
    const { today, month, todayByFeature, todayValue } = periodTotals(days, NOW);
    const report = costReport(days, NOW);
    assert.deepEqual({ today, month }, { today: report.today, month: report.month });
    assert.deepEqual(todayByFeature, { chat: 1, completion: 2, escalation: 0 });
    assert.deepEqual(todayValue.completions.requests + todayValue.answers.requests, today.requests);
    const empty = periodTotals([], NOW);
    assert.deepEqual({ ...empty, todayValue: undefined }, { today: totals(0, 0), month: totals(0, 0), todayByFeature: {}, todayValue: undefined });
    assert.deepEqual(
      [empty.todayValue.completions.requests, empty.todayValue.completions.acceptanceRate, empty.todayValue.answers.usdPerUsedAnswer],
      [0, null, null],
    );
  });

  it('names the first file a report and this month can be in', () => {
    assert.equal(reportFirstFile(new Date(2026, 10, 25, 15)), '2026-10', 'the 30 days reach into October');
    assert.equal(reportFirstFile(new Date(2026, 0, 31, 15)), monthFirstFile(new Date(2026, 0, 31, 15)), 'the 30 days lie in this month');
    // Local midnight of the first day, in UTC: the month before in zones east of UTC.
    const start = new Date(2026, 10, 1);
    assert.equal(monthFirstFile(new Date(2026, 10, 25, 15)), `${start.getUTCFullYear()}-${String(start.getUTCMonth() + 1).padStart(2, '0')}`);
  });
});
