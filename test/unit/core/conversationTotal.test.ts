// The conversation total the chat view shows is the extension's (`ChatSnapshot.totalUsd`); the view
// adds nothing up itself. These held the view's own running sum (`addToTotal`) before.
import assert from 'node:assert/strict';
import { totalUsd } from '../../../src/core/chat/conversationStore';
import type { ChatMessage, MessageCost } from '../../../src/shared/protocol';

const cost = (usd: number | null, exact: boolean): MessageCost => ({ promptTokens: 1234, cachedTokens: 1024, completionTokens: 56, usd, exact });
let nextId = 0;
const answer = (messageCost: MessageCost | undefined): ChatMessage => ({ id: `a${nextId++}`, role: 'assistant', text: '', status: 'done', cost: messageCost });
const question: ChatMessage = { id: 'u', role: 'user', text: 'q', status: 'done' };

describe('the conversation total (totalUsd)', () => {
  it('adds a known price', () => {
    assert.equal(totalUsd([question, answer(cost(0.25, true)), answer(cost(0.5, true))]), 0.75);
  });
  it('becomes unknown with an unknown price and stays so', () => {
    assert.equal(totalUsd([answer(cost(0.25, true)), answer(cost(null, true))]), null);
    assert.equal(totalUsd([answer(cost(null, true)), answer(cost(0.5, true))]), null);
  });
  it('ignores answers without a cost', () => {
    assert.equal(totalUsd([answer(cost(0.25, true)), answer(undefined)]), 0.25);
  });
  it('is exact where a running float sum is not', () => {
    assert.equal(totalUsd([answer(cost(0.1, true)), answer(cost(0.2, true))]), 0.3);
  });
});
