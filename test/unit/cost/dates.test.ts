import assert from 'node:assert/strict';
import { localDay, localDayMemo, localMonth, monthsBefore, utcMonth } from '../../../src/core/cost/dates';

describe('ledger day and month keys', () => {
  it('names the local day and month, zero-padded', () => {
    assert.equal(localDay(new Date(2026, 0, 5, 23, 59)), '2026-01-05');
    assert.equal(localDay(new Date(2026, 10, 25, 0, 0)), '2026-11-25');
    assert.equal(localMonth(new Date(2026, 8, 30, 12)), '2026-09');
  });

  it('names the UTC month of a time', () => {
    assert.equal(utcMonth(new Date('2026-11-30T23:59:59.999Z')), '2026-11');
    assert.equal(utcMonth(new Date('2026-12-01T00:00:00.000Z')), '2026-12');
  });

  it('counts months back across years', () => {
    assert.equal(monthsBefore('2026-11', 0), '2026-11');
    assert.equal(monthsBefore('2026-11', 10), '2026-01');
    assert.equal(monthsBefore('2026-11', 11), '2025-12');
    assert.equal(monthsBefore('2026-01', 25), '2023-12');
  });

  it('memoizes local days without changing one', () => {
    const dayOf = localDayMemo();
    // Every 7 minutes over 40 days: every quarter hour, both sides of each local midnight.
    const start = new Date(2026, 9, 10).getTime();
    for (let ms = start; ms < start + 40 * 86_400_000; ms += 7 * 60_000) {
      assert.equal(dayOf(ms), localDay(new Date(ms)), new Date(ms).toISOString());
    }
  });
});
