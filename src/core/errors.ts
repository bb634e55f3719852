// Turns whatever a request can fail with into a message a user can act on.
// Pure: no `vscode`. Never includes the API key or a raw stack trace.
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
  | 'unknown';

export interface PennyError {
  kind: ErrorKind;
  message: string;
  /** Worth trying again automatically (before a stream has started). */
  retryable: boolean;
  /** The server's wish (retry-after-ms / retry-after), when it said one. */
  retryAfterMs?: number;
  status?: number;
  actions: ErrorActionId[];
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

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${Math.ceil(ms / 1000)} s`;
}

export function classifyError(error: unknown, ctx: ErrorContext): PennyError {
  const e = (error ?? {}) as ApiErrorLike;
  const status = typeof e.status === 'number' ? e.status : undefined;
  const code = e.code ?? undefined;
  // The SDK's message starts with the status ("403 Project …"); the status is said separately.
  const serverMessage = redactSecrets(String(e.message ?? '').replace(/^\d{3}\s+/, ''));
  const host = safeHost(ctx.baseUrl);

  const name = e.name;
  if (name === 'APIUserAbortError' || name === 'AbortError') {
    return { kind: 'cancelled', message: 'Cancelled.', retryable: false, actions: [] };
  }
  if (name === 'APIConnectionTimeoutError') {
    return { kind: 'timeout', message: `${host} did not answer in time.`, retryable: true, actions: ['retry'] };
  }
  if (name === 'APIConnectionError' || (status === undefined && isNetworkError(e))) {
    return {
      kind: 'offline',
      message: `Cannot reach ${host}. Check your connection or the \`penny.baseUrl\` setting.`,
      retryable: true,
      actions: ['retry', 'openSettings'],
    };
  }
  if (name === 'SyntaxError') {
    return { kind: 'malformed', message: `${host} sent a malformed stream.`, retryable: false, actions: ['retry'] };
  }
  switch (status) {
    case 401:
      // OpenAI's 401 text echoes part of the key: never show it.
      return {
        kind: 'auth',
        message: `The API key was rejected by ${host} (401). Set a valid key with "Penny: Set API Key".`,
        retryable: false,
        status,
        actions: ['setApiKey'],
      };
    case 403:
      return {
        kind: 'forbidden',
        message: `${host} refused the request (403): ${serverMessage || 'this key may not use this model or region'}.`,
        retryable: false,
        status,
        actions: ['setApiKey', 'openSettings'],
      };
    case 404:
      return {
        kind: 'modelNotFound',
        message: `The model "${ctx.model}" was not found at ${host} (404). Choose another in the \`${ctx.modelSetting}\` setting.`,
        retryable: false,
        status,
        actions: ['openSettings'],
      };
    case 429: {
      if (code === 'insufficient_quota' || e.type === 'insufficient_quota') {
        return {
          kind: 'quota',
          message:
            'Your OpenAI account has no quota left (429 insufficient_quota). Add credit at https://platform.openai.com/account/billing; Penny will not retry.',
          retryable: false,
          status,
          actions: [],
        };
      }
      const wait = retryAfterMs(e.headers);
      return {
        kind: 'rateLimit',
        message: `Rate limited by ${host} (429)${wait !== undefined ? `; the server asks to wait ${seconds(wait)}` : ''}.`,
        retryable: true,
        retryAfterMs: wait,
        status,
        actions: ['retry'],
      };
    }
    case 400:
      if (code === 'context_length_exceeded') {
        const counted = ctx.promptTokens !== undefined ? `${ctx.promptTokens.toLocaleString('en-US')} tokens` : 'The prompt';
        const limit = ctx.contextWindow !== undefined ? ` (the window of ${ctx.model} is ${ctx.contextWindow.toLocaleString('en-US')})` : '';
        return {
          kind: 'contextLength',
          message: `${counted} is too long for ${ctx.model}${limit}. Send less context.`,
          retryable: false,
          status,
          actions: [],
        };
      }
      return { kind: 'badRequest', message: `${host} rejected the request (400): ${serverMessage}`, retryable: false, status, actions: [] };
    case 408:
    case 409:
      return { kind: 'server', message: `${host} could not handle the request (${status}).`, retryable: true, status, actions: ['retry'] };
  }
  if (status !== undefined && status >= 500) {
    return {
      kind: 'server',
      message: `${host} had a server error (${status}). Try again in a moment.`,
      retryable: true,
      retryAfterMs: retryAfterMs(e.headers),
      status,
      actions: ['retry'],
    };
  }
  return {
    kind: 'unknown',
    message: `Request failed${status ? ` (${status})` : ''}: ${serverMessage || 'unknown error'}`,
    retryable: false,
    status,
    actions: ['retry'],
  };
}

function isNetworkError(e: ApiErrorLike): boolean {
  const text = `${e.message ?? ''} ${String((e.cause as { code?: string } | undefined)?.code ?? '')}`;
  return /ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|fetch failed|socket hang up|terminated|network/i.test(text);
}

function safeHost(baseUrl: string): string {
  try {
    return new URL(baseUrl).host || baseUrl;
  } catch {
    return 'the API server';
  }
}
