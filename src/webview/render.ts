// Model output -> sanitized DOM. Model output is hostile (it can echo prompt-injected text), so
// the marked HTML goes through DOMPurify with a strict policy before it touches the document.
import DOMPurify from 'dompurify';
import { isSafeImageSrc, safeLinkHref } from './format';
import { highlightCode } from './highlight';
import { codeBlockAttribute, markdownToHtml, type CodeBlock } from './markdown';
import { stableBoundary } from './streaming';

const purifyConfig = {
  USE_PROFILES: { html: true }, // no SVG or MathML at all
  FORBID_TAGS: [
    'style',
    'link',
    'meta',
    'base',
    'iframe',
    'frame',
    'frameset',
    'object',
    'embed',
    'portal',
    'form',
    'input',
    'button',
    'select',
    'option',
    'textarea',
    'dialog',
    'template',
    'noscript',
    'audio',
    'video',
    'source',
    'track',
    'picture',
    'canvas',
    'map',
    'area',
  ],
  // No class/id: model HTML must not pose as Penny's own elements (.message, .code-block...).
  FORBID_ATTR: ['style', 'class', 'id', 'name', 'target', 'srcset', 'ping', 'background'],
  ALLOW_DATA_ATTR: false,
  ADD_ATTR: [codeBlockAttribute],
  ADD_URI_SAFE_ATTR: [codeBlockAttribute],
  // DOMPurify's default minus mailto:, tel: and the like: http(s) or no scheme at all (align="left", start="3").
  ALLOWED_URI_REGEXP: /^(?:https?:|[^a-z]|[a-z+.-]+(?:[^a-z+.\-:]|$))/i,
};

DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node instanceof HTMLAnchorElement) {
    const href = safeLinkHref(node.getAttribute('href'));
    if (href) {
      // VS Code opens http(s) links in the browser (after its own trust prompt); show where it goes.
      node.setAttribute('href', href);
      node.setAttribute('rel', 'noopener noreferrer');
      if (!node.title) node.title = href;
    } else {
      node.removeAttribute('href');
    }
  } else if (node instanceof HTMLImageElement && !isSafeImageSrc(node.getAttribute('src'))) {
    node.removeAttribute('src'); // without a src nothing is fetched; the CSS hides it
  }
});

function randomMarker(): string {
  return Array.from(crypto.getRandomValues(new Uint32Array(2)), (n) => n.toString(36)).join('');
}

/** `<div class="code-block">` with the toolbar and the highlighted code. */
function codeBlockElement(block: CodeBlock, toolbar: HTMLElement): HTMLElement {
  const code = document.createElement('code');
  code.className = block.language ? `hljs language-${block.language}` : 'hljs';
  code.innerHTML = highlightCode(block.code, block.language); // escaped by highlight.js / escapeHtml
  const pre = document.createElement('pre');
  pre.append(code);
  const wrapper = document.createElement('div');
  wrapper.className = 'code-block';
  wrapper.append(toolbar, pre);
  return wrapper;
}

function textFragment(text: string): DocumentFragment {
  const fragment = document.createDocumentFragment();
  const paragraph = document.createElement('p');
  paragraph.textContent = text;
  fragment.append(paragraph);
  return fragment;
}

/** Renders markdown; `toolbarFor` makes the buttons of each fenced code block. */
export function renderMarkdown(text: string, toolbarFor: (block: CodeBlock) => HTMLElement): DocumentFragment {
  const marker = randomMarker();
  const { html, blocks } = markdownToHtml(text, marker);
  // HTML with no body (an answer starting with <frameset>) sanitizes to null: show it as text.
  const fragment = (DOMPurify.sanitize(html, { ...purifyConfig, RETURN_DOM_FRAGMENT: true }) as DocumentFragment | null) ?? textFragment(text);
  for (const placeholder of fragment.querySelectorAll(`pre[${codeBlockAttribute}]`)) {
    const [placeholderMarker, index] = (placeholder.getAttribute(codeBlockAttribute) ?? '').split(':');
    placeholder.removeAttribute(codeBlockAttribute);
    const block = placeholderMarker === marker ? blocks[Number(index)] : undefined;
    // A look-alike written as raw HTML by the model stays a plain <pre>.
    if (block) placeholder.replaceWith(codeBlockElement(block, toolbarFor(block)));
  }
  return fragment;
}

/**
 * An answer that grows while it streams, drawn into `element`. The nodes of its complete blocks stay
 * in the document; only those of the block still being written are replaced, so a frame costs the
 * tail of a long answer, not all of it. Every piece goes through `renderMarkdown`.
 */
export class StreamedMarkdown {
  private text = '';
  /** The complete blocks at the start of `text`, whose nodes are in `element` for good. */
  private stableText = '';
  private tailNodes: ChildNode[] = [];

  constructor(
    readonly element: HTMLElement,
    private readonly toolbarFor: (block: CodeBlock) => HTMLElement,
  ) {}

  show(text: string): void {
    if (text === this.text) return;
    if (!text.startsWith(this.stableText)) {
      // Not a continuation (the answer started over): nothing drawn can be kept.
      this.element.replaceChildren();
      this.stableText = '';
    }
    this.text = text;
    for (const node of this.tailNodes) node.remove();
    // The stable text ends outside any fence, so the rest can be scanned on its own.
    const boundary = this.stableText.length + stableBoundary(text.slice(this.stableText.length));
    if (boundary > this.stableText.length) {
      this.element.append(renderMarkdown(text.slice(this.stableText.length, boundary), this.toolbarFor));
      this.stableText = text.slice(0, boundary);
    }
    const tail = renderMarkdown(text.slice(boundary), this.toolbarFor);
    this.tailNodes = Array.from(tail.childNodes);
    this.element.append(tail);
  }
}
