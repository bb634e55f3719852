// A local OpenAI-compatible server for tests, the demo and benchmarks, on `node:http` alone.
// It speaks the Chat Completions wire format exactly (see /work/shared/notes/openai-wire.md) and can
// script what third-party mocks cannot: cached tokens, service tier, latency, and streams that are
// cut, stall or turn malformed part-way. Another process scripts it over HTTP through `/__mock/*`
// (client: mockControl.ts).
import * as http from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export interface ScriptedUsage {
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens?: number;
}

export interface ScriptedReply {
  /** Assistant text (default ""). */
  content?: string;
  /** Response `model` (default: the request's model). */
  model?: string;
  /** Response `service_tier` (default "default"). */
  serviceTier?: string;
  /** Default: computed by `computedUsage`; 'omit' = no usage at all. */
  usage?: ScriptedUsage | 'omit';
  /** Characters per content chunk (default 8). */
  chunkSize?: number;
  /** Delay before the response headers (default 0). */
  firstByteDelayMs?: number;
  /** Delay before each content chunk after the first (default 0). */
  chunkDelayMs?: number;
  // The three faults count content chunks; an N at or past their number fires after the last one,
  // before the finish chunk. Without `stream` they fire before any response: cut = socket
  // destroyed, stall = no response, malformed = a 200 whose body is not JSON.
  /** Destroy the socket after N content chunks (no [DONE], no usage). */
  cutAfterChunks?: number;
  /** After N content chunks send nothing more, keeping the socket open until the client goes away or the server stops. */
  stallAfterChunks?: number;
  /** After N content chunks send `data: {not json` and end the response. */
  malformedAfterChunks?: number;
  /**
   * After N content chunks wait for `resume` before sending the rest, so a test can look at a
   * half-streamed answer without racing the stream (in-process scripts only: a promise is not JSON).
   */
  holdAfterChunks?: number;
  resume?: Promise<void>;
  /** Called when the hold begins: the chunks before it are written and nothing more is until `resume`. */
  onHold?: () => void;
  /** Default "stop". */
  finishReason?: string;
  /** Answer with this HTTP error instead (after `firstByteDelayMs`). */
  error?: {
    status: number;
    message?: string;
    type?: string;
    code?: string;
    param?: string;
    headers?: Record<string, string>;
  };
}

export type ReplyScript = ScriptedReply | ((req: RecordedRequest) => ScriptedReply | Promise<ScriptedReply>);

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON; the raw text when it is not JSON; undefined when empty. */
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- whatever the client sent; each test reads the fields it checks
  /** Date.now() when the request arrived. */
  receivedAt: number;
}

export interface MockServerOptions {
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** If set, a request whose bearer token is not one of these gets 401 invalid_api_key. */
  validKeys?: string[];
  /** Served by GET /v1/models; if set, a chat request for any other model gets 404 model_not_found. */
  models?: string[];
  /** The reply used when the queue is empty, also after reset() (default: content "OK"). */
  defaultReply?: ReplyScript;
  /**
   * Behave like an OpenAI-compatible server validating against an older schema: a chat request with
   * a parameter outside KNOWN_CHAT_PARAMETERS (e.g. `prompt_cache_key`) gets 400, as OpenAI words it.
   */
  strictParameters?: boolean;
}

/** The Chat Completions parameters a strict server knows; anything newer it refuses. */
export const KNOWN_CHAT_PARAMETERS = [
  'model',
  'messages',
  'stream',
  'stream_options',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'n',
  'stop',
  'presence_penalty',
  'frequency_penalty',
  'logit_bias',
  'logprobs',
  'top_logprobs',
  'user',
  'seed',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'response_format',
  'service_tier',
];

const DEFAULT_MODELS = ['gpt-4o-mini', 'gpt-4o-mini-2024-07-18', 'gpt-4o', 'gpt-4o-2024-08-06'];
const FALLBACK_REPLY: ScriptedReply = { content: 'OK' };
const SYSTEM_FINGERPRINT = 'fp_mock0000';
const CONTROL_PREFIX = '/__mock/';
const DEFAULT_WAIT_MS = 2000;

/** Tokens as the mock counts them: about 4 characters each, rounded up. */
function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** The usage a reply gets when its script gives none: prompt from all message contents, no cache. */
export function computedUsage(requestBody: unknown, content: string): ScriptedUsage {
  return { prompt_tokens: estimateTokens(messageText(requestBody)), completion_tokens: estimateTokens(content), cached_tokens: 0 };
}

/** All message contents of a chat request joined, counting the text parts of multi-part contents. */
function messageText(requestBody: unknown): string {
  const messages = (requestBody as { messages?: unknown } | undefined)?.messages;
  if (!Array.isArray(messages)) return '';
  return messages.map((message) => contentText((message as { content?: unknown } | null)?.content)).join('');
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part) => (typeof part?.text === 'string' ? part.text : '')).join('');
}

/** An HTTP error the server answers with, in OpenAI's error body. */
class HttpFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string,
    readonly code: string | null = null,
    readonly param: string | null = null,
  ) {
    super(message);
  }
}

interface Waiter {
  count: number;
  resolve(requests: RecordedRequest[]): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export class MockOpenAIServer {
  readonly url: string;
  readonly requests: RecordedRequest[] = [];

  private readonly queue: ReplyScript[] = [];
  private defaultReply: ReplyScript;
  private readonly waiters = new Set<Waiter>();
  /** Aborted by stop(): ends every delay and stall so no handler outlives the server. */
  private readonly stopping = new AbortController();

  private constructor(
    private readonly server: http.Server,
    private readonly options: MockServerOptions,
    host: string,
  ) {
    const { port } = server.address() as AddressInfo;
    this.url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/v1`;
    this.defaultReply = options.defaultReply ?? FALLBACK_REPLY;
  }

  static start(options: MockServerOptions = {}): Promise<MockOpenAIServer> {
    const host = options.host ?? '127.0.0.1';
    const server = http.createServer();
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        const mock = new MockOpenAIServer(server, options, host);
        // handle() answers its own failures; this only guards against one while answering one.
        server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => void mock.handle(req, res).catch(() => res.destroy()));
        resolve(mock);
      });
    });
  }

  /** Each next chat request takes the oldest queued reply. */
  enqueue(...replies: ReplyScript[]): void {
    this.queue.push(...replies);
  }

  /** The reply used while the queue is empty. */
  setDefault(reply: ReplyScript): void {
    this.defaultReply = reply;
  }

  /** Clears the queue, the recorded requests, and the default back to the one the server started with. */
  reset(): void {
    this.queue.length = 0;
    this.requests.length = 0;
    this.defaultReply = this.options.defaultReply ?? FALLBACK_REPLY;
  }

  /** Resolves with all recorded requests once there are at least `count`. */
  waitForRequests(count: number, timeoutMs = DEFAULT_WAIT_MS): Promise<RecordedRequest[]> {
    if (this.requests.length >= count) return Promise.resolve([...this.requests]);
    if (this.stopping.signal.aborted) return Promise.reject(new Error(`waitForRequests(${count}): the server is stopped`));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        count,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          const seen = this.requests.map((r) => `${r.method} ${r.path}`).join(', ') || 'none';
          reject(new Error(`waitForRequests: timed out after ${timeoutMs} ms waiting for ${count} request(s); got ${this.requests.length} (${seen})`));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /** Stops listening and closes every connection, stalled streams included. */
  stop(): Promise<void> {
    this.stopping.abort();
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error(`waitForRequests(${waiter.count}): the server stopped`));
    }
    this.waiters.clear();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const receivedAt = Date.now();
    // A client that goes away (or stop()) must end this handler's delays and stalls.
    const clientGone = new AbortController();
    res.on('close', () => clientGone.abort());
    const signal = AbortSignal.any([this.stopping.signal, clientGone.signal]);
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://mock');
    const path = url.pathname;
    try {
      const rawBody = await readBody(req);
      if (path.startsWith(CONTROL_PREFIX)) {
        await this.handleControl(method, path, url.searchParams, rawBody, res);
        return;
      }
      const recorded: RecordedRequest = { method, path, headers: { ...req.headers }, body: parseBody(rawBody), receivedAt };
      this.record(recorded);
      this.authorize(req);
      if (method === 'POST' && path === '/v1/chat/completions') {
        await this.chatCompletion(recorded, res, signal);
      } else if (method === 'GET' && path === '/v1/models') {
        const created = Math.floor(Date.now() / 1000);
        const data = (this.options.models ?? DEFAULT_MODELS).map((id) => ({ id, object: 'model', created, owned_by: 'system' }));
        sendJson(res, 200, { object: 'list', data });
      } else {
        throw new HttpFailure(404, `Invalid URL (${method} ${path})`, 'invalid_request_error');
      }
    } catch (error) {
      if (res.headersSent) {
        res.destroy();
      } else if (error instanceof HttpFailure) {
        sendError(res, error.status, { message: error.message, type: error.type, param: error.param, code: error.code });
      } else {
        sendError(res, 500, { message: `mock server failure: ${String(error)}`, type: 'server_error', param: null, code: null });
      }
    }
  }

  private record(request: RecordedRequest): void {
    this.requests.push(request);
    for (const waiter of this.waiters) {
      if (this.requests.length >= waiter.count) {
        clearTimeout(waiter.timer);
        this.waiters.delete(waiter);
        waiter.resolve([...this.requests]);
      }
    }
  }

  private authorize(req: http.IncomingMessage): void {
    const { validKeys } = this.options;
    if (!validKeys) return;
    const key = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (key === undefined) {
      throw new HttpFailure(
        401,
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
        'invalid_request_error',
      );
    }
    if (!validKeys.includes(key)) {
      const masked = key.length > 8 ? `${key.slice(0, 3)}***${key.slice(-4)}` : '***';
      throw new HttpFailure(
        401,
        `Incorrect API key provided: ${masked}. You can find your API key at https://platform.openai.com/account/api-keys.`,
        'invalid_request_error',
        'invalid_api_key',
      );
    }
  }

  private async chatCompletion(request: RecordedRequest, res: http.ServerResponse, signal: AbortSignal): Promise<void> {
    const body = request.body;
    if (typeof body !== 'object' || body === null) {
      throw new HttpFailure(400, 'We could not parse the JSON body of your request.', 'invalid_request_error');
    }
    if (typeof body.model !== 'string') throw new HttpFailure(400, 'you must provide a model parameter', 'invalid_request_error');
    if (!Array.isArray(body.messages)) {
      throw new HttpFailure(400, "Missing required parameter: 'messages'.", 'invalid_request_error', 'missing_required_parameter', 'messages');
    }
    const unknown = this.options.strictParameters ? Object.keys(body).find((key) => !KNOWN_CHAT_PARAMETERS.includes(key)) : undefined;
    if (unknown !== undefined) throw new HttpFailure(400, `Unrecognized request argument supplied: ${unknown}`, 'invalid_request_error');
    if (this.options.models && !this.options.models.includes(body.model)) {
      throw new HttpFailure(404, `The model \`${body.model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found');
    }

    const script = this.queue.shift() ?? this.defaultReply;
    const reply = typeof script === 'function' ? await script(request) : script;
    if (!(await delay(reply.firstByteDelayMs ?? 0, signal))) return;

    if (reply.error) {
      const { status, message, type, code, param, headers } = reply.error;
      const error = {
        message: message ?? http.STATUS_CODES[status] ?? 'Error',
        type: type ?? defaultErrorType(status, code),
        param: param ?? null,
        code: code ?? null,
      };
      sendError(res, status, error, headers);
      return;
    }

    const content = reply.content ?? '';
    const completion: Completion = {
      id: `chatcmpl-${randomBytes(12).toString('hex')}`,
      created: Math.floor(Date.now() / 1000),
      model: reply.model ?? body.model,
      serviceTier: reply.serviceTier ?? 'default',
      content,
      usage: reply.usage === 'omit' ? undefined : wireUsage(reply.usage ?? computedUsage(body, content)),
    };
    if (body.stream === true) {
      await streamCompletion(res, reply, completion, body.stream_options?.include_usage === true, signal);
    } else {
      await completeAtOnce(res, reply, completion, signal);
    }
  }

  private async handleControl(method: string, path: string, query: URLSearchParams, rawBody: string, res: http.ServerResponse): Promise<void> {
    const command = `${method} ${path.slice(CONTROL_PREFIX.length)}`;
    switch (command) {
      case 'POST enqueue': {
        const replies = parseBody(rawBody);
        const list = Array.isArray(replies) ? replies : [replies];
        if (!list.every(isObject)) throw new HttpFailure(400, 'enqueue takes a JSON array of ScriptedReply objects', 'invalid_request_error');
        this.enqueue(...list);
        sendJson(res, 200, { queued: this.queue.length });
        return;
      }
      case 'POST default': {
        const reply = parseBody(rawBody);
        if (!isObject(reply)) throw new HttpFailure(400, 'default takes one ScriptedReply object', 'invalid_request_error');
        this.setDefault(reply);
        sendJson(res, 200, { ok: true });
        return;
      }
      case 'POST reset':
        this.reset();
        sendJson(res, 200, { ok: true });
        return;
      case 'GET requests': {
        // `?atLeast=N&timeoutMs=T` waits on the server side, so a remote client needs no polling.
        const atLeast = Number(query.get('atLeast') ?? 0);
        const timeoutMs = Number(query.get('timeoutMs') ?? DEFAULT_WAIT_MS);
        try {
          sendJson(res, 200, await this.waitForRequests(atLeast, timeoutMs));
        } catch (error) {
          throw new HttpFailure(408, (error as Error).message, 'timeout');
        }
        return;
      }
      default:
        throw new HttpFailure(404, `Unknown mock control command (${method} ${path})`, 'invalid_request_error');
    }
  }
}

/** What one chat reply sends, in either wire form. */
interface Completion {
  id: string;
  created: number;
  model: string;
  serviceTier: string;
  content: string;
  usage: WireUsage | undefined;
}

type WireUsage = ReturnType<typeof wireUsage>;

function wireUsage(usage: ScriptedUsage) {
  return {
    prompt_tokens: usage.prompt_tokens,
    completion_tokens: usage.completion_tokens,
    total_tokens: usage.prompt_tokens + usage.completion_tokens,
    prompt_tokens_details: { cached_tokens: usage.cached_tokens ?? 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

async function streamCompletion(
  res: http.ServerResponse,
  reply: ScriptedReply,
  completion: Completion,
  includeUsage: boolean,
  signal: AbortSignal,
): Promise<void> {
  const chunk = (choices: unknown[], chunkUsage: WireUsage | null = null) => ({
    id: completion.id,
    object: 'chat.completion.chunk',
    created: completion.created,
    model: completion.model,
    service_tier: completion.serviceTier,
    system_fingerprint: SYSTEM_FINGERPRINT,
    choices,
    // OpenAI sends `usage: null` on every chunk but the last only when usage was asked for.
    ...(includeUsage ? { usage: chunkUsage } : {}),
  });
  const choice = (delta: object, finishReason: string | null = null) => ({ index: 0, delta, logprobs: null, finish_reason: finishReason });

  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-request-id': requestId(),
  });
  await writeEvent(res, chunk([choice({ role: 'assistant', content: '', refusal: null })]));

  const pieces = splitContent(completion.content, reply.chunkSize ?? 8);
  // A fault set past the last content chunk still fires, just before the finish chunk.
  const faultAt = (afterChunks: number | undefined, sent: number) => afterChunks !== undefined && Math.min(afterChunks, pieces.length) === sent;
  for (let sent = 0; sent <= pieces.length; sent++) {
    if (faultAt(reply.cutAfterChunks, sent)) {
      res.destroy();
      return;
    }
    if (faultAt(reply.stallAfterChunks, sent)) {
      await untilAborted(signal);
      return;
    }
    if (faultAt(reply.malformedAfterChunks, sent)) {
      res.end('data: {not json\n\n');
      return;
    }
    if (reply.resume && faultAt(reply.holdAfterChunks, sent)) {
      reply.onHold?.();
      const resumed = await Promise.race([reply.resume.then(() => true), untilAborted(signal).then(() => false)]);
      if (!resumed) return;
    }
    if (sent === pieces.length) break;
    if (!(await delay(sent > 0 ? (reply.chunkDelayMs ?? 0) : 0, signal))) return;
    await writeEvent(res, chunk([choice({ content: pieces[sent] })]));
  }

  await writeEvent(res, chunk([choice({}, reply.finishReason ?? 'stop')]));
  if (includeUsage && completion.usage) await writeEvent(res, chunk([], completion.usage));
  res.end('data: [DONE]\n\n');
}

async function completeAtOnce(res: http.ServerResponse, reply: ScriptedReply, completion: Completion, signal: AbortSignal): Promise<void> {
  if (reply.cutAfterChunks !== undefined) {
    res.destroy();
    return;
  }
  if (reply.stallAfterChunks !== undefined) {
    await untilAborted(signal);
    return;
  }
  if (reply.malformedAfterChunks !== undefined) {
    res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': requestId() });
    res.end('{not json');
    return;
  }
  sendJson(res, 200, {
    id: completion.id,
    object: 'chat.completion',
    created: completion.created,
    model: completion.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: completion.content, refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: reply.finishReason ?? 'stop',
      },
    ],
    ...(completion.usage ? { usage: completion.usage } : {}),
    service_tier: completion.serviceTier,
    system_fingerprint: SYSTEM_FINGERPRINT,
  });
}

/** Splits by code points so a chunk never ends inside a surrogate pair. */
function splitContent(content: string, chunkSize: number): string[] {
  const chars = Array.from(content);
  const size = Math.max(1, Math.floor(chunkSize));
  const pieces: string[] = [];
  for (let i = 0; i < chars.length; i += size) pieces.push(chars.slice(i, i + size).join(''));
  return pieces;
}

/** Resolves once the data is handed to the socket, so a following destroy() cannot drop it. */
function writeEvent(res: http.ServerResponse, data: unknown): Promise<void> {
  return new Promise((resolve) => res.write(`data: ${JSON.stringify(data)}\n\n`, () => resolve()));
}

function defaultErrorType(status: number, code: string | undefined): string {
  if (status === 429) return code === 'insufficient_quota' ? 'insufficient_quota' : 'requests';
  return status >= 500 ? 'server_error' : 'invalid_request_error';
}

function sendError(
  res: http.ServerResponse,
  status: number,
  error: { message: string; type: string; param: string | null; code: string | null },
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { error }, headers);
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': requestId(), ...headers });
  res.end(JSON.stringify(body));
}

function requestId(): string {
  return `req_${randomBytes(16).toString('hex')}`;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- RecordedRequest.body
function parseBody(raw: string): any {
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function isObject(value: unknown): value is ScriptedReply {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Resolves true after `ms`, or false as soon as `signal` aborts. */
function delay(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
