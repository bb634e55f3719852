// One engine configuration typed through every region, in virtual time, against the local server.
import { performance } from 'node:perf_hooks';
import { RecentEdits } from '../../../src/core/completion/context/recentEdits';
import { pennyContext } from '../../../src/core/completion/defaults';
import { CompletionEngine, type EngineOptions, type EngineStats } from '../../../src/core/completion/engine';
import { CURSOR } from '../../../src/core/completion/prompt';
import type { OpenDocument } from '../../../src/core/completion/snippets';
import { compileExcludes, DEFAULT_EXCLUDES } from '../../../src/core/exclusions';
import type { OpenAIClient } from '../../../src/core/openaiClient';
import { newMeter, simulatedBackend, type ContinuationServer, type Meter } from './backend';
import { keystrokeLength, trueContinuation, type Region } from './corpus';
import { MESS_KINDS, cleanAnswer, messify, type MessSample } from './messy';
import { countRecall, newRecall, type RecallCount } from './recall';
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
   * open files, as Penny's did before.
   */
  context?: boolean;
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
}

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
        const continuation = trueContinuation(file.text, pos, end, prompt.multiline);
        if (continuation.trim() === '') nothingToSuggest++;
        countRecall(recall, context.workspaces, session!.region, pos, continuation, user);
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
  const engine = new CompletionEngine(backend, config.options, clock, gatherer);
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
    });
    session.start();
    await clock.run();
    context.server.clear();
  }

  return {
    config,
    typing,
    meter,
    engine: sumStats(engineStats),
    workloadKeys: workloadKeystrokes(context.regions),
    workloadChars: context.regions.reduce((sum, region) => sum + region.end - region.start, 0),
    virtualMs: clock.now(),
    realMs: performance.now() - realStart,
    promptMismatches,
    nothingToSuggest,
    samples,
    recall,
    gatherMs,
    spilled: context.server.cacheStats.spilled,
  };
}
