// Each error class from the local server becomes a message a user can act on, in the real extension host.
import * as assert from 'node:assert/strict';
import type { MockOpenAIServer, ScriptedReply } from '../server/mockOpenAI';
import { penny, setSetting, startServerForPenny } from './support';

describe('errors a user can act on', () => {
  let server: MockOpenAIServer;

  before(async () => {
    await penny();
    server = await startServerForPenny();
  });
  beforeEach(() => server.reset());
  after(() => server.stop());

  async function askWith(...replies: ScriptedReply[]) {
    server.enqueue(...replies);
    return (await penny()).ask('Hello?');
  }

  it('401: names the problem, offers Set API Key, shows no key', async () => {
    const answer = await askWith({ error: { status: 401, code: 'invalid_api_key', message: 'Incorrect API key provided: sk-test-pe***0000' } });
    assert.equal(answer.status, 'error');
    assert.deepEqual(answer.error?.actions, ['setApiKey']);
    assert.match(answer.error!.message, /rejected/);
    assert.ok(!/sk-/.test(answer.error!.message));
  });

  it('404 model: names the model and the setting', async () => {
    const answer = await askWith({ error: { status: 404, code: 'model_not_found', message: 'no such model' } });
    assert.match(answer.error!.message, /"gpt-4o-mini"/);
    assert.match(answer.error!.message, /penny\.chatModel/);
  });

  it('429 rate limit: retried after retry-after, then answered', async () => {
    const answer = await askWith(
      { error: { status: 429, code: 'rate_limit_exceeded', message: 'slow down', headers: { 'retry-after': '1' } } },
      { content: 'answered after the wait' },
    );
    assert.equal(answer.status, 'done');
    assert.equal(answer.text, 'answered after the wait');
    assert.equal(server.requests.length, 2);
  });

  it('429 insufficient_quota: billing link, no retry', async () => {
    const answer = await askWith({ error: { status: 429, code: 'insufficient_quota', type: 'insufficient_quota', message: 'quota' } });
    assert.match(answer.error!.message, /billing/);
    assert.equal(server.requests.length, 1);
  });

  it('400 context length: the counted tokens and the window', async () => {
    const answer = await askWith({ error: { status: 400, code: 'context_length_exceeded', param: 'messages', message: 'too long' } });
    assert.match(answer.error!.message, /tokens is too long for gpt-4o-mini \(the window of gpt-4o-mini is 128,000\)/);
  });

  it('5xx: retried, then a clear message with Retry', async () => {
    const failure: ScriptedReply = { error: { status: 500, message: 'boom' } };
    const answer = await askWith(failure, failure, failure);
    assert.match(answer.error!.message, /server error \(500\)/);
    assert.deepEqual(answer.error?.actions, ['retry']);
  });

  it('offline: cannot reach the server, points at the setting', async () => {
    await setSetting('baseUrl', 'http://127.0.0.1:9/v1');
    try {
      const answer = await (await penny()).ask('Anyone there?');
      assert.equal(answer.status, 'error');
      assert.match(answer.error!.message, /Cannot reach 127\.0\.0\.1:9/);
    } finally {
      await setSetting('baseUrl', server.url);
    }
  });
});
