// Regression tests for the bugs the fault tests found in src/ (since fixed).
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ChatSession } from '../../../src/core/chat/chatSession';
import { ConversationStore } from '../../../src/core/chat/conversationStore';
import { Ledger } from '../../../src/core/cost/ledger';
import { PriceBook } from '../../../src/core/cost/pricing';
import { CostMeter } from '../../../src/core/costMeter';
import { MeteredClient } from '../../../src/core/meteredClient';
import { OpenAIClient } from '../../../src/core/openaiClient';
import { MockOpenAIServer } from '../../server/mockOpenAI';
import { withTimeout } from './harness';

describe('bugs the fault tests found', () => {
  let server: MockOpenAIServer;
  let dir: string;
  before(async () => {
    server = await MockOpenAIServer.start();
  });
  after(() => server.stop());
  beforeEach(() => {
    server.reset();
    dir = mkdtempSync(path.join(tmpdir(), 'penny-known-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('MeteredClient.run never rejects when the ledger cannot be read for a budget check, and the chat answer does not stay "streaming"', async () => {
    const ledgerDir = path.join(dir, 'ledger');
    writeFileSync(ledgerDir, 'not a directory'); // any read failure: EACCES, EIO, ENOTDIR, ERR_STRING_TOO_LONG
    const client = new OpenAIClient({ baseUrl: server.url, apiKey: 'sk-known-bugs', maxRetries: 0 });
    const metered = new MeteredClient({
      client: async () => client,
      priceBook: () => new PriceBook(),
      budget: () => ({ daily: 1, monthly: null, enforce: true }),
      ledger: new Ledger(ledgerDir),
      meter: new CostMeter(),
      onLedgerError: () => undefined,
    });
    const result = await withTimeout(
      metered.run('chat', { model: 'gpt-4o-mini', modelSetting: 'penny.chatModel', messages: [{ role: 'user', content: 'hi' }] }),
      5000,
      'metered.run',
    );
    assert.ok(result.outcome === 'ok' || result.error, 'an outcome, not a rejection');

    const session = new ChatSession({
      metered,
      models: () => ['gpt-4o-mini'],
      defaultModel: () => 'gpt-4o-mini',
      escalationModel: () => 'gpt-4o',
      priceBook: () => new PriceBook(),
      suggestEscalation: () => false,
    });
    const answer = await withTimeout(session.send('hi', 'gpt-4o-mini'), 5000, 'ChatSession.send');
    assert.notEqual(answer.status, 'streaming');
  });

  it('an HTTP error message does not repeat its status ("(403): 403 …")', async () => {
    const client = new OpenAIClient({ baseUrl: server.url, apiKey: 'sk-known-bugs', maxRetries: 0 });
    for (const status of [400, 403]) {
      server.enqueue({ error: { status, message: 'Something specific went wrong' } });
      const result = await client.streamChat({ model: 'gpt-4o-mini', modelSetting: 'penny.chatModel', messages: [{ role: 'user', content: 'hi' }] });
      assert.doesNotMatch(result.error!.message, /\((\d{3})\): \1 /, result.error!.message);
      assert.match(result.error!.message, /: Something specific went wrong/);
    }
  });

  it('a temporary file left by a crash mid-save is cleaned up by a later save', async () => {
    const store = new ConversationStore(dir);
    const stray = path.join(dir, 'conversation-abc.json.99999.tmp');
    writeFileSync(stray, '{"id":"abc","messa');
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(stray, hourAgo, hourAgo);
    await store.save({ id: 'def', title: 't', createdAt: '', updatedAt: '', model: '', messages: [] });
    assert.deepEqual(
      readdirSync(dir).filter((n) => n.endsWith('.tmp')),
      [],
    );
  });
});
