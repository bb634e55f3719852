import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatSession, type ChatSessionDeps } from '../../../src/core/chat/chatSession';
import { ConversationStore } from '../../../src/core/chat/conversationStore';
import { PriceBook } from '../../../src/core/cost/pricing';
import type { MeteredClient, MeteredResult } from '../../../src/core/meteredClient';
import type { ChatRequest } from '../../../src/core/openaiClient';

/** Answers every request at once with scripted text, recording what was asked. */
function fakeMetered(answers: string[], requests: ChatRequest[]): MeteredClient {
  return {
    async run(feature: string, request: ChatRequest): Promise<MeteredResult> {
      requests.push(request);
      const text = answers.shift() ?? 'ok';
      request.onDelta?.(text);
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
        record: { time: '', feature: feature as 'chat', model: request.model, tier: 'default', ...usage, costUsd: 0.0001, exact: true, latencyMs: 1, outcome: 'ok' },
      };
    },
  } as unknown as MeteredClient;
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
      emit: () => undefined,
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
    assert.deepEqual(requests[1].messages.map((m) => m.role), ['system', 'user']);
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
    // Regenerating the last answer leaves the re-asks alone.
    const count = chat.snapshot().messages.length;
    await chat.regenerate();
    assert.equal(chat.snapshot().messages.length, count);
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
    assert.deepEqual(messages.map((m) => m.text), ['Write a haiku', 'second']);
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
    assert.deepEqual((await chat.history()).map((h) => h.title), ['Second topic']);
  });

  it('a corrupt conversation file is skipped with a warning; the rest still load', async () => {
    const warnings: string[] = [];
    const store = new ConversationStore(dir, { onWarning: (m) => warnings.push(m) });
    const chat = session({ store });
    await chat.send('Kept', 'gpt-4o-mini');
    await chat.saved();
    writeFileSync(join(dir, 'conversation-broken.json'), '{"id": "broken", "messa');
    const history = await store.list();
    assert.deepEqual(history.map((h) => h.title), ['Kept']);
    assert.match(warnings[0], /conversation-broken\.json/);
  });
});

