import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import * as path from 'node:path';
import OpenAI from 'openai';
import { demoReply } from '../../server/demoScript';
import { MockControl } from '../../server/mockControl';
import { MockOpenAIServer, type RecordedRequest } from '../../server/mockOpenAI';

const MESSAGES = [{ role: 'user' as const, content: 'Say something' }];

/** Fails the test with `what` instead of hanging when `promise` does not settle in time. */
function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Parses the `data:` payloads of an SSE body. */
function sseData(text: string): string[] {
  return text
    .split('\n\n')
    .filter((event) => event.startsWith('data: '))
    .map((event) => event.slice('data: '.length));
}

describe('MockOpenAIServer', () => {
  let server: MockOpenAIServer;
  let client: OpenAI;

  beforeEach(async () => {
    server = await MockOpenAIServer.start();
    client = new OpenAI({ baseURL: server.url, apiKey: 'sk-test', maxRetries: 0 });
  });

  afterEach(async () => {
    await server.stop();
  });

  it('streams content chunks, then finish_reason, then usage with cached tokens and service tier', async () => {
    server.enqueue({
      content: 'Hello, streaming world!',
      chunkSize: 5,
      model: 'gpt-4o-mini-2024-07-18',
      serviceTier: 'priority',
      usage: { prompt_tokens: 2000, completion_tokens: 6, cached_tokens: 1024 },
    });
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: MESSAGES,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);

    assert.deepEqual(chunks[0].choices[0].delta, { role: 'assistant', content: '', refusal: null });
    const contents = chunks.slice(1, -2).map((c) => c.choices[0].delta.content);
    assert.deepEqual(contents, ['Hello', ', str', 'eamin', 'g wor', 'ld!']);
    assert.equal(chunks.at(-2)!.choices[0].finish_reason, 'stop');
    const last = chunks.at(-1)!;
    assert.deepEqual(last.choices, []);
    assert.deepEqual(last.usage, {
      prompt_tokens: 2000,
      completion_tokens: 6,
      total_tokens: 2006,
      prompt_tokens_details: { cached_tokens: 1024, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    });
    for (const chunk of chunks) {
      assert.equal(chunk.object, 'chat.completion.chunk');
      assert.equal(chunk.id, chunks[0].id);
      assert.equal(chunk.model, 'gpt-4o-mini-2024-07-18');
      assert.equal(chunk.service_tier, 'priority');
      assert.equal(chunk.system_fingerprint, 'fp_mock0000');
      if (chunk !== last) assert.equal(chunk.usage, null);
    }
  });

  it('sends no usage chunk without include_usage, and ends the SSE with [DONE] (raw fetch)', async () => {
    server.enqueue({ content: 'abc', finishReason: 'length' });
    const response = await fetch(`${server.url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', messages: MESSAGES, stream: true }),
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type')!, /^text\/event-stream/);
    assert.match(response.headers.get('x-request-id')!, /^req_/);
    const text = await response.text();
    assert.ok(text.endsWith('data: [DONE]\n\n'));
    const chunks = sseData(text)
      .slice(0, -1)
      .map((data) => JSON.parse(data));
    assert.equal(chunks.length, 3);
    assert.ok(chunks.every((c) => !('usage' in c) && c.model === 'gpt-4o' && c.service_tier === 'default'));
    assert.equal(chunks[2].choices[0].finish_reason, 'length');
  });

  it('answers without stream with a chat.completion and a computed usage (chars / 4, rounded up)', async () => {
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'Hello' }] },
      ],
    });
    assert.equal(completion.object, 'chat.completion');
    assert.equal(completion.model, 'gpt-4o-mini');
    assert.equal(completion.choices[0].message.content, 'OK');
    assert.equal(completion.choices[0].finish_reason, 'stop');
    assert.equal(completion.service_tier, 'default');
    assert.deepEqual(
      [completion.usage?.prompt_tokens, completion.usage?.completion_tokens, completion.usage?.prompt_tokens_details?.cached_tokens],
      [4, 1, 0], // "Be brief." + "Hello" = 14 chars; "OK" = 2 chars
    );
  });

  it("omits usage when the script says 'omit'", async () => {
    server.enqueue({ content: 'x', usage: 'omit' }, { content: 'y', usage: 'omit' });
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES });
    assert.equal(completion.usage, undefined);
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, stream: true, stream_options: { include_usage: true } });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    assert.ok(chunks.every((c) => c.usage === null && c.choices.length === 1));
  });

  it('serves a scripted error that the SDK sees with status, code, type, headers and request id', async () => {
    server.enqueue({
      error: { status: 429, code: 'rate_limit_exceeded', message: 'Rate limit reached for gpt-4o-mini', headers: { 'retry-after': '7' } },
    });
    const error = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, stream: true }).then(
      () => assert.fail('expected a RateLimitError'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof OpenAI.RateLimitError);
    assert.equal(error.status, 429);
    assert.equal(error.code, 'rate_limit_exceeded');
    assert.equal(error.type, 'requests');
    assert.equal(error.message, '429 Rate limit reached for gpt-4o-mini');
    assert.equal(error.headers?.get('retry-after'), '7');
    assert.match(error.requestID ?? '', /^req_[0-9a-f]{32}$/);
  });

  it('serves the error body OpenAI sends (raw fetch)', async () => {
    server.enqueue({ error: { status: 400, code: 'context_length_exceeded', param: 'messages', message: 'too long' } });
    const response = await fetch(`${server.url}/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: MESSAGES }),
    });
    assert.equal(response.status, 400);
    assert.deepEqual(await response.json(), {
      error: { message: 'too long', type: 'invalid_request_error', param: 'messages', code: 'context_length_exceeded' },
    });
  });

  it('cuts the connection mid-stream: the SDK throws after the partial content', async () => {
    server.enqueue({ content: 'abcdefghijklmnop', chunkSize: 4, cutAfterChunks: 2 });
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, stream: true, stream_options: { include_usage: true } });
    let text = '';
    // Node's fetch reports a broken body as TypeError('terminated'); the SDK passes it through.
    await assert.rejects(async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    }, /terminated/);
    assert.equal(text, 'abcdefgh');
  });

  it('stalls a stream until the client aborts', async () => {
    server.enqueue({ content: 'abcdefghijklmnop', chunkSize: 4, stallAfterChunks: 2 });
    const controller = new AbortController();
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, stream: true }, { signal: controller.signal });
    let text = '';
    await within(
      1000,
      'the stream to end after abort',
      (async () => {
        for await (const chunk of stream) {
          text += chunk.choices[0]?.delta.content ?? '';
          if (text.length >= 8) controller.abort();
        }
      })(),
    );
    assert.equal(text, 'abcdefgh');
  });

  it('holds a stream after N chunks until the script resumes it', async () => {
    let resume: () => void = () => undefined;
    let holding: () => void = () => undefined;
    const held = new Promise<void>((r) => (holding = r));
    server.enqueue({ content: 'abcdefghijklmnop', chunkSize: 4, holdAfterChunks: 2, resume: new Promise<void>((r) => (resume = r)), onHold: () => holding() });
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, stream: true });
    const chunks = stream[Symbol.asyncIterator]();
    let text = '';
    while (text.length < 8) text += (await within(1000, 'the chunks before the hold', chunks.next())).value.choices[0]?.delta.content ?? '';
    await within(1000, 'the server to hold after two chunks', held);
    let arrived = false;
    const next = chunks.next().then((chunk) => {
      arrived = true;
      return chunk;
    });
    // A whole request on another connection: a chunk the held stream had been sent would be here by its end.
    await within(1000, 'a models request on another connection', client.models.list());
    assert.equal(arrived, false, 'nothing arrives while the stream is held');
    resume();
    text += (await within(1000, 'the first chunk after resume', next)).value.choices[0]?.delta.content ?? '';
    for (;;) {
      const { value, done } = await within(1000, 'the rest of the stream', chunks.next());
      if (done) break;
      text += value.choices[0]?.delta.content ?? '';
    }
    assert.equal(text, 'abcdefghijklmnop');
  });

  it('stop() closes a stalled stream promptly', async () => {
    server.enqueue({ content: 'abcdefghijklmnop', chunkSize: 4, stallAfterChunks: 1 });
    const response = await fetch(`${server.url}/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: MESSAGES, stream: true }),
    });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let received = '';
    while (!received.includes('abcd')) {
      const { value, done } = await within(1000, 'the first content chunk', reader.read());
      assert.equal(done, false);
      received += decoder.decode(value);
    }
    await within(1000, 'stop() with a stalled stream open', server.stop());
    await assert.rejects(within(500, 'the stalled body to fail', reader.read()), /terminated/);
  });

  it('sends malformed SSE data after N chunks: the SDK throws a SyntaxError', async () => {
    server.enqueue({ content: 'abcdefghijklmnop', chunkSize: 4, malformedAfterChunks: 1 });
    // The SDK logs the bad chunk before throwing; keep the test output clean.
    const quiet = new OpenAI({ baseURL: server.url, apiKey: 'sk-test', maxRetries: 0, logLevel: 'off' });
    const stream = await quiet.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, stream: true });
    let text = '';
    await assert.rejects(async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    }, SyntaxError);
    assert.equal(text, 'abcd');
  });

  it('delays the response headers by firstByteDelayMs', async () => {
    server.enqueue({ content: 'late', firstByteDelayMs: 60 });
    const started = Date.now();
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES });
    // Lower bound only (timers may round by a millisecond); an upper bound would be flaky.
    assert.ok(Date.now() - started >= 55, `answered after ${Date.now() - started} ms`);
  });

  it('takes queued replies in order, calls function replies with the request, then falls back to the default', async () => {
    server.enqueue({ content: 'first' }, (req) => ({ content: `echo: ${req.body.messages[0].content}` }));
    server.setDefault({ content: 'default' });
    const answers = [];
    for (let i = 0; i < 3; i++) {
      const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES });
      answers.push(completion.choices[0].message.content);
    }
    assert.deepEqual(answers, ['first', 'echo: Say something', 'default']);
    server.reset();
    assert.equal(server.requests.length, 0);
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES });
    assert.equal(completion.choices[0].message.content, 'OK');
  });

  it('records requests with method, path, headers, parsed body and arrival time', async () => {
    const before = Date.now();
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, max_tokens: 5 });
    await client.models.list();
    const requests = await server.waitForRequests(2, 500);
    assert.deepEqual(
      requests.map((r) => `${r.method} ${r.path}`),
      ['POST /v1/chat/completions', 'GET /v1/models'],
    );
    assert.equal(requests[0].headers.authorization, 'Bearer sk-test');
    assert.deepEqual(requests[0].body, { model: 'gpt-4o-mini', messages: MESSAGES, max_tokens: 5 });
    assert.ok(requests[0].receivedAt >= before && requests[0].receivedAt <= Date.now());
  });

  it('rejects waitForRequests on timeout with a message naming what it waited for', async () => {
    await client.models.list();
    await assert.rejects(server.waitForRequests(3, 30), {
      message: 'waitForRequests: timed out after 30 ms waiting for 3 request(s); got 1 (GET /v1/models)',
    });
  });

  it('answers unknown paths with a 404 JSON error', async () => {
    const response = await fetch(`${server.url}/embeddings`, { method: 'POST', body: '{}' });
    assert.equal(response.status, 404);
    assert.match(response.headers.get('x-request-id')!, /^req_/);
    assert.deepEqual(await response.json(), {
      error: { message: 'Invalid URL (POST /v1/embeddings)', type: 'invalid_request_error', param: null, code: null },
    });
  });

  it('is scriptable over HTTP through MockControl', async () => {
    const control = new MockControl(server.url);
    await control.enqueue({ content: 'via control', serviceTier: 'flex' }, { error: { status: 503 } });
    await control.setDefault({ content: 'control default' });

    const first = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES });
    assert.equal(first.choices[0].message.content, 'via control');
    assert.equal(first.service_tier, 'flex');
    await assert.rejects(client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES }), OpenAI.InternalServerError);
    const third = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES });
    assert.equal(third.choices[0].message.content, 'control default');

    const requests: RecordedRequest[] = await control.waitForRequests(3, 500);
    assert.equal(requests.length, 3);
    assert.deepEqual(
      (await control.requests()).map((r) => r.body.model),
      ['gpt-4o-mini', 'gpt-4o-mini', 'gpt-4o-mini'],
    );
    await assert.rejects(control.waitForRequests(4, 30), /timed out after 30 ms waiting for 4 request\(s\); got 3/);

    await control.reset();
    assert.deepEqual(await control.requests(), []);
    const afterReset = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES });
    assert.equal(afterReset.choices[0].message.content, 'OK');
  });
});

describe('MockOpenAIServer options', () => {
  let server: MockOpenAIServer | undefined;

  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('answers 401 invalid_api_key to any key but validKeys, and lists the configured models', async () => {
    server = await MockOpenAIServer.start({ validKeys: ['sk-good'], models: ['gpt-4o-mini', 'gpt-4o'] });
    const bad = new OpenAI({ baseURL: server.url, apiKey: 'sk-wrong-key', maxRetries: 0 });
    const error = await bad.models.list().then(
      () => assert.fail('expected an AuthenticationError'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof OpenAI.AuthenticationError);
    assert.equal(error.status, 401);
    assert.equal(error.code, 'invalid_api_key');

    const good = new OpenAI({ baseURL: server.url, apiKey: 'sk-good', maxRetries: 0 });
    const models = await good.models.list();
    assert.deepEqual(
      models.data.map((m) => m.id),
      ['gpt-4o-mini', 'gpt-4o'],
    );

    const missing = await fetch(`${server.url}/models`);
    assert.equal(missing.status, 401);
  });

  it('answers 404 model_not_found for a model outside `models`', async () => {
    server = await MockOpenAIServer.start({ models: ['gpt-4o-mini'] });
    const client = new OpenAI({ baseURL: server.url, apiKey: 'sk-test', maxRetries: 0 });
    await assert.rejects(client.chat.completions.create({ model: 'gpt-5', messages: MESSAGES }), (e: unknown) => {
      assert.ok(e instanceof OpenAI.NotFoundError);
      assert.equal(e.code, 'model_not_found');
      return true;
    });
  });

  it('returns to defaultReply on reset()', async () => {
    server = await MockOpenAIServer.start({ defaultReply: { content: 'baseline' } });
    const client = new OpenAI({ baseURL: server.url, apiKey: 'sk-test', maxRetries: 0 });
    server.setDefault({ content: 'changed' });
    server.reset();
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES });
    assert.equal(completion.choices[0].message.content, 'baseline');
  });
});

describe('demoReply', () => {
  const request = (messages: object[]): RecordedRequest => ({
    method: 'POST',
    path: '/v1/chat/completions',
    headers: {},
    body: { model: 'gpt-4o-mini', messages },
    receivedAt: 0,
  });

  it('completes a function body at <CURSOR>, without a second closing brace when one follows', () => {
    const open = demoReply(request([{ role: 'user', content: 'const x = 1;\nfunction add(a, b) {<CURSOR>' }]));
    assert.equal(open.content, '\n  return a + b;\n}');
    const closed = demoReply(request([{ role: 'user', content: '  function multiply(x: number, y: number) {<CURSOR>\n  }' }]));
    assert.equal(closed.content, '\n    return x * y;');
    const other = demoReply(request([{ role: 'user', content: 'let total = <CURSOR>' }]));
    assert.equal(other.content, '0;');
  });

  it('answers a question in markdown with a heading, a list and a ts code block, at a realistic pace', () => {
    const reply = demoReply(request([{ role: 'user', content: 'How do I debounce a function?' }]));
    assert.match(reply.content!, /^## Debouncing a function\n/);
    assert.match(reply.content!, /\n- .+\n- /);
    assert.match(reply.content!, /```ts\n[\s\S]+\n```$/);
    assert.ok(reply.firstByteDelayMs! > 0 && reply.chunkDelayMs! > 0);
  });

  it('reports ~4 chars per token and caches half of a long prompt in 128-token steps', () => {
    const short = demoReply(request([{ role: 'user', content: 'Hi' }]));
    assert.deepEqual(short.usage, { prompt_tokens: 1, completion_tokens: Math.ceil(short.content!.length / 4), cached_tokens: 0 });
    const long = demoReply(
      request([
        { role: 'system', content: 'x'.repeat(4 * 3000) },
        { role: 'user', content: 'Explain this' },
      ]),
    );
    assert.ok(typeof long.usage === 'object');
    assert.equal(long.usage.prompt_tokens, 3003);
    assert.equal(long.usage.cached_tokens, 1408); // floor(3003 / 2 / 128) * 128
  });
});

describe('mock server CLI', () => {
  it('prints MOCK_OPENAI_URL, serves, and exits 0 on SIGTERM', async function () {
    this.timeout(8000); // a child Node process starts slowly on a busy machine
    const cli = spawn(process.execPath, [path.join(__dirname, '../../server/cli.js'), '--port', '0', '--demo'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const [firstOutput] = await within(3000, 'the MOCK_OPENAI_URL line', once(cli.stdout, 'data'));
      const url = /^MOCK_OPENAI_URL=(\S+)\n$/.exec(String(firstOutput))?.[1];
      assert.match(url ?? '', /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      const models = await fetch(`${url}/models`);
      assert.equal(models.status, 200);
      cli.kill('SIGTERM');
      const [code] = await within(3000, 'the CLI to exit', once(cli, 'exit'));
      assert.equal(code, 0);
    } finally {
      if (cli.exitCode === null) cli.kill('SIGKILL');
    }
  });
});
