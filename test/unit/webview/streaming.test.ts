import assert from 'node:assert/strict';
import { stableBoundary } from '../../../src/webview/streaming';

describe('incremental markdown while streaming', () => {
  it('nothing is stable before the first blank line', () => {
    assert.equal(stableBoundary('# Title\nstill the first block'), 0);
  });
  it('the complete blocks end after the last blank line', () => {
    const text = '# Title\n\nA paragraph.\n\nThe next one is still bei';
    assert.equal(text.slice(0, stableBoundary(text)), '# Title\n\nA paragraph.\n\n');
  });
  it('a blank line inside an open code fence is not a boundary', () => {
    const text = 'Intro.\n\n```ts\nconst a = 1;\n\nconst b = 2;\n';
    assert.equal(text.slice(0, stableBoundary(text)), 'Intro.\n\n');
  });
  it('after a closed fence the blank line is a boundary again', () => {
    const text = '```ts\nconst a = 1;\n\n```\n\nAfter';
    assert.equal(text.slice(0, stableBoundary(text)), '```ts\nconst a = 1;\n\n```\n\n');
  });
  it('a fence closes only with the same character, at least as long', () => {
    const text = '````md\n```\n\ninner\n```\n\nstill inside\n';
    assert.equal(stableBoundary(text), 0);
  });
  it('a blank line still being written (no newline yet) is not counted', () => {
    assert.equal(stableBoundary('One.\n'), 0);
    assert.equal(stableBoundary('One.\n\n'), 6);
  });
});
