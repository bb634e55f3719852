// The test receiver holds bodies to OTLP/JSON: a body an OTLP collector would refuse is refused here too.
import assert from 'node:assert/strict';
import { decodeRequest, otlpRoot } from '../../server/otlpReceiver';

const METRICS = 'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest';

function body(metric: Record<string, unknown>): Buffer {
  return Buffer.from(JSON.stringify({ resourceMetrics: [{ scopeMetrics: [{ metrics: [metric] }] }] }));
}

const sum = (point: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  name: 'penny.cost',
  unit: 'USD',
  sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [{ startTimeUnixNano: '1', timeUnixNano: '2', ...point }] },
  ...extra,
});

function errorsOf(metric: Record<string, unknown>): string[] {
  const errors: string[] = [];
  decodeRequest(METRICS, body(metric), 'application/json', errors);
  return errors;
}

describe('the OTLP test receiver', () => {
  it('decodes a valid OTLP/JSON body, 64-bit integers as strings', () => {
    const errors: string[] = [];
    const decoded = decodeRequest(METRICS, body(sum({ asDouble: 0.5 })), 'application/json', errors) as {
      resourceMetrics: { scopeMetrics: { metrics: { sum: { dataPoints: { asDouble: number; timeUnixNano: string }[] } }[] }[] }[];
    };
    assert.deepEqual(errors, []);
    const point = decoded.resourceMetrics[0].scopeMetrics[0].metrics[0].sum.dataPoints[0];
    assert.equal(point.asDouble, 0.5);
    assert.equal(point.timeUnixNano, '2');
  });

  it('refuses an unknown field, an enum by name, a fractional 64-bit integer, and two members of a oneof', () => {
    assert.match(errorsOf(sum({ asDouble: 1, costUsd: 1 })).join(), /has no field costUsd/);
    assert.match(
      errorsOf({ ...sum({ asDouble: 1 }), sum: { aggregationTemporality: 'AGGREGATION_TEMPORALITY_CUMULATIVE', dataPoints: [] } }).join(),
      /must be an integer/,
    );
    assert.match(errorsOf(sum({ asDouble: 1, timeUnixNano: 1.5 })).join(), /is not a fixed64/);
    assert.match(errorsOf(sum({ asDouble: 1, asInt: '1' })).join(), /oneof value/);
    assert.match(errorsOf(sum({ asDouble: 1 }, { time_unix_nano: '3' })).join(), /has no field time_unix_nano/);
  });

  it('decodes protobuf bodies too', () => {
    const type = otlpRoot().lookupType(METRICS);
    const encoded = Buffer.from(type.encode(type.fromObject(JSON.parse(body(sum({ asDouble: 2 })).toString()))).finish());
    const errors: string[] = [];
    assert.ok(decodeRequest(METRICS, encoded, 'application/x-protobuf', errors));
    assert.deepEqual(errors, []);
  });
});
