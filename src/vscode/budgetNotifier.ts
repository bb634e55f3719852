// Warns once at 80% and once at 100% of a budget, and keeps the meter's budget state current.
import * as vscode from 'vscode';
import { trackBudgets } from '../core/budgetWatch';
import type { BudgetStatus } from '../core/cost/budget';
import type { CostMeter } from '../core/costMeter';
import type { MeteredClient } from '../core/meteredClient';
import type { Logger } from './logger';

export function watchBudgets(meter: CostMeter, metered: MeteredClient, log: Logger): vscode.Disposable {
  return trackBudgets(meter, metered, { warn: showBudgetWarning, onError: (m) => log.error(m) });
}

async function showBudgetWarning(status: BudgetStatus): Promise<void> {
  const raise = vscode.l10n.t('Raise Budget');
  const show = status.level === 'exceeded' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  const choice = await show(`Penny: ${status.message}`, raise);
  if (choice === raise) await vscode.commands.executeCommand('workbench.action.openSettings', 'penny.budget');
}
