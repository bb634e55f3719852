import assert from 'node:assert/strict';
import type { UseEvent } from '../../../src/core/useRecorder';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHAT_SYSTEM_PROMPT, ChatSession, type ChatSessionDeps } from '../../../src/core/chat/chatSession';
import { ConversationStore } from '../../../src/core/chat/conversationStore';
import type { BudgetSettings } from '../../../src/core/cost/budget';
import { formatUsd } from '../../../src/core/cost/format';
import { Ledger } from '../../../src/core/cost/ledger';
import type { Feature } from '../../../src/core/cost/record';
import { costOf, PriceBook } from '../../../src/core/cost/pricing';
import { countChatTokens } from '../../../src/core/cost/tokenCount';
import { CostMeter } from '../../../src/core/costMeter';
import { escalationPrompt } from '../../../src/core/escalation';
import { MeteredClient, type MeteredResult, type MeteredRunner } from '../../../src/core/meteredClient';
import { OpenAIClient, type ChatRequest } from '../../../src/core/openaiClient';
import type { ChatSnapshot } from '../../../src/shared/protocol';
import { MockOpenAIServer, type RecordedRequest } from '../../server/mockOpenAI';

/** Answers every request at once with scripted text, recording what was asked: the part of the metered client a chat session uses, type-checked. */
function fakeMetered(answers: string[], requests: ChatRequest[]): MeteredRunner {
  return {
    async run(feature: Feature, request: ChatRequest): Promise<MeteredResult> {
      requests.push(request);
      const text = answers.shift() ?? 'ok';
      request.onDelta?.(text, request.model);
      const usage = { promptTokens: 100, cachedTokens: 0, completionTokens: 20 };
      return {
        text,
        model: request.model,
        serviceTier: 'default',
        outcome: 'ok',
        sent: true,
        latencyMs: 1,
        usage,
        promptTokensEstimate: 100,
        record: {
          id: `record-${requests.length}`,
          time: '',
          feature,
          model: request.model,
          tier: 'default',
          ...usage,
          costUsd: 0.0001,
          exact: true,
          latencyMs: 1,
          outcome: 'ok',
        },
      };
    },
  };
}

describe('chat session', () => {
  let dir: string;
  let requests: ChatRequest[];
  let answers: string[];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'penny-chat-'));
    requests = [];
    answers = [];
  });
  const sessions: ChatSession[] = [];
  afterEach(async () => {
    // A save still on its way would recreate the folder.
    await Promise.all(sessions.splice(0).map((s) => s.saved()));
    rmSync(dir, { recursive: true, force: true });
  });

  function session(overrides: Partial<ChatSessionDeps> = {}): ChatSession {
    const created = new ChatSession({
      metered: fakeMetered(answers, requests),
      models: () => ['gpt-4o-mini', 'gpt-4o'],
      defaultModel: () => 'gpt-4o-mini',
      escalationModel: () => 'gpt-4o',
      priceBook: () => new PriceBook(),
      suggestEscalation: () => true,
      store: new ConversationStore(dir),
      ...overrides,
    });
    sessions.push(created);
    return created;
  }

  it('records an answer whose code was used once, against its own request, and an escalated rewrite applied each time; the answer keeps it', async () => {
    const uses: UseEvent[] = [];
    const chat = session({ recordUse: (event) => uses.push(event) });
    answers.push('first', 'second');
    const first = await chat.send('Sort this', 'gpt-4o-mini');
    const second = await chat.send('And reverse it', 'gpt-4o-mini');
    chat.codeUsed(second.id);
    chat.codeUsed(second.id); // copied, then inserted: one used answer
    assert.deepEqual(uses, [{ ref: 'record-2', feature: 'chat', model: 'gpt-4o-mini', use: 'used' }], 'the used answer, not the first');
    const strong = await chat.sendEscalation('Fix it', [{ role: 'user', content: 'Fix it' }], 'gpt-4o');
    chat.codeUsed(strong.id, { rewriteApplied: true });
    assert.deepEqual(uses.slice(1), [
      { ref: 'record-3', feature: 'escalation', model: 'gpt-4o', use: 'used' },
      { ref: 'record-3', feature: 'escalation', model: 'gpt-4o', use: 'rewriteApplied' },
    ]);
    chat.codeUsed('no-such-answer');
    assert.equal(uses.length, 3);
    await chat.saved();
    const reloaded = session({ recordUse: (event) => uses.push(event) });
    await reloaded.restore();
    assert.deepEqual(
      reloaded
        .snapshot()
        .messages.filter((m) => m.codeUsed)
        .map((m) => m.id),
      [second.id, strong.id],
    );
    reloaded.codeUsed(second.id);
    assert.equal(uses.length, 3, 'still used once after a reload');
    assert.equal(first.codeUsed, undefined);
  });

  it('persists conversations and restores the latest one after a reload', async () => {
    const first = session();
    answers.push('Use a Map.');
    await first.send('How do I count words?', 'gpt-4o-mini');
    await first.saved();
    const reloaded = session();
    await reloaded.restore();
    const snapshot = reloaded.snapshot();
    assert.equal(snapshot.messages.length, 2);
    assert.equal(snapshot.messages[1].text, 'Use a Map.');
    const history = await reloaded.history();
    assert.equal(history[0].title, 'How do I count words?');
    assert.equal(history[0].messageCount, 2);
  });

  it('sends attachments as context before the question, and again with follow-ups', async () => {
    const chat = session();
    chat.attach({ id: 'a1', kind: 'file', label: 'src/app.ts', tokens: 5, content: 'export const x = 1;', languageId: 'typescript' });
    assert.equal(chat.snapshot().attachments[0].label, 'src/app.ts');
    await chat.send('What is x?', 'gpt-4o-mini');
    assert.equal(chat.snapshot().attachments.length, 0, 'attachments go with one question');
    assert.match(requests[0].messages[1].content, /src\/app\.ts:\n```typescript\nexport const x = 1;\n```\n\nWhat is x\?/);
    await chat.send('And y?', 'gpt-4o-mini');
    assert.match(requests[1].messages[1].content, /export const x = 1;/);
    assert.deepEqual(chat.snapshot().messages[0].attachments, [{ id: 'a1', kind: 'file', label: 'src/app.ts', tokens: 5 }]);
  });

  it('"Ask gpt-4o" re-asks the same question with the strong model; both answers stay', async () => {
    const chat = session();
    answers.push('mini answer', 'strong answer');
    const mini = await chat.send('Why does this leak?', 'gpt-4o-mini');
    const estimate = chat.snapshot().escalationEstimates[mini.id];
    assert.ok(estimate !== null && estimate > 0, 'an estimated price is offered');
    const strong = await chat.askStronger(mini.id);
    assert.equal(requests[1].model, 'gpt-4o');
    assert.deepEqual(
      requests[1].messages.map((m) => m.role),
      ['system', 'user'],
    );
    assert.equal(strong?.alternativeOf, mini.id);
    assert.equal(strong?.escalated, true);
    const texts = chat.snapshot().messages.map((m) => m.text);
    assert.deepEqual(texts, ['Why does this leak?', 'mini answer', 'strong answer']);
    assert.equal(chat.snapshot().escalationEstimates[mini.id], undefined, 'no second offer once re-asked');
    // A follow-up carries the newer answer, not both.
    await chat.send('Thanks', 'gpt-4o-mini');
    assert.deepEqual(requests[2].messages.map((m) => m.content).slice(1), ['Why does this leak?', 'strong answer', 'Thanks']);
    // Re-asking an older answer puts the new one beside it, not at the end.
    const older = await chat.askStronger(mini.id);
    const ids = chat.snapshot().messages.map((m) => m.id);
    assert.equal(ids.indexOf(older!.id), ids.indexOf(strong!.id) + 1);
    // Regenerating answers the last question again in place of its answer, and leaves the re-asks alone.
    answers.push('You are welcome.');
    const before = chat.snapshot().messages;
    const regenerated = await chat.regenerate();
    const after = chat.snapshot().messages;
    assert.deepEqual(
      after.slice(0, -1).map((m) => m.id),
      before.slice(0, -1).map((m) => m.id),
    );
    assert.notEqual(regenerated?.id, before.at(-1)?.id);
    assert.equal(after.at(-1)?.id, regenerated?.id);
    assert.equal(regenerated?.text, 'You are welcome.');
    assert.equal(requests.at(-1)?.model, 'gpt-4o-mini');
    assert.equal(requests.at(-1)?.messages.at(-1)?.content, 'Thanks');
  });

  it('suggests escalating once, after two regenerations', async () => {
    const chat = session();
    await chat.send('Fix this regex', 'gpt-4o-mini');
    await chat.regenerate();
    assert.equal(chat.snapshot().suggestion, undefined);
    const answer = await chat.regenerate();
    assert.match(chat.snapshot().suggestion!.text, /Ask gpt-4o \(about \$0\.\d+\)/);
    assert.equal(chat.snapshot().suggestion!.messageId, answer!.id);
    await chat.regenerate();
    await chat.regenerate();
    await chat.askStronger(chat.snapshot().messages.at(-1)!.id);
    assert.equal(chat.snapshot().suggestion, undefined, 'once per conversation');
  });

  it('says when the strong model has no known price instead of "about price unknown"', async () => {
    const chat = session({ escalationModel: () => 'o9-unpriced' });
    await chat.send('Sort this', 'gpt-4o-mini');
    await chat.send("That's wrong", 'gpt-4o-mini');
    assert.equal(chat.snapshot().suggestion?.text, 'Not quite right? Ask o9-unpriced (price unknown).');
  });

  it('prices "Ask …" and the suggestion with the escalation model and price in force, not the ones of the first snapshot', async () => {
    let strong = 'gpt-4o';
    let prices = new PriceBook();
    const snapshots: ChatSnapshot[] = [];
    const chat = session({ escalationModel: () => strong, priceBook: () => prices });
    chat.onEvent((e) => void (e.event === 'snapshot' && snapshots.push(e.data)));
    const first = await chat.send('Sort this', 'gpt-4o-mini');
    await chat.send("That's wrong", 'gpt-4o-mini');
    // Re-asking `first` sends the system prompt and its question; the answer is taken as 200 tokens.
    const promptTokens = countChatTokens([
      { role: 'system', content: CHAT_SYSTEM_PROMPT },
      { role: 'user', content: 'Sort this' },
    ]);
    const reask = (price: { input: number; output: number }) => costOf({ promptTokens, cachedTokens: 0, completionTokens: 200 }, price);
    assert.equal(chat.snapshot().escalationEstimates[first.id], reask({ input: 2.5, output: 10 }));
    assert.equal(chat.snapshot().suggestion?.text, `Not quite right? Ask gpt-4o (about ${formatUsd(reask({ input: 2.5, output: 10 }))}).`);

    strong = 'o9-pro';
    prices = new PriceBook({ 'o9-pro': { input: 15, output: 60 } });
    chat.settingsChanged();
    const shown = snapshots.at(-1)!;
    assert.equal(shown.escalationModel, 'o9-pro');
    assert.equal(shown.escalationEstimates[first.id], reask({ input: 15, output: 60 }));
    assert.equal(shown.suggestion?.text, `Not quite right? Ask o9-pro (about ${formatUsd(reask({ input: 15, output: 60 }))}).`);

    prices = new PriceBook({ 'o9-pro': { input: 150, output: 600 } });
    assert.equal(chat.snapshot().escalationEstimates[first.id], reask({ input: 150, output: 600 }));
    assert.equal(chat.snapshot().suggestion?.text, `Not quite right? Ask o9-pro (about ${formatUsd(reask({ input: 150, output: 600 }))}).`);

    strong = 'o9-unpriced';
    assert.equal(chat.snapshot().escalationEstimates[first.id], null);
    assert.equal(chat.snapshot().suggestion?.text, 'Not quite right? Ask o9-unpriced (price unknown).');
  });

  it('suggests escalating when the user says the answer is wrong, unless turned off', async () => {
    const chat = session();
    await chat.send('Sort this', 'gpt-4o-mini');
    await chat.send("That's wrong, it doesn't work", 'gpt-4o-mini');
    assert.ok(chat.snapshot().suggestion);
    const quiet = session({ suggestEscalation: () => false });
    await quiet.send('Sort this', 'gpt-4o-mini');
    await quiet.send('wrong', 'gpt-4o-mini');
    assert.equal(quiet.snapshot().suggestion, undefined);
  });

  it('edits and resends the last question', async () => {
    const chat = session();
    answers.push('first', 'second');
    await chat.send('Wrtie a haiku', 'gpt-4o-mini');
    await chat.editLast('Write a haiku');
    const messages = chat.snapshot().messages;
    assert.deepEqual(
      messages.map((m) => m.text),
      ['Write a haiku', 'second'],
    );
    assert.equal(requests[1].messages.at(-1)?.content, 'Write a haiku');
  });

  it('opens an old conversation from the history, and deletes one', async () => {
    const chat = session();
    await chat.send('First topic', 'gpt-4o-mini');
    const firstId = chat.snapshot().conversationId;
    chat.newChat();
    await chat.send('Second topic', 'gpt-4o-mini');
    await chat.saved();
    await chat.open(firstId);
    assert.equal(chat.snapshot().messages[0].text, 'First topic');
    await chat.deleteConversation(firstId);
    assert.equal(chat.snapshot().messages.length, 0);
    assert.deepEqual(
      (await chat.history()).map((h) => h.title),
      ['Second topic'],
    );
  });

  it('a corrupt conversation file is skipped with a warning; the rest still load', async () => {
    const warnings: string[] = [];
    const store = new ConversationStore(dir, { onWarning: (m) => warnings.push(m) });
    const chat = session({ store });
    await chat.send('Kept', 'gpt-4o-mini');
    await chat.saved();
    writeFileSync(join(dir, 'conversation-broken.json'), '{"id": "broken", "messa');
    const history = await store.list();
    assert.deepEqual(
      history.map((h) => h.title),
      ['Kept'],
    );
    assert.match(warnings[0], /conversation-broken\.json/);
  });

  describe('retry: the buttons under an error act on that answer', () => {
    let server: MockOpenAIServer;
    let budget: BudgetSettings;
    let ledger: Ledger;
    let metered: MeteredClient;

    before(async () => {
      server = await MockOpenAIServer.start();
    });
    after(() => server.stop());
    beforeEach(() => {
      server.reset();
      // Each answer names the model that gave it and the question it answers.
      server.setDefault((req: RecordedRequest) => ({ content: `${req.body.model} on ${req.body.messages.at(-1).content}` }));
      budget = { daily: null, monthly: null, enforce: false };
      ledger = new Ledger(join(dir, 'ledger'));
      const client = new OpenAIClient({ baseUrl: server.url, apiKey: 'sk-test', maxRetries: 0 });
      metered = new MeteredClient({ client: async () => client, priceBook: () => new PriceBook(), budget: () => budget, ledger, meter: new CostMeter() });
    });

    const sent = (index: number) => server.requests[index].body as { model: string; messages: { role: string; content: string }[] };
    const ids = (chat: ChatSession) => chat.snapshot().messages.map((m) => m.id);

    it('"Allow once" under a refused re-ask in the middle re-asks gpt-4o that question, in its place, and lets only that request past the budget', async () => {
      const chat = session({ metered });
      const leakAnswer = await chat.send('Why does this leak?', 'gpt-4o-mini');
      await chat.send('And how do I test it?', 'gpt-4o-mini');
      budget = { daily: 0, monthly: null, enforce: true };
      const refused = (await chat.askStronger(leakAnswer.id))!;
      assert.equal(refused.status, 'error');
      assert.deepEqual(refused.error?.actions, ['allowOnce', 'raiseBudget']);
      assert.equal(server.requests.length, 2, 'nothing sent over budget');
      const [q1, a1, , q2, a2] = ids(chat);
      assert.deepEqual(ids(chat), [q1, a1, refused.id, q2, a2]);

      const retried = await chat.retry(refused.id, { allowOverBudget: true });
      assert.equal(server.requests.length, 3);
      assert.equal(sent(2).model, 'gpt-4o');
      assert.deepEqual(
        sent(2).messages.map((m) => m.content),
        [CHAT_SYSTEM_PROMPT, 'Why does this leak?'],
      );
      assert.equal(retried.status, 'done');
      assert.equal(retried.text, 'gpt-4o on Why does this leak?');
      assert.equal(retried.alternativeOf, leakAnswer.id);
      assert.equal(retried.escalated, true);
      assert.deepEqual(ids(chat), [q1, a1, retried.id, q2, a2], 'the re-ask takes the place of the refused one; the last answer is untouched');
      assert.equal(chat.snapshot().messages[4].text, 'gpt-4o-mini on And how do I test it?');
      const [record] = await ledger.recent(1);
      assert.deepEqual([record.feature, record.model], ['escalation', 'gpt-4o']);

      const next = await chat.send('Thanks', 'gpt-4o-mini');
      assert.deepEqual(next.error?.actions, ['allowOnce', 'raiseBudget'], 'the budget holds again for the next request');
      assert.equal(server.requests.length, 3);
    });

    it('"Retry" under a failed answer in the middle asks its question again with the model it was asked with, in its place', async () => {
      const chat = session({ metered });
      server.enqueue({ error: { status: 503, message: 'overloaded' } });
      const failed = await chat.send('Explain closures', 'gpt-4o');
      assert.deepEqual(failed.error?.actions, ['retry']);
      chat.selectModel('gpt-4o-mini');
      const later = await chat.send('And generators?', 'gpt-4o-mini');

      const retried = await chat.retry(failed.id);
      assert.equal(sent(2).model, 'gpt-4o');
      assert.deepEqual(
        sent(2).messages.map((m) => m.content),
        [CHAT_SYSTEM_PROMPT, 'Explain closures'],
        'the history up to its question',
      );
      assert.equal(retried.text, 'gpt-4o on Explain closures');
      assert.equal(retried.alternativeOf, undefined);
      const messages = chat.snapshot().messages;
      assert.deepEqual(
        messages.map((m) => m.id),
        [messages[0].id, retried.id, messages[2].id, later.id],
      );
      assert.equal((await ledger.recent(1))[0].feature, 'chat');
    });

    it('an escalation from the editor is retried with the prompt it was sent with, also after a reload', async () => {
      const prompt = escalationPrompt({ instruction: 'Find bugs.', code: 'let x = 1', languageId: 'typescript', relativePath: 'src/a.ts', origin: 'line 1' });
      const chat = session({ metered });
      await chat.send('Hello', 'gpt-4o-mini');
      server.enqueue({ error: { status: 500, message: 'boom' } });
      const failed = await chat.sendEscalation(prompt.userText, prompt.messages, 'gpt-4o');
      assert.equal(failed.status, 'error');
      await chat.saved();

      const reloaded = session({ metered });
      await reloaded.restore();
      const retried = await reloaded.retry(failed.id);
      assert.equal(sent(2).model, 'gpt-4o');
      assert.deepEqual(sent(2).messages, prompt.messages);
      assert.equal(retried.escalated, true);
      assert.equal(reloaded.snapshot().messages.at(-1)?.id, retried.id);
      assert.equal((await ledger.recent(1))[0].feature, 'escalation');
    });

    it('a failed answer in a conversation saved before retries existed is asked again with its model and the history', async () => {
      const conversation = {
        id: 'old',
        title: 'Explain closures',
        createdAt: '2025-01-01T00:00:00.000Z',
        updatedAt: '2025-01-01T00:00:00.000Z',
        model: 'gpt-4o-mini',
        messages: [
          { id: 'q', role: 'user', text: 'Explain closures', status: 'done' },
          { id: 'a', role: 'assistant', text: '', status: 'error', model: 'gpt-4o', error: { message: 'down', actions: ['retry'] } },
        ],
      };
      writeFileSync(join(dir, 'conversation-old.json'), JSON.stringify(conversation));
      const chat = session({ metered });
      await chat.restore();
      const retried = await chat.retry('a');
      assert.equal(sent(0).model, 'gpt-4o');
      assert.deepEqual(
        sent(0).messages.map((m) => m.content),
        [CHAT_SYSTEM_PROMPT, 'Explain closures'],
      );
      assert.deepEqual(
        chat.snapshot().messages.map((m) => m.id),
        ['q', retried.id],
      );
    });

    it('refuses an unknown answer, or while an answer streams, and sends nothing', async () => {
      const chat = session({ metered });
      server.enqueue({ error: { status: 503, message: 'overloaded' } });
      const failed = await chat.send('Explain closures', 'gpt-4o-mini');
      assert.throws(() => chat.retry('no-such-answer'), /no longer in this conversation/);
      let resume!: () => void;
      server.enqueue({ content: 'slowly', chunkSize: 2, holdAfterChunks: 1, resume: new Promise<void>((r) => (resume = r)) });
      const streaming = chat.send('And generators?', 'gpt-4o-mini');
      await server.waitForRequests(2);
      assert.throws(() => chat.retry(failed.id, { allowOverBudget: true }), /still streaming/);
      resume();
      await streaming;
      assert.equal(server.requests.length, 2);
      assert.equal(chat.snapshot().messages[1].status, 'error', 'the failed answer is left as it was');
    });
  });
});
