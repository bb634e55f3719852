// The status bar item `penny.cost`: live cost while a request runs, then the last request and today.
import * as vscode from 'vscode';
import type { CostMeter } from '../core/costMeter';
import { meterView } from '../core/meterView';

export function createCostStatusBar(meter: CostMeter): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('penny.cost', vscode.StatusBarAlignment.Right, 100);
  item.name = 'Penny Cost';
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
