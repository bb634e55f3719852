// Syntax highlighting of code blocks with a small set of highlight.js languages (the full
// bundle is ~1 MB). No DOM here, so the unit tests run it in Node.
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import c from 'highlight.js/lib/languages/c';
import cpp from 'highlight.js/lib/languages/cpp';
import css from 'highlight.js/lib/languages/css';
import diff from 'highlight.js/lib/languages/diff';
import go from 'highlight.js/lib/languages/go';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import markdown from 'highlight.js/lib/languages/markdown';
import python from 'highlight.js/lib/languages/python';
import rust from 'highlight.js/lib/languages/rust';
import sql from 'highlight.js/lib/languages/sql';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';
import { escapeHtml } from '../core/html';

// Each definition also registers its usual aliases (ts, js, py, sh, html, yml, rs...).
const languages = { bash, c, cpp, css, diff, go, java, javascript, json, markdown, python, rust, sql, typescript, xml, yaml };
for (const [name, definition] of Object.entries(languages)) hljs.registerLanguage(name, definition);
// Names the definitions lack: what models write, and VS Code language ids.
hljs.registerAliases(['shell', 'console', 'shellscript'], { languageName: 'bash' });
hljs.registerAliases(['typescriptreact'], { languageName: 'typescript' });
hljs.registerAliases(['javascriptreact'], { languageName: 'javascript' });

/**
 * HTML for the inside of a `<code>` element: highlight.js spans for a known language (it
 * escapes the code itself), the escaped code otherwise. No guessing of unlabeled code:
 * auto-detection runs every grammar and often guesses wrong.
 */
export function highlightCode(code: string, language: string | undefined): string {
  if (language && hljs.getLanguage(language)) {
    return hljs.highlight(code, { language, ignoreIllegals: true }).value;
  }
  return escapeHtml(code);
}
