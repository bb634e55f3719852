// Turns whatever a request can fail with into a message a user can act on.
// Pure: no `vscode`. Never includes the API key or a raw stack trace.
import * as l10n from '@vscode/l10n';
import type { ErrorActionId } from '../shared/protocol';
import { redactSecretsInText } from './secrets';

export type ErrorKind =
  | 'noKey'
  | 'auth'
  | 'forbidden'
  | 'modelNotFound'
  | 'rateLimit'
  | 'quota'
  | 'contextLength'
  | 'badRequest'
  | 'server'
  | 'offline'
  | 'timeout'
  | 'stalled'
  | 'cut'
  | 'malformed'
  | 'budget'
  | 'cancelled'
  | 'unavailable'
  | 'unknown';

export interface PennyErrorDetails {
  /** Worth trying again automatically (before a stream has started). */
  retryable?: boolean;
  /** The server's wish (retry-after-ms / retry-after), when it said one. */
  retryAfterMs?: number;
  status?: number;
  /** The buttons offered under the message. */
  actions?: ErrorActionId[];
}

/**
 * Penny's one error type, from the client to the UI: every failure a user may see is a PennyError
 * with a message they can act on. It is thrown where a call has no result to give (no key, a user
 * action that cannot be done) and carried as `error` in a request's result, whose partial answer and
 * usage still count. `toPennyError` turns anything caught into one.
 */
export class PennyError extends Error {
  override readonly name = 'PennyError';
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  readonly status?: number;
  readonly actions: ErrorActionId[];

  constructor(
    readonly kind: ErrorKind,
    message: string,
    details: PennyErrorDetails = {},
  ) {
    super(message);
    this.retryable = details.retryable ?? false;
    this.retryAfterMs = details.retryAfterMs;
    this.status = details.status;
    this.actions = details.actions ?? [];
  }

  /** The same error with the message rewritten (e.g. a key removed from it). */
  withMessage(message: string): PennyError {
    return new PennyError(this.kind, message, this);
  }
}

/** A request the user made that cannot be carried out as things are ("Open a file first."). */
export function userError(message: string, actions: ErrorActionId[] = []): PennyError {
  return new PennyError('unavailable', message, { actions });
}

/** What was caught, as a PennyError: itself, or an unexpected failure with its message. */
export function toPennyError(error: unknown): PennyError {
  if (error instanceof PennyError) return error;
  return new PennyError('unknown', errorMessage(error), { actions: ['retry'] });
}

/** The message of anything thrown. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export interface ErrorContext {
  model: string;
  /** The setting that chose the model, named in "model not found". */
  modelSetting: string;
  baseUrl: string;
  promptTokens?: number;
  contextWindow?: number;
}

/** The parts of the SDK's APIError we read; duck-typed so tests can build them. */
interface ApiErrorLike {
  status?: number;
  code?: string | null;
  type?: string;
  message?: string;
  headers?: { get(name: string): string | null };
  name?: string;
  cause?: unknown;
}

/** Shorter than a full key: OpenAI's errors echo masked keys like `sk-abc***xyz`. */
const KEY_IN_MESSAGE = /\b(sk-[A-Za-z0-9_*-]{6,}|Bearer\s+[A-Za-z0-9._~+/=-]{8,})/g;

/** Removes anything that looks like a key from text shown to users or logged. */
export function redactSecrets(text: string, knownKey?: string): string {
  let out = knownKey && knownKey.length >= 4 ? text.split(knownKey).join('[redacted]') : text;
  out = out.replace(KEY_IN_MESSAGE, '[redacted]');
  return redactSecretsInText(out).text;
}

/** Delay the server asked for: `retry-after-ms`, then `retry-after` in seconds or as a date. */
export function retryAfterMs(headers: ApiErrorLike['headers'], now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const raw = headers.get('retry-after');
  if (!raw) return undefined;
  const seconds = Number.parseFloat(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(raw);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

/** A wait or a timeout as the error messages say it: "250 ms", or whole seconds rounded up ("3 s"). */
export function formatDuration(ms: number): string {
  return ms < 1000 ? l10n.t('{0} ms', Math.round(ms)) : l10n.t('{0} s', Math.ceil(ms / 1000));
}

export function classifyError(error: unknown, ctx: ErrorContext): PennyError {
  const e = (error ?? {}) as ApiErrorLike;
  const status = typeof e.status === 'number' ? e.status : undefined;
  const code = e.code ?? undefined;
  // The SDK's message starts with the status ("403 Project …"); the status is said separately.
  const serverMessage = redactSecrets(String(e.message ?? '').replace(/^\d{3}\s+/, ''));
  const host = safeHost(ctx.baseUrl);

  if (error instanceof PennyError) return error;
  const name = e.name;
  if (name === 'APIUserAbortError' || name === 'AbortError') return new PennyError('cancelled', l10n.t('Cancelled.'));
  if (name === 'APIConnectionTimeoutError') {
    return new PennyError('timeout', l10n.t('{0} did not answer in time.', host), { retryable: true, actions: ['retry'] });
  }
  if (name === 'APIConnectionError' || (status === undefined && isNetworkError(e))) {
    return new PennyError('offline', l10n.t('Cannot reach {0}. Check your connection or the `penny.baseUrl` setting.', host), {
      retryable: true,
      actions: ['retry', 'openSettings'],
    });
  }
  if (name === 'SyntaxError') return new PennyError('malformed', l10n.t('{0} sent a malformed stream.', host), { actions: ['retry'] });
  switch (status) {
    case 401:
      // OpenAI's 401 text echoes part of the key: never show it.
      return new PennyError('auth', l10n.t('The API key was rejected by {0} (401). Set a valid key with "Penny: Set API Key".', host), {
        status,
        actions: ['setApiKey'],
      });
    case 403:
      return new PennyError(
        'forbidden',
        l10n.t('{0} refused the request (403): {1}.', host, serverMessage || l10n.t('this key may not use this model or region')),
        { status, actions: ['setApiKey', 'openSettings'] },
      );
    case 404:
      return new PennyError(
        'modelNotFound',
        l10n.t('The model "{0}" was not found at {1} (404). Choose another in the `{2}` setting.', ctx.model, host, ctx.modelSetting),
        { status, actions: ['openSettings'] },
      );
    case 429: {
      if (code === 'insufficient_quota' || e.type === 'insufficient_quota') {
        return new PennyError(
          'quota',
          l10n.t(
            'Your OpenAI account has no quota left (429 insufficient_quota). Add credit at {0}; Penny will not retry.',
            'https://platform.openai.com/account/billing',
          ),
          { status },
        );
      }
      const wait = retryAfterMs(e.headers);
      const message =
        wait !== undefined
          ? l10n.t('Rate limited by {0} (429); the server asks to wait {1}.', host, formatDuration(wait))
          : l10n.t('Rate limited by {0} (429).', host);
      return new PennyError('rateLimit', message, { retryable: true, retryAfterMs: wait, status, actions: ['retry'] });
    }
    case 400:
      if (code === 'context_length_exceeded') return new PennyError('contextLength', contextLengthMessage(ctx), { status });
      return new PennyError('badRequest', l10n.t('{0} rejected the request (400): {1}', host, serverMessage), { status });
    case 408:
    case 409:
      return new PennyError('server', l10n.t('{0} could not handle the request ({1}).', host, status), { retryable: true, status, actions: ['retry'] });
  }
  if (status !== undefined && status >= 500) {
    return new PennyError('server', l10n.t('{0} had a server error ({1}). Try again in a moment.', host, status), {
      retryable: true,
      retryAfterMs: retryAfterMs(e.headers),
      status,
      actions: ['retry'],
    });
  }
  const message = status
    ? l10n.t('Request failed ({0}): {1}', status, serverMessage || l10n.t('unknown error'))
    : l10n.t('Request failed: {0}', serverMessage || l10n.t('unknown error'));
  return new PennyError('unknown', message, { status, actions: ['retry'] });
}

function contextLengthMessage(ctx: ErrorContext): string {
  const tokens = ctx.promptTokens?.toLocaleString('en-US');
  const window = ctx.contextWindow?.toLocaleString('en-US');
  if (tokens !== undefined && window !== undefined) {
    return l10n.t('{0} tokens is too long for {1} (the window of {1} is {2}). Send less context.', tokens, ctx.model, window);
  }
  if (tokens !== undefined) return l10n.t('{0} tokens is too long for {1}. Send less context.', tokens, ctx.model);
  if (window !== undefined) return l10n.t('The prompt is too long for {0} (the window of {0} is {1}). Send less context.', ctx.model, window);
  return l10n.t('The prompt is too long for {0}. Send less context.', ctx.model);
}

function isNetworkError(e: ApiErrorLike): boolean {
  const text = `${e.message ?? ''} ${String((e.cause as { code?: string } | undefined)?.code ?? '')}`;
  return /ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|fetch failed|socket hang up|terminated|network/i.test(text);
}

function safeHost(baseUrl: string): string {
  try {
    return new URL(baseUrl).host || baseUrl;
  } catch {
    return l10n.t('the API server');
  }
}
