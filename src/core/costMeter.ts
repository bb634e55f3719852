// What the status bar shows: the requests running now with their live cost, the last finished
// request, and today's totals. Pure state with change listeners; the vscode adapter renders it.
import { Emitter } from './event';
import type { Feature, LedgerRecord } from './cost/record';
import type { BudgetStatus } from './cost/budget';
import type { PeriodTotals } from './cost/tallies';
import { sumUsd } from './cost/pricing';

export interface LiveRequest {
  id: number;
  feature: Feature;
  model: string;
  usd: number | null;
  tokensIn: number;
  tokensOut: number;
}

export interface MeterState {
  live: LiveRequest[];
  /** Newest first, at most `historySize`. */
  recent: LedgerRecord[];
  todayUsd: number;
  todayByFeature: Record<string, number>;
  budget?: BudgetStatus;
  /** Why inline completions are paused, shown in the status bar. */
  pausedReason?: string;
  /** What today's money bought (from the ledger). */
  todayValue?: PeriodTotals['todayValue'];
}

export class CostMeter {
  private readonly live = new Map<number, LiveRequest>();
  private recent: LedgerRecord[] = [];
  private todayUsd = 0;
  private todayByFeature: Record<string, number> = {};
  private budget?: BudgetStatus;
  private pausedReason?: string;
  private todayValue?: PeriodTotals['todayValue'];
  private readonly changed = new Emitter<MeterState>();
  private nextId = 1;

  constructor(private readonly historySize = 8) {}

  readonly onChange = this.changed.event;

  state(): MeterState {
    return {
      live: [...this.live.values()],
      recent: [...this.recent],
      todayUsd: this.todayUsd,
      todayByFeature: { ...this.todayByFeature },
      budget: this.budget,
      pausedReason: this.pausedReason,
      todayValue: this.todayValue,
    };
  }

  begin(feature: Feature, model: string, usd: number | null, tokensIn: number): number {
    const id = this.nextId++;
    this.live.set(id, { id, feature, model, usd, tokensIn, tokensOut: 0 });
    this.emit();
    return id;
  }

  update(id: number, usd: number | null, tokensOut: number): void {
    const request = this.live.get(id);
    if (!request) return;
    request.usd = usd;
    request.tokensOut = tokensOut;
    this.emit();
  }

  /** Ends a live request; its record (exact or estimated) joins the history and today's totals. */
  finish(id: number, record: LedgerRecord): void {
    this.live.delete(id);
    this.recent = [record, ...this.recent].slice(0, this.historySize);
    if (record.costUsd !== null) {
      this.todayUsd = sumUsd([this.todayUsd, record.costUsd]);
      this.todayByFeature[record.feature] = sumUsd([this.todayByFeature[record.feature] ?? 0, record.costUsd]);
    }
    this.emit();
  }

  /** Sets the totals read from the ledger (at start-up and at midnight). */
  setTotals(todayUsd: number, todayByFeature: Record<string, number>, recent?: LedgerRecord[]): void {
    this.todayUsd = todayUsd;
    this.todayByFeature = { ...todayByFeature };
    if (recent) this.recent = recent.slice(0, this.historySize);
    this.emit();
  }

  setTodayValue(value: PeriodTotals['todayValue']): void {
    this.todayValue = value;
    this.emit();
  }

  setBudget(budget: BudgetStatus | undefined, pausedReason?: string): void {
    this.budget = budget;
    this.pausedReason = pausedReason;
    this.emit();
  }

  private emit(): void {
    this.changed.fire(this.state());
  }
}
