// Team spend over OpenTelemetry, off by default: while `penny.teamExport.otlpEndpoint` (a User setting)
// names a collector, the ledger is exported to it by dist/teamExport.js, which is required only then, so
// OpenTelemetry costs nothing to a user who never turns this on. Auth headers live in SecretStorage.
import * as vscode from 'vscode';
import { runInBackground } from '../core/background';
import type { TeamExportStatus } from '../core/teamExport/exporter';
import { parseHeaders } from '../core/teamExport/headers';
import type { Logger } from './logger';
import { readSettings } from './settings';

type Entry = typeof import('../core/teamExport/entry');
type Exporter = ReturnType<Entry['startTeamExport']>;

const HEADERS_SECRET = 'penny.teamExport.headers';

export class TeamExport implements vscode.Disposable {
  private exporter: Exporter | undefined;
  /** The settings the running exporter was started with, to restart only when they change. */
  private running = '';
  /** Starts and stops run one after another. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly ledgerDir: string,
    private readonly secrets: vscode.SecretStorage,
    private readonly version: string,
    private readonly log: Logger,
  ) {
    this.subscriptions.push(
      secrets.onDidChange((event) => {
        if (event.key === HEADERS_SECRET) this.update(true);
      }),
    );
  }

  /** Starts, restarts or stops the export to follow the settings (`force`: the headers changed). */
  update(force = false): void {
    const { endpoint, member } = readSettings().teamExport;
    const wanted = endpoint ? JSON.stringify([endpoint, member]) : '';
    if (wanted === this.running && !force) return;
    this.running = wanted;
    this.queue = this.queue.then(() => this.restart(endpoint, member)).catch((error: unknown) => this.log.error(`Team export: ${String(error)}`));
  }

  /** The export's state for the cost report and the log; undefined while it is off. */
  async status(): Promise<TeamExportStatus | undefined> {
    return this.exporter?.status();
  }

  private async restart(endpoint: string, member: string): Promise<void> {
    const previous = this.exporter;
    this.exporter = undefined;
    await previous?.dispose();
    if (!endpoint) {
      if (previous) this.log.info('Team export: off.');
      return;
    }
    if (!/^https?:\/\/[^/\s]+/i.test(endpoint)) {
      this.log.warn(
        `Team export: penny.teamExport.otlpEndpoint must be an http:// or https:// URL (the collector's OTLP/HTTP address, e.g. http://localhost:4318); the export stays off.`,
      );
      return;
    }
    let headers: Record<string, string> = {};
    const stored = await this.secrets.get(HEADERS_SECRET);
    try {
      if (stored) headers = JSON.parse(stored) as Record<string, string>;
    } catch {
      // JSON.parse's message quotes the text: the header values must not reach the log.
      this.log.warn('Team export: the stored headers could not be read; set them again with "Penny: Set Team Export Headers". Exporting without them.');
    }
    const started = performance.now();
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when the export is on: esbuild makes it dist/teamExport.js, kept out of activation
    const entry = require('../core/teamExport/entry') as Entry;
    this.exporter = entry.startTeamExport({
      dir: this.ledgerDir,
      endpoint,
      headers,
      member: member || undefined,
      version: this.version,
      onInfo: (m) => this.log.info(m),
      onWarning: (m) => this.log.warn(m),
    });
    const names = Object.keys(headers);
    this.log.info(
      `Team export: on, to ${endpoint}${member ? ` as member "${member}"` : ''}${names.length ? ` with headers ${names.join(', ')} (values not shown)` : ''}; OpenTelemetry loaded in ${(performance.now() - started).toFixed(0)} ms.`,
    );
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    const exporter = this.exporter;
    this.exporter = undefined;
    runInBackground(exporter?.dispose() ?? Promise.resolve(), 'stopping the team export', (m) => this.log.warn(m));
  }
}

/** `penny.setTeamExportHeaders`: the collector's auth headers, into SecretStorage (empty clears them). */
export async function setTeamExportHeadersCommand(secrets: vscode.SecretStorage): Promise<void> {
  const text = await vscode.window.showInputBox({
    title: vscode.l10n.t('Penny: Set Team Export Headers'),
    prompt: vscode.l10n.t(
      "Headers your team's OpenTelemetry collector requires, as name=value pairs separated by commas (e.g. Authorization=Bearer …). Kept in VS Code's secret storage. Leave empty to remove them.",
    ),
    password: true,
    ignoreFocusOut: true,
    validateInput: (value) => {
      try {
        parseHeaders(value);
        return undefined;
      } catch (error) {
        return error instanceof Error ? error.message : String(error);
      }
    },
  });
  if (text === undefined) return;
  const headers = parseHeaders(text);
  if (Object.keys(headers).length === 0) {
    await secrets.delete(HEADERS_SECRET);
    void vscode.window.showInformationMessage(vscode.l10n.t('Penny: team export headers removed.'));
    return;
  }
  await secrets.store(HEADERS_SECRET, JSON.stringify(headers));
  void vscode.window.showInformationMessage(vscode.l10n.t('Penny: team export headers stored ({0}).', Object.keys(headers).join(', ')));
}
