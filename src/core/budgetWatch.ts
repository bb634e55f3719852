// Budgets seen from outside the requests: the meter's budget state after every request, a warning
// once per threshold (shown by the adapter), and inline completions paused by a budget resuming
// once it no longer blocks. Reading the ledger may fail; that is logged, never left unhandled.
import { runInBackground } from './background';
import { BudgetWarnings, budgetPeriodKey, type BudgetStatus } from './cost/budget';
import type { CostMeter } from './costMeter';
import type { BudgetSource } from './meteredClient';

export interface BudgetWatchDeps {
  /** Shows a warning the first time a threshold is reached in a period. */
  warn: (status: BudgetStatus) => PromiseLike<unknown>;
  onError: (message: string) => void;
  now?: () => Date;
}

/** Checks the budgets now and after each finished request; dispose to stop. */
export function trackBudgets(meter: CostMeter, metered: BudgetSource, deps: BudgetWatchDeps): { dispose(): void } {
  const warnings = new BudgetWarnings();
  const now = deps.now ?? (() => new Date());
  let lastSeen = meter.state().recent[0];
  const check = async () => {
    const status = await metered.budgetStatus();
    meter.setBudget(status.level === 'ok' ? undefined : status, meter.state().pausedReason);
    const fresh = warnings.check(status, budgetPeriodKey(status.period ?? 'daily', now()));
    if (fresh?.message) await deps.warn(fresh);
  };
  const checkInBackground = () => runInBackground(check(), 'checking the budget', deps.onError);
  checkInBackground();
  return meter.onChange((state) => {
    if (state.recent[0] === lastSeen) return;
    lastSeen = state.recent[0];
    checkInBackground();
  });
}

const BUDGET_RECHECK_MS = 60_000;

/** Inline completions pause quietly when a budget refuses them; a new day, a raised budget or a setting change resumes them. */
export class CompletionBudgetPause {
  private paused = false;
  private lastCheck = 0;
  private readonly now: () => number;

  constructor(
    private readonly metered: BudgetSource,
    private readonly deps: {
      /** Why completions are paused, or undefined once they resume. */
      onChange: (reason: string | undefined) => void;
      onError: (message: string) => void;
      now?: () => number;
    },
  ) {
    this.now = deps.now ?? Date.now;
  }

  /** Whether completions are paused; while they are, asks again at most once a minute whether they may resume. */
  holdsCompletions(): boolean {
    if (this.paused && this.now() - this.lastCheck > BUDGET_RECHECK_MS) this.resumeIfAllowed();
    return this.paused;
  }

  pause(reason: string): void {
    this.paused = true;
    this.lastCheck = this.now();
    this.deps.onChange(reason);
  }

  resumeIfAllowed(): void {
    if (!this.paused) return;
    this.lastCheck = this.now();
    const resume = this.metered.budgetStatus().then((status) => {
      if (status.blocked) return;
      this.paused = false;
      this.deps.onChange(undefined);
    });
    runInBackground(resume, 'checking whether completions may resume', this.deps.onError);
  }
}
