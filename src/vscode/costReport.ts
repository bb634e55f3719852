// `penny.showCostReport`: a panel with spend by day, model and feature, and CSV export.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { runInBackground } from '../core/background';
import type { Ledger } from '../core/cost/ledger';
import { costReportBody } from '../core/costReportHtml';
import type { TeamExportStatus } from '../core/teamExport/exporter';
import { teamExportStatusHtml } from '../core/teamExport/statusHtml';
import { isCostReportMessage, type CostReportMessage, type CostReportRequests } from '../shared/protocol';
import type { Logger } from './logger';

export class CostReportPanel implements vscode.Disposable {
  private panel?: vscode.WebviewPanel;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly ledger: Ledger,
    private readonly log: Logger,
    /** The team export's state, shown under the report; undefined while the export is off. */
    private readonly teamExportStatus: () => Promise<TeamExportStatus | undefined> = async () => undefined,
  ) {}

  /** One handler per message of the report's protocol. */
  private readonly handlers: { [T in keyof CostReportRequests]: () => Promise<void> } = {
    exportCsv: () => this.exportCsv(),
    refresh: () => this.render(),
  };

  async show(): Promise<void> {
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel('penny.costReport', vscode.l10n.t('Penny Cost Report'), vscode.ViewColumn.Active, {
        enableScripts: true,
        localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'media')],
      });
      this.panel.onDidDispose(() => (this.panel = undefined));
      this.panel.webview.onDidReceiveMessage((message: unknown) => {
        if (isCostReportMessage(message)) runInBackground(this.handlers[message.type](), `cost report: ${message.type}`, (m) => this.log.error(m));
      });
    }
    this.panel.reveal();
    await this.render();
  }

  private async render(): Promise<void> {
    if (!this.panel) return;
    const webview = this.panel.webview;
    const nonce = randomBytes(16).toString('base64');
    const style = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'report.css'));
    const body = costReportBody(await this.ledger.report()) + teamExportStatusHtml(await this.teamExportStatus());
    webview.html = `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${webview.cspSource}; script-src 'nonce-${nonce}';">
<link href="${style}" rel="stylesheet"><title>${vscode.l10n.t('Penny Cost Report')}</title></head>
<body>${body}
<p><button id="export">${vscode.l10n.t('Export CSV…')}</button> <button id="refresh">${vscode.l10n.t('Refresh')}</button></p>
<script nonce="${nonce}">
const vscode = acquireVsCodeApi();
document.getElementById('export').addEventListener('click', () => vscode.postMessage(${JSON.stringify({ type: 'exportCsv' } satisfies CostReportMessage)}));
document.getElementById('refresh').addEventListener('click', () => vscode.postMessage(${JSON.stringify({ type: 'refresh' } satisfies CostReportMessage)}));
</script></body></html>`;
  }

  private async exportCsv(): Promise<void> {
    const target = await vscode.window.showSaveDialog({
      filters: { CSV: ['csv'] },
      saveLabel: vscode.l10n.t('Export'),
      defaultUri: vscode.Uri.file(`penny-costs-${new Date().toISOString().slice(0, 10)}.csv`),
    });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(await this.ledger.exportCsv()));
    void vscode.window.showInformationMessage(vscode.l10n.t('Penny: costs exported to {0}', target.fsPath));
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
