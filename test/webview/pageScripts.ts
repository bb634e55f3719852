// Code that runs INSIDE the chat webview page. Each exported function is serialized with
// Function.prototype.toString (into the nonce'd host script, or as a `page.evaluate` argument),
// so it must be self-contained: no imports, no references to anything else in this module.
// The root tsconfig has no DOM lib, hence the loose `any` typing.
/* eslint-disable @typescript-eslint/no-explicit-any */

/** What the fake extension host answers and does; serialized as JSON into the page. */
export interface HostConfig {
  /** The `ready` request's answer. */
  snapshot: unknown;
  /** What `getState()` returns before the view saves anything. */
  savedState?: unknown;
  /** Delay of every reply, as the extension host's round trip. */
  replyDelayMs: number;
  /** Emulates VS Code's webview host: a click on `<a href>` is prevented and reported as `did-click-link`. */
  linkInterception: boolean;
  /** Replies for methods other than `ready`; default `{ ok: true }` (`[]` for history and fileSuggestions). */
  replies?: Record<string, { ok: true; result?: unknown } | { ok: false; error: string }>;
  /** Methods whose replies wait until the test releases them (`__pennyHost.release(method)`). */
  held?: string[];
}

/** A problem the DOM inspection found in one message. */
export interface Finding {
  /** The message's id (`data-id`), or `document` for page-wide problems. */
  id: string;
  problem: string;
  html: string;
}

/** Final-state expectations of one message, by message id. */
export interface MessageExpectation {
  /** The text of each fenced/indented code block, in order (exactly as written). */
  code?: string[];
  /** Substrings the rendered text must contain (e.g. HTML shown literally). */
  text?: string[];
  /** The `href` of every remaining link, in order. */
  links?: string[];
}

/**
 * The fake `acquireVsCodeApi` and the test's hooks into the page (`window.__pennyHost`). Runs in a
 * nonce'd script before the bundle, as VS Code's own webview host script does.
 */
export function fakeHostMain(config: HostConfig): void {
  const w = globalThis as any;
  const host: any = {
    config,
    /** Every request the webview sent: `{ id, method, params, at }`. */
    requests: [] as any[],
    /** Every `setState` value. */
    states: [] as any[],
    /** `did-click-link` uris (with linkInterception). */
    clickedLinks: [] as string[],
    /** `securitypolicyviolation` events: something the sanitizer let through was stopped by the CSP only. */
    violations: [] as any[],
    /** Uncaught errors and unhandled rejections in the page. */
    errors: [] as string[],
    readyAnswered: false,
    acquireCount: 0,
    /** Replies of `config.held` methods, in the order asked. */
    heldReplies: [] as any[],
  };
  let state = config.savedState;
  let syncSeq = 0;
  const syncWaiters = new Map<number, () => void>();

  w.addEventListener(
    'securitypolicyviolation',
    (e: any) => host.violations.push({ directive: e.violatedDirective, blockedURI: e.blockedURI, sample: e.sample, source: e.sourceFile, line: e.lineNumber }),
    true,
  );
  w.addEventListener(
    'error',
    (e: any) => {
      const target = e.target;
      // Capture phase also sees resources that failed to load (nothing should even try).
      if (target && target !== w && target.localName)
        host.errors.push(`<${target.localName}> failed to load ${String(target.src || target.href || target.data || '').slice(0, 120)}`);
      else host.errors.push(`error: ${e.message ?? e.type} at ${e.filename ?? ''}:${e.lineno ?? ''}`);
    },
    true,
  );
  w.addEventListener('unhandledrejection', (e: any) => host.errors.push(`unhandled rejection: ${e.reason?.stack ?? e.reason}`));
  // Registered before the bundle's listener, so when a sync marker arrives every earlier message
  // has been dispatched to the view.
  w.addEventListener('message', (event: any) => {
    const data = event.data;
    if (data && data.kind === '__pennySync') {
      const resolve = syncWaiters.get(data.seq);
      syncWaiters.delete(data.seq);
      resolve?.();
    }
  });

  if (config.linkInterception) {
    // What VS Code's webview host (pre/index.html, handleInnerClick/handleAuxClick) does with a click on a link.
    const onClick = (event: any) => {
      for (const node of event.composedPath()) {
        if (node && node.tagName && String(node.tagName).toLowerCase() === 'a' && node.href) {
          if (node.getAttribute('href') !== '#') host.clickedLinks.push(String(node.href.baseVal ?? node.href));
          event.preventDefault();
          return;
        }
      }
    };
    w.addEventListener('click', onClick);
    w.addEventListener('auxclick', onClick);
  }

  const reply = (id: number, method: string, params: unknown) => {
    let envelope: any;
    if (method === 'ready') envelope = { kind: 'response', id, ok: true, result: config.snapshot };
    else {
      const configured = config.replies?.[method];
      if (configured) envelope = { kind: 'response', id, ...configured };
      else envelope = { kind: 'response', id, ok: true, result: method === 'history' || method === 'fileSuggestions' ? [] : undefined };
    }
    void params;
    if (config.held?.includes(method)) {
      host.heldReplies.push({ method, envelope });
      return;
    }
    setTimeout(() => {
      w.postMessage(envelope, '*');
      if (method === 'ready') {
        // Set after the reply is queued: the view has it once a later sync marker arrives.
        host.readyAnswered = true;
      }
    }, config.replyDelayMs);
  };

  w.acquireVsCodeApi = () => {
    host.acquireCount++;
    if (host.acquireCount > 1) throw new Error('An instance of the VS Code API has already been acquired');
    return Object.freeze({
      postMessage(message: any) {
        // The real API structured-clones the message across the iframe boundary.
        const copy = structuredClone(message);
        host.requests.push({ ...copy, at: performance.now() });
        if (copy && copy.kind === 'request' && typeof copy.id === 'number') reply(copy.id, copy.method, copy.params);
      },
      getState() {
        return state;
      },
      setState(value: any) {
        state = structuredClone(value);
        host.states.push(state);
        return value;
      },
    });
  };

  /** Resolves once every message posted before it has been dispatched. */
  host.sync = (): Promise<void> =>
    new Promise<void>((resolve) => {
      const seq = ++syncSeq;
      syncWaiters.set(seq, resolve);
      w.postMessage({ kind: '__pennySync', seq }, '*');
    });
  /** Sends the held replies of `method`; returns how many. */
  host.release = (method: string): number => {
    const released = host.heldReplies.filter((r: any) => r.method === method);
    host.heldReplies = host.heldReplies.filter((r: any) => r.method !== method);
    for (const r of released) w.postMessage(r.envelope, '*');
    return released.length;
  };
  /** Resolves after `n` animation frames (the view renders streamed text once per frame). */
  host.frames = async (n = 1): Promise<void> => {
    for (let i = 0; i < n; i++) await new Promise((resolve) => w.requestAnimationFrame(resolve));
  };
  /** Posts extension events as the extension does (`webview.postMessage`), waits until dispatched. */
  host.emit = async (envelopes: any[]): Promise<void> => {
    for (const envelope of envelopes) w.postMessage(envelope, '*');
    await host.sync();
  };
  w.__pennyHost = host;
}

/**
 * Checks every rendered message body (and the page) for anything live that model output could
 * have brought in. Returns the problems; an empty array means inert.
 */
export function inspectMessages(expectations: Record<string, any> | null): Finding[] {
  const d = (globalThis as any).document;
  const findings: Finding[] = [];
  const snippet = (node: any) => String(node?.outerHTML ?? node?.textContent ?? '').slice(0, 240);
  const dangerousTags = new Set([
    'script',
    'iframe',
    'frame',
    'frameset',
    'object',
    'embed',
    'applet',
    'param',
    'form',
    'input',
    'button',
    'select',
    'option',
    'textarea',
    'style',
    'link',
    'meta',
    'base',
    'svg',
    'math',
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
    'portal',
    'dialog',
    'title',
    'xmp',
    'noembed',
    'noframes',
    'plaintext',
    'isindex',
    'keygen',
    'animate',
    'set',
    'use',
    'foreignobject',
    'image',
    'bgsound',
    'layer',
    'ilayer',
    'fencedframe',
  ]);
  const forbiddenAttributes = new Set([
    'style',
    'srcset',
    'formaction',
    'action',
    'xlink:href',
    'background',
    'poster',
    'data',
    'ping',
    'target',
    'id',
    'name',
    'dynsrc',
    'lowsrc',
    'http-equiv',
    'srcdoc',
    'codebase',
    'classid',
    'form',
    'autofocus',
    'content',
    'sizes',
    'imagesrcset',
  ]);
  const scriptish = /^(?:javascript|vbscript|livescript|data:text\/html|data:application|data:image\/svg)/;
  // Attributes a browser may load or navigate to (alt/title text may say anything).
  const urlAttributes = new Set([
    'href',
    'src',
    'action',
    'formaction',
    'data',
    'poster',
    'background',
    'xlink:href',
    'cite',
    'codebase',
    'longdesc',
    'usemap',
    'dynsrc',
    'lowsrc',
    'srcset',
    'ping',
    'content',
    'to',
    'values',
    'from',
    'by',
    'srcdoc',
  ]);
  // eslint-disable-next-line no-control-regex -- strips what browsers ignore in a URL: controls, spaces, zero-widths
  const normalize = (value: string) => value.replace(/[\u0000-\u0020\u007f-\u009f\u200b-\u200f\u2028\u2029\ufeff]/g, '').toLowerCase();
  const toolbarActions = new Set(['copy', 'insert', 'apply', 'newFile']);
  /** Penny's own code block: div.code-block > (div.code-toolbar, pre > code). */
  const isPennyCodeBlock = (node: any) =>
    node &&
    node.localName === 'div' &&
    node.className === 'code-block' &&
    node.children.length === 2 &&
    node.children[0].className === 'code-toolbar' &&
    node.children[1].localName === 'pre' &&
    node.children[1].children.length === 1 &&
    node.children[1].children[0].localName === 'code';
  const pennyBlockOf = (node: any) => {
    const block = node.closest('.code-block');
    return block && isPennyCodeBlock(block) ? block : null;
  };

  for (const article of d.querySelectorAll('#messages .message')) {
    const id = String(article.dataset.id ?? '?');
    const body = article.querySelector(':scope > .body');
    if (!body) continue;
    const report = (problem: string, node: any) => findings.push({ id, problem, html: snippet(node) });
    for (const node of body.querySelectorAll('*')) {
      const tag = String(node.localName);
      const block = pennyBlockOf(node);
      const isToolbarButton =
        tag === 'button' &&
        block &&
        node.parentElement === block.children[0] &&
        node.getAttribute('type') === 'button' &&
        toolbarActions.has(node.dataset.action);
      if (node.namespaceURI !== 'http://www.w3.org/1999/xhtml') report(`element in a foreign namespace: <${tag}> (${node.namespaceURI})`, node);
      if (dangerousTags.has(tag) && !isToolbarButton) report(`dangerous element <${tag}>`, node);
      if (node.shadowRoot) report(`element with a shadow root <${tag}>`, node);
      for (const attribute of Array.from(node.attributes) as any[]) {
        const name = String(attribute.name).toLowerCase();
        const value = String(attribute.value);
        if (name.startsWith('on')) report(`event handler attribute ${name}="${value.slice(0, 60)}"`, node);
        if (forbiddenAttributes.has(name)) report(`forbidden attribute ${name}="${value.slice(0, 60)}" on <${tag}>`, node);
        if (urlAttributes.has(name) && scriptish.test(normalize(value)) && !(tag === 'img' && name === 'src'))
          report(`script-like URL in ${name}="${value.slice(0, 60)}"`, node);
        if (name === 'class' && !block) report(`class="${value}" outside Penny's code blocks (model HTML posing as Penny's UI)`, node);
        // render.ts allows data-penny-block (its placeholder attribute) on every element but only
        // strips it from <pre>: inert elsewhere, so not reported.
        const placeholderAttribute = name === 'data-penny-block' && tag !== 'pre';
        if (name.startsWith('data-') && !(isToolbarButton && name === 'data-action') && !placeholderAttribute)
          report(`data attribute ${name}="${value}"`, node);
        if (name === 'href') {
          if (tag !== 'a') report(`href on <${tag}>`, node);
          else {
            let url: any;
            try {
              url = new URL(value);
            } catch {
              url = null;
            }
            if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) report(`link that is not absolute http(s): ${value.slice(0, 80)}`, node);
            else if (url.username || url.password) report(`link with credentials: ${value.slice(0, 80)}`, node);
          }
        }
        if (name === 'src') {
          if (tag !== 'img') report(`src on <${tag}>`, node);
          else if (!/^data:image\/(?:png|gif|jpeg|webp);base64,[a-z0-9+/=\s]*$/i.test(value.trim()))
            report(`image src that is not inline raster data: ${value.slice(0, 80)}`, node);
        }
      }
    }
    const expected = expectations?.[id];
    if (expected) {
      if (expected.code) {
        // Trailing newlines aside (marked keeps one after an indented code block).
        const trim = (text: string) => text.replace(/\n+$/, '');
        const code = Array.from(body.querySelectorAll('.code-block > pre > code'), (c: any) => trim(c.textContent));
        if (JSON.stringify(code) !== JSON.stringify(expected.code.map(trim))) {
          report(`code blocks ${JSON.stringify(code).slice(0, 300)} != expected ${JSON.stringify(expected.code).slice(0, 300)}`, body);
        }
      }
      for (const text of expected.text ?? []) {
        if (!String(body.textContent).includes(text)) report(`text not shown literally: ${JSON.stringify(text)}`, body);
      }
      if (expected.links) {
        const links = Array.from(body.querySelectorAll('a[href]'), (a: any) => a.getAttribute('href'));
        if (JSON.stringify(links) !== JSON.stringify(expected.links))
          report(`links ${JSON.stringify(links)} != expected ${JSON.stringify(expected.links)}`, body);
      }
    }
  }

  // Page-wide: only the page's own scripts, styles, metas; no frames anywhere.
  const page = (problem: string, node: any) => findings.push({ id: 'document', problem, html: snippet(node) });
  const scripts = d.querySelectorAll('script');
  if (scripts.length !== 2) page(`${scripts.length} <script> elements in the page (expected the host's and the bundle's)`, scripts[scripts.length - 1]);
  for (const node of d.querySelectorAll('iframe, frame, object, embed, base, style, portal, fencedframe')) page(`<${node.localName}> in the page`, node);
  for (const node of d.querySelectorAll('link')) if (!/\/(?:chat|vscode-theme)\.css$/.test(node.getAttribute('href') ?? '')) page('unexpected <link>', node);
  for (const node of d.querySelectorAll('meta')) if (node.parentElement !== d.head) page('<meta> outside <head>', node);
  if (d.querySelectorAll('#messages').length !== 1 || d.querySelectorAll('#prompt').length !== 1) page('duplicate Penny ids (DOM clobbering)', d.body);
  return findings;
}

/**
 * Streams `streams` in lockstep: each step posts one delta of every unfinished stream, waits until
 * they are dispatched and the next frame has rendered them, then (optionally) inspects the DOM.
 * Returns the distinct findings seen at any step, with the step number.
 */
export async function streamLockstep(streams: Array<{ id: string; chunks: string[] }>, inspectEachStep: boolean): Promise<{ steps: number; findings: any[] }> {
  const w = globalThis as any;
  const host = w.__pennyHost;
  const inspect = w.__pennyInspect as (e: null) => any[];
  const steps = Math.max(0, ...streams.map((s) => s.chunks.length));
  const seen = new Set<string>();
  const findings: any[] = [];
  for (let step = 0; step < steps; step++) {
    for (const stream of streams) {
      const text = stream.chunks[step];
      if (text !== undefined) w.postMessage({ kind: 'event', event: 'messageDelta', data: { id: stream.id, text } }, '*');
    }
    await host.sync();
    await host.frames(1);
    if (inspectEachStep) {
      for (const finding of inspect(null)) {
        const key = `${finding.id}\n${finding.problem}`;
        if (!seen.has(key)) {
          seen.add(key);
          findings.push({ ...finding, step });
        }
      }
    }
  }
  return { steps, findings };
}
