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
  private inFlight?: AbortController;
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
    // A newer keystroke supersedes whatever is waiting or in flight.
    this.inFlight?.abort();
    const controller = new AbortController();
    this.inFlight = controller;
    const onAbort = () => controller.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      if (signal.aborted || !(await this.clock.sleep(this.options.debounceMs, controller.signal))) return undefined;
      const prompt = buildCompletionPrompt(request, this.options.maxPromptTokens);
      this.stats.requests++;
      const result = await this.backend(prompt, controller.signal, prompt.multiline ? undefined : singleLineComplete);
      if (controller.signal.aborted) this.stats.cancelled++;
      if (!result) return undefined;
      const text = cleanCompletion(result.text, { prefix: request.prefix, suffix: request.suffix, multiline: prompt.multiline }) ?? '';
      // Empty answers are remembered too: asking again at the same spot would return nothing again.
      if (!controller.signal.aborted) this.remember(request, text);
      if (signal.aborted || !text) return undefined;
      return { text, source: 'network' };
    } finally {
      signal.removeEventListener('abort', onAbort);
      if (this.inFlight === controller) this.inFlight = undefined;
    }
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
