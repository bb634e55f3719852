// The chat view's state, driven by the messages the extension sends (chatSession.ts): a snapshot
// when an answer starts (busy, the answer streaming), deltas, messageFinished, then a snapshot
// with busy false and the exact total.
import assert from 'node:assert/strict';
import { ChatState } from '../../../src/webview/chatState';
import { assistantMessage, snapshotOf, userMessage } from '../../support/chatProtocol';

const QUESTION = userMessage('u1', 'Why?');

describe('the chat view state', () => {
  it('is busy while the snapshot says so, and only then', () => {
    const state = new ChatState();
    assert.equal(state.busy, false, 'before any snapshot');
    state.applySnapshot(snapshotOf([QUESTION, assistantMessage('a1', '', 'streaming')], { busy: true }));
    assert.equal(state.busy, true);
    state.applySnapshot(snapshotOf([QUESTION, assistantMessage('a1', 'Because.')], { busy: false }));
    assert.equal(state.busy, false);
  });

  it('a pending answer makes it busy until the next snapshot acknowledges it', () => {
    const state = new ChatState();
    state.applySnapshot(snapshotOf([]));
    assert.equal(state.beginPending(), true);
    assert.equal(state.busy, true);
    assert.equal(state.beginPending(), false, 'no second answer while one is pending');
    state.applySnapshot(snapshotOf([QUESTION, assistantMessage('a1', '', 'streaming')], { busy: true }));
    assert.equal(state.busy, true, "the extension's busy takes over");
    assert.equal(state.endPending(), false, 'the reply after that snapshot changes nothing');
    state.applySnapshot(snapshotOf([QUESTION, assistantMessage('a1', 'Done.')]));
    assert.equal(state.busy, false);
  });

  it('a reply without a snapshot (refused, or nothing to answer) ends the pending answer', () => {
    const state = new ChatState();
    state.applySnapshot(snapshotOf([QUESTION]));
    state.beginPending();
    assert.equal(state.endPending(), true);
    assert.equal(state.busy, false);
  });

  it('applies deltas to the streaming answer; unknown ids change nothing', () => {
    const state = new ChatState();
    assert.equal(state.applyDelta({ id: 'a1', text: 'x' }), false, 'before any snapshot');
    state.applySnapshot(snapshotOf([QUESTION, { ...assistantMessage('a1', 'Be', 'streaming'), cost: undefined }], { busy: true }));
    const estimate = { promptTokens: 10, cachedTokens: 0, completionTokens: 2, usd: 0.001, exact: false };
    assert.equal(state.applyDelta({ id: 'a1', text: 'cause', cost: estimate }), true);
    assert.equal(state.applyDelta({ id: 'nope', text: 'x' }), false);
    assert.equal(state.message('a1')?.text, 'Because');
    assert.deepEqual(state.message('a1')?.cost, estimate);
  });

  it('messageFinished replaces the streaming answer and leaves the total and busy to the next snapshot', () => {
    const state = new ChatState();
    assert.equal(state.applyFinished(assistantMessage('a1', 'x')), false, 'before any snapshot');
    state.applySnapshot(snapshotOf([QUESTION, assistantMessage('a1', '', 'streaming')], { busy: true, totalUsd: 0.1 }));
    const finished = { ...assistantMessage('a1', 'Because.'), cost: { promptTokens: 1, cachedTokens: 0, completionTokens: 1, usd: 0.2, exact: true } };
    assert.equal(state.applyFinished(finished), true);
    assert.deepEqual(state.message('a1'), finished);
    assert.equal(state.snapshot?.totalUsd, 0.1, 'no running sum in the view');
    assert.equal(state.busy, true);
    state.applySnapshot(snapshotOf([QUESTION, finished], { totalUsd: 0.3 }));
    assert.equal(state.snapshot?.totalUsd, 0.3);
    assert.equal(state.busy, false);
  });
});
