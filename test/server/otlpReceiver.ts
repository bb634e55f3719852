// A real OTLP/HTTP receiver for the team export's tests: POST /v1/metrics and /v1/logs, JSON or protobuf
// bodies, decoded with the OpenTelemetry protocol's own definitions, the .proto files of
// open-telemetry/opentelemetry-proto v1.9.0 (test/server/otlp-proto, Apache-2.0), loaded by protobufjs.
//
// A JSON body is held to the OTLP/JSON rules before it is decoded: every key a field of its message (in
// lowerCamelCase), every value of its field's type (64-bit integers as decimal strings or integers, enums
// as integers, trace and span ids as hex), at most one member of a oneof. It is then decoded to the
// message, verified and round-tripped through the binary encoding. A body that breaks a rule is answered
// 400 and kept in `rejected`, so a test sees it.
//
// The receiver can be stopped and started again on the same port (an outage), made to hang (accept the
// request and never answer), or to answer an error with Retry-After.

import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import protobuf from 'protobufjs';

const PROTO_DIR = path.join(findRepoRoot(), 'test', 'server', 'otlp-proto');
const METRICS_REQUEST = 'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest';
const LOGS_REQUEST = 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest';

function findRepoRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'test', 'server', 'otlp-proto'))) return dir;
    if (path.dirname(dir) === dir) throw new Error('test/server/otlp-proto not found above ' + __dirname);
  }
}

let root: protobuf.Root | undefined;

/** The OTLP messages, from the .proto files. */
export function otlpRoot(): protobuf.Root {
  if (root) return root;
  const loaded = new protobuf.Root();
  loaded.resolvePath = (_origin, target) => path.join(PROTO_DIR, target);
  loaded.loadSync(['opentelemetry/proto/collector/metrics/v1/metrics_service.proto', 'opentelemetry/proto/collector/logs/v1/logs_service.proto']);
  loaded.resolveAll();
  return (root = loaded);
}

export type AttributeValue = string | number | boolean | null;
export type Attributes = Record<string, AttributeValue>;

export interface ReceivedPoint {
  resource: Attributes;
  scope: string;
  name: string;
  unit: string;
  kind: 'sum' | 'histogram' | 'gauge' | 'other';
  temporality?: number;
  isMonotonic?: boolean;
  attributes: Attributes;
  startTimeUnixNano: bigint;
  timeUnixNano: bigint;
  /** Sums and gauges. */
  value?: number;
  /** Histograms. */
  count?: number;
  sum?: number;
  bucketCounts?: number[];
  explicitBounds?: number[];
}

export interface ReceivedLog {
  resource: Attributes;
  eventName?: string;
  timeUnixNano: bigint;
  attributes: Attributes;
  body?: unknown;
}

export type ReceiverMode = { kind: 'ok' } | { kind: 'hang' } | { kind: 'error'; status: number; retryAfter?: string };

export interface ReceivedRequest {
  path: string;
  contentType: string;
  headers: http.IncomingHttpHeaders;
  raw: string;
}

export class OtlpReceiver {
  readonly requests: ReceivedRequest[] = [];
  readonly points: ReceivedPoint[] = [];
  readonly logs: ReceivedLog[] = [];
  /** Bodies that broke the OTLP rules, with why. */
  readonly rejected: { path: string; errors: string[] }[] = [];
  mode: ReceiverMode = { kind: 'ok' };
  private server: http.Server | undefined;
  private port = 0;
  private readonly hanging = new Set<http.ServerResponse>();

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Closes the port and every connection (requests in flight fail): an outage. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The last value received of each counter series of `name`, keyed by resource and attributes. */
  latestSums(name: string): Map<string, ReceivedPoint> {
    const latest = new Map<string, ReceivedPoint>();
    for (const point of this.points) {
      if (point.name !== name) continue;
      const key = JSON.stringify([sorted(point.resource), sorted(point.attributes)]);
      const previous = latest.get(key);
      if (!previous || previous.timeUnixNano <= point.timeUnixNano) latest.set(key, point);
    }
    return latest;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const contentType = String(req.headers['content-type'] ?? '');
      this.requests.push({ path: req.url ?? '', contentType, headers: req.headers, raw: body.toString('utf8') });
      if (this.mode.kind === 'hang') {
        this.hanging.add(res);
        return;
      }
      if (this.mode.kind === 'error') {
        res.writeHead(this.mode.status, this.mode.retryAfter ? { 'Retry-After': this.mode.retryAfter } : {});
        res.end();
        return;
      }
      const typeName = req.url === '/v1/metrics' ? METRICS_REQUEST : req.url === '/v1/logs' ? LOGS_REQUEST : undefined;
      if (req.method !== 'POST' || !typeName) {
        res.writeHead(404).end();
        return;
      }
      const errors: string[] = [];
      const message = decodeRequest(typeName, body, contentType, errors);
      if (!message || errors.length > 0) {
        this.rejected.push({ path: req.url!, errors });
        res.writeHead(400, { 'Content-Type': 'application/json' }).end(JSON.stringify({ code: 3, message: errors.join('; ') }));
        return;
      }
      if (typeName === METRICS_REQUEST) this.points.push(...flattenMetrics(message));
      else this.logs.push(...flattenLogs(message));
      // An ExportServiceResponse with no partial_success: everything accepted.
      if (contentType.includes('json')) res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
      else res.writeHead(200, { 'Content-Type': 'application/x-protobuf' }).end();
    });
  }
}

function sorted(attributes: Attributes): [string, AttributeValue][] {
  return Object.entries(attributes).sort(([a], [b]) => a.localeCompare(b));
}

/** The request as a plain object (int64s as strings), or undefined with `errors` saying why. */
export function decodeRequest(typeName: string, body: Buffer, contentType: string, errors: string[]): Record<string, unknown> | undefined {
  const type = otlpRoot().lookupType(typeName);
  let message: protobuf.Message;
  try {
    if (contentType.includes('application/json')) {
      const json: unknown = JSON.parse(body.toString('utf8'));
      checkJson(type, json, typeName, errors);
      if (errors.length > 0) return undefined;
      message = type.fromObject(hexIdsToBase64(json) as Record<string, unknown>);
    } else if (contentType.includes('application/x-protobuf')) {
      message = type.decode(body);
    } else {
      errors.push(`unsupported content type ${contentType}`);
      return undefined;
    }
  } catch (error) {
    errors.push(String(error));
    return undefined;
  }
  const invalid = type.verify(message);
  if (invalid) {
    errors.push(invalid);
    return undefined;
  }
  const roundTripped = type.decode(type.encode(message).finish());
  return type.toObject(roundTripped, { longs: String, enums: Number, bytes: String, arrays: true, defaults: false });
}

const INT64 = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
const INT32 = new Set(['int32', 'uint32', 'sint32', 'fixed32', 'sfixed32']);
/** OTLP/JSON carries these bytes fields as hex, not base64. */
const HEX_ID_FIELDS = new Set(['traceId', 'spanId', 'parentSpanId']);

/** Holds a JSON value to the OTLP/JSON encoding of `type`. */
function checkJson(type: protobuf.Type, value: unknown, where: string, errors: string[]): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    errors.push(`${where}: a ${type.name} must be an object`);
    return;
  }
  const fields = new Map(type.fieldsArray.map((field) => [field.name, field]));
  for (const [key, fieldValue] of Object.entries(value)) {
    const field = fields.get(key);
    if (!field) {
      errors.push(`${where}.${key}: ${type.name} has no field ${key}`);
      continue;
    }
    if (fieldValue === null) continue; // a JSON null is the field's default
    if (field.repeated) {
      if (!Array.isArray(fieldValue)) errors.push(`${where}.${key}: a repeated field must be an array`);
      else fieldValue.forEach((item, i) => checkScalarOrMessage(field, item, `${where}.${key}[${i}]`, errors));
    } else {
      checkScalarOrMessage(field, fieldValue, `${where}.${key}`, errors);
    }
  }
  for (const oneof of type.oneofsArray) {
    const set = oneof.fieldsArray.filter((field) => (value as Record<string, unknown>)[field.name] != null);
    if (set.length > 1) errors.push(`${where}: oneof ${oneof.name} has ${set.map((f) => f.name).join(' and ')}`);
  }
}

function checkScalarOrMessage(field: protobuf.Field, value: unknown, where: string, errors: string[]): void {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) return checkJson(resolved, value, where, errors);
  if (resolved instanceof protobuf.Enum) {
    if (!Number.isInteger(value)) errors.push(`${where}: enum ${resolved.name} must be an integer in OTLP/JSON, not ${JSON.stringify(value)}`);
    return;
  }
  const ok = (() => {
    if (INT64.has(field.type)) return Number.isSafeInteger(value) || (typeof value === 'string' && /^-?\d+$/.test(value));
    if (INT32.has(field.type)) return Number.isInteger(value);
    if (field.type === 'double' || field.type === 'float') return typeof value === 'number' || value === 'NaN' || value === 'Infinity' || value === '-Infinity';
    if (field.type === 'bool') return typeof value === 'boolean';
    if (field.type === 'string') return typeof value === 'string';
    if (field.type === 'bytes') {
      return typeof value === 'string' && (HEX_ID_FIELDS.has(field.name) ? /^([0-9a-fA-F]{2})*$/.test(value) : /^[A-Za-z0-9+/_-]*={0,2}$/.test(value));
    }
    return false;
  })();
  if (!ok) errors.push(`${where}: ${JSON.stringify(value)} is not a ${field.type}`);
}

function hexIdsToBase64(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(hexIdsToBase64);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [
      key,
      HEX_ID_FIELDS.has(key) && typeof v === 'string' ? Buffer.from(v, 'hex').toString('base64') : hexIdsToBase64(v),
    ]),
  );
}

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- toObject's output, walked by field names

function anyValue(value: Obj | undefined): AttributeValue {
  if (!value) return null;
  if ('stringValue' in value) return value.stringValue as string;
  if ('intValue' in value) return Number(value.intValue);
  if ('doubleValue' in value) return value.doubleValue as number;
  if ('boolValue' in value) return value.boolValue as boolean;
  return JSON.stringify(value);
}

function attributesOf(list: Obj[] | undefined): Attributes {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key as string, anyValue(kv.value as Obj)]));
}

function flattenMetrics(request: Obj): ReceivedPoint[] {
  const out: ReceivedPoint[] = [];
  for (const rm of request.resourceMetrics ?? []) {
    const resource = attributesOf(rm.resource?.attributes);
    for (const sm of rm.scopeMetrics ?? []) {
      for (const metric of sm.metrics ?? []) {
        const base = { resource, scope: sm.scope?.name ?? '', name: metric.name, unit: metric.unit ?? '' };
        const data = metric.sum ?? metric.histogram ?? metric.gauge;
        const kind: ReceivedPoint['kind'] = metric.sum ? 'sum' : metric.histogram ? 'histogram' : metric.gauge ? 'gauge' : 'other';
        for (const dp of data?.dataPoints ?? []) {
          out.push({
            ...base,
            kind,
            temporality: data.aggregationTemporality,
            isMonotonic: metric.sum?.isMonotonic,
            attributes: attributesOf(dp.attributes),
            startTimeUnixNano: BigInt(dp.startTimeUnixNano ?? 0),
            timeUnixNano: BigInt(dp.timeUnixNano ?? 0),
            value: dp.asDouble ?? (dp.asInt !== undefined ? Number(dp.asInt) : undefined),
            count: dp.count !== undefined ? Number(dp.count) : undefined,
            sum: dp.sum,
            bucketCounts: dp.bucketCounts?.map(Number),
            explicitBounds: dp.explicitBounds,
          });
        }
      }
    }
  }
  return out;
}

function flattenLogs(request: Obj): ReceivedLog[] {
  const out: ReceivedLog[] = [];
  for (const rl of request.resourceLogs ?? []) {
    const resource = attributesOf(rl.resource?.attributes);
    for (const sl of rl.scopeLogs ?? []) {
      for (const record of sl.logRecords ?? []) {
        out.push({
          resource,
          eventName: record.eventName,
          timeUnixNano: BigInt(record.timeUnixNano ?? 0),
          attributes: attributesOf(record.attributes),
          body: record.body,
        });
      }
    }
  }
  return out;
}
