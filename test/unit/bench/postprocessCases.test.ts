// Regression cases for cleanCompletion found with the completion benchmark (test/bench/completions):
// closing brackets, where indentation tells a new bracket from one the file already has.
import assert from 'node:assert/strict';
import { cleanCompletion } from '../../../src/core/completion/postprocess';
import { wantsMultiline } from '../../../src/core/completion/prompt';

/** Cleans `raw` for a cursor at `|` in `code`, deciding single or multi-line as the engine does. */
function clean(code: string, raw: string): string | undefined {
  const [prefix, suffix] = code.split('|');
  return cleanCompletion(raw, { prefix, suffix, multiline: wantsMultiline(prefix, suffix) });
}

describe('completion post-processing: cases found by the benchmark', () => {
  describe('a closing bracket the answer needs is kept although a less indented one follows the cursor', () => {
    const head = 'function f(set) {\n  for (const k of set) {\n';

    it('a block written at an empty line keeps its own `}` before the `  }` already in the file', () => {
      const code = `${head}    |\n  }\n}\n`;
      assert.equal(wantsMultiline(...(code.split('|') as [string, string])), true);
      assert.equal(clean(code, '<COMPLETION>if (k) {\n      use(k);\n    }</COMPLETION>'), 'if (k) {\n      use(k);\n    }');
    });

    it('after a block opener whose `}` is not in the file yet, the answer keeps it', () => {
      assert.equal(clean(`${head}    if (k) {|\n  }\n}\n`, '<COMPLETION>\n      use(k);\n    }</COMPLETION>'), '\n      use(k);\n    }');
    });

    it('after a block opener whose `}` the editor already closed, the answer drops its copy', () => {
      assert.equal(clean(`${head}    if (k) {|\n    }\n  }\n}\n`, '<COMPLETION>\n      use(k);\n    }</COMPLETION>'), '\n      use(k);');
    });
  });

  describe('at an empty line after a closing `  }`, a multi-line answer starting with `}`', () => {
    // The cursor is at column 0 of the empty line after the inner block; the function is not closed yet.
    const code = 'function f(set) {\n  for (const k of set) {\n    use(k);\n  }\n|';

    it('keeps its first line: `}` closes the function, it is not the `  }` above repeated', () => {
      assert.equal(clean(code, '<COMPLETION>}</COMPLETION>'), '}');
    });

    it('stops at the end of the block the cursor is in: the next function is not suggested', () => {
      assert.equal(clean(code, '<COMPLETION>}\n\nfunction g() {\n  return 1;\n}</COMPLETION>'), '}');
      assert.equal(clean(`${code}\n\nf(new Set());\n`, '<COMPLETION>}\n\nfunction g() {\n  return 1;\n}</COMPLETION>'), '}');
    });

    it('a clean answer that starts with a blank line comes through unchanged', () => {
      const method = 'class A {\n  a() {\n    return 1;\n  }\n|\n  b() {}\n}\n';
      assert.equal(clean(method, '<COMPLETION>\n  /**\n   * Docs.\n   */</COMPLETION>'), '\n  /**\n   * Docs.\n   */');
    });

    it('drops the `  }` above repeated with its indentation', () => {
      const method = 'class A {\n  a() {\n    return 1;\n  }\n|\n  b() {}\n}\n';
      assert.equal(clean(method, '  }\n\n  /**\n   * Docs.\n   */'), '\n  /**\n   * Docs.\n   */');
    });
  });
});
