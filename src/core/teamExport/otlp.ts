// The team export's sink: OTLP/HTTP through the OpenTelemetry project's own exporters, JSON bodies
// (what the `*-otlp-http` exporters send by default), to `<endpoint>/v1/metrics` and `<endpoint>/v1/logs`.
// Only the lazily loaded bundle (dist/teamExport.js, see entry.ts) imports this: OpenTelemetry is never
// loaded while the export is off.
//
// The cumulative totals are handed to the exporter as the SDK's own data (ResourceMetrics) rather than
// recorded through instruments: the SDK's cumulative series start when its MeterProvider does, and the
// totals here must start, and go on, where the persisted state says (see exporter.ts). The exporter's
// transport retries a retryable answer a few times within `timeoutMillis`, honouring Retry-After; past
// that the export fails and TeamExporter backs off.

import type { Attributes as OtelAttributes } from '@opentelemetry/api';
import { ExportResultCode, millisToHrTime, type ExportResult } from '@opentelemetry/core';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { AggregationTemporality, DataPointType, type MetricData, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ExportSink } from './exporter';
import { REQUEST_EVENT_NAME, type Attributes, type MetricPoints, type RequestEvent } from './mapping';

export interface OtlpSinkOptions {
  /** The collector's OTLP/HTTP base URL, e.g. `http://collector:4318` (the signal paths are added). */
  endpoint: string;
  /** Sent with every request (auth); from SecretStorage, never logged. */
  headers?: Record<string, string>;
  /** Per export, the exporter's own retries included (default 10 s). */
  timeoutMs?: number;
  /** The instrumentation scope's version: Penny's. */
  version: string;
}

/** `http://host:4318/` + `v1/metrics` -> `http://host:4318/v1/metrics`. */
export function signalUrl(endpoint: string, signal: 'metrics' | 'logs'): string {
  return `${endpoint.trim().replace(/\/+$/, '')}/v1/${signal}`;
}

export class OtlpSink implements ExportSink {
  private readonly metrics: OTLPMetricExporter;
  private readonly logs: OTLPLogExporter;
  private readonly scope: { name: string; version: string };
  private resource: { key: string; value: Resource } | undefined;

  constructor(options: OtlpSinkOptions) {
    const common = { headers: { ...options.headers }, timeoutMillis: options.timeoutMs ?? 10_000, concurrencyLimit: 1 };
    this.metrics = new OTLPMetricExporter({ ...common, url: signalUrl(options.endpoint, 'metrics') });
    this.logs = new OTLPLogExporter({ ...common, url: signalUrl(options.endpoint, 'logs') });
    this.scope = { name: 'penny', version: options.version };
  }

  sendMetrics(points: MetricPoints[], resource: Attributes, startTimeMs: number, timeMs: number): Promise<void> {
    const startTime = millisToHrTime(startTimeMs);
    const endTime = millisToHrTime(timeMs);
    const metrics: MetricData[] = points.map(({ definition, counters, histograms }) => {
      const descriptor = { name: definition.name, unit: definition.unit, description: definition.description, valueType: 1 /* DOUBLE */ };
      if (definition.kind === 'counter') {
        return {
          descriptor,
          aggregationTemporality: AggregationTemporality.CUMULATIVE,
          dataPointType: DataPointType.SUM,
          isMonotonic: true,
          dataPoints: counters.map(({ attributes, value }) => ({ startTime, endTime, attributes, value })),
        };
      }
      return {
        descriptor,
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPointType: DataPointType.HISTOGRAM,
        dataPoints: histograms.map(({ attributes, value }) => ({
          startTime,
          endTime,
          attributes,
          value: {
            buckets: { boundaries: [...(definition.boundaries ?? [])], counts: [...value.counts] },
            sum: value.sum,
            count: value.count,
            min: value.min,
            max: value.max,
          },
        })),
      };
    });
    const data: ResourceMetrics = { resource: this.resourceOf(resource), scopeMetrics: [{ scope: this.scope, metrics }] };
    return new Promise((resolve, reject) => this.metrics.export(data, settle(resolve, reject, 'metrics')));
  }

  sendEvents(events: RequestEvent[], resource: Attributes): Promise<void> {
    const records: ReadableLogRecord[] = events.map(({ timeMs, attributes }) => ({
      hrTime: millisToHrTime(timeMs),
      hrTimeObserved: millisToHrTime(timeMs),
      eventName: REQUEST_EVENT_NAME,
      severityNumber: 9, // INFO
      severityText: 'INFO',
      resource: this.resourceOf(resource),
      instrumentationScope: this.scope,
      attributes: attributes as OtelAttributes,
      droppedAttributesCount: 0,
    }));
    return new Promise((resolve, reject) => this.logs.export(records, settle(resolve, reject, 'logs')));
  }

  async shutdown(): Promise<void> {
    await Promise.all([this.metrics.shutdown(), this.logs.shutdown()]);
  }

  /** One Resource object per set of attributes: the transformer groups records by identity. */
  private resourceOf(attributes: Attributes): Resource {
    const key = JSON.stringify(attributes);
    if (this.resource?.key !== key) this.resource = { key, value: resourceFromAttributes(attributes) };
    return this.resource.value;
  }
}

function settle(resolve: () => void, reject: (error: Error) => void, signal: string): (result: ExportResult) => void {
  return (result) => {
    if (result.code === ExportResultCode.SUCCESS) resolve();
    else reject(new Error(`${signal}: ${describe(result.error)}`));
  };
}

/** The exporter's error, without response bodies (a collector's error page can be long). */
function describe(error: Error | undefined): string {
  if (!error) return 'export failed';
  const code = (error as { code?: unknown }).code;
  const message = error.message || error.name;
  return typeof code === 'number' ? `HTTP ${code}${message ? ` ${message}` : ''}` : message.slice(0, 200);
}
