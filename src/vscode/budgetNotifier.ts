// Warns once at 80% and once at 100% of a budget, and keeps the meter's budget state current.
import * as vscode from 'vscode';
import { BudgetWarnings, budgetPeriodKey } from '../core/cost/budget';
import type { CostMeter } from '../core/costMeter';
import type { MeteredClient } from '../core/meteredClient';

export function watchBudgets(meter: CostMeter, metered: MeteredClient): vscode.Disposable {
  const warnings = new BudgetWarnings();
  let lastSeen = meter.state().recent[0];
  const check = async () => {
    const status = await metered.budgetStatus();
    meter.setBudget(status.level === 'ok' ? undefined : status, meter.state().pausedReason);
    const fresh = warnings.check(status, budgetPeriodKey(status.period ?? 'daily', new Date()));
    if (!fresh?.message) return;
    const raise = vscode.l10n.t('Raise Budget');
    const show = fresh.level === 'exceeded' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    const choice = await show(`Penny: ${fresh.message}`, raise);
    if (choice === raise) await vscode.commands.executeCommand('workbench.action.openSettings', 'penny.budget');
  };
  void check();
  return meter.onChange((state) => {
    if (state.recent[0] === lastSeen) return;
    lastSeen = state.recent[0];
    void check();
  });
}
