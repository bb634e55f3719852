import * as assert from 'node:assert/strict';
import { parseSavedState, suggestionKey } from '../../../src/webview/state';

describe('webview/state', () => {
  it('rejects what is not a saved state', () => {
    for (const value of [undefined, null, 'x', 42, {}, { draft: 3 }]) assert.equal(parseSavedState(value), undefined, JSON.stringify(value));
  });

  it('fills the snapshot fields an older view did not save', () => {
    const old = {
      draft: 'hi',
      chosenModel: 'gpt-4o',
      snapshot: {
        conversationId: 'c',
        messages: [{ id: 'm', role: 'user', text: 'q', status: 'done' }],
        models: ['gpt-4o-mini'],
        selectedModel: 'gpt-4o-mini',
        busy: false,
        totalUsd: 0.01,
      },
    };
    const state = parseSavedState(old);
    assert.ok(state?.snapshot);
    assert.deepEqual(state.snapshot.attachments, []);
    assert.equal(state.snapshot.escalationModel, '');
    assert.deepEqual(state.snapshot.escalationEstimates, {});
    assert.equal(state.snapshot.totalUsd, 0.01);
    assert.equal(state.snapshot.messages.length, 1);
    assert.equal(state.chosenModel, 'gpt-4o');
    assert.equal(state.editing, undefined);
  });

  it('keeps the new fields and an unknown total', () => {
    const saved = {
      draft: '',
      editing: { id: 'm', text: 'new text' },
      dismissedSuggestion: 'a\nAsk',
      snapshot: {
        conversationId: 'c',
        messages: [],
        models: [],
        selectedModel: 'm',
        busy: false,
        totalUsd: null,
        attachments: [{ id: 'x', kind: 'file', label: 'a.ts', tokens: 3 }],
        escalationModel: 'gpt-4o',
        escalationEstimates: { a: 0.1 },
        suggestion: { messageId: 'a', text: 'Ask' },
      },
    };
    const state = parseSavedState(saved);
    assert.deepEqual(state?.editing, { id: 'm', text: 'new text' });
    assert.equal(state?.dismissedSuggestion, 'a\nAsk');
    assert.equal(state?.snapshot?.totalUsd, null);
    assert.equal(state?.snapshot?.attachments.length, 1);
    assert.deepEqual(state?.snapshot?.escalationEstimates, { a: 0.1 });
    assert.deepEqual(state?.snapshot?.suggestion, { messageId: 'a', text: 'Ask' });
  });

  it('drops malformed parts instead of the whole state', () => {
    const state = parseSavedState({ draft: 'x', chosenModel: 5, editing: { id: 1 }, snapshot: { messages: 'no' } });
    assert.deepEqual(state, { draft: 'x', chosenModel: undefined, snapshot: undefined, editing: undefined, dismissedSuggestion: undefined });
  });

  it('suggestionKey tells suggestions apart by answer and text', () => {
    assert.notEqual(suggestionKey({ messageId: 'a', text: 't' }), suggestionKey({ messageId: 'b', text: 't' }));
    assert.equal(suggestionKey({ messageId: 'a', text: 't' }), suggestionKey({ messageId: 'a', text: 't' }));
  });
});
