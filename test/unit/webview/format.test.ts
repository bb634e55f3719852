import * as assert from 'node:assert/strict';
import type { MessageCost } from '../../../src/shared/protocol';
import { codeLanguage, costLine, formatPrice, formatTokens, formatTotal, isSafeImageSrc, safeLinkHref, vscodeLanguageId } from '../../../src/webview/format';

const cost = (usd: number | null, exact: boolean): MessageCost => ({
  promptTokens: 1234,
  cachedTokens: 1024,
  completionTokens: 56,
  usd,
  exact,
});

describe('webview/format', () => {
  it('formatTokens groups thousands whatever the locale', () => {
    assert.equal(formatTokens(1234567), '1,234,567');
  });

  it('formatTotal says when the price is unknown', () => {
    assert.equal(formatTotal(0.0012), 'Total $0.0012');
    assert.equal(formatTotal(null), 'Total: price unknown');
  });

  describe('formatPrice', () => {
    it('marks estimates, exact costs and unknown prices', () => {
      assert.equal(formatPrice(cost(0.00012, false), 'streaming'), '~$0.00012 (estimating)');
      assert.equal(formatPrice(cost(0.00012, false), 'done'), '~$0.00012 (estimated)');
      assert.equal(formatPrice(cost(0.00012, true), 'done'), '$0.00012 (exact)');
      assert.equal(formatPrice(cost(null, true), 'done'), 'price unknown');
    });
  });

  describe('costLine', () => {
    it('shows model, tokens and price', () => {
      assert.equal(
        costLine('gpt-4o-mini-2024-07-18', cost(0.00012, true), 'done'),
        'gpt-4o-mini-2024-07-18 · 1,234 in (1,024 cached) · 56 out · $0.00012 (exact)',
      );
    });
    it('omits the cached part when nothing was cached', () => {
      assert.equal(costLine('m', { ...cost(0.5, true), cachedTokens: 0 }, 'done'), 'm · 1,234 in · 56 out · $0.50 (exact)');
    });
    it('says when an answer was stopped', () => {
      assert.equal(costLine('m', cost(0.00012, false), 'stopped'), 'm · 1,234 in (1,024 cached) · 56 out · ~$0.00012 (estimated) · stopped');
    });
    it('is empty, or the model alone, before any cost is known', () => {
      assert.equal(costLine(undefined, undefined, 'streaming'), '');
      assert.equal(costLine('m', undefined, 'streaming'), 'm');
    });
  });

  describe('safeLinkHref', () => {
    it('keeps absolute http and https URLs, normalized', () => {
      assert.equal(safeLinkHref('https://example.com/a b'), 'https://example.com/a%20b');
      assert.equal(safeLinkHref('  HTTP://Example.com  '), 'http://example.com/');
    });
    it('drops script and other schemes', () => {
      for (const href of [
        'javascript:alert(1)',
        'JaVaScRiPt:alert(1)',
        ' javascript:alert(1)',
        'java\nscript:alert(1)',
        'data:text/html,<script>',
        'vbscript:x',
        'command:workbench.action.terminal.new',
        'vscode://file/etc/passwd',
        'file:///etc/passwd',
        'mailto:a@b.c',
      ]) {
        assert.equal(safeLinkHref(href), null, href);
      }
    });
    it('drops relative links and URLs with credentials', () => {
      for (const href of [
        '/etc/passwd',
        '#top',
        'page.html',
        '//evil.example/x',
        'https://bank.example@evil.example/',
        'https://user:pw@example.com/',
        '',
        null,
        undefined,
      ]) {
        assert.equal(safeLinkHref(href), null, String(href));
      }
    });
  });

  describe('isSafeImageSrc', () => {
    it('allows inline raster data only', () => {
      assert.equal(isSafeImageSrc('data:image/png;base64,iVBORw0KGgo='), true);
      assert.equal(isSafeImageSrc('data:image/jpeg;base64,/9j/4AAQ'), true);
    });
    it('refuses remote, SVG and non-image sources', () => {
      for (const src of [
        'https://evil.example/pixel.png?leak',
        '//evil.example/p.png',
        'data:image/svg+xml;base64,PHN2Zz4=',
        'data:text/html;base64,PHNjcmlwdD4=',
        'data:image/png,<svg>',
        'javascript:alert(1)',
        '',
        null,
      ]) {
        assert.equal(isSafeImageSrc(src), false, String(src));
      }
    });
  });

  describe('codeLanguage', () => {
    it('takes the first word of the info string, lowercased', () => {
      assert.equal(codeLanguage('TypeScript title="a.ts"'), 'typescript');
      assert.equal(codeLanguage('c++'), 'c++');
      assert.equal(codeLanguage('{.python}'), 'python');
      assert.equal(codeLanguage('ts:src/a.ts'), 'ts');
    });
    it('is undefined without a usable name', () => {
      assert.equal(codeLanguage(undefined), undefined);
      assert.equal(codeLanguage(''), undefined);
      assert.equal(codeLanguage('"><script>'), undefined);
    });
  });

  describe('vscodeLanguageId', () => {
    it('maps fence aliases to VS Code language ids and keeps the rest', () => {
      assert.equal(vscodeLanguageId('ts'), 'typescript');
      assert.equal(vscodeLanguageId('sh'), 'shellscript');
      assert.equal(vscodeLanguageId('python'), 'python');
      assert.equal(vscodeLanguageId('constructor'), 'constructor');
      assert.equal(vscodeLanguageId(undefined), undefined);
    });
  });
});
