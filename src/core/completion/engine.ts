// The completion engine the extension and the benchmark share. Cost control lives here:
// a debounce, one request in flight (a newer keystroke cancels the older request), and a cache
// that serves typing through a shown suggestion, or deleting back to it, without a new request.
import { PromptCacheKeys } from './cacheKey';
import type { ContextGatherer } from './context/gatherer';
import { AdaptiveDebounce } from './debounce';
import {
  buildCompletionPrompt,
  CLOSE_TAG,
  OPEN_TAG,
  wantsMultiline,
  type CompletionContext,
  type CompletionPrompt,
  type PromptLayout,
  type Snippet,
} from './prompt';
import { cleanCompletion, indentWidth, singleLineComplete, type CleanContext } from './postprocess';

/** The request a suggestion came from: what its offer, acceptance or typing through is recorded against. */
export interface CompletionOrigin {
  /** The ledger record of the request. */
  recordId: string;
  /** The model that answered, as recorded. */
  model: string;
  /** The document's language, as recorded. */
  language?: string;
}

export interface CompletionBackendResult {
  text: string;
  origin?: CompletionOrigin;
  /** The answer hit its token limit: the model had more to say. */
  truncated?: boolean;
}

/** A suggestion for the cursor, and the request it came from (when it was recorded). */
export interface Suggestion {
  text: string;
  source: CompletionSource;
  origin?: CompletionOrigin;
}

/** What the engine follows of an answer as it streams. */
export interface StreamHooks {
  /** Ends the stream once the text so far is all that is wanted (a single line, complete). */
  isEnough?: (textSoFar: string) => boolean;
  /** The text so far, and the request it comes from (its ledger record is written when it ends). */
  onText?: (textSoFar: string, origin: CompletionOrigin | undefined) => void;
}

/** Sends one completion request; the extension meters it, the benchmark simulates it. */
export type CompletionBackend = (prompt: CompletionPrompt, signal: AbortSignal, stream: StreamHooks) => Promise<CompletionBackendResult | undefined>;

export interface Clock {
  now(): number;
  /** Resolves true after ms, or false as soon as the signal aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<boolean>;
}

export interface EngineOptions {
  /** The debounce; with `adaptiveDebounce` its ceiling. */
  debounceMs: number;
  maxPromptTokens: number;
  cacheSize: number;
  /** Serve a shown suggestion while the user types through it (default on). Off: exact-spot cache hits only. */
  typeThrough?: boolean;
  /** Let a keystroke wait for a request already sent for the same line (default on). */
  recycle?: boolean;
  /** Send nothing at the end of a line that is already complete (default on). */
  skipFinishedLines?: boolean;
  /** Wait less where the typing rhythm and the position say the user has stopped (default off). */
  adaptiveDebounce?: boolean;
  /** The prompt's layout (default `cursorWindow`). */
  layout?: PromptLayout;
  /** Send a `prompt_cache_key` per document (default off). */
  promptCacheKey?: boolean;
  /**
   * Show a multi-line answer's first complete lines while the rest streams (default off). Such a
   * request then finishes into the cache even when the user types on: its rest is what they take
   * next, and its usage prices it exactly.
   */
  earlyLines?: boolean;
  /** The user typed out a whole suggestion themselves, over several keystrokes, while it was shown. */
  onTypedThrough?: (origin: CompletionOrigin, chars: number) => void;
}

export interface EngineRequest extends Omit<CompletionContext, 'snippets'> {
  /** Identifies the document, so suggestions never cross files. */
  documentKey: string;
  /** Code from other open files, gathered only when a request is actually sent. */
  snippets?: () => Snippet[];
  /** The document's version: context is gathered once per version and cursor offset. */
  version?: number;
}

export type CompletionSource = 'cache' | 'network';

export interface EngineStats {
  requests: number;
  cacheHits: number;
  cancelled: number;
  /** Keystrokes answered by waiting for a request already on its way. */
  recycled: number;
  /** Keystrokes at the end of a finished line, where no request is worth sending. */
  skipped: number;
}

/** One request on its way, shared by every caller asking at the same spot. */
interface Flight {
  key: string;
  request: EngineRequest;
  controller: AbortController;
  callers: number;
  /** Past the debounce: the request went out and will be paid for, so it is let finish. */
  sent: boolean;
  result: Promise<Answer | undefined>;
  /** A multi-line answer's first complete lines, while the rest still streams; never resolves otherwise. */
  early: Promise<Answer>;
  showEarly: (answer: Answer) => void;
  /** Its first lines are on screen: a newer keystroke does not cancel it. */
  shownEarly: boolean;
}

interface Answer {
  text: string;
  origin?: CompletionOrigin;
}

function spotKey(request: EngineRequest): string {
  return `${request.documentKey}\u0000${request.prefix.length}\u0000${request.prefix.slice(-200)}\u0000${request.suffix.slice(0, 200)}`;
}

/** How far a keystroke may run ahead of a request on its way and still wait for it. */
const MAX_RECYCLED_CHARS = 40;

/**
 * The newer request only types a few more characters after the older one: on the same line, or into
 * the next lines when the older one asked for several lines (its answer may hold what was typed).
 */
function extendsFlight(older: EngineRequest, newer: EngineRequest): boolean {
  if (older.documentKey !== newer.documentKey) return false;
  if (older.suffix.split('\n', 1)[0] !== newer.suffix.split('\n', 1)[0]) return false;
  const typed = newer.prefix.length - older.prefix.length;
  if (typed <= 0 || typed > MAX_RECYCLED_CHARS || !newer.prefix.startsWith(older.prefix)) return false;
  return !newer.prefix.slice(-typed).includes('\n') || wantsMultiline(older.prefix, older.suffix);
}

/**
 * A request at the end of a line that is already complete has nothing to add: a statement that
 * ends in ; , ) ] }, a comment whose sentence is over, or a block's opening line whose body is
 * already there below it (the user edited the header of an `if` that has its lines).
 */
export function lineLooksComplete(request: Pick<EngineRequest, 'prefix' | 'suffix'>): boolean {
  const lineSuffix = request.suffix.split('\n', 1)[0];
  if (lineSuffix.trim() !== '') return false;
  const linePrefix = request.prefix.slice(request.prefix.lastIndexOf('\n') + 1);
  if (wantsMultiline(request.prefix, request.suffix)) return linePrefix.trim() !== '' && bodyFollows(linePrefix, request.suffix);
  return /[;,)\]}]\s*$/.test(linePrefix) || FINISHED_COMMENT.test(linePrefix);
}

/** A comment line whose sentence is over, or that closes the comment: a single line has nothing to add to it. */
const FINISHED_COMMENT = /^\s*(?:\/\/|\/?\*|#\s).*(?:[.!?]|\*\/)\s*$/;

/** Whether the first line with code after the cursor's line is indented deeper than it: the block it opens has a body. */
function bodyFollows(linePrefix: string, suffix: string): boolean {
  const next = suffix
    .split('\n')
    .slice(1)
    .find((line) => line.trim() !== '');
  return next !== undefined && indentWidth(next) > indentWidth(linePrefix);
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
  origin?: CompletionOrigin;
  /** Served to the user part-typed at least once: typing on, not a Tab, brought it this far. */
  typedPartly?: boolean;
  /** A single-line answer the model ended itself (not cut at its token limit): its end is the line's. */
  endsLine: boolean;
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
  /** The spot right after a suggestion the user took whole (a Tab): its request goes at once. */
  private acceptedSpot?: string;
  private readonly debounce = new AdaptiveDebounce();
  private readonly cacheKeys = new PromptCacheKeys();
  readonly stats: EngineStats = { requests: 0, cacheHits: 0, cancelled: 0, recycled: 0, skipped: 0 };

  constructor(
    private readonly backend: CompletionBackend,
    private options: EngineOptions,
    private readonly clock: Clock = realClock,
    /** Cross-file context, gathered in the background as the user types. */
    private readonly context?: ContextGatherer,
  ) {}

  configure(options: Partial<EngineOptions>): void {
    this.options = { ...this.options, ...options };
  }

  /** The suggestion for this cursor position, or undefined. Resolves undefined once `signal` aborts. */
  async complete(request: EngineRequest, signal: AbortSignal): Promise<Suggestion | undefined> {
    this.debounce.keystroke(this.clock.now());
    const offset = (request.prefixOffset ?? 0) + request.prefix.length;
    this.context?.prepare({
      documentKey: request.documentKey,
      path: request.relativePath,
      languageId: request.languageId,
      version: request.version ?? offset,
      offset,
      prefix: request.prefix,
    });
    const cached = this.fromCache(request);
    if (cached !== undefined) {
      this.stats.cacheHits++;
      return cached.text === '' ? undefined : { ...cached, source: 'cache' };
    }
    const key = spotKey(request);
    const current = this.inFlight;
    const recycle = this.options.recycle !== false && current && current.key !== key && current.sent && !current.controller.signal.aborted;
    if (current && recycle && extendsFlight(current.request, request)) {
      // Typing on through a request already paid for: wait for it and answer from what it brings.
      this.stats.recycled++;
      current.callers++;
      const answered = await Promise.race([current.result.then(() => this.fromCache(request)), abortedOf(signal)]);
      current.callers--;
      if (signal.aborted) return undefined;
      if (answered !== undefined) {
        this.stats.cacheHits++;
        return answered.text === '' ? undefined : { ...answered, source: 'cache' };
      }
    }
    if (this.options.skipFinishedLines !== false && lineLooksComplete(request)) {
      // "Complete the current line" has nothing to add to a line that already ends in ; , ) ] }.
      this.inFlight?.controller.abort();
      this.stats.skipped++;
      return undefined;
    }
    // VS Code asks again for the same spot (a re-trigger): join the request already on its way.
    const flight = current?.key === key ? current : this.startFlight(request, key);
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
    // A multi-line answer shows its first lines as soon as they are complete; the rest goes to the cache.
    const answer = await Promise.race([flight.result, flight.early, abortedOf(signal)]);
    signal.removeEventListener('abort', detach);
    if (!signal.aborted) flight.callers--;
    return signal.aborted || !answer?.text ? undefined : { ...answer, source: 'network' };
  }

  private startFlight(request: EngineRequest, key: string): Flight {
    // A newer keystroke supersedes whatever is waiting or in flight, but an answer already showing its first lines.
    if (!this.inFlight?.shownEarly) this.inFlight?.controller.abort();
    let showEarly!: (answer: Answer) => void;
    const early = new Promise<Answer>((resolve) => (showEarly = resolve));
    const flight: Flight = {
      key,
      request,
      controller: new AbortController(),
      callers: 0,
      sent: false,
      result: Promise.resolve(undefined),
      early,
      showEarly,
      shownEarly: false,
    };
    this.inFlight = flight;
    flight.result = this.fetch(request, flight).finally(() => {
      if (this.inFlight === flight) this.inFlight = undefined;
    });
    return flight;
  }

  private async fetch(request: EngineRequest, flight: Flight): Promise<Answer | undefined> {
    const { signal } = flight.controller;
    const { debounceMs } = this.options;
    const linePrefix = request.prefix.slice(request.prefix.lastIndexOf('\n') + 1);
    const delay = this.options.adaptiveDebounce ? this.debounce.delayMs(linePrefix, debounceMs, this.acceptedSpot === flight.key) : debounceMs;
    if (!(await this.clock.sleep(delay, signal))) return undefined;
    // Whatever context is ready now: gathering never holds a request up.
    const context = this.context?.snippets(request.documentKey);
    const snippets = [...(context?.fileWide ?? []), ...(context?.stable ?? []), ...(request.snippets?.() ?? [])];
    const prompt = buildCompletionPrompt(
      { ...request, snippets, recentSnippets: [...(context?.typing ?? []), ...(context?.recent ?? [])] },
      this.options.maxPromptTokens,
      this.options.layout,
    );
    if (this.options.promptCacheKey) prompt.cacheKey = this.cacheKeys.keyFor(request.documentKey, this.clock.now());
    this.stats.requests++;
    flight.sent = true;
    const cleaning = { prefix: request.prefix, suffix: request.suffix, multiline: prompt.multiline };
    const stream = !prompt.multiline ? { isEnough: singleLineComplete } : this.options.earlyLines ? { onText: this.earlyLines(flight, cleaning) } : {};
    const result = await this.backend(prompt, signal, stream);
    if (signal.aborted) {
      this.stats.cancelled++;
      return undefined;
    }
    if (!result) return undefined;
    const text = cleanCompletion(result.text, cleaning) ?? '';
    // Empty answers are remembered too: asking again at the same spot would return nothing again.
    this.remember(request, text, result.origin, !prompt.multiline && !result.truncated);
    return text ? withOrigin(text, result.origin) : undefined;
  }

  /** Follows a multi-line answer as it streams and shows its first complete lines early (`flight.early`). */
  private earlyLines(flight: Flight, cleaning: CleanContext): StreamHooks['onText'] {
    return (textSoFar, origin) => {
      if (flight.shownEarly || flight.controller.signal.aborted || flight.callers === 0) return;
      const lines = completeLines(textSoFar);
      const text = lines === undefined ? undefined : cleanCompletion(lines, cleaning);
      if (!text) return;
      flight.shownEarly = true;
      flight.showEarly(withOrigin(text, origin));
    };
  }

  private fromCache(request: EngineRequest): Answer | undefined {
    const lineSuffix = request.suffix.split('\n', 1)[0];
    for (let i = this.cache.length - 1; i >= 0; i--) {
      const entry = this.cache[i];
      const typedLength = request.prefix.length - entry.prefix.length;
      if (typedLength < 0 || typedLength > entry.completion.length) continue; // cheap checks before comparing text
      if (entry.documentKey !== request.documentKey || entry.lineSuffix !== lineSuffix) continue;
      if (!request.prefix.startsWith(entry.prefix)) continue;
      const typed = request.prefix.slice(entry.prefix.length);
      if (typed && this.options.typeThrough === false) continue;
      if (!entry.completion.startsWith(typed)) continue;
      if (typed.length === entry.completion.length && typed.length > 0) {
        // At the end of a line the model finished, asking for that line again would bring nothing more.
        // Anything else (a block to open below it, a multi-line answer's end) is asked afresh.
        const lineDone = entry.endsLine && !wantsMultiline(request.prefix, request.suffix);
        // Typed out over keystrokes that were each shown the rest (not a Tab), it was worth showing.
        if (entry.typedPartly && entry.origin) this.options.onTypedThrough?.(entry.origin, typed.length);
        else if (!lineDone) this.acceptedSpot = spotKey(request);
        entry.typedPartly = false;
        if (lineDone) return { text: '' };
        continue;
      }
      if (typed.length > 0) entry.typedPartly = true;
      // Most recently used last.
      this.cache.splice(i, 1);
      this.cache.push(entry);
      return withOrigin(entry.completion.slice(typed.length), entry.origin);
    }
    return undefined;
  }

  private remember(request: EngineRequest, completion: string, origin: CompletionOrigin | undefined, endsLine: boolean): void {
    this.cache.push({
      documentKey: request.documentKey,
      prefix: request.prefix,
      lineSuffix: request.suffix.split('\n', 1)[0],
      completion,
      origin,
      endsLine,
    });
    if (this.cache.length > this.options.cacheSize) this.cache.shift();
  }
}

/**
 * The complete lines of an answer that is still streaming, in its tags, once a line with code is
 * complete and more follows; undefined before that, and for answers that do not open with the tag
 * (prose first: only the whole answer can be cleaned).
 */
export function completeLines(textSoFar: string): string | undefined {
  const body = textSoFar.trimStart();
  if (!body.startsWith(OPEN_TAG) || body.includes(CLOSE_TAG)) return undefined;
  const inside = body.slice(OPEN_TAG.length);
  const lastNewline = inside.lastIndexOf('\n');
  if (lastNewline === -1 || inside.slice(0, lastNewline).trim() === '') return undefined;
  return OPEN_TAG + inside.slice(0, lastNewline) + CLOSE_TAG;
}

/** An answer, with its origin only when it has one (no `origin: undefined`). */
function withOrigin(text: string, origin: CompletionOrigin | undefined): Answer {
  return origin ? { text, origin } : { text };
}
