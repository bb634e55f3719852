import * as assert from 'node:assert/strict';
import { escapeHtml } from '../../../src/core/html';
import { highlightCode } from '../../../src/webview/highlight';

describe('webview/highlight', () => {
  it('escapeHtml escapes markup and quotes', () => {
    assert.equal(escapeHtml(`<a href="x" title='y'>&</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  it('highlights registered languages and their aliases', () => {
    const samples: Array<[string, string]> = [
      ['typescript', 'const x: number = 1;'],
      ['ts', 'const x = 1;'],
      ['py', 'def f(): pass'],
      ['shellscript', 'echo "hi"'],
      ['cpp', 'int main() { return 0; }'],
      ['html', '<div class="a"></div>'],
      ['yml', 'key: "value"'],
      ['rust', 'fn main() {}'],
    ];
    for (const [language, code] of samples) {
      assert.match(highlightCode(code, language), /<span class="hljs-/, language);
    }
  });

  it('escapes code in highlighted output', () => {
    const html = highlightCode('const s = "<script>alert(1)</script>";', 'js');
    assert.doesNotMatch(html, /<script>/);
    assert.match(html, /&lt;script&gt;/);
  });

  it('only escapes code of unknown or missing languages', () => {
    assert.equal(highlightCode('<b>x</b>', 'brainfudge'), '&lt;b&gt;x&lt;/b&gt;');
    assert.equal(highlightCode('<b>x</b>', undefined), '&lt;b&gt;x&lt;/b&gt;');
    assert.equal(highlightCode('<b>x</b>', 'constructor'), '&lt;b&gt;x&lt;/b&gt;');
    assert.equal(highlightCode('<b>x</b>', '__proto__'), '&lt;b&gt;x&lt;/b&gt;');
  });
});
