// The chat: the view resolves, an answer streams from the local server with its exact cost,
// and a stopped answer is kept and recorded as estimated.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { MockOpenAIServer } from '../server/mockOpenAI';
import { penny, startServerForPenny, waitFor } from './support';

describe('chat', () => {
  let server: MockOpenAIServer;

  before(async () => {
    await penny();
    server = await startServerForPenny();
  });
  beforeEach(() => server.reset());
  after(() => server.stop());

  it('the chat view resolves when focused', async () => {
    const api = await penny();
    await vscode.commands.executeCommand('penny.focusChat');
    await waitFor('the chat view to be visible', () => api.chatVisible());
  });

  it('answers with gpt-4o-mini and shows the exact cost once usage arrives', async () => {
    const api = await penny();
    server.enqueue({
      content: 'A **closure** keeps the variables of its scope.\n\n```js\nconst f = () => x;\n```',
      model: 'gpt-4o-mini-2024-07-18',
      usage: { prompt_tokens: 1000, completion_tokens: 200, cached_tokens: 0 },
      chunkSize: 6,
    });
    const answer = await api.ask('What is a closure?');
    assert.equal(answer.status, 'done');
    assert.match(answer.text, /closure/);
    assert.equal(answer.model, 'gpt-4o-mini-2024-07-18');
    const expected = (1000 * 0.15 + 200 * 0.6) / 1e6; // $0.00027
    assert.equal(answer.cost?.exact, true);
    assert.ok(Math.abs(answer.cost!.usd! - expected) < 1e-12, `cost ${answer.cost?.usd}`);
    assert.equal(server.requests[0].body.model, 'gpt-4o-mini');
    const [record] = await api.recentCosts(1);
    assert.equal(record.feature, 'chat');
    assert.equal(record.exact, true);
    assert.ok(Math.abs(api.costState().recent[0].costUsd! - expected) < 1e-12);
  });

  it('a stopped answer keeps its text and is recorded as estimated', async () => {
    const api = await penny();
    server.enqueue({ content: 'streaming slowly '.repeat(60), chunkSize: 8, chunkDelayMs: 20 });
    const pending = api.ask('Tell me a long story');
    await waitFor('some streamed text', () => api.chatSnapshot().messages.at(-1)?.text);
    api.stopChat();
    const answer = await pending;
    assert.equal(answer.status, 'stopped');
    assert.ok(answer.text.length > 0);
    const [record] = await api.recentCosts(1);
    assert.equal(record.outcome, 'cancelled');
    assert.equal(record.exact, false);
    assert.ok(record.costUsd! > 0, 'a cancelled request was still billed');
  });
});
