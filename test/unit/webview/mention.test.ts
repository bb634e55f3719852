import * as assert from 'node:assert/strict';
import { findMention, moveIndex, removeMention } from '../../../src/webview/mention';

/** The text with `|` marking the caret. */
function at(marked: string): [string, number] {
  const caret = marked.indexOf('|');
  return [marked.slice(0, caret) + marked.slice(caret + 1), caret];
}

describe('webview/mention', () => {
  describe('findMention', () => {
    it('finds an @query at the start or after whitespace, up to the caret', () => {
      assert.deepEqual(findMention(...at('@app|')), { start: 0, end: 4, query: 'app' });
      assert.deepEqual(findMention(...at('explain @src/ap| please')), { start: 8, end: 15, query: 'src/ap' });
      assert.deepEqual(findMention(...at('first line\n@util.ts|')), { start: 11, end: 19, query: 'util.ts' });
    });
    it('ends the mention at the end of its word, past the caret', () => {
      assert.deepEqual(findMention(...at('see @sr|c/app.ts now')), { start: 4, end: 15, query: 'sr' });
    });
    it('needs at least one character after the @', () => {
      assert.equal(findMention(...at('see @|')), undefined);
      assert.equal(findMention(...at('@|')), undefined);
    });
    it('ignores e-mail addresses, finished words and other @s', () => {
      assert.equal(findMention(...at('mail me@example.com|')), undefined);
      assert.equal(findMention(...at('@app.ts |')), undefined);
      assert.equal(findMention(...at('@a@b|')), undefined);
      assert.equal(findMention(...at('no mention|')), undefined);
    });
    it('rejects a caret outside the text', () => {
      assert.equal(findMention('@app', 9), undefined);
      assert.equal(findMention('@app', -1), undefined);
    });
  });

  describe('removeMention', () => {
    const remove = (marked: string) => {
      const [text, caret] = at(marked);
      const mention = findMention(text, caret);
      assert.ok(mention, marked);
      return removeMention(text, mention);
    };
    it('takes the mention and one space out', () => {
      assert.deepEqual(remove('explain @app.t|s please'), { text: 'explain please', caret: 8 });
      assert.deepEqual(remove('@app| what does it do'), { text: 'what does it do', caret: 0 });
      assert.deepEqual(remove('explain @app|'), { text: 'explain', caret: 7 });
    });
    it('leaves the text empty when it was only the mention', () => {
      assert.deepEqual(remove('@app|'), { text: '', caret: 0 });
    });
    it('keeps line breaks', () => {
      assert.deepEqual(remove('a\n@app|\nb'), { text: 'a\n\nb', caret: 2 });
    });
  });

  it('moveIndex wraps around and starts at the end it moves from', () => {
    assert.equal(moveIndex(0, 1, 3), 1);
    assert.equal(moveIndex(2, 1, 3), 0);
    assert.equal(moveIndex(0, -1, 3), 2);
    assert.equal(moveIndex(-1, 1, 3), 0);
    assert.equal(moveIndex(-1, -1, 3), 2);
    assert.equal(moveIndex(0, 1, 0), -1);
  });
});
