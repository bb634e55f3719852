// The entry of dist/teamExport.js, the bundle with OpenTelemetry in it. The extension requires it only
// when `penny.teamExport.otlpEndpoint` is set (src/vscode/teamExport.ts), so activation never loads it.
import { TeamExporter, type TeamExporterOptions } from './exporter';
import { OtlpSink, type OtlpSinkOptions } from './otlp';

export type TeamExportConfig = Omit<TeamExporterOptions, 'sink' | 'target'> & Omit<OtlpSinkOptions, 'version'>;

/** Starts exporting the ledger in `config.dir` to the collector at `config.endpoint`. */
export function startTeamExport(config: TeamExportConfig): TeamExporter {
  const { endpoint, headers, timeoutMs, ...rest } = config;
  const exporter = new TeamExporter({ ...rest, target: endpoint, sink: new OtlpSink({ endpoint, headers, timeoutMs, version: config.version }) });
  exporter.start();
  return exporter;
}

export type { TeamExporter };
