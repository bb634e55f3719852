// Markdown -> HTML string with marked (GFM), collecting the raw code of every fenced block.
// The HTML is NOT safe yet (model output may hold raw HTML): render.ts sanitizes it.
// No DOM here, so the unit tests run it in Node.
import { Marked, type Tokens } from 'marked';
import { codeLanguage } from './format';

export interface CodeBlock {
  /** The code exactly as written in the markdown, for Copy/Insert/Apply. */
  code: string;
  language?: string;
}

export interface MarkdownHtml {
  html: string;
  /** In document order; block i is rendered as `<pre data-penny-block="marker:i"></pre>`. */
  blocks: CodeBlock[];
}

export const codeBlockAttribute = 'data-penny-block';

// The renderer below runs synchronously inside `markdownToHtml`, which sets this for its duration.
let current: { marker: string; blocks: CodeBlock[] } | undefined;

const marked = new Marked({
  gfm: true,
  async: false,
  renderer: {
    // An empty placeholder: the DOM side fills it with highlighted code and a toolbar.
    code(token: Tokens.Code): string {
      if (!current) throw new Error('code block rendered outside markdownToHtml');
      const index = current.blocks.push({ code: token.text, language: codeLanguage(token.lang) }) - 1;
      return `<pre ${codeBlockAttribute}="${current.marker}:${index}"></pre>\n`;
    },
    // Plain text instead of <input> elements, which the sanitizer forbids.
    checkbox({ checked }: Tokens.Checkbox): string {
      return checked ? '[x] ' : '[ ] ';
    },
  },
});

/**
 * `marker` must be unguessable by the author of `text` (render.ts uses a fresh random one per
 * call): it is how the placeholders of real code blocks are told from look-alikes in raw HTML.
 */
export function markdownToHtml(text: string, marker: string): MarkdownHtml {
  current = { marker, blocks: [] };
  try {
    return { html: marked.parse(text, { async: false }), blocks: current.blocks };
  } finally {
    current = undefined;
  }
}
