import assert from 'node:assert/strict';
import { BudgetWarnings, budgetPeriodKey, budgetStatus, type BudgetSettings } from '../../../src/core/cost/budget';

const daily = (limit: number | null, enforce = false): BudgetSettings => ({ daily: limit, monthly: null, enforce });

describe('budgets', () => {
  describe('budgetStatus', () => {
    it('is ok without any budget, whatever was spent', () => {
      assert.deepEqual(budgetStatus(1000, 5000, { daily: null, monthly: null, enforce: true }), { level: 'ok', blocked: false });
    });

    it('warns from 80% and is exceeded from 100%', () => {
      const cases: [number, string][] = [
        [0, 'ok'],
        [0.79, 'ok'],
        [0.799999999, 'ok'],
        [0.8, 'warn'],
        [0.99, 'warn'],
        [1, 'exceeded'],
        [3.5, 'exceeded'],
      ];
      for (const [spent, level] of cases) assert.equal(budgetStatus(spent, 0, daily(1)).level, level, `$${spent} of $1`);
    });

    it('compares exactly where floats would not', () => {
      assert.equal(0.24 >= (0.1 + 0.2) * 0.8, false, 'the float comparison gets this wrong');
      assert.equal(budgetStatus(0.24, 0, daily(0.1 + 0.2)).level, 'warn');
      assert.equal(budgetStatus(0.08, 0, daily(0.1)).level, 'warn');
      assert.equal(budgetStatus(0.3, 0, daily(0.1 + 0.2)).level, 'exceeded');
      assert.match(budgetStatus(0.29, 0, daily(1)).message ?? '', /\(29%\)/);
    });

    it('describes the spend for people', () => {
      assert.deepEqual(budgetStatus(0.82, 3, daily(1)), {
        level: 'warn',
        blocked: false,
        period: 'daily',
        spent: 0.82,
        limit: 1,
        message: 'Daily budget $1.00: $0.82 spent (82%)',
      });
      assert.equal(budgetStatus(0.004, 0, daily(1)).message, 'Daily budget $1.00: $0.004 spent (0%)');
      assert.equal(budgetStatus(0, 61.5, { daily: null, monthly: 50, enforce: false }).message, 'Monthly budget $50.00: $61.50 spent (123%). Budget reached.');
    });

    it('blocks only when a budget is exceeded and enforced', () => {
      assert.equal(budgetStatus(0.9, 0, daily(1, true)).blocked, false);
      assert.equal(budgetStatus(1, 0, daily(1, false)).blocked, false);
      const blocked = budgetStatus(1.2, 0, daily(1, true));
      assert.equal(blocked.blocked, true);
      assert.equal(blocked.message, 'Daily budget $1.00: $1.20 spent (120%). Budget reached: new requests are paused until tomorrow.');
      assert.match(budgetStatus(0, 10, { daily: null, monthly: 10, enforce: true }).message ?? '', /paused until next month/);
    });

    it('reports the worse of the two budgets', () => {
      const both = (today: number, month: number): string | undefined => budgetStatus(today, month, { daily: 1, monthly: 20, enforce: true }).period;
      assert.equal(both(0.9, 10), 'daily', 'daily warns, monthly is ok');
      assert.equal(both(0.5, 19), 'monthly', 'monthly warns, daily is ok');
      assert.equal(both(0.9, 20), 'monthly', 'monthly exceeded beats daily warning');
      assert.equal(both(0.85, 18), 'monthly', 'both warn: the higher share (90% > 85%)');
      assert.equal(both(1.5, 21), 'daily', 'both exceeded: the higher share (150% > 105%)');
      assert.equal(both(0.9, 18), 'monthly', 'a tie goes to the month, which lasts longer');
      assert.equal(both(0.1, 1), 'daily', 'ok: the closer one still describes the spend');
      assert.equal(budgetStatus(0.9, 25, { daily: 1, monthly: 20, enforce: true }).blocked, true);
    });

    it('treats a zero budget as spent and a nonsense budget as none', () => {
      assert.deepEqual(
        { ...budgetStatus(0, 0, daily(0, true)), message: undefined },
        { level: 'exceeded', blocked: true, period: 'daily', spent: 0, limit: 0, message: undefined },
      );
      assert.equal(budgetStatus(5, 5, { daily: -1, monthly: NaN, enforce: true }).level, 'ok');
    });
  });

  describe('BudgetWarnings', () => {
    it('warns once at 80% and once at 100% per period', () => {
      const warnings = new BudgetWarnings();
      const day = '2026-11-25';
      const spends = [0.1, 0.5, 0.81, 0.85, 0.95, 1.01, 1.2, 2];
      const shown = spends.map((spent) => warnings.check(budgetStatus(spent, 0, daily(1)), day)?.level);
      assert.deepEqual(shown, [undefined, undefined, 'warn', undefined, undefined, 'exceeded', undefined, undefined]);
      assert.equal(warnings.check(budgetStatus(0.9, 0, daily(1)), '2026-11-26')?.level, 'warn', 'a new day warns again');
    });

    it('keeps daily and monthly warnings apart, and warns again after a budget is raised', () => {
      const warnings = new BudgetWarnings();
      const settings = { daily: 1, monthly: 10, enforce: false };
      assert.equal(warnings.check(budgetStatus(0.9, 1, settings), '2026-11-25')?.period, 'daily');
      assert.equal(warnings.check(budgetStatus(0.1, 9, settings), '2026-11')?.period, 'monthly');
      assert.equal(warnings.check(budgetStatus(0.1, 9.5, settings), '2026-11'), undefined);
      assert.equal(warnings.check(budgetStatus(0.1, 9.5, { ...settings, monthly: 11 }), '2026-11')?.level, 'warn');
    });

    it('never warns for ok', () => {
      const warnings = new BudgetWarnings();
      assert.equal(warnings.check(budgetStatus(0, 0, daily(1)), '2026-11-25'), undefined);
      assert.equal(warnings.check(budgetStatus(5, 5, daily(null)), '2026-11-25'), undefined);
    });

    it('names the local day or month of a period', () => {
      const now = new Date(2026, 0, 5, 23, 30);
      assert.equal(budgetPeriodKey('daily', now), '2026-01-05');
      assert.equal(budgetPeriodKey('monthly', now), '2026-01');
    });
  });
});
