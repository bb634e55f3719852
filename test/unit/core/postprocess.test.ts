import assert from 'node:assert/strict';
import { cleanCompletion, coveredSuffixLength, singleLineComplete } from '../../../src/core/completion/postprocess';
import { wantsMultiline } from '../../../src/core/completion/prompt';

/** Cleans `raw` for a cursor at `|` in `code`, deciding single or multi-line as the engine does. */
function clean(code: string, raw: string): string | undefined {
  const [prefix, suffix] = code.split('|');
  return cleanCompletion(raw, { prefix, suffix, multiline: wantsMultiline(prefix, suffix) });
}

describe('completion post-processing', () => {
  describe('what chat models wrap around the code', () => {
    const cases: [string, string, string, string | undefined][] = [
      ['tagged', 'const total = |', '<COMPLETION>items.length;</COMPLETION>', 'items.length;'],
      ['tag without close (stop sequence ate it)', 'const total = |', '<COMPLETION>items.length;', 'items.length;'],
      ['markdown fence', 'const total = |', '```typescript\nitems.length;\n```', 'items.length;'],
      ['fence inside tags', 'const total = |', '<COMPLETION>```ts\nitems.length;\n```</COMPLETION>', 'items.length;'],
      ['unterminated fence', 'const total = |', '```ts\nitems.length;', 'items.length;'],
      ['prose before a fence', 'const total = |', "Here's the completion:\n\n```ts\nitems.length;\n```", 'items.length;'],
      ['prose line before code', 'const total = |', 'Sure, here is the code:\nitems.length;', 'items.length;'],
      ['inline backticks', 'const total = |', '`items.length;`', 'items.length;'],
      ['cursor marker echoed', 'const total = |', '<CURSOR>items.length;', 'items.length;'],
      ['empty tags', 'const total = |', '<COMPLETION></COMPLETION>', undefined],
      ['whitespace only', 'const total = |', '<COMPLETION>   \n </COMPLETION>', undefined],
    ];
    for (const [name, code, raw, expected] of cases) {
      it(name, () => assert.equal(clean(code, raw), expected));
    }
  });

  describe('repeats of the code before the cursor', () => {
    it('drops the current line repeated in full', () => {
      assert.equal(clean('  const total = |', '<COMPLETION>const total = items.length;</COMPLETION>'), 'items.length;');
    });
    it('drops a partly typed word repeated in full', () => {
      assert.equal(clean('const n = items.le|', 'length;'), 'ngth;');
    });
    it('drops a repeated identifier before an operator', () => {
      assert.equal(clean('return a|', 'a + b;'), ' + b;');
    });
    it('keeps text that merely starts like the prefix mid-word', () => {
      assert.equal(clean('const xs = |', 'xs2.map(f);'), 'xs2.map(f);');
    });
    it('drops whole lines repeated from above (the function header again)', () => {
      const code = 'function add(a: number, b: number) {\n|\n}';
      assert.equal(clean(code, 'function add(a: number, b: number) {\n  return a + b;\n}'), '  return a + b;');
    });
  });

  describe('overlap with the code after the cursor', () => {
    it('never a second closing bracket', () => {
      assert.equal(clean('console.log(|)', 'message)'), 'message');
    });
    it('never a duplicate of the rest of the line', () => {
      assert.equal(clean('const sum = add(|);', 'a, b);'), 'a, b');
    });
    it('drops a closing brace that is already on the next line', () => {
      const code = 'function add(a, b) {\n  |\n}';
      assert.equal(clean(code, 'return a + b;\n}'), 'return a + b;');
    });
    it('keeps the line when nothing overlaps', () => {
      assert.equal(clean('if (x) {|', '\n  y();\n}'), '\n  y();\n}');
    });
  });

  describe('single line and multi-line', () => {
    it('mid-line keeps only the first line', () => {
      assert.equal(clean('const value = compute(|', 'input, 2);\nconsole.log(value);'), 'input, 2);');
    });
    it('mid-line drops a leading line break', () => {
      assert.equal(clean('const value = |', '\nitems.length;'), 'items.length;');
    });
    it('after a block opener keeps the block and stops at its end', () => {
      const raw = '\n  return a + b;\n}\n\nfunction sub(a, b) {\n  return a - b;\n}';
      assert.equal(clean('function add(a, b) {|', raw), '\n  return a + b;\n}');
    });
    it('at an empty line stops where the indentation leaves the block', () => {
      const code = 'function f() {\n  const a = 1;\n  |\n}';
      assert.equal(clean(code, '  return a;\n}\n\nf();'), 'return a;');
    });
    it('does not indent twice after the cursor indentation', () => {
      const code = 'def f(x):\n    |';
      assert.equal(clean(code, '    return x * 2'), 'return x * 2');
    });
    it('python block after a colon', () => {
      assert.equal(clean('def double(x):|', '\n    return x * 2\n\nprint(double(2))'), '\n    return x * 2');
    });
  });

  describe('suggestions that help nobody', () => {
    it('drops a repeat of the line above', () => {
      assert.equal(clean('let count = 0;\n|', 'let count = 0;'), undefined);
    });
    it('drops a repeat of the lines below', () => {
      const code = 'function f() {\n  |\n  return 1;\n}';
      assert.equal(clean(code, 'return 1;'), undefined);
    });
  });

  describe('streaming: when is a single line complete', () => {
    it('not before a line ended', () => assert.equal(singleLineComplete('<COMPLETION>items.len'), false));
    it('once a code line ended', () => assert.equal(singleLineComplete('<COMPLETION>items.length;\n'), true));
    it('at the close tag', () => assert.equal(singleLineComplete('<COMPLETION>x</COMPLETION>'), true));
    it('not after prose or a fence only', () => {
      assert.equal(singleLineComplete("Here's the completion:\n```ts\n"), false);
      assert.equal(singleLineComplete("Here's the completion:\n```ts\nitems.length;\n"), true);
    });
  });

  describe('auto-closed brackets and quotes after the cursor', () => {
    /** The line after accepting `completion` at `|` in `code`, as VS Code applies the item's range. */
    function accept(code: string, raw: string): string {
      const [prefix, suffix] = code.split('|');
      const text = cleanCompletion(raw, { prefix, suffix, multiline: wantsMultiline(prefix, suffix) }) ?? '';
      return prefix + text + suffix.slice(coveredSuffixLength(text, suffix));
    }
    const cases: [string, string, string, string][] = [
      [
        'a signature that closes the auto-closed paren',
        'export function removeItem(|)',
        'cart: Cart, sku: string): Cart {\n  return cart;\n}',
        'export function removeItem(cart: Cart, sku: string): Cart {\n  return cart;\n}',
      ],
      ['arguments only: the paren stays', 'foo(|)', 'a, b', 'foo(a, b)'],
      ['arguments with the paren repeated: it is not doubled', 'foo(|)', 'a, b)', 'foo(a, b)'],
      ['a nested call closes its own paren, not the outer one', 'foo(|)', 'bar(1)', 'foo(bar(1))'],
      ['a call chained after the paren', 'load(|)', 'url).then((r) => r.json())', 'load(url).then((r) => r.json())'],
      ['a quote and a paren', 'console.log("|")', 'hello, world")', 'console.log("hello, world")'],
      ['a string closed by the completion, then more code', 'say("|")', 'hi", 2)', 'say("hi", 2)'],
      ['a paren and a semicolon', 'run(|);', 'job, { retries: 3 });', 'run(job, { retries: 3 });'],
      ['real code after the cursor is never replaced', 'add(|, 2)', '1', 'add(1, 2)'],
    ];
    for (const [name, code, raw, expected] of cases) {
      it(name, () => assert.equal(accept(code, raw), expected));
    }

    it('covers nothing on an empty rest of line', () => assert.equal(coveredSuffixLength('x)', '\n}'), 0));
  });
});
