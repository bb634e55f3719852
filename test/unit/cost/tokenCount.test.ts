import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { countChatTokens, countTextTokens, warmUpTokenizer } from '../../../src/core/cost/tokenCount';

describe('token counts (o200k_base)', () => {
  before(function () {
    this.timeout(30_000); // loading the encoder takes ~0.4 s, more on a busy machine
    warmUpTokenizer();
  });

  it('does not load the encoder when the module is imported', function () {
    this.timeout(30_000); // a child process that loads the encoder: slow on a busy machine
    const compiled = path.resolve(__dirname, '../../../src/core/cost/tokenCount.js');
    const probe =
      `require(${JSON.stringify(compiled)});` +
      `const loaded = () => Object.keys(require.cache).some((file) => file.includes('gpt-tokenizer'));` +
      `const before = loaded(); require(${JSON.stringify(compiled)}).countTextTokens('hi');` +
      `console.log(JSON.stringify({ before, after: loaded() }));`;
    const result = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(result.status, 0, `probe failed: ${result.stderr}`);
    assert.deepEqual(JSON.parse(result.stdout), { before: false, after: true });
  });

  it('counts text as the o200k_base encoding does', () => {
    // Pinned from gpt-tokenizer 4.0.0's o200k_base.
    const known: [string, number][] = [
      ['', 0],
      ['Hello', 1],
      ['hello world', 2],
      ['You are a helpful assistant.', 6],
      ['The quick brown fox jumps over the lazy dog.', 10],
      ['function add(a, b) {\n  return a + b;\n}\n', 14],
      ['日本語のテキスト', 6],
      ['😀 emoji', 2],
    ];
    for (const [text, tokens] of known) assert.equal(countTextTokens(text), tokens, JSON.stringify(text));
  });

  it('counts special tokens in text as plain text, without throwing', () => {
    assert.equal(countTextTokens('<|endoftext|>'), 7);
    assert.equal(countTextTokens('a<|im_start|>b<|endofprompt|>'), countTextTokens('a') + countTextTokens('<|im_start|>b<|endofprompt|>'));
    assert.equal(countChatTokens([{ role: 'user', content: '<|endoftext|>' }]), 3 + 1 + 7 + 3);
  });

  it('counts a chat as the OpenAI cookbook does', () => {
    const cookbook = [
      { role: 'system', content: 'You are a helpful assistant.' },
      { role: 'user', content: 'Hello' },
    ];
    assert.equal(countChatTokens(cookbook), 18);
    assert.equal(countChatTokens([]), 3, 'the reply primer alone');
    assert.equal(
      countChatTokens([{ role: 'user', content: 'Hello', name: 'bob_smith' }]),
      3 + 1 + 1 + 1 + countTextTokens('bob_smith') + 3,
      'a name costs one token plus its own',
    );
  });
});
