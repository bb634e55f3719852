// The status bar item `penny.cost`: live cost while a request runs, then the last request and today.
import * as vscode from 'vscode';
import type { CostMeter } from '../core/costMeter';
import { meterView } from '../core/meterView';
import { onSettingsChanged, readSettings } from './settings';

export function createCostStatusBar(meter: CostMeter): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('penny.cost', vscode.StatusBarAlignment.Right, 100);
  item.name = vscode.l10n.t('Penny Cost');
  item.command = 'penny.showCostReport';
  const render = () => {
    const view = meterView(meter.state());
    item.text = view.text;
    const tooltip = new vscode.MarkdownString(view.tooltip, true);
    tooltip.isTrusted = false;
    item.tooltip = tooltip;
    item.accessibilityInformation = { label: view.accessibleLabel };
    item.backgroundColor =
      view.severity === 'error'
        ? new vscode.ThemeColor('statusBarItem.errorBackground')
        : view.severity === 'warning'
          ? new vscode.ThemeColor('statusBarItem.warningBackground')
          : undefined;
  };
  render();
  item.show();
  const subscription = meter.onChange(render);
  return vscode.Disposable.from(item, subscription);
}

/** The status bar toggle `penny.completions`: shows whether ghost text is on, and flips it. */
export function createCompletionToggle(): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('penny.completions', vscode.StatusBarAlignment.Right, 101);
  item.name = vscode.l10n.t('Penny Completions');
  item.command = 'penny.toggleInlineCompletions';
  const render = () => {
    const enabled = readSettings().inlineCompletionsEnabled;
    item.text = enabled ? '$(sparkle)' : '$(circle-slash)';
    item.tooltip = enabled
      ? vscode.l10n.t('Penny completions are on ({0}). Click to turn them off.', readSettings().completionModel)
      : vscode.l10n.t('Penny completions are off. Click to turn them on.');
    item.accessibilityInformation = { label: enabled ? vscode.l10n.t('Penny completions on') : vscode.l10n.t('Penny completions off') };
  };
  render();
  item.show();
  return vscode.Disposable.from(item, onSettingsChanged(render));
}
