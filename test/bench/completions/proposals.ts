// Bench-only variants of the completion engine, to measure changes proposed for
// src/core/completion/engine.ts and prompt.ts before anyone makes them (`--proposals`). This is a
// copy of CompletionEngine with switchable changes; it is NOT the extension's code.
//
// - stableWindow (src/vscode/inlineCompletions.ts): the extension passes the last 16,000 characters
//   before the cursor, a window that slides with every keystroke, so CompletionEngine.fromCache's
//   `request.prefix.startsWith(entry.prefix)` never holds past offset 16,000: typing through a
//   suggestion there costs a new request. A window whose start moves in 4,096-character steps fixes it.
// - skipCompleteLines: no request for a single-line completion when the cursor is at the end of a
//   line that is already complete (ends in `;` `,` `)` `]` `}`): "complete the current line only"
//   has nothing to add there.
// - recycle: a keystroke that only extends the in-flight request's prefix (same line, what was typed
//   since) keeps that request instead of cancelling it, and is answered from its result through the
//   cache (Cody recycles in-flight requests the same way). A cancelled request is paid for anyway.
// - cacheFriendlyPrompt: the code after the cursor first and the code before it last, with the window
//   before the cursor starting at a document offset rounded to 1,024 characters, so consecutive
//   prompts share all but their last few characters and OpenAI's prompt cache (1,024+ tokens, 50% off
//   for gpt-4o-mini) applies. Needs the document offset of `prefix` (a new EngineRequest field).
import type { Clock, CompletionBackend, EngineOptions, EngineRequest } from '../../../src/core/completion/engine';
import { cleanCompletion, singleLineComplete } from '../../../src/core/completion/postprocess';
import { CURSOR, buildCompletionPrompt, wantsMultiline, type CompletionPrompt } from '../../../src/core/completion/prompt';

export interface ProposalFeatures {
  /** Not an engine change: the extension passes a prefix window whose start moves in 4,096-character steps (see typist.ts). */
  stableWindow: boolean;
  skipCompleteLines: boolean;
  recycle: boolean;
  cacheFriendlyPrompt: boolean;
}

/** EngineRequest plus the document offset where `prefix` starts (the extension knows it). */
export type OffsetRequest = EngineRequest & { prefixOffset?: number };

interface CacheEntry {
  documentKey: string;
  prefix: string;
  lineSuffix: string;
  completion: string;
}

interface Flight {
  controller: AbortController;
  request: EngineRequest;
  sent: boolean;
  done: Promise<void>;
}

const CHARS_PER_TOKEN = 3.5;
const FIXED_OVERHEAD_TOKENS = 160;
const WINDOW_STEP = 1024;
const MAX_RECYCLED_CHARS = 40;

export class ProposedEngine {
  private readonly cache: CacheEntry[] = [];
  private inFlight?: Flight;
  readonly stats = { requests: 0, cacheHits: 0, cancelled: 0, recycled: 0, skipped: 0 };

  constructor(
    private readonly backend: CompletionBackend,
    private readonly options: EngineOptions,
    private readonly clock: Clock,
    private readonly features: ProposalFeatures,
  ) {}

  async complete(request: OffsetRequest, signal: AbortSignal): Promise<{ text: string; source: 'cache' | 'network' } | undefined> {
    const cached = this.fromCache(request);
    if (cached !== undefined) {
      this.stats.cacheHits++;
      return cached === '' ? undefined : { text: cached, source: 'cache' };
    }
    const flight = this.inFlight;
    if (flight && this.features.recycle && flight.sent && !flight.controller.signal.aborted && extendsRequest(flight.request, request)) {
      this.stats.recycled++;
      if (!(await untilDoneOrAborted(flight.done, signal))) return undefined;
      const answered = this.fromCache(request);
      if (answered !== undefined) {
        this.stats.cacheHits++;
        return answered === '' ? undefined : { text: answered, source: 'cache' };
      }
    }
    this.inFlight?.controller.abort();
    if (this.features.skipCompleteLines && lineLooksComplete(request)) {
      this.stats.skipped++;
      return undefined;
    }
    const controller = new AbortController();
    let finished = () => {};
    const mine: Flight = { controller, request, sent: false, done: new Promise<void>((resolve) => (finished = resolve)) };
    this.inFlight = mine;
    // Before sending, the caller's cancellation ends the wait; once sent, a recycled request lives on
    // until a keystroke that does not extend it.
    const onAbort = () => {
      if (!mine.sent || !this.features.recycle) controller.abort();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      if (signal.aborted || !(await this.clock.sleep(this.options.debounceMs, controller.signal))) return undefined;
      const prompt = this.features.cacheFriendlyPrompt ? cacheFriendlyPrompt(request, this.options.maxPromptTokens) : buildCompletionPrompt(request, this.options.maxPromptTokens);
      mine.sent = true;
      this.stats.requests++;
      const result = await this.backend(prompt, controller.signal, prompt.multiline ? undefined : singleLineComplete);
      if (controller.signal.aborted) this.stats.cancelled++;
      if (!result) return undefined;
      const text = cleanCompletion(result.text, { prefix: request.prefix, suffix: request.suffix, multiline: prompt.multiline }) ?? '';
      if (!controller.signal.aborted) this.remember(request, text);
      if (signal.aborted || !text) return undefined;
      return { text, source: 'network' };
    } finally {
      signal.removeEventListener('abort', onAbort);
      finished();
      if (this.inFlight === mine) this.inFlight = undefined;
    }
  }

  private fromCache(request: EngineRequest): string | undefined {
    const lineSuffix = request.suffix.split('\n', 1)[0];
    for (let i = this.cache.length - 1; i >= 0; i--) {
      const entry = this.cache[i];
      const typedLength = request.prefix.length - entry.prefix.length;
      if (typedLength < 0 || typedLength > entry.completion.length) continue;
      if (entry.documentKey !== request.documentKey || entry.lineSuffix !== lineSuffix) continue;
      if (!request.prefix.startsWith(entry.prefix)) continue;
      const typed = request.prefix.slice(entry.prefix.length);
      if (!entry.completion.startsWith(typed)) continue;
      if (typed.length === entry.completion.length && typed.length > 0) continue;
      this.cache.splice(i, 1);
      this.cache.push(entry);
      return entry.completion.slice(typed.length);
    }
    return undefined;
  }

  private remember(request: EngineRequest, completion: string): void {
    this.cache.push({ documentKey: request.documentKey, prefix: request.prefix, lineSuffix: request.suffix.split('\n', 1)[0], completion });
    if (this.cache.length > this.options.cacheSize) this.cache.shift();
  }
}

/** The newer request only adds a few characters, typed on the same line, to the older one's prefix. */
function extendsRequest(older: EngineRequest, newer: EngineRequest): boolean {
  if (older.documentKey !== newer.documentKey) return false;
  if (older.suffix.split('\n', 1)[0] !== newer.suffix.split('\n', 1)[0]) return false;
  const typed = newer.prefix.length - older.prefix.length;
  if (typed <= 0 || typed > MAX_RECYCLED_CHARS) return false;
  return newer.prefix.startsWith(older.prefix) && !newer.prefix.slice(-typed).includes('\n');
}

/** A single-line request at the end of a line that is already complete has nothing to add. */
export function lineLooksComplete(request: EngineRequest): boolean {
  const lineSuffix = request.suffix.split('\n', 1)[0];
  if (lineSuffix.trim() !== '' || wantsMultiline(request.prefix, request.suffix)) return false;
  const linePrefix = request.prefix.slice(request.prefix.lastIndexOf('\n') + 1);
  return /[;,)\]}]\s*$/.test(linePrefix);
}

function untilDoneOrAborted(done: Promise<void>, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => resolve(false);
    signal.addEventListener('abort', onAbort, { once: true });
    void done.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    });
  });
}

/** Suffix first, then the prefix from a stable start up to the cursor, so consecutive prompts share a long prefix. */
export function cacheFriendlyPrompt(request: OffsetRequest, maxPromptTokens: number): CompletionPrompt {
  const base = buildCompletionPrompt(request, maxPromptTokens);
  const budgetChars = Math.max(200, (maxPromptTokens - FIXED_OVERHEAD_TOKENS) * CHARS_PER_TOKEN);
  const suffix = keepHead(request.suffix, Math.floor(budgetChars * 0.2));
  const maxPrefix = Math.floor(budgetChars * 0.65);
  const offset = request.prefixOffset ?? 0;
  const cursor = offset + request.prefix.length;
  // The window starts at the first multiple of WINDOW_STEP that keeps it within budget: it moves once every 1,024 characters typed.
  const windowStart = Math.ceil(Math.max(0, cursor - maxPrefix) / WINDOW_STEP) * WINDOW_STEP;
  let local = Math.max(0, windowStart - offset);
  if (local > 0) {
    const lineStart = request.prefix.indexOf('\n', local - 1);
    local = lineStart === -1 ? local : lineStart + 1;
  }
  const prefix = request.prefix.slice(local);
  const user = [
    `Language: ${request.languageId}`,
    `File: ${request.relativePath}`,
    `--- the code after the cursor, for reference ---\n${suffix}`,
    `--- ${request.relativePath}, up to the cursor ---\n${prefix}${CURSOR}`,
  ].join('\n\n');
  return { ...base, messages: [base.messages[0], { role: 'user', content: user }] };
}

function keepHead(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const lineEnd = text.lastIndexOf('\n', maxChars);
  return lineEnd <= 0 ? text.slice(0, maxChars) : text.slice(0, lineEnd);
}
