// The completion engine the extension and the benchmark share. Cost control lives here:
// a debounce, one request in flight (a newer keystroke cancels the older request), and a cache
// that serves typing through a shown suggestion, or deleting back to it, without a new request.
import { buildCompletionPrompt, type CompletionContext, type CompletionPrompt } from './prompt';
import { cleanCompletion, singleLineComplete } from './postprocess';

export interface CompletionBackendResult {
  text: string;
}

/** Sends one completion request; the extension meters it, the benchmark simulates it. */
export type CompletionBackend = (
  prompt: CompletionPrompt,
  signal: AbortSignal,
  isEnough: ((textSoFar: string) => boolean) | undefined,
) => Promise<CompletionBackendResult | undefined>;

export interface Clock {
  now(): number;
  /** Resolves true after ms, or false as soon as the signal aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<boolean>;
}

export interface EngineOptions {
  debounceMs: number;
  maxPromptTokens: number;
  cacheSize: number;
}

export interface EngineRequest extends CompletionContext {
  /** Identifies the document, so suggestions never cross files. */
  documentKey: string;
}

export type CompletionSource = 'cache' | 'network';

export interface EngineStats {
  requests: number;
  cacheHits: number;
  cancelled: number;
}

/** One request on its way, shared by every caller asking at the same spot. */
interface Flight {
  key: string;
  controller: AbortController;
  callers: number;
  /** Past the debounce: the request went out and will be paid for, so it is let finish. */
  sent: boolean;
  result: Promise<string | undefined>;
}

function spotKey(request: EngineRequest): string {
  return `${request.documentKey}\u0000${request.prefix.length}\u0000${request.prefix.slice(-200)}\u0000${request.suffix.slice(0, 200)}`;
}

function abortedOf(signal: AbortSignal): Promise<undefined> {
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(undefined), { once: true }));
}

interface CacheEntry {
  documentKey: string;
  prefix: string;
  /** The first line after the cursor: a suggestion stays valid only while it is unchanged. */
  lineSuffix: string;
  completion: string;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal.aborted) return resolve(false);
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        resolve(false);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    }),
};

export class CompletionEngine {
  private readonly cache: CacheEntry[] = [];
  private inFlight?: Flight;
  readonly stats: EngineStats = { requests: 0, cacheHits: 0, cancelled: 0 };

  constructor(
    private readonly backend: CompletionBackend,
    private options: EngineOptions,
    private readonly clock: Clock = realClock,
  ) {}

  configure(options: Partial<EngineOptions>): void {
    this.options = { ...this.options, ...options };
  }

  /** The suggestion for this cursor position, or undefined. Resolves undefined once `signal` aborts. */
  async complete(request: EngineRequest, signal: AbortSignal): Promise<{ text: string; source: CompletionSource } | undefined> {
    const cached = this.fromCache(request);
    if (cached !== undefined) {
      this.stats.cacheHits++;
      return cached === '' ? undefined : { text: cached, source: 'cache' };
    }
    const key = spotKey(request);
    // VS Code asks again for the same spot (a re-trigger): join the request already on its way.
    const flight = this.inFlight?.key === key ? this.inFlight : this.startFlight(request, key);
    flight.callers++;
    const detach = () => {
      // Nobody waits any more and nothing was sent yet: drop it. Once sent, it finishes into the cache.
      if (--flight.callers === 0 && !flight.sent) flight.controller.abort();
    };
    if (signal.aborted) {
      detach();
      return undefined;
    }
    signal.addEventListener('abort', detach, { once: true });
    const text = await Promise.race([flight.result, abortedOf(signal)]);
    signal.removeEventListener('abort', detach);
    if (!signal.aborted) flight.callers--;
    return signal.aborted || !text ? undefined : { text, source: 'network' };
  }

  private startFlight(request: EngineRequest, key: string): Flight {
    // A newer keystroke supersedes whatever is waiting or in flight.
    this.inFlight?.controller.abort();
    const flight: Flight = { key, controller: new AbortController(), callers: 0, sent: false, result: Promise.resolve(undefined) };
    this.inFlight = flight;
    flight.result = this.fetch(request, flight).finally(() => {
      if (this.inFlight === flight) this.inFlight = undefined;
    });
    return flight;
  }

  private async fetch(request: EngineRequest, flight: Flight): Promise<string | undefined> {
    const { signal } = flight.controller;
    if (!(await this.clock.sleep(this.options.debounceMs, signal))) return undefined;
    const prompt = buildCompletionPrompt(request, this.options.maxPromptTokens);
    this.stats.requests++;
    flight.sent = true;
    const result = await this.backend(prompt, signal, prompt.multiline ? undefined : singleLineComplete);
    if (signal.aborted) {
      this.stats.cancelled++;
      return undefined;
    }
    if (!result) return undefined;
    const text = cleanCompletion(result.text, { prefix: request.prefix, suffix: request.suffix, multiline: prompt.multiline }) ?? '';
    // Empty answers are remembered too: asking again at the same spot would return nothing again.
    this.remember(request, text);
    return text || undefined;
  }

  private fromCache(request: EngineRequest): string | undefined {
    const lineSuffix = request.suffix.split('\n', 1)[0];
    for (let i = this.cache.length - 1; i >= 0; i--) {
      const entry = this.cache[i];
      const typedLength = request.prefix.length - entry.prefix.length;
      if (typedLength < 0 || typedLength > entry.completion.length) continue; // cheap checks before comparing text
      if (entry.documentKey !== request.documentKey || entry.lineSuffix !== lineSuffix) continue;
      if (!request.prefix.startsWith(entry.prefix)) continue;
      const typed = request.prefix.slice(entry.prefix.length);
      if (!entry.completion.startsWith(typed)) continue;
      if (typed.length === entry.completion.length && typed.length > 0) continue; // fully typed: ask afresh
      // Most recently used last.
      this.cache.splice(i, 1);
      this.cache.push(entry);
      return entry.completion.slice(typed.length);
    }
    return undefined;
  }

  private remember(request: EngineRequest, completion: string): void {
    this.cache.push({
      documentKey: request.documentKey,
      prefix: request.prefix,
      lineSuffix: request.suffix.split('\n', 1)[0],
      completion,
    });
    if (this.cache.length > this.options.cacheSize) this.cache.shift();
  }
}
