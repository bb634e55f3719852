// The team export's state as a section of the cost report: where it goes, when the collector last
// acknowledged, what is still to send, and the last error. Nothing when the export is off.
import * as l10n from '@vscode/l10n';
import { escapeHtml } from '../html';
import type { TeamExportStatus } from './exporter';

const text = escapeHtml;

function when(ms: number): string {
  return new Date(ms).toLocaleString();
}

/** The report's "Team export" section, or '' when the export is off (`status` undefined). */
export function teamExportStatusHtml(status: TeamExportStatus | undefined): string {
  if (!status) return '';
  const rows: string[] = [
    status.exporting
      ? l10n.t('Exporting to {0} (OTLP/HTTP).', status.target)
      : l10n.t('Another Penny window of this installation exports to {0}.', status.target),
    status.lastSuccessMs !== undefined ? l10n.t('Last acknowledged: {0}.', when(status.lastSuccessMs)) : l10n.t('Not acknowledged yet.'),
  ];
  if (status.backlog) {
    rows.push(
      status.backlog.lines === 0
        ? l10n.t('Backlog: none, every ledger record has been sent.')
        : l10n.t('Backlog: {0} requests ({1} ledger lines) waiting to be sent.', status.backlog.requests, status.backlog.lines),
    );
  }
  if (status.lastError) {
    rows.push(
      status.nextAttemptMs !== undefined
        ? l10n.t('Last error: {0} ({1} failed attempts; next at {2}). Nothing is lost.', status.lastError, status.failures, when(status.nextAttemptMs))
        : l10n.t('Last error: {0} ({1} failed attempts). Nothing is lost.', status.lastError, status.failures),
    );
  }
  return [
    `<h2>${text(l10n.t('Team export'))}</h2>`,
    `<ul class="team-export${status.lastError ? ' failing' : ''}">`,
    ...rows.map((row) => `<li>${text(row)}</li>`),
    '</ul>',
  ].join('\n');
}
