// The one owner of the `openai` SDK. Every request streams with usage, carries an AbortSignal,
// is watched by an idle timer (the SDK's timeout does not cover a stream's body), and is retried
// only before its stream starts, honouring retry-after and never for insufficient_quota.
import * as l10n from '@vscode/l10n';
import OpenAI from 'openai';
import { classifyError, formatDuration, PennyError, redactSecrets, type ErrorContext } from './errors';
import type { TokenUsage } from './cost/pricing';
import { RefusedParameters, refusesParameter } from './refusedParameters';

export interface ChatMessageParam {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatRequest {
  model: string;
  messages: ChatMessageParam[];
  maxTokens?: number;
  temperature?: number;
  stop?: string[];
  /** OpenAI's `prompt_cache_key`: requests with the same key and prompt start reach the same cache. */
  promptCacheKey?: string;
  signal?: AbortSignal;
  /** Called with each piece of streamed text, and the model the API names so far. */
  onDelta?: (text: string, model: string) => void;
  /** Lets a caller end the stream early once it has what it needs (e.g. a complete line). */
  isEnough?: (textSoFar: string) => boolean;
  /** Named in error messages, e.g. `penny.chatModel`. */
  modelSetting: string;
  /** Counted before sending; quoted in a context-length error. */
  promptTokens?: number;
  contextWindow?: number;
}

export type ChatOutcome = 'ok' | 'length' | 'cancelled' | 'cut' | 'stalled' | 'error';

export interface ChatResult {
  text: string;
  /** The model the API resolved (e.g. gpt-4o-mini-2024-07-18), else the requested one. */
  model: string;
  serviceTier: string;
  /** Exactly as reported by the API; undefined when the usage chunk never came. */
  usage?: TokenUsage;
  outcome: ChatOutcome;
  /** Whether the request reached the server and may have been billed. */
  sent: boolean;
  error?: PennyError;
  latencyMs: number;
  firstTokenMs?: number;
}

export interface RetryNotice {
  attempt: number;
  delayMs: number;
  error: PennyError;
}

export interface ClientOptions {
  baseUrl: string;
  apiKey: string;
  /** A stream that sends nothing for this long is cut and reported as stalled. */
  idleTimeoutMs?: number;
  /** Time allowed for the response headers. */
  timeoutMs?: number;
  maxRetries?: number;
  onRetry?: (notice: RetryNotice) => void;
  fetch?: typeof fetch;
  /** Injectable for tests: resolves after ms unless the signal aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
  /** What servers refused so far; shared by the clients of one session so a rebuilt client remembers. */
  refusedParameters?: RefusedParameters;
}

const CACHE_KEY_PARAMETER = 'prompt_cache_key';

const MAX_RETRY_DELAY_MS = 60_000;

export class OpenAIClient {
  private readonly sdk: OpenAI;
  private readonly idleTimeoutMs: number;
  private readonly maxRetries: number;
  private readonly sleep: NonNullable<ClientOptions['sleep']>;
  private readonly now: () => number;
  private readonly refused: RefusedParameters;

  constructor(private readonly options: ClientOptions) {
    this.sdk = new OpenAI({
      baseURL: options.baseUrl,
      apiKey: options.apiKey,
      maxRetries: 0, // our own loop: the SDK would retry insufficient_quota
      timeout: options.timeoutMs ?? 60_000,
      fetch: options.fetch,
      logLevel: 'off', // errors reach the user through PennyError, never through the SDK's console output
      // VS Code's extension host looks like a browser to the SDK's runtime check.
      dangerouslyAllowBrowser: true,
    });
    this.idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
    this.maxRetries = options.maxRetries ?? 2;
    this.sleep = options.sleep ?? abortableSleep;
    this.now = options.now ?? Date.now;
    this.refused = options.refusedParameters ?? new RefusedParameters();
  }

  /** Cheap authenticated call, used to check a key. */
  async listModels(signal?: AbortSignal): Promise<string[]> {
    try {
      const ids: string[] = [];
      for await (const model of this.sdk.models.list({ signal })) ids.push(model.id);
      return ids;
    } catch (error) {
      throw this.toPennyError(error, { model: '', modelSetting: 'penny.chatModel', baseUrl: this.options.baseUrl });
    }
  }

  /** Streams a chat completion. Never throws: failures come back as `outcome` and `error`. */
  async streamChat(request: ChatRequest): Promise<ChatResult> {
    const started = this.now();
    const context: ErrorContext = {
      model: request.model,
      modelSetting: request.modelSetting,
      baseUrl: this.options.baseUrl,
      promptTokens: request.promptTokens,
      contextWindow: request.contextWindow,
    };
    const result: ChatResult = { text: '', model: request.model, serviceTier: 'default', outcome: 'ok', sent: false, latencyMs: 0 };
    const finish = (outcome: ChatOutcome, error?: PennyError): ChatResult => {
      result.outcome = outcome;
      result.error = error;
      result.latencyMs = this.now() - started;
      return result;
    };

    for (let attempt = 0; ; attempt++) {
      if (request.signal?.aborted) return finish('cancelled');
      const controller = new AbortController();
      const unlink = linkAbort(request.signal, controller);
      let idle: ReturnType<typeof setTimeout> | undefined;
      let stalled = false;
      const armIdleTimer = () => {
        clearTimeout(idle);
        idle = setTimeout(() => {
          stalled = true;
          controller.abort();
        }, this.idleTimeoutMs);
      };
      let streamStarted = false;
      const cacheKey =
        request.promptCacheKey !== undefined && !this.refused.has(this.options.baseUrl, CACHE_KEY_PARAMETER) ? request.promptCacheKey : undefined;
      try {
        result.sent = true;
        const stream = await this.sdk.chat.completions.create(
          {
            model: request.model,
            messages: request.messages,
            stream: true,
            stream_options: { include_usage: true },
            max_tokens: request.maxTokens,
            temperature: request.temperature,
            stop: request.stop?.length ? request.stop : undefined,
            ...(cacheKey !== undefined ? { prompt_cache_key: cacheKey } : {}),
          },
          { signal: controller.signal },
        );
        streamStarted = true;
        // The SDK's timeout covers the wait for headers; from here on only the idle timer watches.
        armIdleTimer();
        let finishReason: string | null | undefined;
        for await (const chunk of stream) {
          armIdleTimer();
          if (chunk.model) result.model = chunk.model;
          if (chunk.service_tier) result.serviceTier = chunk.service_tier;
          if (chunk.usage) {
            result.usage = {
              promptTokens: chunk.usage.prompt_tokens,
              cachedTokens: chunk.usage.prompt_tokens_details?.cached_tokens ?? 0,
              completionTokens: chunk.usage.completion_tokens,
            };
          }
          const choice = chunk.choices[0];
          const delta = choice?.delta?.content;
          if (delta) {
            result.firstTokenMs ??= this.now() - started;
            result.text += delta;
            request.onDelta?.(delta, result.model);
            if (request.isEnough?.(result.text)) {
              controller.abort();
              break;
            }
          }
          if (choice?.finish_reason) finishReason = choice.finish_reason;
        }
        // Aborting mid-iteration ends the loop silently: tell the three endings apart here.
        if (request.signal?.aborted) return finish('cancelled');
        if (stalled) return finish('stalled', this.streamError('stalled'));
        if (controller.signal.aborted) return finish('ok'); // ended early on purpose (isEnough)
        return finish(finishReason === 'length' ? 'length' : 'ok');
      } catch (error) {
        if (request.signal?.aborted) return finish('cancelled');
        if (stalled) return finish('stalled', this.streamError('stalled'));
        if (!streamStarted && cacheKey !== undefined && refusesParameter(error, CACHE_KEY_PARAMETER)) {
          // A strict server: the key only saves money where it is understood. Ask again without it, at once.
          this.refused.add(this.options.baseUrl, CACHE_KEY_PARAMETER);
          attempt--;
          continue;
        }
        const pennyError = this.toPennyError(error, context);
        if (streamStarted) {
          // Never retry a started stream: the user has seen its text and it was billed.
          return finish('cut', pennyError.kind === 'malformed' ? pennyError : this.streamError('cut'));
        }
        if (!pennyError.retryable || attempt >= this.maxRetries) {
          result.sent = pennyError.status !== undefined || pennyError.kind === 'timeout';
          return finish('error', pennyError);
        }
        const delayMs = retryDelay(attempt, pennyError.retryAfterMs);
        this.options.onRetry?.({ attempt: attempt + 1, delayMs, error: pennyError });
        try {
          await this.sleep(delayMs, request.signal);
        } catch {
          return finish('cancelled');
        }
      } finally {
        clearTimeout(idle);
        unlink();
      }
    }
  }

  private toPennyError(error: unknown, context: ErrorContext): PennyError {
    const pennyError = classifyError(withSdkName(error), context);
    return pennyError.withMessage(redactSecrets(pennyError.message, this.options.apiKey));
  }

  private streamError(kind: 'stalled' | 'cut'): PennyError {
    const message =
      kind === 'stalled'
        ? l10n.t('The answer stalled (nothing for {0}) and was stopped; the partial answer is kept.', formatDuration(this.idleTimeoutMs))
        : l10n.t('The connection dropped mid-answer; the partial answer is kept.');
    return new PennyError(kind, message, { actions: ['retry'] });
  }
}

/** The SDK's classes keep the generic name "Error" (and bundling renames classes): name them by instanceof. */
function withSdkName(error: unknown): unknown {
  const name =
    error instanceof OpenAI.APIUserAbortError
      ? 'APIUserAbortError'
      : error instanceof OpenAI.APIConnectionTimeoutError
        ? 'APIConnectionTimeoutError'
        : error instanceof OpenAI.APIConnectionError
          ? 'APIConnectionError'
          : undefined;
  return name ? { name, message: (error as Error).message, cause: (error as Error).cause } : error;
}

/** The server's delay when it gave one (capped), else exponential backoff with jitter: 0.5 s, 1 s, 2 s ... 8 s. */
export function retryDelay(attempt: number, serverDelayMs?: number, random = Math.random): number {
  if (serverDelayMs !== undefined && serverDelayMs >= 0 && serverDelayMs <= MAX_RETRY_DELAY_MS) return serverDelayMs;
  const base = Math.min(500 * 2 ** attempt, 8000);
  return Math.round(base * (1 - 0.25 * random()));
}

function linkAbort(source: AbortSignal | undefined, target: AbortController): () => void {
  if (!source) return () => undefined;
  const onAbort = () => target.abort();
  if (source.aborted) target.abort();
  else source.addEventListener('abort', onAbort, { once: true });
  return () => source.removeEventListener('abort', onAbort);
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Error('aborted'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
