// The team export's mapping: what a ledger line becomes (metric observations, a request event), the
// cumulative totals, and that nothing but the allowlisted fields leaves the machine.
import assert from 'node:assert/strict';
import { sumUsd, usdToUnits } from '../../../src/core/cost/pricing';
import { parseLine, serializeRecord, serializeUse, type ParsedLine, type UseRecord } from '../../../src/core/cost/record';
import {
  addObservation,
  ATTR,
  emptyTotals,
  METRICS,
  metricPoints,
  observationsOf,
  requestEvent,
  resourceAttributes,
  seriesKey,
  TOKEN_TYPE,
} from '../../../src/core/teamExport/mapping';
import { makeRecord } from '../cost/helpers';

// The GenAI names are in the package's `incubating` entry, which this tsconfig's module resolution cannot type.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const semconv = require('@opentelemetry/semantic-conventions/incubating') as Record<string, string>;

function line(text: string): ParsedLine {
  const parsed = parseLine(text);
  assert.ok(parsed, text);
  return parsed;
}

const use = (overrides: Partial<UseRecord>): ParsedLine =>
  line(serializeUse({ time: '2026-11-25T12:00:01.000Z', use: 'accepted', ref: 'r1', feature: 'completion', model: 'gpt-4o-mini', ...overrides }));

describe('team export: mapping', () => {
  it('uses the names of the GenAI semantic conventions', () => {
    assert.equal(METRICS.tokenUsage.name, semconv.METRIC_GEN_AI_CLIENT_TOKEN_USAGE);
    assert.equal(METRICS.duration.name, semconv.METRIC_GEN_AI_CLIENT_OPERATION_DURATION);
    assert.equal(ATTR.requestModel, semconv.ATTR_GEN_AI_REQUEST_MODEL);
    assert.equal(ATTR.responseModel, semconv.ATTR_GEN_AI_RESPONSE_MODEL);
    assert.equal(ATTR.tokenType, semconv.ATTR_GEN_AI_TOKEN_TYPE);
    assert.equal(ATTR.operationName, semconv.ATTR_GEN_AI_OPERATION_NAME);
    assert.equal(ATTR.providerName, semconv.ATTR_GEN_AI_PROVIDER_NAME);
    assert.equal(ATTR.errorType, semconv.ATTR_ERROR_TYPE);
    assert.equal(ATTR.inputTokens, semconv.ATTR_GEN_AI_USAGE_INPUT_TOKENS);
    assert.equal(ATTR.outputTokens, semconv.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS);
    assert.equal(ATTR.cacheReadInputTokens, semconv.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS);
    assert.equal(TOKEN_TYPE.input, semconv.GEN_AI_TOKEN_TYPE_VALUE_INPUT);
    assert.equal(TOKEN_TYPE.output, semconv.GEN_AI_TOKEN_TYPE_VALUE_OUTPUT);
    assert.equal(METRICS.tokenUsage.unit, '{token}');
    assert.equal(METRICS.duration.unit, 's');
  });

  it('a request: input, output and cached-input tokens, its duration in seconds, its cost in nano-dollars with the four public attributes', () => {
    const record = makeRecord({
      model: 'gpt-4o-mini-2024-07-18',
      feature: 'chat',
      promptTokens: 1500,
      cachedTokens: 1024,
      completionTokens: 80,
      costUsd: 0.0001857,
      latencyMs: 1250,
    });
    const observations = observationsOf(line(serializeRecord(record)));
    const tokens = observations.filter((o) => o.metric === 'tokenUsage').map((o) => [o.attributes[ATTR.tokenType], o.value]);
    assert.deepEqual(tokens, [
      ['input', 1500],
      ['output', 80],
      ['cache_read', 1024],
    ]);
    const duration = observations.find((o) => o.metric === 'duration')!;
    assert.equal(duration.value, 1.25);
    assert.deepEqual(duration.attributes, {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini-2024-07-18',
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      'penny.feature': 'chat',
    });
    const cost = observations.find((o) => o.metric === 'cost')!;
    assert.equal(cost.value, 185_700);
    assert.deepEqual(cost.attributes, {
      'gen_ai.request.model': 'gpt-4o-mini-2024-07-18',
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      'penny.feature': 'chat',
      'penny.exact': true,
    });
    assert.equal(METRICS.cost.name, 'penny.cost');
    assert.equal(METRICS.cost.unit, 'USD');
  });

  it('no cached tokens: no cache_read point; an unknown price: no cost; a cancelled request: error.type on its duration', () => {
    const observations = observationsOf(line(serializeRecord(makeRecord({ cachedTokens: 0, costUsd: null, outcome: 'cancelled', exact: false }))));
    assert.deepEqual(
      observations.map((o) => o.metric),
      ['tokenUsage', 'tokenUsage', 'duration'],
    );
    assert.equal(observations[2].attributes['error.type'], 'cancelled');
  });

  it('use records count offered, accepted (with characters), typed through, used answers and applied rewrites', () => {
    const metrics = (u: ParsedLine) => observationsOf(u).map((o) => `${METRICS[o.metric].name}=${o.value}`);
    assert.deepEqual(metrics(use({ use: 'offered' })), ['penny.completions.offered=1']);
    assert.deepEqual(metrics(use({ use: 'accepted', chars: 42 })), ['penny.completions.accepted=1', 'penny.completions.accepted_chars=42']);
    assert.deepEqual(
      metrics(use({ use: 'acceptedMore', chars: 30 })),
      ['penny.completions.accepted_chars=30'],
      'the rest of an accepted completion: characters only',
    );
    assert.deepEqual(metrics(use({ use: 'typedThrough', chars: 7 })), ['penny.completions.typed_through=1', 'penny.completions.typed_through_chars=7']);
    assert.deepEqual(metrics(use({ use: 'used', feature: 'chat' })), ['penny.answers.used=1']);
    assert.deepEqual(metrics(use({ use: 'rewriteApplied', feature: 'escalation' })), ['penny.rewrites.applied=1']);
    assert.equal(observationsOf(use({ language: 'typescript' }))[0].attributes['penny.language'], 'typescript');
  });

  it('totals are cumulative and exact: cost summed in nano-dollars, exported in USD; histograms in the advised buckets', () => {
    const totals = emptyTotals();
    const costs = [0.00000015, 0.0001857, 0.1, 0.2, 0.3];
    for (const costUsd of costs) {
      for (const o of observationsOf(line(serializeRecord(makeRecord({ costUsd, latencyMs: 300 }))))) addObservation(totals, o);
    }
    const cost = metricPoints(totals).find((m) => m.definition.name === 'penny.cost')!;
    assert.equal(cost.counters.length, 1);
    assert.equal(usdToUnits(cost.counters[0].value), usdToUnits(sumUsd(costs)));
    const duration = metricPoints(totals).find((m) => m.definition.name === 'gen_ai.client.operation.duration')!;
    const value = duration.histograms[0].value;
    assert.equal(value.count, 5);
    assert.equal(value.counts[METRICS.duration.boundaries.indexOf(0.32)], 5); // 0.3 s falls in (0.16, 0.32]
    assert.equal(value.counts.length, METRICS.duration.boundaries.length + 1);
    // A JSON round trip (the persisted state) keeps them.
    assert.deepEqual(JSON.parse(JSON.stringify(totals)), totals);
  });

  it('a series is the same whatever order its attributes were built in', () => {
    assert.equal(seriesKey({ a: 1, b: 'x' }), seriesKey({ b: 'x', a: 1 }));
  });

  it('the request event carries the record id and its counts and cost, nothing else', () => {
    const record = makeRecord({ id: 'abc123', language: 'python', costUsd: 0.00021 });
    const event = requestEvent(record, Date.parse(record.time));
    assert.equal(event.attributes['penny.record.id'], 'abc123');
    assert.equal(event.attributes['penny.cost.nano_usd'], 210_000);
    assert.equal(event.timeMs, Date.parse('2026-11-25T12:00:00.000Z'));
  });

  it('nothing else leaves the machine: every attribute is on the allowlist and every string is a model, feature, language, tier, outcome, id or a constant', () => {
    const allowed = new Set<string>([...Object.values(ATTR)]);
    const record = makeRecord({ id: 'id-1', language: 'rust', model: 'm', tier: 'default', outcome: 'error' });
    const lines = [
      line(serializeRecord(record)),
      use({ use: 'accepted', chars: 3, language: 'rust', model: 'm' }),
      use({ use: 'used', feature: 'chat', model: 'm' }),
    ];
    const attributeSets = [...lines.flatMap((l) => observationsOf(l).map((o) => o.attributes)), requestEvent(record, 0).attributes];
    const strings = new Set(['id-1', 'rust', 'm', 'default', 'error', 'chat', 'completion', 'openai', 'input', 'output', 'cache_read']);
    for (const attributes of attributeSets) {
      for (const [name, value] of Object.entries(attributes)) {
        assert.ok(allowed.has(name), `attribute ${name} is not on the allowlist`);
        if (typeof value === 'string') assert.ok(strings.has(value), `${name}=${value} does not come from an allowlisted field`);
      }
    }
    assert.deepEqual(Object.keys(resourceAttributes({ member: 'ada', instanceId: 'i', version: '1.0.0' })).sort(), [
      'penny.member',
      'service.instance.id',
      'service.name',
      'service.version',
    ]);
    assert.equal(resourceAttributes({ member: '', instanceId: 'i', version: '1' })['penny.member'], undefined);
  });
});
