// The benchmark's numbers per 1,000 keystrokes, the ratios between engines, the targets, as a
// markdown report and as JSON.
import type { ValueFigures } from '../../../src/core/cost/tallies';
import type { MessReport } from './messy';
import type { RunResult } from './run';

/** Nearest-rank percentile; NaN for no samples. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export interface EngineSummary {
  label: string;
  requestsPer1k: number;
  cancelledPer1k: number;
  nothingToSuggestPer1k: number;
  promptTokensPer1k: number;
  cachedPromptTokensPer1k: number;
  completionTokensPer1k: number;
  usdPer1k: number;
  cacheHitsPer1k: number;
  /** Keystrokes answered by waiting for a request already on its way (EngineStats.recycled). */
  recycledPer1k: number;
  /** Keystrokes at the end of a finished line, where the engine sent nothing (EngineStats.skipped). */
  skippedPer1k: number;
  suggestionsShownPer1k: number;
  acceptedSuggestionsPer1k: number;
  acceptedCharsPer1k: number;
  /** Keys the user really pressed (typed + Tab) per 1,000 workload keystrokes. */
  keysPressedPer1k: number;
  /**
   * From the product's ledger (Ledger.report()'s value figures for completions): the simulated user's
   * offers and accepts are recorded as the extension records them, so this is the product's own figure.
   */
  usdPer1kAcceptedChars: number;
  /** Accepted ÷ offered requests, from the same value figures; null when nothing was offered. */
  acceptanceRate: number | null;
  /** Requests where the model stopped at a definition the prompt lacked, short of the true continuation. */
  stoppedShortPer1k: number;
  latencyMs: { p50: number; p95: number; shown: number };
  latencyNetworkMs: { p50: number; p95: number; shown: number };
  cpuPerKeystrokeUs: { p50: number; p95: number; max: number; calls: number };
  /** Of the identifiers in true continuations defined outside what the prompt shows of the file, the share whose definition the prompt had. */
  contextRecall: number;
  /** Cached ÷ all prompt tokens. */
  cachedShare: number;
  /** Requests priced from the API's usage ÷ requests (cancelled and ended-early requests are estimated). */
  exactShare: number;
  /** Context gathering, off the keystroke path (virtual ms: the language service's real time plus a round trip per call). */
  contextGatheringMs: { p50: number; p95: number; count: number };
  totals: {
    workloadKeystrokes: number;
    workloadChars: number;
    requests: number;
    cancelled: number;
    endedEarly: number;
    errors: number;
    promptTokens: number;
    cachedPromptTokens: number;
    completionTokens: number;
    usd: number;
    acceptedChars: number;
    typedKeys: number;
    tabs: number;
    calls: number;
    virtualMinutes: number;
    realSeconds: number;
    promptMismatches: number;
    recallNeeded: number;
    recallShown: number;
    spilled: number;
    /** What the product's ledger holds for the run (its value figures): requests, their cost, and what became of them. */
    ledger: Pick<ValueFigures, 'requests' | 'usd' | 'offered' | 'accepted' | 'acceptedChars' | 'typedThrough' | 'typedChars'> & { errors: number };
  };
}

export function summarize(run: RunResult): EngineSummary {
  const per1k = (n: number) => (n * 1000) / run.workloadKeys;
  const usd = run.meter.costUnits / 1e9;
  const { typing, meter } = run;
  const us = typing.cpuMs.map((ms) => ms * 1000);
  return {
    label: run.config.label,
    requestsPer1k: per1k(meter.requests),
    cancelledPer1k: per1k(meter.cancelled),
    nothingToSuggestPer1k: per1k(run.nothingToSuggest),
    promptTokensPer1k: per1k(meter.promptTokens),
    cachedPromptTokensPer1k: per1k(meter.cachedTokens),
    completionTokensPer1k: per1k(meter.completionTokens),
    usdPer1k: per1k(usd),
    cacheHitsPer1k: per1k(run.engine.cacheHits),
    recycledPer1k: per1k(run.engine.recycled),
    skippedPer1k: per1k(run.engine.skipped),
    suggestionsShownPer1k: per1k(typing.suggestionsShown),
    acceptedSuggestionsPer1k: per1k(typing.tabs),
    acceptedCharsPer1k: per1k(typing.acceptedChars),
    keysPressedPer1k: per1k(typing.typedKeys + typing.tabs),
    usdPer1kAcceptedChars: run.value.usdPer1kAcceptedChars ?? Infinity,
    acceptanceRate: run.value.acceptanceRate,
    stoppedShortPer1k: per1k(run.stoppedShort),
    latencyMs: { p50: percentile(typing.latencyMs, 50), p95: percentile(typing.latencyMs, 95), shown: typing.latencyMs.length },
    latencyNetworkMs: { p50: percentile(typing.latencyNetworkMs, 50), p95: percentile(typing.latencyNetworkMs, 95), shown: typing.latencyNetworkMs.length },
    cpuPerKeystrokeUs: { p50: percentile(us, 50), p95: percentile(us, 95), max: Math.max(...us), calls: us.length },
    contextRecall: run.recall.needed > 0 ? run.recall.shown / run.recall.needed : 0,
    cachedShare: meter.promptTokens > 0 ? meter.cachedTokens / meter.promptTokens : 0,
    exactShare: meter.requests > 0 ? (meter.requests - meter.cancelled - meter.endedEarly) / meter.requests : 1,
    contextGatheringMs: { p50: percentile(run.gatherMs, 50), p95: percentile(run.gatherMs, 95), count: run.gatherMs.length },
    totals: {
      workloadKeystrokes: run.workloadKeys,
      workloadChars: run.workloadChars,
      requests: meter.requests,
      cancelled: meter.cancelled,
      endedEarly: meter.endedEarly,
      errors: meter.errors,
      promptTokens: meter.promptTokens,
      cachedPromptTokens: meter.cachedTokens,
      completionTokens: meter.completionTokens,
      usd,
      acceptedChars: typing.acceptedChars,
      typedKeys: typing.typedKeys,
      tabs: typing.tabs,
      calls: typing.calls,
      virtualMinutes: run.virtualMs / 60_000,
      realSeconds: run.realMs / 1000,
      promptMismatches: run.promptMismatches,
      recallNeeded: run.recall.needed,
      recallShown: run.recall.shown,
      spilled: run.spilled,
      ledger: {
        requests: run.value.requests,
        usd: run.value.usd,
        offered: run.value.offered,
        accepted: run.value.accepted,
        acceptedChars: run.value.acceptedChars,
        typedThrough: run.value.typedThrough,
        typedChars: run.value.typedChars,
        errors: run.ledgerErrors,
      },
    },
  };
}

export interface Target {
  name: string;
  value: string;
  pass: boolean;
}

export interface Ratios {
  requestsVsNaive: number;
  usdVsNaive: number;
  usdPerAcceptedCharVsContinue: number;
  acceptedCharsVsContinue: number;
  usdVsContinue: number;
  /** Penny today (pennyBaseline), measured in the same run. */
  contextRecallVsBaseline: number;
  networkLatencyP50VsBaseline: number;
  requestsVsBaseline: number;
  usdPerAcceptedCharVsBaseline: number;
}

export function ratios(penny: EngineSummary, naive: EngineSummary, continueLike: EngineSummary, baseline: EngineSummary): Ratios {
  return {
    requestsVsNaive: penny.requestsPer1k / naive.requestsPer1k,
    usdVsNaive: penny.usdPer1k / naive.usdPer1k,
    usdPerAcceptedCharVsContinue: penny.usdPer1kAcceptedChars / continueLike.usdPer1kAcceptedChars,
    acceptedCharsVsContinue: penny.acceptedCharsPer1k / continueLike.acceptedCharsPer1k,
    usdVsContinue: penny.usdPer1k / continueLike.usdPer1k,
    contextRecallVsBaseline: penny.contextRecall / baseline.contextRecall,
    networkLatencyP50VsBaseline: penny.latencyNetworkMs.p50 / baseline.latencyNetworkMs.p50,
    requestsVsBaseline: penny.requestsPer1k / baseline.requestsPer1k,
    usdPerAcceptedCharVsBaseline: penny.usdPer1kAcceptedChars / baseline.usdPer1kAcceptedChars,
  };
}

export function targets(penny: EngineSummary, r: Ratios, mess: MessReport): Target[] {
  const messShare = mess.total > 0 ? mess.exact / mess.total : 0;
  return [
    { name: 'requests per 1k keystrokes <= 1/5 of naive', value: `${fixed(r.requestsVsNaive, 3)}x`, pass: r.requestsVsNaive <= 0.2 },
    { name: 'dollars per 1k keystrokes <= 1/5 of naive', value: `${fixed(r.usdVsNaive, 3)}x`, pass: r.usdVsNaive <= 0.2 },
    { name: 'dollars per accepted character < Continue-like', value: `${fixed(r.usdPerAcceptedCharVsContinue, 3)}x`, pass: r.usdPerAcceptedCharVsContinue < 1 },
    { name: 'messy answers cleaned exactly >= 95%', value: pct(messShare), pass: messShare >= 0.95 },
    { name: 'engine CPU per keystroke p95 < 1 ms', value: `${fixed(penny.cpuPerKeystrokeUs.p95, 1)} µs`, pass: penny.cpuPerKeystrokeUs.p95 < 1000 },
    { name: 'context recall >= 0.8', value: fixed(penny.contextRecall, 3), pass: penny.contextRecall >= 0.8 },
    { name: 'context recall >= 2x Penny today', value: `${fixed(r.contextRecallVsBaseline, 2)}x`, pass: r.contextRecallVsBaseline >= 2 },
    { name: 'completion prompt tokens cached >= 50%', value: pct(penny.cachedShare), pass: penny.cachedShare >= 0.5 },
    {
      name: 'dollars per accepted character <= 0.5x Continue-like',
      value: `${fixed(r.usdPerAcceptedCharVsContinue, 3)}x`,
      pass: r.usdPerAcceptedCharVsContinue <= 0.5,
    },
    {
      name: 'keystroke → network suggestion p50 <= 0.8x Penny today',
      value: `${fixed(r.networkLatencyP50VsBaseline, 3)}x`,
      pass: r.networkLatencyP50VsBaseline <= 0.8,
    },
    { name: 'requests per 1k keystrokes <= Penny today', value: `${fixed(r.requestsVsBaseline, 3)}x`, pass: r.requestsVsBaseline <= 1 },
    { name: 'requests priced from usage >= 90%', value: pct(penny.exactShare), pass: penny.exactShare >= 0.9 },
  ];
}

function fixed(n: number, digits: number): string {
  return Number.isFinite(n) ? n.toFixed(digits) : String(n);
}

function pct(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

function usd(n: number): string {
  if (!Number.isFinite(n)) return '–';
  return `$${n < 0.01 ? n.toFixed(5) : n.toFixed(4)}`;
}

function int(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–';
}

function one(n: number): string {
  return Number.isFinite(n) ? n.toFixed(1) : '–';
}

export interface ReportInput {
  header: string[];
  summaries: EngineSummary[];
  ratios: Ratios;
  mess: MessReport;
  targets: Target[];
}

/** The per-engine table, one column per engine. */
export function table(summaries: EngineSummary[]): string[] {
  const rows: [string, (s: EngineSummary) => string][] = [
    ['requests sent / 1k keys', (s) => one(s.requestsPer1k)],
    ['… of which cancelled', (s) => one(s.cancelledPer1k)],
    ['… of which at a spot with nothing to suggest', (s) => one(s.nothingToSuggestPer1k)],
    ['… of which the model stopped at a definition the prompt lacks', (s) => one(s.stoppedShortPer1k)],
    ['prompt tokens / 1k keys', (s) => int(s.promptTokensPer1k)],
    ['… of which cached (50% off)', (s) => int(s.cachedPromptTokensPer1k)],
    ['completion tokens / 1k keys', (s) => int(s.completionTokensPer1k)],
    ['$ / 1k keys (gpt-4o-mini)', (s) => usd(s.usdPer1k)],
    ['cache hits / 1k keys', (s) => one(s.cacheHitsPer1k)],
    ['waits for a request on its way (recycled) / 1k keys', (s) => one(s.recycledPer1k)],
    ['skipped at a finished line / 1k keys', (s) => one(s.skippedPer1k)],
    ['suggestions shown / 1k keys', (s) => one(s.suggestionsShownPer1k)],
    ['suggestions accepted / 1k keys', (s) => one(s.acceptedSuggestionsPer1k)],
    ['accepted chars / 1k keys', (s) => int(s.acceptedCharsPer1k)],
    ['keys really pressed / 1k keys', (s) => int(s.keysPressedPer1k)],
    ['$ / 1k accepted chars (ledger value figures)', (s) => usd(s.usdPer1kAcceptedChars)],
    ['acceptance rate (accepted ÷ offered requests, ledger)', (s) => (s.acceptanceRate === null ? '–' : pct(s.acceptanceRate))],
    ['keystroke → suggestion p50 / p95 (virtual ms)', (s) => `${int(s.latencyMs.p50)} / ${int(s.latencyMs.p95)}`],
    ['… network answers only p50 / p95', (s) => `${int(s.latencyNetworkMs.p50)} / ${int(s.latencyNetworkMs.p95)}`],
    ['engine CPU / keystroke p50 / p95 (real µs)', (s) => `${one(s.cpuPerKeystrokeUs.p50)} / ${one(s.cpuPerKeystrokeUs.p95)}`],
    ['context recall (definitions the prompt shows)', (s) => `${fixed(s.contextRecall, 3)} (${s.totals.recallShown} / ${s.totals.recallNeeded})`],
    ['cached share of prompt tokens', (s) => pct(s.cachedShare)],
    ['requests priced from usage (exact)', (s) => pct(s.exactShare)],
    ["requests past a cache route's rate / 1k keys", (s) => one((s.totals.spilled * 1000) / s.totals.workloadKeystrokes)],
    [
      'context gathering p50 / p95 (ms, off the keystroke path)',
      (s) => (s.contextGatheringMs.count > 0 ? `${one(s.contextGatheringMs.p50)} / ${one(s.contextGatheringMs.p95)}` : '–'),
    ],
  ];
  const out: string[] = [];
  out.push(`| per 1,000 keystrokes | ${summaries.map((s) => s.label).join(' | ')} |`);
  out.push(`|---|${summaries.map(() => '---:').join('|')}|`);
  for (const [name, cell] of rows) out.push(`| ${name} | ${summaries.map(cell).join(' | ')} |`);
  return out;
}

export function markdown(input: ReportInput): string {
  const { summaries, mess } = input;
  const out: string[] = [...input.header, '', ...table(summaries), ''];
  const r = input.ratios;
  out.push('Ratios (Penny ÷ other):');
  out.push(
    `- vs Penny today: context recall ${fixed(r.contextRecallVsBaseline, 2)}x, keystroke → network suggestion p50 ${fixed(r.networkLatencyP50VsBaseline, 3)}x, requests ${fixed(r.requestsVsBaseline, 3)}x, dollars per accepted char ${fixed(r.usdPerAcceptedCharVsBaseline, 3)}x`,
  );
  out.push(`- vs naive: requests ${fixed(r.requestsVsNaive, 3)}x, dollars ${fixed(r.usdVsNaive, 3)}x`);
  out.push(
    `- vs Continue-like: dollars per accepted char ${fixed(r.usdPerAcceptedCharVsContinue, 3)}x, accepted chars ${fixed(r.acceptedCharsVsContinue, 2)}x, dollars ${fixed(r.usdVsContinue, 2)}x`,
  );
  out.push('');
  out.push(`Messy answers cleaned to exactly the clean answer's suggestion: ${mess.exact} / ${mess.total} (${pct(mess.total ? mess.exact / mess.total : 0)})`);
  out.push(`| mess | cleaned exactly |`);
  out.push(`|---|---:|`);
  for (const [kind, { total, exact }] of Object.entries(mess.byKind)) out.push(`| ${kind} | ${exact} / ${total} (${pct(total ? exact / total : 0)}) |`);
  out.push(
    `Clean answers whose suggestion is exactly the true continuation: ${mess.cleanFaithful.exact} / ${mess.cleanFaithful.total} (${pct(mess.cleanFaithful.total ? mess.cleanFaithful.exact / mess.cleanFaithful.total : 0)})`,
  );
  if (mess.unfaithful.length > 0) {
    out.push('');
    out.push('Some clean answers whose suggestion is not the true continuation:');
    for (const example of mess.unfaithful) {
      out.push(
        `- ${example.multiline ? 'multi-line' : 'single line'}, line ${JSON.stringify(example.linePrefix)}|${JSON.stringify(example.lineSuffix)}: answer ${JSON.stringify(example.raw)} → ${JSON.stringify(example.got)}, true continuation ${JSON.stringify(example.expected)}`,
      );
    }
  }
  if (mess.failures.length > 0) {
    out.push('');
    out.push('Some messy answers not cleaned exactly:');
    for (const failure of mess.failures) {
      out.push(
        `- ${failure.kind} (${failure.multiline ? 'multi-line' : 'single line'}), line ${JSON.stringify(failure.linePrefix)}|${JSON.stringify(failure.lineSuffix)}: raw ${JSON.stringify(failure.raw)} → ${JSON.stringify(failure.got)}, expected ${JSON.stringify(failure.expected)}`,
      );
    }
  }
  out.push('');
  out.push('| target | value | |');
  out.push('|---|---:|---|');
  for (const target of input.targets) out.push(`| ${target.name} | ${target.value} | ${target.pass ? 'PASS' : 'FAIL'} |`);
  return out.join('\n');
}
