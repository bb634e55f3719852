import assert from 'node:assert/strict';
import { OpenAIClient, retryDelay, type RetryNotice } from '../../../src/core/openaiClient';
import { RefusedParameters, refusesParameter } from '../../../src/core/refusedParameters';
import { MockOpenAIServer } from '../../server/mockOpenAI';

const KEY = 'sk-test-penny-client-0000000000';

describe('OpenAIClient against a local OpenAI-compatible server', () => {
  let server: MockOpenAIServer;
  const sleeps: number[] = [];
  const retries: RetryNotice[] = [];

  before(async () => {
    server = await MockOpenAIServer.start({ validKeys: [KEY] });
  });
  after(() => server.stop());
  beforeEach(() => {
    server.reset();
    sleeps.length = 0;
    retries.length = 0;
  });

  function client(options: Partial<ConstructorParameters<typeof OpenAIClient>[0]> = {}) {
    return new OpenAIClient({
      baseUrl: server.url,
      apiKey: KEY,
      idleTimeoutMs: 2000,
      onRetry: (notice) => retries.push(notice),
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      ...options,
    });
  }

  const ask = (c: OpenAIClient, extra: Partial<Parameters<OpenAIClient['streamChat']>[0]> = {}) =>
    c.streamChat({ model: 'gpt-4o-mini', modelSetting: 'penny.chatModel', messages: [{ role: 'user', content: 'Hi' }], ...extra });

  it('streams text, and reads the resolved model, tier and exact usage with cached tokens', async () => {
    server.enqueue({
      content: 'Hello there, how can I help?',
      model: 'gpt-4o-mini-2024-07-18',
      serviceTier: 'default',
      usage: { prompt_tokens: 1200, completion_tokens: 8, cached_tokens: 1024 },
    });
    const deltas: string[] = [];
    const result = await ask(client(), { onDelta: (d) => deltas.push(d) });
    assert.equal(result.outcome, 'ok');
    assert.equal(result.text, 'Hello there, how can I help?');
    assert.equal(deltas.join(''), result.text);
    assert.ok(deltas.length > 1, 'text arrives in several chunks');
    assert.equal(result.model, 'gpt-4o-mini-2024-07-18');
    assert.deepEqual(result.usage, { promptTokens: 1200, cachedTokens: 1024, completionTokens: 8 });
    const body = server.requests[0].body;
    assert.equal(body.stream, true);
    assert.deepEqual(body.stream_options, { include_usage: true });
    assert.equal(server.requests[0].headers.authorization, `Bearer ${KEY}`);
  });

  it('a 401 is not retried and its message names no key', async () => {
    const result = await ask(client({ apiKey: 'sk-wrong-key-123456789' }));
    assert.equal(result.outcome, 'error');
    assert.equal(result.error?.kind, 'auth');
    assert.deepEqual(result.error?.actions, ['setApiKey']);
    assert.ok(!result.error?.message.includes('sk-wrong'));
    assert.equal(server.requests.length, 1);
  });

  it("a 429 rate limit is retried after the server's retry-after", async () => {
    server.enqueue(
      { error: { status: 429, code: 'rate_limit_exceeded', message: 'Rate limit reached', headers: { 'retry-after': '2' } } },
      { content: 'after the wait' },
    );
    const result = await ask(client());
    assert.equal(result.outcome, 'ok');
    assert.equal(result.text, 'after the wait');
    assert.deepEqual(sleeps, [2000]);
    assert.equal(retries[0].error.kind, 'rateLimit');
    assert.match(retries[0].error.message, /wait 2 s/);
  });

  it('a 429 insufficient_quota is never retried', async () => {
    server.enqueue({ error: { status: 429, code: 'insufficient_quota', type: 'insufficient_quota', message: 'You exceeded your current quota' } });
    const result = await ask(client());
    assert.equal(result.error?.kind, 'quota');
    assert.match(result.error!.message, /billing/);
    assert.equal(server.requests.length, 1);
    assert.equal(sleeps.length, 0);
  });

  it('5xx is retried with backoff up to the limit, then reported', async () => {
    const failure = { error: { status: 503, message: 'overloaded' } };
    server.enqueue(failure, failure, failure);
    const result = await ask(client({ maxRetries: 2 }));
    assert.equal(result.error?.kind, 'server');
    assert.equal(server.requests.length, 3);
    assert.equal(sleeps.length, 2);
  });

  it('a 404 names the model and the setting', async () => {
    server.enqueue({ error: { status: 404, code: 'model_not_found', message: 'The model `gpt-9` does not exist' } });
    const result = await ask(client(), { model: 'gpt-9' });
    assert.equal(result.error?.kind, 'modelNotFound');
    assert.match(result.error!.message, /"gpt-9"/);
    assert.match(result.error!.message, /penny\.chatModel/);
  });

  it('a 400 context_length_exceeded quotes the counted tokens and the window', async () => {
    server.enqueue({ error: { status: 400, code: 'context_length_exceeded', param: 'messages', message: 'too long' } });
    const result = await ask(client(), { promptTokens: 130_000, contextWindow: 128_000 });
    assert.equal(result.error?.kind, 'contextLength');
    assert.match(result.error!.message, /130,000 tokens/);
    assert.match(result.error!.message, /128,000/);
  });

  it('connection refused is reported as offline, after retries', async () => {
    const result = await ask(client({ baseUrl: 'http://127.0.0.1:1/v1', maxRetries: 1 }));
    assert.equal(result.error?.kind, 'offline');
    assert.equal(result.sent, false);
    assert.equal(sleeps.length, 1);
  });

  it('a stream cut mid-way keeps the partial text, is not retried, and has no usage', async () => {
    server.enqueue({ content: 'one two three four five six seven', chunkSize: 4, cutAfterChunks: 3 });
    const result = await ask(client());
    assert.equal(result.outcome, 'cut');
    assert.equal(result.text, 'one two thre');
    assert.equal(result.usage, undefined);
    assert.equal(server.requests.length, 1);
    assert.equal(result.error?.kind, 'cut');
  });

  it('a stalled stream is stopped by the idle timer, keeping the partial text', async () => {
    server.enqueue({ content: 'partial answer then silence', chunkSize: 8, stallAfterChunks: 1 });
    const result = await ask(client({ idleTimeoutMs: 200 }));
    assert.equal(result.outcome, 'stalled');
    assert.equal(result.text, 'partial ');
    assert.equal(result.error?.kind, 'stalled');
  });

  it('malformed SSE is reported, with the text before it kept', async () => {
    server.enqueue({ content: 'good text', chunkSize: 4, malformedAfterChunks: 1 });
    const result = await ask(client());
    assert.equal(result.outcome, 'cut');
    assert.equal(result.text, 'good');
    assert.equal(result.error?.kind, 'malformed');
  });

  it('the caller can cancel mid-stream; the result says cancelled', async () => {
    server.enqueue({ content: 'a long answer that streams slowly', chunkSize: 4, chunkDelayMs: 30 });
    const controller = new AbortController();
    const result = await ask(client({ idleTimeoutMs: 5000 }), {
      signal: controller.signal,
      onDelta: () => controller.abort(),
    });
    assert.equal(result.outcome, 'cancelled');
    assert.equal(result.sent, true);
    assert.equal(result.usage, undefined);
  });

  it('isEnough ends the stream early as a success', async () => {
    server.enqueue({ content: 'first line\nsecond line\nthird', chunkSize: 3, chunkDelayMs: 5 });
    const result = await ask(client(), { isEnough: (text) => text.includes('\n') });
    assert.equal(result.outcome, 'ok');
    assert.ok(result.text.startsWith('first line\n'));
    assert.ok(!result.text.includes('third'));
  });

  it('lists models to check a key', async () => {
    const models = await client().listModels();
    assert.ok(models.includes('gpt-4o-mini'));
    await assert.rejects(client({ apiKey: 'sk-bad-00000000' }).listModels(), (error: { kind: string }) => error.kind === 'auth');
  });
});

describe('prompt_cache_key against servers that accept it and servers that refuse it', () => {
  let lenient: MockOpenAIServer;
  let strict: MockOpenAIServer;
  before(async () => {
    [lenient, strict] = await Promise.all([MockOpenAIServer.start(), MockOpenAIServer.start({ strictParameters: true })]);
  });
  after(() => Promise.all([lenient.stop(), strict.stop()]));
  beforeEach(() => {
    lenient.reset();
    strict.reset();
  });

  const ask = (c: OpenAIClient) =>
    c.streamChat({ model: 'gpt-4o-mini', modelSetting: 'penny.completionModel', messages: [{ role: 'user', content: 'Hi' }], promptCacheKey: 'penny-abc' });
  const clientFor = (server: MockOpenAIServer, refusedParameters = new RefusedParameters()) =>
    new OpenAIClient({ baseUrl: server.url, apiKey: KEY, maxRetries: 0, refusedParameters });

  it('sends the key to a server that accepts it', async () => {
    const result = await ask(clientFor(lenient));
    assert.equal(result.outcome, 'ok');
    assert.equal(lenient.requests[0].body.prompt_cache_key, 'penny-abc');
  });

  it('a strict server refuses the key with a 400: the same request is sent again without it, and answered', async () => {
    const result = await ask(clientFor(strict));
    assert.equal(result.outcome, 'ok');
    assert.equal(result.text, 'OK');
    assert.equal(strict.requests.length, 2);
    assert.equal(strict.requests[0].body.prompt_cache_key, 'penny-abc');
    assert.equal('prompt_cache_key' in strict.requests[1].body, false);
  });

  it('remembers the refusal per server: later requests and rebuilt clients skip the key, other servers still get it', async () => {
    const refused = new RefusedParameters();
    await ask(clientFor(strict, refused));
    await ask(clientFor(strict, refused));
    await ask(clientFor(lenient, refused));
    assert.equal(strict.requests.length, 3, 'one refused request, then one request each');
    assert.equal('prompt_cache_key' in strict.requests[2].body, false);
    assert.equal(lenient.requests[0].body.prompt_cache_key, 'penny-abc');
  });

  it('any other 400 is not taken for a refusal of the key', async () => {
    const c = new OpenAIClient({ baseUrl: lenient.url, apiKey: KEY, maxRetries: 0 });
    lenient.enqueue({ error: { status: 400, message: 'Invalid value for messages' } });
    const result = await ask(c);
    assert.equal(result.outcome, 'error');
    assert.equal(result.error?.kind, 'badRequest');
    assert.equal(lenient.requests.length, 1);
    assert.equal(refusesParameter({ status: 422, param: 'prompt_cache_key' }, 'prompt_cache_key'), true, 'vLLM-style 422 naming the field');
    assert.equal(refusesParameter({ status: 500, message: 'prompt_cache_key' }, 'prompt_cache_key'), false);
  });
});

describe('retryDelay', () => {
  it("uses the server's delay when it is sane", () => assert.equal(retryDelay(0, 1500), 1500));
  it('ignores a server delay above a minute', () => assert.ok(retryDelay(0, 120_000) <= 500));
  it('backs off exponentially to 8 s', () => {
    assert.equal(
      retryDelay(0, undefined, () => 0),
      500,
    );
    assert.equal(
      retryDelay(3, undefined, () => 0),
      4000,
    );
    assert.equal(
      retryDelay(10, undefined, () => 0),
      8000,
    );
  });
});
