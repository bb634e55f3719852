import * as assert from 'node:assert/strict';
import type { ChatMessage, ChatSnapshot } from '../../../src/shared/protocol';
import { groupAlternatives, messageActions } from '../../../src/webview/layout';
import { snapshotOf } from '../../support/chatProtocol';

const user = (id: string): ChatMessage => ({ id, role: 'user', text: id, status: 'done' });
const answer = (id: string, extra: Partial<ChatMessage> = {}): ChatMessage => ({ id, role: 'assistant', text: id, status: 'done', ...extra });

const ids = (groups: ChatMessage[][]) => groups.map((g) => g.map((m) => m.id));

describe('webview/layout', () => {
  describe('groupAlternatives', () => {
    it('keeps a plain conversation one message per group', () => {
      assert.deepEqual(ids(groupAlternatives([user('q1'), answer('a1'), user('q2'), answer('a2')])), [['q1'], ['a1'], ['q2'], ['a2']]);
    });
    it('puts a re-ask next to the answer it re-asks, where that answer is', () => {
      const messages = [user('q1'), answer('a1'), user('q2'), answer('a2'), answer('s1', { alternativeOf: 'a1', escalated: true })];
      assert.deepEqual(ids(groupAlternatives(messages)), [['q1'], ['a1', 's1'], ['q2'], ['a2']]);
    });
    it('follows chains of re-asks to the first answer', () => {
      const messages = [user('q'), answer('a'), answer('b', { alternativeOf: 'a' }), answer('c', { alternativeOf: 'b' })];
      assert.deepEqual(ids(groupAlternatives(messages)), [['q'], ['a', 'b', 'c']]);
    });
    it('leaves a re-ask of an unknown or non-answer message on its own, and survives cycles', () => {
      assert.deepEqual(ids(groupAlternatives([user('q'), answer('x', { alternativeOf: 'gone' }), answer('y', { alternativeOf: 'q' })])), [['q'], ['x'], ['y']]);
      const cycle = groupAlternatives([answer('a', { alternativeOf: 'b' }), answer('b', { alternativeOf: 'a' })]);
      assert.equal(cycle.flat().length, 2);
    });
    it('shows the re-asked answer first even if it comes later', () => {
      assert.deepEqual(ids(groupAlternatives([answer('b', { alternativeOf: 'a' }), answer('a')])), [['a', 'b']]);
    });
  });

  describe('messageActions', () => {
    const actionsOf = (snap: ChatSnapshot, busy = snap.busy) => messageActions(snap, groupAlternatives(snap.messages), busy);

    it('offers Regenerate on the last answer and Edit on the last question when idle', () => {
      const actions = actionsOf(snapshotOf([user('q1'), answer('a1'), user('q2'), answer('a2')]));
      assert.deepEqual([...actions.keys()].sort(), ['a2', 'q2']);
      assert.deepEqual(actions.get('a2'), { regenerate: true, edit: false });
      assert.deepEqual(actions.get('q2'), { regenerate: false, edit: true });
    });
    it('offers neither while an answer is streaming', () => {
      const snap = snapshotOf([user('q'), answer('a', { status: 'streaming' })], { busy: true });
      assert.equal(actionsOf(snap).size, 0);
    });
    it('offers no Regenerate when the last message is a question', () => {
      const actions = actionsOf(snapshotOf([user('q1'), answer('a1'), user('q2')]));
      assert.equal(actions.get('a1'), undefined);
      assert.equal(actions.get('q2')?.edit, true);
    });
    it('puts Regenerate on the last answer on screen, i.e. the re-ask next to its answer', () => {
      const actions = actionsOf(snapshotOf([user('q'), answer('a'), answer('s', { alternativeOf: 'a', escalated: true })]));
      assert.equal(actions.get('s')?.regenerate, true);
      assert.equal(actions.get('a'), undefined);
    });
    it('offers "Ask <model>" with its estimate on every answer in escalationEstimates, busy or not', () => {
      const snap = snapshotOf([user('q1'), answer('a1'), user('q2'), answer('a2')], { escalationEstimates: { a1: 0.004, a2: null } });
      for (const busy of [false, true]) {
        const actions = actionsOf(snap, busy);
        assert.equal(actions.get('a1')?.askStronger?.label, 'Ask gpt-4o (~$0.004)');
        assert.equal(actions.get('a2')?.askStronger?.label, 'Ask gpt-4o (price unknown)');
        assert.equal(actions.get('q1'), undefined);
      }
    });
    it('ignores estimates for messages that are not answers', () => {
      const actions = actionsOf(snapshotOf([user('q1')], { escalationEstimates: { q1: 0.1, toString: 0.1 } }));
      assert.equal(actions.get('q1')?.askStronger, undefined);
    });
  });
});
