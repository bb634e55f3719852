// What a ledger line becomes for a team's OpenTelemetry collector: observations of a few metrics (the
// GenAI semantic conventions' token usage and operation duration, Penny's cost counter and acceptance
// counters), and one event per request carrying its record id. Pure: no files, no clock, no OTel package
// (the names are checked against @opentelemetry/semantic-conventions by a unit test), so the extension
// bundle can use these types without loading OpenTelemetry.
//
// What leaves the machine is exactly what is built here, from an allowlist of record fields: model,
// feature, language id, token counts, cost, latency, outcome, the record id and time. Never a prompt, an
// answer, code, a file path or a key (the ledger holds none, and nothing else is read).

import { usdToUnits } from '../cost/pricing';
import { isRequestLine, type LedgerRecord, type ParsedLine, type Use, type UseRecord } from '../cost/record';

/** An attribute value as OTLP carries it (string, int/double, bool). */
export type AttributeValue = string | number | boolean;
export type Attributes = Readonly<Record<string, AttributeValue>>;

/** Attribute names: the GenAI semantic conventions' where one exists, else `penny.*`. */
export const ATTR = {
  operationName: 'gen_ai.operation.name',
  providerName: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  responseModel: 'gen_ai.response.model',
  tokenType: 'gen_ai.token.type',
  errorType: 'error.type',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  cacheReadInputTokens: 'gen_ai.usage.cache_read.input_tokens',
  feature: 'penny.feature',
  exact: 'penny.exact',
  language: 'penny.language',
  recordId: 'penny.record.id',
  outcome: 'penny.outcome',
  tier: 'penny.tier',
  costUsd: 'penny.cost.usd',
  costNanoUsd: 'penny.cost.nano_usd',
  latencyMs: 'penny.latency_ms',
} as const;

/**
 * `gen_ai.token.type` values. The conventions define `input` (which includes cached tokens, as OpenAI's
 * `prompt_tokens` does) and `output`; they have no value for cached input in metrics, only the span
 * attribute `gen_ai.usage.cache_read.input_tokens`, whose spelling this follows. `cache_read` is the part
 * of `input` served from the prompt cache: do not add it to `input`.
 */
export const TOKEN_TYPE = { input: 'input', output: 'output', cacheRead: 'cache_read' } as const;

export interface MetricDefinition {
  readonly name: string;
  readonly unit: string;
  readonly description: string;
  readonly kind: 'counter' | 'histogram';
  /** Histogram bucket upper bounds (inclusive), ascending. */
  readonly boundaries?: readonly number[];
  /**
   * Counter values are kept as integers this many times the exported value, so that sums are exact: cost
   * is counted in nano-dollars (pricing.ts) and exported in USD.
   */
  readonly scale?: number;
}

/** The GenAI conventions' advised buckets for `gen_ai.client.token.usage` (powers of 4). */
const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
/** ... and for `gen_ai.client.operation.duration`, in seconds. */
const DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];

export const METRICS = {
  tokenUsage: {
    name: 'gen_ai.client.token.usage',
    unit: '{token}',
    description: 'Number of input and output tokens used.',
    kind: 'histogram',
    boundaries: TOKEN_BUCKETS,
  },
  duration: {
    name: 'gen_ai.client.operation.duration',
    unit: 's',
    description: 'GenAI operation duration.',
    kind: 'histogram',
    boundaries: DURATION_BUCKETS,
  },
  cost: { name: 'penny.cost', unit: 'USD', description: 'What requests cost, priced by Penny.', kind: 'counter', scale: 1e9 },
  offered: { name: 'penny.completions.offered', unit: '{completion}', description: 'Completions given to the editor to show.', kind: 'counter' },
  accepted: { name: 'penny.completions.accepted', unit: '{completion}', description: 'Completions accepted.', kind: 'counter' },
  acceptedChars: {
    name: 'penny.completions.accepted_chars',
    unit: '{character}',
    description: 'Characters of accepted completions.',
    kind: 'counter',
  },
  typedThrough: {
    name: 'penny.completions.typed_through',
    unit: '{completion}',
    description: 'Completions the user typed out themselves while shown.',
    kind: 'counter',
  },
  typedThroughChars: {
    name: 'penny.completions.typed_through_chars',
    unit: '{character}',
    description: 'Characters of completions typed through.',
    kind: 'counter',
  },
  answersUsed: { name: 'penny.answers.used', unit: '{answer}', description: 'Answers whose code was used.', kind: 'counter' },
  rewritesApplied: { name: 'penny.rewrites.applied', unit: '{rewrite}', description: 'Escalated rewrites applied.', kind: 'counter' },
} as const satisfies Record<string, MetricDefinition>;

export type MetricId = keyof typeof METRICS;

/** One value to add to one series of a metric. */
export interface Observation {
  metric: MetricId;
  attributes: Attributes;
  value: number;
}

/** The counters a use record adds to: one per use, and its characters. */
const USE_METRICS: Record<Use, { count?: MetricId; chars?: MetricId }> = {
  offered: { count: 'offered' },
  accepted: { count: 'accepted', chars: 'acceptedChars' },
  acceptedMore: { chars: 'acceptedChars' },
  typedThrough: { count: 'typedThrough', chars: 'typedThroughChars' },
  used: { count: 'answersUsed' },
  rewriteApplied: { count: 'rewritesApplied' },
};

/** Outcomes that ended the request short of a whole answer: reported as `error.type` on its duration. */
const ERROR_OUTCOMES = new Set(['cancelled', 'error', 'cut', 'stalled']);

/**
 * The ledger keeps one model per request: the one the API said it used, else the one asked for. It is
 * both the request and the response model here.
 */
function modelAttributes(model: string): Attributes {
  return { [ATTR.requestModel]: model, [ATTR.responseModel]: model };
}

/** The common attributes of the GenAI metrics: Penny speaks the OpenAI chat completions API for every feature. */
function genAiAttributes(record: LedgerRecord): Attributes {
  return { [ATTR.operationName]: 'chat', [ATTR.providerName]: 'openai', ...modelAttributes(record.model), [ATTR.feature]: record.feature };
}

/** What one ledger line adds to the metrics. */
export function observationsOf(parsed: ParsedLine): Observation[] {
  return isRequestLine(parsed) ? requestObservations(parsed.record) : useObservations(parsed.use);
}

function requestObservations(record: LedgerRecord): Observation[] {
  const common = genAiAttributes(record);
  const tokens = (type: string, value: number): Observation => ({
    metric: 'tokenUsage',
    attributes: { ...common, [ATTR.tokenType]: type },
    value,
  });
  const out = [tokens(TOKEN_TYPE.input, record.promptTokens), tokens(TOKEN_TYPE.output, record.completionTokens)];
  if (record.cachedTokens > 0) out.push(tokens(TOKEN_TYPE.cacheRead, record.cachedTokens));
  const duration: Record<string, AttributeValue> = { ...common };
  if (ERROR_OUTCOMES.has(record.outcome)) duration[ATTR.errorType] = record.outcome;
  out.push({ metric: 'duration', attributes: duration, value: record.latencyMs / 1000 });
  if (record.costUsd !== null) {
    out.push({
      metric: 'cost',
      attributes: { ...modelAttributes(record.model), [ATTR.feature]: record.feature, [ATTR.exact]: record.exact },
      value: usdToUnits(record.costUsd),
    });
  }
  return out;
}

function useObservations(use: UseRecord): Observation[] {
  const metrics = USE_METRICS[use.use];
  if (!metrics) return []; // a use a newer Penny knows
  const attributes: Record<string, AttributeValue> = { ...modelAttributes(use.model), [ATTR.feature]: use.feature };
  if (use.language) attributes[ATTR.language] = use.language;
  const out: Observation[] = metrics.count ? [{ metric: metrics.count, attributes, value: 1 }] : [];
  if (metrics.chars && use.chars !== undefined) out.push({ metric: metrics.chars, attributes, value: use.chars });
  return out;
}

/** One log event per request record: what a backend counts or de-duplicates by `penny.record.id`. */
export interface RequestEvent {
  timeMs: number;
  attributes: Attributes;
}

export const REQUEST_EVENT_NAME = 'penny.request';

export function requestEvent(record: LedgerRecord, timeMs: number): RequestEvent {
  const attributes: Record<string, AttributeValue> = {
    [ATTR.recordId]: record.id,
    ...modelAttributes(record.model),
    [ATTR.feature]: record.feature,
    [ATTR.tier]: record.tier,
    [ATTR.inputTokens]: record.promptTokens,
    [ATTR.outputTokens]: record.completionTokens,
    [ATTR.cacheReadInputTokens]: record.cachedTokens,
    [ATTR.exact]: record.exact,
    [ATTR.latencyMs]: record.latencyMs,
    [ATTR.outcome]: record.outcome,
  };
  if (record.language) attributes[ATTR.language] = record.language;
  if (record.costUsd !== null) {
    attributes[ATTR.costUsd] = record.costUsd;
    attributes[ATTR.costNanoUsd] = usdToUnits(record.costUsd);
  }
  return { timeMs, attributes };
}

// ---------------------------------------------------------------------------------------------
// Cumulative totals: every series' value since the export started, kept with the cursor.

export interface HistogramValue {
  /** One count per bucket: `boundaries.length + 1` (the last is above the highest boundary). */
  counts: number[];
  sum: number;
  count: number;
  min: number;
  max: number;
}

/** Series by metric name, then by `seriesKey(attributes)`. JSON-serializable: it is persisted. */
export interface Totals {
  counters: Record<string, Record<string, number>>;
  histograms: Record<string, Record<string, HistogramValue>>;
}

export function emptyTotals(): Totals {
  return { counters: {}, histograms: {} };
}

/** A series' key: its attributes in name order, as JSON (and read back by `seriesAttributes`). */
export function seriesKey(attributes: Attributes): string {
  return JSON.stringify(
    Object.keys(attributes)
      .sort()
      .map((name) => [name, attributes[name]]),
  );
}

export function seriesAttributes(key: string): Attributes {
  return Object.fromEntries(JSON.parse(key) as [string, AttributeValue][]);
}

/** Adds an observation to the totals, in place. */
export function addObservation(totals: Totals, observation: Observation): void {
  const definition: MetricDefinition = METRICS[observation.metric];
  const key = seriesKey(observation.attributes);
  if (definition.kind === 'counter') {
    const series = (totals.counters[definition.name] ??= {});
    series[key] = (series[key] ?? 0) + observation.value;
    return;
  }
  const boundaries = definition.boundaries ?? [];
  const series = (totals.histograms[definition.name] ??= {});
  const value = (series[key] ??= { counts: new Array<number>(boundaries.length + 1).fill(0), sum: 0, count: 0, min: Infinity, max: -Infinity });
  let bucket = boundaries.findIndex((bound) => observation.value <= bound);
  if (bucket === -1) bucket = boundaries.length;
  value.counts[bucket]++;
  value.sum += observation.value;
  value.count++;
  value.min = Math.min(value.min, observation.value);
  value.max = Math.max(value.max, observation.value);
}

export function cloneTotals(totals: Totals): Totals {
  return structuredClone(totals);
}

/** A metric's series as exported: counters scaled back to their unit (nano-dollars to USD). */
export interface MetricPoints {
  definition: MetricDefinition;
  counters: { attributes: Attributes; value: number }[];
  histograms: { attributes: Attributes; value: HistogramValue }[];
}

export function metricPoints(totals: Totals): MetricPoints[] {
  const out: MetricPoints[] = [];
  for (const definition of Object.values(METRICS) as MetricDefinition[]) {
    const counters = Object.entries(totals.counters[definition.name] ?? {}).map(([key, value]) => ({
      attributes: seriesAttributes(key),
      value: value / (definition.scale ?? 1),
    }));
    const histograms = Object.entries(totals.histograms[definition.name] ?? {}).map(([key, value]) => ({ attributes: seriesAttributes(key), value }));
    if (counters.length + histograms.length > 0) out.push({ definition, counters, histograms });
  }
  return out;
}

/** Identity of this exporter, sent as resource attributes (settings a workspace cannot change). */
export interface ExportIdentity {
  /** `penny.member`: who spent it, as the user names themselves; omitted when empty. */
  member?: string;
  /** `service.instance.id`: one per ledger (a VS Code installation), so two machines' series never mix. */
  instanceId: string;
  /** `service.version`: Penny's version. */
  version: string;
}

export function resourceAttributes(identity: ExportIdentity): Attributes {
  const attributes: Record<string, AttributeValue> = {
    'service.name': 'penny',
    'service.version': identity.version,
    'service.instance.id': identity.instanceId,
  };
  if (identity.member) attributes['penny.member'] = identity.member;
  return attributes;
}
