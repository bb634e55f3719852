// One engine configuration typed through every region, in virtual time, against the local server.
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { RecentEdits } from '../../../src/core/completion/context/recentEdits';
import { pennyContext } from '../../../src/core/completion/defaults';
import { CompletionEngine, type CompletionOrigin, type EngineOptions, type EngineStats } from '../../../src/core/completion/engine';
import { CURSOR } from '../../../src/core/completion/prompt';
import { completionUse } from '../../../src/core/completion/uses';
import { Ledger } from '../../../src/core/cost/ledger';
import type { ValueFigures } from '../../../src/core/cost/tallies';
import { UseRecorder } from '../../../src/core/useRecorder';
import type { OpenDocument } from '../../../src/core/completion/snippets';
import { compileExcludes, DEFAULT_EXCLUDES } from '../../../src/core/exclusions';
import type { OpenAIClient } from '../../../src/core/openaiClient';
import { newMeter, simulatedBackend, type ContinuationServer, type Meter } from './backend';
import { keystrokeLength, trueContinuation, type Region } from './corpus';
import { MESS_KINDS, cleanAnswer, messify, type MessSample } from './messy';
import { answerable, countRecall, neededDefinitions, newRecall, type RecallCount } from './recall';
import { TypingSession, newTypingMetrics, type Call, type CompleteFn, type TypingMetrics } from './typist';
import { RealWork, VirtualClock } from './virtualClock';
import type { Workspaces } from './workspace';

export interface EngineConfig {
  /** Key in the JSON report. */
  id: string;
  /** Column heading. */
  label: string;
  options: EngineOptions;
  /** false: the backend ignores the engine's cancellation (every request runs and is billed in full). */
  honourCancel: boolean;
  /** What the model answers: the true continuation in tags, or wrapped in chat-model mess. */
  answers: 'clean' | 'messy';
  /**
   * Gathers cross-file context with the extension's sources (pennyContext: definitions through the
   * language providers, recent edits, similar windows). Otherwise requests carry snippets of the
   * open files, as Penny's did before. 'continue': the sources Continue has (no map of the current file).
   */
  context?: boolean | 'continue';
}

export interface RunContext {
  client: OpenAIClient;
  server: ContinuationServer;
  regions: Region[];
  gaps: Map<Region, Map<number, number>>;
  ttftMs: number;
  tokensPerSecond: number;
  reactionMs: number;
  workspaces: Workspaces;
  /** The model writes the true continuation whatever the prompt shows (before the quality model; default off). */
  oracle?: boolean;
}

/** The wall-clock date the virtual clock's 0 stands for in ledger records: a local morning, so a run stays within one local day. */
export const LEDGER_EPOCH = new Date(2026, 0, 5, 9, 0, 0);

export interface RunResult {
  config: EngineConfig;
  typing: TypingMetrics;
  meter: Meter;
  engine: EngineStats;
  /** Keystrokes the workload takes without any completion: the denominator of every "per 1,000 keystrokes". */
  workloadKeys: number;
  workloadChars: number;
  virtualMs: number;
  realMs: number;
  /** Requests where even a perfect model has nothing to suggest (the true continuation is blank). */
  nothingToSuggest: number;
  /** Requests whose prompt did not show the cursor where the simulated user was (should be 0). */
  promptMismatches: number;
  /** Every request's context and true continuation, for the messy-answer check. */
  samples: MessSample[];
  recall: RecallCount;
  /** Virtual ms of each context gathering (the language service's real time plus a round trip per call). */
  gatherMs: number[];
  /** Requests that went past a cache route's rate. */
  spilled: number;
  /** Requests where the model stopped short of the true continuation at a definition the prompt lacked (answerable). */
  stoppedShort: number;
  /**
   * The product's own value figures for the run's completions (Ledger.report(): today's completions),
   * from the request records the backend wrote and the use records the simulated user's offers,
   * accepts and typing through wrote through UseRecorder and completionUse.
   */
  value: ValueFigures;
  /** Ledger writes that failed (should be 0). */
  ledgerErrors: number;
}

function sumStats(all: EngineStats[]): EngineStats {
  const sum: EngineStats = { requests: 0, cacheHits: 0, cancelled: 0, recycled: 0, skipped: 0 };
  for (const stats of all) for (const key of Object.keys(sum) as (keyof EngineStats)[]) sum[key] += stats[key];
  return sum;
}

export function workloadKeystrokes(regions: Region[]): number {
  let keys = 0;
  for (const region of regions) {
    for (let pos = region.start; pos < region.end; pos += keystrokeLength(region.file.text, pos, region.end)) keys++;
  }
  return keys;
}

export async function runEngine(config: EngineConfig, context: RunContext): Promise<RunResult> {
  const realStart = performance.now();
  const work = new RealWork();
  const clock = new VirtualClock(work);
  let lastFireAt = performance.now();
  clock.onFire = () => {
    lastFireAt = performance.now();
  };
  const meter = newMeter();
  const typing = newTypingMetrics();
  const samples: MessSample[] = [];
  let promptMismatches = 0;
  let nothingToSuggest = 0;
  let messIndex = 0;
  let session: TypingSession | undefined;
  const recall = newRecall();
  const gatherMs: number[] = [];
  context.server.resetCache();
  context.server.now = () => clock.now();
  const facts = context.workspaces.facts(clock, () => session?.typed);
  // The product's ledger, in a temporary directory, dated by the virtual clock.
  const ledgerDir = mkdtempSync(path.join(os.tmpdir(), 'penny-bench-ledger-'));
  const date = (virtualMs: number) => new Date(LEDGER_EPOCH.getTime() + virtualMs);
  let ledgerErrors = 0;
  const ledger = new Ledger(ledgerDir, { now: () => date(clock.now()), onWarning: () => ledgerErrors++ });
  const appends: Promise<void>[] = [];
  const uses = new UseRecorder({
    ledger,
    onError: () => ledgerErrors++,
    now: () => date(clock.now()),
    // The grace period in which an accept wins over typing through, in virtual time.
    defer: (write, ms) => void clock.schedule(ms, write),
  });
  let stoppedShort = 0;
  const edits = new RecentEdits();
  let openDocuments: readonly OpenDocument[] = [];
  const gatherer = config.context
    ? pennyContext({
        facts,
        edits,
        openDocuments: () => openDocuments,
        isExcluded: compileExcludes(DEFAULT_EXCLUDES),
        clock,
        onGathered: (ms) => gatherMs.push(ms),
        fileMap: config.context !== 'continue',
      })
    : undefined;

  const backend = simulatedBackend<Call | undefined>({
    client: context.client,
    server: context.server,
    clock,
    work,
    meter,
    ttftMs: context.ttftMs,
    tokensPerSecond: context.tokensPerSecond,
    honourCancel: config.honourCancel,
    lastFireAt: () => lastFireAt,
    ledger: {
      append: (record) => appends.push(ledger.append(record).catch(() => void ledgerErrors++)),
      date,
      language: () => session?.region.file.languageId,
    },
    hooks: {
      onSend(promptCpuMs) {
        const call = session?.current;
        if (call) call.cpuMs += promptCpuMs;
        return call;
      },
      answer(call, prompt) {
        const { file, end } = session!.region;
        const pos = call?.pos ?? session!.pos;
        const user = prompt.messages[prompt.messages.length - 1].content;
        if (!user.includes(file.text.slice(Math.max(0, pos - 24), pos) + CURSOR)) promptMismatches++;
        const truth = trueContinuation(file.text, pos, end, prompt.multiline);
        if (truth.trim() === '') nothingToSuggest++;
        const needs = neededDefinitions(context.workspaces, session!.region, pos, truth, user);
        countRecall(recall, needs);
        // The model knows only what the prompt shows: it stops at the first definition it lacks.
        const continuation = context.oracle ? truth : answerable(truth, needs);
        if (continuation.length < truth.length) stoppedShort++;
        // What the engine cleans the answer with: the prefix and suffix of the request it sent.
        const request = call?.request ?? session!.request();
        const sample: MessSample = {
          prefix: request.prefix,
          suffix: request.suffix,
          languageId: file.languageId,
          multiline: prompt.multiline,
          continuation,
          maxTokens: prompt.maxTokens,
        };
        samples.push(sample);
        if (config.answers === 'clean') return cleanAnswer(continuation);
        const kind = MESS_KINDS[messIndex % MESS_KINDS.length];
        return messify(kind, continuation, sample, messIndex++);
      },
      onAnswer(call) {
        if (call) call.answeredAt = performance.now();
      },
    },
  });
  const onTypedThrough = (origin: CompletionOrigin, chars: number) => uses.record(completionUse('typedThrough', origin, chars));
  const engine = new CompletionEngine(backend, { ...config.options, onTypedThrough }, clock, gatherer);
  const engineStats: EngineStats[] = [engine.stats];
  const complete: CompleteFn = (request, signal) => engine.complete(request, signal);

  for (const region of context.regions) {
    openDocuments = facts.openDocuments(region.file.relativePath);
    session = new TypingSession({
      clock,
      complete,
      region,
      gaps: context.gaps.get(region)!,
      metrics: typing,
      reactionMs: context.reactionMs,
      openDocuments,
      snippetsInRequest: !config.context,
      edits,
      onUse: (event) => uses.record(event),
    });
    session.start();
    await clock.run();
    context.server.clear();
  }

  const virtualMs = clock.now();
  const realMs = performance.now() - realStart;
  // Every write is queued in the ledger before the report, which runs after them.
  await Promise.all(appends);
  const report = await ledger.report();
  rmSync(ledgerDir, { recursive: true, force: true });
  const value = report.valueByDay[report.valueByDay.length - 1].completions;
  return {
    config,
    typing,
    meter,
    engine: sumStats(engineStats),
    workloadKeys: workloadKeystrokes(context.regions),
    workloadChars: context.regions.reduce((sum, region) => sum + region.end - region.start, 0),
    virtualMs,
    realMs,
    promptMismatches,
    nothingToSuggest,
    samples,
    recall,
    gatherMs,
    spilled: context.server.cacheStats.spilled,
    stoppedShort,
    value,
    ledgerErrors,
  };
}
