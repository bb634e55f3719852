import * as assert from 'node:assert/strict';
import { markdownToHtml } from '../../../src/webview/markdown';

describe('webview/markdown', () => {
  it('replaces fenced code with marked placeholders and keeps the raw code', () => {
    const code = 'const a = 1 < 2 && "x";\n\nconsole.log(a);';
    const { html, blocks } = markdownToHtml(`Intro\n\n\`\`\`TypeScript title=x\n${code}\n\`\`\`\n\nAfter`, 'm1');
    assert.deepEqual(blocks, [{ code, language: 'typescript' }]);
    assert.match(html, /<pre data-penny-block="m1:0"><\/pre>/);
    assert.doesNotMatch(html, /console\.log/);
  });

  it('numbers blocks in document order, nested ones included', () => {
    const { html, blocks } = markdownToHtml('```\nplain\n```\n\n1. step\n\n   ```bash\n   npm test\n   ```\n', 'k');
    assert.deepEqual(blocks, [
      { code: 'plain', language: undefined },
      { code: 'npm test', language: 'bash' },
    ]);
    assert.match(html, /data-penny-block="k:0"[\s\S]*data-penny-block="k:1"/);
  });

  it('renders an unclosed fence (mid-stream) as code', () => {
    const { blocks } = markdownToHtml('```py\nprint(1)', 'k');
    assert.deepEqual(blocks, [{ code: 'print(1)', language: 'py' }]);
  });

  it('renders GFM tables and task lists without form elements', () => {
    const { html } = markdownToHtml('| a | b |\n|:--|--:|\n| 1 | 2 |\n\n- [x] done\n- [ ] todo\n', 'k');
    assert.match(html, /<table>/);
    assert.match(html, /\[x\] done/);
    assert.match(html, /\[ \] todo/);
    assert.doesNotMatch(html, /<input/);
  });

  it('starts each call with no blocks', () => {
    markdownToHtml('```\na\n```', 'k');
    assert.deepEqual(markdownToHtml('text', 'k').blocks, []);
  });
});
