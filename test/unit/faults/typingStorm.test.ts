// Thousands of keystrokes in bursts through the real CompletionEngine (real clock, real debounce),
// whose backend goes through MeteredClient to the mock server with some latency, the way
// src/vscode/inlineCompletions.ts wires it. VS Code cancels the previous keystroke's request as the
// next one arrives; the engine must keep at most one request (plus one finishing) on the wire, record
// every request it sends in the ledger, leak no memory and reject no promise.
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import * as path from 'node:path';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { meteredCompletionBackend } from '../../../src/core/completion/backend';
import { CompletionEngine, realClock, type CompletionBackend, type EngineRequest } from '../../../src/core/completion/engine';
import { MockOpenAIServer } from '../../server/mockOpenAI';
import { makeRig, readLedgerLines, withTimeout, type Rig } from './harness';
import { mulberry32 } from '../../support/random';

const KEYSTROKES = 2000;
const WARM_UP_KEYSTROKES = 400;
const DEBOUNCE_MS = 20;
/** Generous: the engine, ledger tallies, meter and cache are all bounded; this only catches a real leak. */
const MAX_HEAP_GROWTH_MB = 24;

/** A TypeScript file long enough to type thousands of characters of. */
function documentText(): string {
  const parts: string[] = [];
  for (let i = 0; parts.join('').length < KEYSTROKES + 200; i++) {
    parts.push(
      `export function scale${i}(values: number[], factor${i}: number): number[] {\n` +
        `  const result = values.map((value) => value * factor${i});\n` +
        `  if (result.length === 0) return [];\n` +
        `  return result.filter((value) => Number.isFinite(value));\n` +
        `}\n\n`,
    );
  }
  return parts.join('');
}

/** `gc()` when it can be had (exposing it at run time works in Node), else undefined. */
function gcFunction(): (() => void) | undefined {
  if (typeof global.gc === 'function') return global.gc;
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => (ms <= 0 ? setImmediate(resolve) : setTimeout(resolve, ms)));

describe('typing storm: thousands of keystrokes through the completion engine', function () {
  this.timeout(20_000);
  let server: MockOpenAIServer;
  let rig: Rig;

  before(async () => {
    server = await MockOpenAIServer.start({
      // About 40 ms on the wire: long enough that typing goes on while a request streams.
      defaultReply: { content: '<COMPLETION>value * factor + offset;</COMPLETION>', chunkSize: 4, firstByteDelayMs: 10, chunkDelayMs: 3 },
    });
    rig = makeRig(server.url, { maxRetries: 0 });
  });
  after(async () => {
    await server.stop();
    rig.remove();
  });

  it('at most 2 requests in flight, every request in the ledger, flat memory, no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    // Requests on the wire, as Node's fetch (undici) reports them: created, until complete or failed/aborted.
    let onWire = 0;
    let peakOnWire = 0;
    let wireCreated = 0;
    let wireEnded = 0;
    const onCreate = () => {
      wireCreated++;
      peakOnWire = Math.max(peakOnWire, ++onWire);
    };
    const onEnd = () => {
      wireEnded++;
      onWire--;
    };
    subscribe('undici:request:create', onCreate);
    subscribe('undici:request:trailers', onEnd);
    subscribe('undici:request:error', onEnd);
    try {
      let backendCalls = 0;
      let inFlight = 0;
      let peakInFlight = 0;
      /** Backend calls whose request is still wanted (not cancelled): the ones that can still cost more. */
      const live = new Set<AbortSignal>();
      let peakLive = 0;
      /** Longest time from a request's cancellation to its backend call returning (its record written). */
      let longestTailMs = 0;
      const inFlightSamples: number[] = [];
      // The extension's backend, instrumented.
      // The extension's backend, counted.
      const extensionBackend = meteredCompletionBackend(
        rig.metered,
        () => 'gpt-4o-mini',
        () => undefined,
      );
      const backend: CompletionBackend = async (prompt, signal, stream) => {
        backendCalls++;
        inFlight++;
        peakInFlight = Math.max(peakInFlight, inFlight);
        live.add(signal);
        peakLive = Math.max(peakLive, [...live].filter((s) => !s.aborted).length);
        let abortedAt: number | undefined;
        signal.addEventListener('abort', () => (abortedAt = Date.now()), { once: true });
        try {
          return await extensionBackend(prompt, signal, stream);
        } finally {
          inFlight--;
          live.delete(signal);
          if (abortedAt !== undefined) longestTailMs = Math.max(longestTailMs, Date.now() - abortedAt);
        }
      };
      const engine = new CompletionEngine(backend, { debounceMs: DEBOUNCE_MS, maxPromptTokens: 1500, cacheSize: 50 }, realClock);
      const text = documentText();
      const rand = mulberry32(20_251_125);
      const gc = gcFunction();
      const heap = () => {
        gc?.();
        gc?.();
        return process.memoryUsage().heapUsed;
      };

      let serverRequests = 0;
      let typed = '';
      let position = 0;
      let previous: AbortController | undefined;
      const pending: Promise<unknown>[] = [];
      let shown = 0;
      let heapAfterWarmUp = 0;
      const started = Date.now();

      for (let key = 0; key < KEYSTROKES; key++) {
        // Mostly forward, now and then a backspace (which may land back on a cached suggestion).
        if (rand() < 0.05 && typed.length > 0) {
          typed = typed.slice(0, -1);
          position--;
        } else {
          typed += text[position++];
        }
        previous?.abort(); // VS Code cancels the previous keystroke's request
        const controller = new AbortController();
        previous = controller;
        const request: EngineRequest = {
          documentKey: 'file:///work/storm.ts',
          prefix: typed,
          suffix: '',
          prefixOffset: 0,
          languageId: 'typescript',
          relativePath: 'storm.ts',
        };
        pending.push(
          engine.complete(request, controller.signal).then((result) => {
            if (result) shown++;
          }),
        );
        inFlightSamples.push(inFlight);

        // Bursts: most keystrokes back to back, some a millisecond apart, a pause past the debounce every
        // ~50 (a request goes out, and the next burst catches it on the wire), now and then a pause long
        // enough for the suggestion to arrive.
        const roll = rand();
        await sleep(roll < 0.003 ? 100 : roll < 0.02 ? DEBOUNCE_MS + 5 + Math.floor(rand() * 15) : roll < 0.15 ? 1 : 0);

        if (key === WARM_UP_KEYSTROKES - 1) {
          // Warmed up (tokenizer loaded, JIT done): the baseline for memory.
          serverRequests += server.requests.length;
          server.requests.length = 0; // the mock's own log is test scaffolding, not Penny's memory
          heapAfterWarmUp = heap();
        }
      }
      previous?.abort();
      const typingMs = Date.now() - started;

      await withTimeout(Promise.all(pending), 5000, 'every keystroke to settle');
      const drained = Date.now();
      while (rig.metered.inFlight > 0 || inFlight > 0) {
        assert.ok(Date.now() - drained < 5000, `hang: ${rig.metered.inFlight} request(s) still in flight 5 s after the storm`);
        await sleep(5);
      }
      serverRequests += server.requests.length;
      server.requests.length = 0;
      const heapAfter = heap();
      const growthMb = (heapAfter - heapAfterWarmUp) / 1024 / 1024;

      const ledgerRecords = readLedgerLines(path.join(rig.dir, 'ledger'));
      const outcomes: Record<string, number> = {};
      for (const record of ledgerRecords)
        outcomes[`${record.outcome}${record.exact ? '' : '~'}`] = (outcomes[record.outcome + (record.exact ? '' : '~')] ?? 0) + 1;
      const report = await rig.ledger.report();
      const { stats } = engine;

      console.log(
        [
          `      storm: ${KEYSTROKES} keystrokes in ${typingMs} ms (debounce ${DEBOUNCE_MS} ms, ~40 ms per answer)`,
          `      requests sent ${stats.requests} (${(stats.requests / KEYSTROKES).toFixed(3)} per keystroke), reached the server ${serverRequests}, suggestions shown ${shown}`,
          `      engine: cancelled ${stats.cancelled}, cache hits ${stats.cacheHits}, recycled ${stats.recycled}, skipped ${stats.skipped}`,
          `      peak in flight: ${peakOnWire} on the wire (fetch), ${peakLive} live in the backend, ${peakInFlight} counting cancelled ones still writing their record (longest such tail ${longestTailMs} ms, longest ledger append ${rig.longestAppendMs()} ms); ledger ${ledgerRecords.length} records ${JSON.stringify(outcomes)}`,
          `      heap ${(heapAfterWarmUp / 1048576).toFixed(1)} MB after ${WARM_UP_KEYSTROKES} keystrokes -> ${(heapAfter / 1048576).toFixed(1)} MB after ${KEYSTROKES} (${growthMb >= 0 ? '+' : ''}${growthMb.toFixed(2)} MB, gc ${gc ? 'forced' : 'not available'})`,
        ].join('\n'),
      );

      assert.equal(wireEnded, wireCreated, 'every request on the wire ended');
      assert.equal(wireCreated, serverRequests, 'the wire count sees every request');
      assert.ok(peakOnWire <= 2, `at most 2 requests on the wire at once; saw ${peakOnWire}`);
      assert.ok(peakLive <= 2, `at most 2 live (not cancelled) requests in the backend at once; saw ${peakLive}`);
      // A cancelled request returns once its ledger record is written: on a busy disk a few such tails can
      // overlap (they cost nothing more); many would mean records piling up.
      assert.ok(peakInFlight <= 10, `backend calls pile up: ${peakInFlight} at once`);
      assert.equal(rig.metered.peakInFlight, peakInFlight);
      assert.ok(stats.requests > 20, `the storm's pauses let requests out (${stats.requests})`);
      assert.ok(stats.requests < KEYSTROKES / 10, `the debounce holds back most keystrokes (${stats.requests} requests for ${KEYSTROKES} keystrokes)`);
      assert.equal(backendCalls, stats.requests, 'every request the engine counts went to the backend');
      assert.equal(ledgerRecords.length, backendCalls, 'every request sent has exactly one ledger record');
      assert.equal(rig.metered.results.length, backendCalls);
      assert.ok(serverRequests <= backendCalls, `no request reaches the server without a record (${serverRequests} > ${backendCalls})`);
      assert.equal(
        report.byDay.reduce((n, d) => n + d.totals.requests, 0),
        backendCalls,
        'the report counts them all',
      );
      assert.equal(rig.meter.state().live.length, 0, 'the status bar shows nothing running');
      assert.deepEqual(rig.ledgerErrors, []);
      assert.deepEqual(rig.ledgerWarnings, []);
      assert.ok(growthMb < MAX_HEAP_GROWTH_MB, `heap grew ${growthMb.toFixed(1)} MB over ${KEYSTROKES - WARM_UP_KEYSTROKES} keystrokes`);
      assert.deepEqual(unhandled.map(String), [], 'no unhandled promise rejection');
    } finally {
      process.off('unhandledRejection', onUnhandled);
      unsubscribe('undici:request:create', onCreate);
      unsubscribe('undici:request:trailers', onEnd);
      unsubscribe('undici:request:error', onEnd);
    }
  });
});
