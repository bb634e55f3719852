import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatSession } from '../../../src/core/chat/chatSession';
import type { BudgetSettings } from '../../../src/core/cost/budget';
import { Ledger } from '../../../src/core/cost/ledger';
import { PriceBook } from '../../../src/core/cost/pricing';
import { CostMeter } from '../../../src/core/costMeter';
import { PennyError } from '../../../src/core/errors';
import { MeteredClient } from '../../../src/core/meteredClient';
import { meterView } from '../../../src/core/meterView';
import { OpenAIClient } from '../../../src/core/openaiClient';
import type { ExtensionEvents } from '../../../src/shared/protocol';
import { waitUntil } from '../../harness/workbench';
import { MockOpenAIServer } from '../../server/mockOpenAI';

describe('metered requests: every request is priced, shown and recorded once', () => {
  let server: MockOpenAIServer;
  let dir: string;
  let ledger: Ledger;
  let meter: CostMeter;
  let budget: BudgetSettings;
  let metered: MeteredClient;

  before(async () => {
    server = await MockOpenAIServer.start();
  });
  after(() => server.stop());
  beforeEach(() => {
    server.reset();
    dir = mkdtempSync(join(tmpdir(), 'penny-metered-'));
    ledger = new Ledger(dir);
    meter = new CostMeter();
    budget = { daily: null, monthly: null, enforce: false };
    const client = new OpenAIClient({ baseUrl: server.url, apiKey: 'sk-test', idleTimeoutMs: 2000, maxRetries: 0 });
    metered = new MeteredClient({
      client: async () => client,
      priceBook: () => new PriceBook({ 'local-llama': { input: 0, output: 0 } }),
      budget: () => budget,
      ledger,
      meter,
    });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const ask = (model = 'gpt-4o-mini', signal?: AbortSignal, onDelta?: (t: string) => void) =>
    metered.run('chat', { model, modelSetting: 'penny.chatModel', messages: [{ role: 'user', content: 'Explain closures' }], signal, onDelta });

  it('without a client (no key) refuses with the reason and its button, sends nothing and records nothing', async () => {
    const noKey = new PennyError('noKey', 'No API key.', { actions: ['setApiKey'] });
    const refusing = new MeteredClient({ client: () => Promise.reject(noKey), priceBook: () => new PriceBook(), budget: () => budget, ledger, meter });
    const result = await refusing.run('chat', { model: 'gpt-4o-mini', modelSetting: 'penny.chatModel', messages: [{ role: 'user', content: 'Hi' }] });
    assert.deepEqual([result.outcome, result.sent, result.error], ['error', false, noKey]);
    assert.equal(server.requests.length, 0);
    assert.deepEqual(await ledger.recent(1), []);
    assert.equal(meter.state().live.length, 0);

    const broken = new MeteredClient({
      client: () => Promise.reject(new Error('disk on fire')),
      priceBook: () => new PriceBook(),
      budget: () => budget,
      ledger,
      meter,
    });
    const failed = await broken.run('chat', { model: 'gpt-4o-mini', modelSetting: 'penny.chatModel', messages: [{ role: 'user', content: 'Hi' }] });
    assert.deepEqual([failed.error?.kind, failed.error?.message], ['unknown', 'disk on fire']);
  });

  it('records the exact cost from the usage the API reports, cached tokens at their price', async () => {
    server.enqueue({ content: 'A closure is…', model: 'gpt-4o-mini-2024-07-18', usage: { prompt_tokens: 2000, completion_tokens: 300, cached_tokens: 1024 } });
    const costs: [number | null, boolean][] = [];
    const result = await metered.run(
      'chat',
      { model: 'gpt-4o-mini', modelSetting: 'penny.chatModel', messages: [{ role: 'user', content: 'Explain closures' }] },
      { onCost: (usd, _usage, exact) => costs.push([usd, exact]) },
    );
    // (976 x 0.15 + 1024 x 0.075 + 300 x 0.60) / 1e6
    const exact = (976 * 0.15 + 1024 * 0.075 + 300 * 0.6) / 1e6;
    assert.equal(result.record?.exact, true, JSON.stringify({ outcome: result.outcome, error: result.error, text: result.text }));
    assert.ok(Math.abs(result.record!.costUsd! - exact) < 1e-12);
    assert.equal(result.record?.model, 'gpt-4o-mini-2024-07-18');
    assert.deepEqual(costs.at(-1), [result.record!.costUsd, true]);
    assert.ok(
      costs.slice(0, -1).every(([, isExact]) => !isExact),
      'live figures are estimates',
    );
    const [saved] = await ledger.recent(1);
    assert.deepEqual(saved, result.record);
    assert.equal(meter.state().live.length, 0);
    assert.equal(meter.state().recent[0], result.record);
    assert.match(meterView(meter.state()).text, /\$0\.0004 /);
  });

  it('a stream cancelled before usage arrives is recorded as estimated', async () => {
    server.enqueue({ content: 'word '.repeat(200), chunkSize: 10, chunkDelayMs: 5 });
    const controller = new AbortController();
    let chunks = 0;
    const result = await ask('gpt-4o-mini', controller.signal, () => {
      if (++chunks === 5) controller.abort();
    });
    assert.equal(result.outcome, 'cancelled');
    assert.equal(result.record?.exact, false);
    assert.equal(result.record?.outcome, 'cancelled');
    assert.ok(result.record!.promptTokens > 0);
    assert.ok(result.record!.completionTokens > 0);
    assert.ok(result.record!.costUsd! > 0, 'it was billed');
    assert.equal((await ledger.recent(1))[0].exact, false);
  });

  it('a model with no known price is "price unknown", never $0', async () => {
    server.enqueue({ content: 'hi', model: 'mystery-model', usage: { prompt_tokens: 10, completion_tokens: 1 } });
    const result = await ask('mystery-model');
    assert.equal(result.record?.costUsd, null);
    assert.match(meterView(meter.state()).text, /price unknown/);
  });

  it('a user price makes a local model free and exact', async () => {
    server.enqueue({ content: 'hi', model: 'local-llama', usage: { prompt_tokens: 10, completion_tokens: 1 } });
    const result = await ask('local-llama');
    assert.equal(result.record?.costUsd, 0);
    assert.equal(result.record?.exact, true);
  });

  it('an HTTP error is recorded at no cost', async () => {
    server.enqueue({ error: { status: 401, message: 'bad key' } });
    const result = await ask();
    assert.equal(result.error?.kind, 'auth');
    assert.equal(result.record?.costUsd, 0);
    assert.equal(result.record?.outcome, 'error');
  });

  it('an enforced budget refuses before sending, and "allow once" gets through', async () => {
    server.setDefault({ content: 'ok', usage: { prompt_tokens: 1_000_000, completion_tokens: 0 } });
    await ask(); // $0.15
    budget = { daily: 0.1, monthly: null, enforce: true };
    const refused = await ask();
    assert.equal(refused.error?.kind, 'budget');
    assert.deepEqual(refused.error?.actions, ['allowOnce', 'raiseBudget']);
    assert.equal(server.requests.length, 1);
    const allowed = await metered.run(
      'chat',
      { model: 'gpt-4o-mini', modelSetting: 'penny.chatModel', messages: [{ role: 'user', content: 'x' }] },
      { allowOverBudget: true },
    );
    assert.equal(allowed.outcome, 'ok');
    assert.equal(server.requests.length, 2);
  });

  it('checks the budgets with one read of the totals per request, completions included', async () => {
    const reads: string[] = [];
    const totals = ledger.totals.bind(ledger);
    const report = ledger.report.bind(ledger);
    ledger.totals = () => (reads.push('totals'), totals());
    ledger.report = () => (reads.push('report'), report());
    server.setDefault({ content: 'ok', usage: { prompt_tokens: 1000, completion_tokens: 10 } });
    budget = { daily: 1, monthly: 10, enforce: true };
    await ask();
    await metered.run('completion', { model: 'gpt-4o-mini', modelSetting: 'penny.completionModel', messages: [{ role: 'user', content: 'x' }] });
    assert.deepEqual(reads, ['totals', 'totals']);
    budget = { daily: null, monthly: null, enforce: true };
    await ask();
    assert.deepEqual(reads, ['totals', 'totals'], 'without budgets the ledger is not read');
  });

  it('a prompt beyond the context window is refused with the numbers, nothing sent', async () => {
    const huge = 'token '.repeat(130_000);
    const result = await metered.run('chat', { model: 'gpt-4o-mini', modelSetting: 'penny.chatModel', messages: [{ role: 'user', content: huge }] });
    assert.equal(result.error?.kind, 'contextLength');
    assert.match(result.error!.message, /128,000/);
    assert.equal(server.requests.length, 0);
  });

  describe('a chat session on top', () => {
    const sessionDeps = () => ({
      metered,
      models: () => ['gpt-4o-mini', 'gpt-4o'],
      defaultModel: () => 'gpt-4o-mini',
      escalationModel: () => 'gpt-4o',
      priceBook: () => new PriceBook(),
      suggestEscalation: () => true,
    });

    it('streams an answer as events, with its model and cost, and keeps a stopped answer', async () => {
      const events: { event: keyof ExtensionEvents; data: unknown }[] = [];
      const session = new ChatSession(sessionDeps());
      session.onEvent(({ event, data }) => void events.push({ event, data }));
      server.enqueue({ content: '# Title\n\nSome **markdown**.', model: 'gpt-4o-mini-2024-07-18', usage: { prompt_tokens: 100, completion_tokens: 20 } });
      const answer = await session.send('What is this?', 'gpt-4o-mini');
      assert.equal(answer.status, 'done');
      assert.equal(answer.text, '# Title\n\nSome **markdown**.');
      assert.equal(answer.model, 'gpt-4o-mini-2024-07-18');
      assert.deepEqual(answer.cost, { promptTokens: 100, cachedTokens: 0, completionTokens: 20, usd: (100 * 0.15 + 20 * 0.6) / 1e6, exact: true });
      assert.ok(events.some((e) => e.event === 'messageDelta'));
      assert.equal(session.snapshot().totalUsd, answer.cost!.usd);

      server.enqueue({ content: 'slow '.repeat(100), chunkSize: 5, chunkDelayMs: 5 });
      const pending = session.send('And more?', 'gpt-4o-mini');
      await server.waitForRequests(2, 2000);
      // Stop it mid-answer: once the chat shows the first words of the answer still streaming.
      const streamingWithText = () => {
        const last = session.snapshot().messages.at(-1);
        return last?.role === 'assistant' && last.status === 'streaming' && last.text.length > 0;
      };
      await waitUntil('the chat to show the first words of the second answer while it streams', streamingWithText, {
        timeoutMs: 1000, // within mocha's 2 s for the whole test, so a hang fails with this message
        intervalMs: 5,
        describe: () => JSON.stringify(session.snapshot().messages.at(-1)),
      });
      session.stop();
      const stopped = await pending;
      assert.equal(stopped.status, 'stopped');
      assert.ok(stopped.text.length > 0, 'the partial answer stays');
      assert.equal(stopped.cost?.exact, false);
      // The history sent with the second question holds the first exchange.
      const sent = server.requests[1].body.messages.map((m: { role: string }) => m.role);
      assert.deepEqual(sent, ['system', 'user', 'assistant', 'user']);
    });

    it('an error shows in the conversation with the actions that fix it', async () => {
      const session = new ChatSession(sessionDeps());
      server.enqueue({ error: { status: 401, message: 'Incorrect API key provided: sk-abc***' } });
      const answer = await session.send('Hi', 'gpt-4o-mini');
      assert.equal(answer.status, 'error');
      assert.deepEqual(answer.error?.actions, ['setApiKey']);
      server.enqueue({ content: 'Now it works' });
      const retried = await session.retry(answer.id);
      assert.equal(retried.text, 'Now it works');
      assert.deepEqual(
        session.snapshot().messages.map((m) => m.id),
        [session.snapshot().messages[0].id, retried.id],
      );
    });
  });
});
