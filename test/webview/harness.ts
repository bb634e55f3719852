// A Chromium-level harness for the chat webview, in plain Node: serves a page equivalent to the one
// `src/vscode/chatView.ts` builds (same CSP with a nonce, the webview bundle, media/chat.css) on
// 127.0.0.1, with a fake `acquireVsCodeApi` in a nonce'd script before the bundle that answers the
// webview's requests like the extension does. Tests push the extension's events through it.
// A second server plays "remote": any request it receives means something remote was loaded.
//
//   PENNY_WEBVIEW_BUNDLE  the bundle to serve (default dist/webview.js, relative to the checkout)
//   PENNY_CHROMIUM        the browser (default /usr/bin/chromium)
//
// Every wait is bounded and says what it waited for when it times out.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page, type Request } from 'playwright-core';
import type { EventEnvelope } from '../../src/shared/protocol';
import { CHROMIUM_ARGS } from '../harness/browser';
import { snapshotOf } from '../support/chatProtocol';
import { fakeHostMain, inspectMessages, streamLockstep, type Finding, type HostConfig, type MessageExpectation } from './pageScripts';

export type { Finding, HostConfig, MessageExpectation } from './pageScripts';

/** A VS Code sidebar, roughly. */
export const SIDEBAR_VIEWPORT = { width: 420, height: 800 };

// ---------------------------------------------------------------------------------------------
// Paths and small helpers

/** The checkout: the nearest directory above this file with the package.json named "penny". */
export function repoRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      try {
        if ((JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'penny') return dir;
      } catch {
        // not ours
      }
    }
    if (path.dirname(dir) === dir) throw new Error(`no package.json named "penny" above ${__dirname}`);
  }
}

/** The webview bundle to serve: $PENNY_WEBVIEW_BUNDLE or dist/webview.js. */
export function bundlePath(): string {
  const configured = process.env.PENNY_WEBVIEW_BUNDLE || 'dist/webview.js';
  const file = path.resolve(repoRoot(), configured);
  if (!fs.existsSync(file)) {
    throw new Error(
      `webview bundle ${file} not found${process.env.PENNY_WEBVIEW_BUNDLE ? ' (PENNY_WEBVIEW_BUNDLE)' : ''}: build it with \`node esbuild.mjs\`, or ` +
        '`npx esbuild src/webview/main.ts --bundle --minify --platform=browser --format=iife --outfile=<dir>/webview.js` and set PENNY_WEBVIEW_BUNDLE',
    );
  }
  return file;
}

export function chromiumPath(): string {
  const file = process.env.PENNY_CHROMIUM || '/usr/bin/chromium';
  try {
    fs.accessSync(file, fs.constants.X_OK);
  } catch {
    throw new Error(`Chromium not found at ${file}${process.env.PENNY_CHROMIUM ? ' (PENNY_CHROMIUM)' : ''}`);
  }
  return file;
}

/** test-results/ in the checkout. */
export function resultsDir(): string {
  const dir = path.join(repoRoot(), 'test-results');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** `work`, or a rejection naming `what` after `ms`. */
export async function bounded<T>(what: string, ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// Servers

export interface RecordedRequest {
  method: string;
  url: string;
  referer?: string;
  at: number;
}

async function listen(server: http.Server): Promise<string> {
  await bounded(
    'an HTTP server to listen on 127.0.0.1',
    10_000,
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function closeServer(server: http.Server): Promise<void> {
  server.closeAllConnections();
  await bounded('an HTTP server to close', 5_000, new Promise<void>((resolve) => server.close(() => resolve())));
}

/** The "remote" host: records every request; answers 200 with a body that would fire a canary if run as script. */
export class RemoteServer {
  private constructor(
    private readonly server: http.Server,
    readonly origin: string,
    readonly requests: RecordedRequest[],
  ) {}

  static async start(): Promise<RemoteServer> {
    const requests: RecordedRequest[] = [];
    const server = http.createServer((req, res) => {
      requests.push({ method: req.method ?? '?', url: req.url ?? '', referer: req.headers.referer, at: Date.now() });
      const url = req.url ?? '';
      const type = /\.js\b/.test(url) ? 'text/javascript' : /\.css\b/.test(url) ? 'text/css' : /\.(png|gif)\b/.test(url) ? 'image/gif' : 'text/html';
      const body =
        type === 'text/javascript'
          ? `try { top.__pwned('remote script ${url.replace(/[^\w./-]/g, '')}'); } catch {}`
          : type === 'text/html'
            ? `<script>try { top.__pwned('remote page ${url.replace(/[^\w./-]/g, '')}'); } catch {}</script>`
            : '';
      res.writeHead(200, { 'content-type': type, 'access-control-allow-origin': '*', 'cache-control': 'no-store' });
      res.end(body);
    });
    return new RemoteServer(server, await listen(server), requests);
  }

  close(): Promise<void> {
    return closeServer(this.server);
  }
}

interface PageSpec {
  config: HostConfig;
  csp: boolean;
}

/** Serves the webview page, the bundle and the CSS, like VS Code's webview resource loader. */
class PageServer {
  private readonly specs = new Map<string, PageSpec>();
  /** Requests for anything but a page, the bundle, the CSS and the theme. */
  readonly unexpected: RecordedRequest[] = [];

  private constructor(
    private readonly server: http.Server,
    readonly origin: string,
  ) {}

  static async start(bundle: string, css: string): Promise<PageServer> {
    // eslint-disable-next-line prefer-const -- read by the handler below, which may run before the assignment (`self?.`); a const there would throw
    let self: PageServer | undefined;
    const server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const send = (status: number, type: string, body: string | Buffer) => {
        res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
        res.end(body);
      };
      try {
        if (url.pathname === '/dist/webview.js') return send(200, 'text/javascript', fs.readFileSync(bundle));
        if (url.pathname === '/media/chat.css') return send(200, 'text/css', fs.readFileSync(css));
        if (url.pathname === '/vscode-theme.css') return send(200, 'text/css', THEME_CSS);
        const spec = url.pathname.startsWith('/page/') ? self?.specs.get(url.pathname.slice('/page/'.length)) : undefined;
        if (spec) return send(200, 'text/html; charset=utf-8', pageHtml(self!.origin, spec));
        if (url.pathname === '/favicon.ico') return send(204, 'image/x-icon', '');
        self?.unexpected.push({ method: req.method ?? '?', url: req.url ?? '', referer: req.headers.referer, at: Date.now() });
        return send(404, 'text/plain', 'not found');
      } catch (error) {
        return send(500, 'text/plain', String(error));
      }
    });
    const origin = await listen(server);
    self = new PageServer(server, origin);
    return self;
  }

  /** Registers a page; returns its URL. */
  add(spec: PageSpec): string {
    const token = randomBytes(8).toString('hex');
    this.specs.set(token, spec);
    return `${this.origin}/page/${token}`;
  }

  close(): Promise<void> {
    return closeServer(this.server);
  }
}

/** The VS Code theme variables the CSS relies on, as a webview gets them (dark theme, abridged). */
const THEME_CSS = `html {
  --vscode-font-family: system-ui, sans-serif; --vscode-font-size: 13px; --vscode-font-weight: normal;
  --vscode-editor-font-family: monospace; --vscode-editor-font-size: 13px;
  --vscode-foreground: #cccccc; --vscode-editor-background: #1e1e1e; --vscode-sideBar-background: #181818;
  --vscode-textLink-foreground: #4daafc; --vscode-textLink-activeForeground: #4daafc;
  --vscode-button-background: #0078d4; --vscode-button-foreground: #ffffff;
  --vscode-input-background: #313131; --vscode-input-foreground: #cccccc; --vscode-panel-border: #2b2b2b;
  --vscode-textCodeBlock-background: #2b2b2b; --vscode-descriptionForeground: #9d9d9d;
}
body { background: var(--vscode-sideBar-background); color: var(--vscode-foreground); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); margin: 0; padding: 0 20px; }
`;

/** JSON safe to put inside a <script> element (no `</script>`, `<!--`, or line separators). */
function scriptJson(value: unknown): string {
  return JSON.stringify(value ?? null)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** The page of `ChatViewProvider.html`, with the fake host's script before the bundle. */
function pageHtml(origin: string, spec: PageSpec): string {
  const nonce = randomBytes(16).toString('base64');
  // What chatView.ts sets, with the resource origin as `webview.cspSource`.
  const csp = ["default-src 'none'", `style-src ${origin}`, `font-src ${origin}`, `img-src ${origin} data:`, `script-src 'nonce-${nonce}'`].join('; ');
  const host = [
    `(${fakeHostMain.toString()})(${scriptJson(spec.config)});`,
    `window.__pennyInspect = ${inspectMessages.toString()};`,
    `window.__pennyStreamLockstep = ${streamLockstep.toString()};`,
  ].join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
${spec.csp ? `<meta http-equiv="Content-Security-Policy" content="${csp}">` : ''}
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link href="${origin}/vscode-theme.css" rel="stylesheet">
<link href="${origin}/media/chat.css" rel="stylesheet">
<title>Penny Chat</title>
<script nonce="${nonce}">
${host}
</script>
</head>
<body>
<div id="app"></div>
<script nonce="${nonce}" src="${origin}/dist/webview.js"></script>
</body>
</html>`;
}

// ---------------------------------------------------------------------------------------------
// The harness

export interface OpenOptions extends Partial<HostConfig> {
  /** Serve the page with the real CSP (default true); false tests the sanitizer alone. */
  csp?: boolean;
  viewport?: { width: number; height: number };
  /** Wait until the view rendered the `ready` snapshot (default true). */
  waitForReady?: boolean;
}

/**
 * One browser context and page, reused: each `open()` navigates it to a fresh webview page (a new
 * page per test costs seconds on a loaded machine; a navigation costs milliseconds). The listeners
 * report to the WebviewPage currently open.
 */
class Session {
  current: WebviewPage | undefined;
  /** Requests the page started that have not finished or failed yet. */
  private readonly inFlight = new Set<Request>();
  private readonly idleWaiters = new Set<() => void>();
  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
  ) {}

  static async create(browser: Browser, origin: string): Promise<Session> {
    const context = await bounded('a browser context', 30_000, browser.newContext({ viewport: SIDEBAR_VIEWPORT, deviceScaleFactor: 1 }));
    try {
      const page = await bounded('a new browser page', 30_000, context.newPage());
      const session = new Session(context, page);
      session.listen(origin);
      await bounded(
        'the canary binding',
        10_000,
        context.exposeFunction('__pwned', (id: unknown) => void session.current?.canaries.push(String(id))),
      );
      return session;
    } catch (error) {
      await context.close().catch(() => undefined);
      throw error;
    }
  }

  private listen(origin: string): void {
    const { page, context } = this;
    const allowed = new Set([`${origin}/dist/webview.js`, `${origin}/media/chat.css`, `${origin}/vscode-theme.css`, `${origin}/favicon.ico`]);
    page.on('dialog', (dialog) => {
      this.current?.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      void dialog.dismiss().catch(() => undefined);
    });
    context.on('page', (other) => {
      if (other !== page) this.current?.popups.push(other.url() || '(new window)');
    });
    page.on('framenavigated', (frame) => {
      const current = this.current;
      if (!current) return;
      if (frame === page.mainFrame()) {
        if (current.loaded) current.navigations.push(frame.url());
      } else current.framesAttached.push(`navigated: ${frame.url()}`);
    });
    page.on('frameattached', (frame) => this.current?.framesAttached.push(`attached: ${frame.url() || frame.name() || '(frame)'}`));
    const ended = (request: Request) => {
      if (!this.inFlight.delete(request) || this.inFlight.size > 0) return;
      for (const resolve of this.idleWaiters) resolve();
      this.idleWaiters.clear();
    };
    page.on('requestfinished', ended);
    page.on('requestfailed', ended);
    page.on('request', (request) => {
      this.inFlight.add(request);
      const current = this.current;
      const url = request.url();
      if (!current || url === current.url || url === 'about:blank' || allowed.has(url)) return;
      if (/^data:image\/(?:png|gif|jpeg|webp);base64,/i.test(url)) return;
      current.unexpectedRequests.push(`${request.method()} ${url.slice(0, 200)}`);
    });
    page.on('pageerror', (error) => this.current?.pageErrors.push(error.stack ?? error.message));
    // No 'console' listener: under the CSP the sanitizer's parse of hostile text logs a violation per
    // handler, and shipping each to Node costs seconds. What the console would say is caught anyway:
    // resource errors and uncaught errors by the host script, violations by its CSP listener.
    if (process.env.PENNY_WEBVIEW_CONSOLE) {
      page.on('console', (message) => {
        if (message.type() === 'error') this.current?.consoleErrors.push(message.text());
      });
    }
  }

  /** Resolves once no request of the page is in flight (each reached its server, or failed). */
  async requestsEnded(what: string, timeoutMs: number): Promise<void> {
    if (this.inFlight.size === 0) return;
    let resolveIdle: () => void = () => undefined;
    const idle = new Promise<void>((resolve) => (resolveIdle = resolve));
    this.idleWaiters.add(resolveIdle);
    try {
      await bounded(what, timeoutMs, idle);
    } catch (error) {
      const open = [...this.inFlight].map((r) => `${r.method()} ${r.url().slice(0, 120)}`);
      throw new Error(`${(error as Error).message}; still in flight: ${open.join(', ')}`, { cause: error });
    } finally {
      this.idleWaiters.delete(resolveIdle);
    }
  }
}

export class WebviewHarness {
  private session: Session | undefined;

  private constructor(
    readonly browser: Browser,
    private readonly pageServer: PageServer,
    readonly remote: RemoteServer,
  ) {}

  static async start(): Promise<WebviewHarness> {
    const bundle = bundlePath();
    const css = path.join(repoRoot(), 'media', 'chat.css');
    const executablePath = chromiumPath();
    const pageServer = await PageServer.start(bundle, css);
    const remote = await RemoteServer.start().catch(async (error: unknown) => {
      await pageServer.close();
      throw error;
    });
    let browser: Browser;
    try {
      browser = await bounded(
        `Chromium (${executablePath}) to launch`,
        60_000,
        chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true, timeout: 60_000 }),
      );
    } catch (error) {
      await Promise.allSettled([pageServer.close(), remote.close()]);
      throw error;
    }
    return new WebviewHarness(browser, pageServer, remote);
  }

  get origin(): string {
    return this.pageServer.origin;
  }

  /** Opens the chat webview (a fresh document in the harness's page), the `ready` snapshot drawn. */
  async open(options: OpenOptions = {}): Promise<WebviewPage> {
    const config: HostConfig = {
      snapshot: options.snapshot ?? snapshotOf([]),
      savedState: options.savedState,
      replyDelayMs: options.replyDelayMs ?? 1,
      linkInterception: options.linkInterception ?? true,
      replies: options.replies,
      held: options.held,
    };
    const url = this.pageServer.add({ config, csp: options.csp ?? true });
    this.session ??= await Session.create(this.browser, this.origin);
    const session = this.session;
    const viewport = options.viewport ?? SIDEBAR_VIEWPORT;
    const size = session.page.viewportSize();
    if (size?.width !== viewport.width || size.height !== viewport.height)
      await bounded('the viewport to resize', 10_000, session.page.setViewportSize(viewport));
    const page = new WebviewPage(this, session, url);
    session.current = page;
    await bounded(`the webview page ${url} to load`, 30_000, session.page.goto(url, { waitUntil: 'load', timeout: 30_000 }));
    page.loaded = true;
    if (options.waitForReady ?? true) await page.waitForReady();
    return page;
  }

  /** Requests the page server got for anything but the page's own files (relative URLs resolved in the webview). */
  get unexpectedLocalRequests(): RecordedRequest[] {
    return this.pageServer.unexpected;
  }

  async close(): Promise<void> {
    await Promise.allSettled([bounded('Chromium to close', 15_000, this.browser.close()), this.pageServer.close(), this.remote.close()]);
  }
}

/**
 * The mocha hooks of a suite of webview tests: one harness, started before the suite and closed
 * after it; the page `current()` returns is closed after each test. Returns the harness.
 */
export function webviewHooks(current: () => WebviewPage | undefined): () => WebviewHarness {
  let harness: WebviewHarness | undefined;
  before(async function () {
    this.timeout(90_000);
    harness = await WebviewHarness.start();
  });
  afterEach(async () => {
    await current()?.close();
  });
  after(async function () {
    this.timeout(20_000);
    await harness?.close();
  });
  return () => {
    if (!harness) throw new Error('the webview harness did not start (see the "before all" hook)');
    return harness;
  };
}

/** What the fake host saw in the page. */
export interface HostState {
  requests: Array<{ kind: string; id: number; method: string; params: unknown; at: number }>;
  clickedLinks: string[];
  violations: Array<{ directive: string; blockedURI: string; sample: string; source: string; line: number }>;
  errors: string[];
  statesSaved: number;
}

/** A CSP violation of inline script/style (attribute or element), not of a URL load. */
export function isInlineViolation(v: { blockedURI: string }): boolean {
  return v.blockedURI === 'inline' || v.blockedURI === 'eval' || v.blockedURI === '';
}

/** One opened webview document and everything observed while it was open. */
export class WebviewPage {
  /** Ids passed to `window.__pwned` by anything that ran. */
  readonly canaries: string[] = [];
  readonly dialogs: string[] = [];
  readonly popups: string[] = [];
  readonly navigations: string[] = [];
  readonly framesAttached: string[] = [];
  readonly unexpectedRequests: string[] = [];
  readonly pageErrors: string[] = [];
  readonly consoleErrors: string[] = [];
  loaded = false;
  private readonly remoteMark: number;
  private readonly localMark: number;

  constructor(
    private readonly harness: WebviewHarness,
    private readonly session: Session,
    readonly url: string,
  ) {
    this.remoteMark = harness.remote.requests.length;
    this.localMark = harness.unexpectedLocalRequests.length;
  }

  get page(): Page {
    return this.session.page;
  }

  /** `fn(arg)` in the page, bounded. */
  evaluate<R, A>(what: string, fn: (arg: A) => R | Promise<R>, arg: A, timeoutMs = 20_000): Promise<R> {
    return bounded(what, timeoutMs, this.page.evaluate(fn as never, arg) as Promise<R>);
  }

  /** Waits until `predicate(arg)` is truthy in the page (checked every frame). */
  async waitFor<A>(what: string, predicate: (arg: A) => unknown, arg: A, timeoutMs = 20_000): Promise<void> {
    try {
      await this.page.waitForFunction(predicate as never, arg, { timeout: timeoutMs, polling: 'raf' });
    } catch (error) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${(error as Error).message.split('\n')[0]}`, { cause: error });
    }
  }

  /** Waits until the `ready` reply was delivered and the view has drawn it. */
  async waitForReady(timeoutMs = 20_000): Promise<void> {
    await this.waitFor(
      'the fake host to answer the webview\'s "ready" request',
      () => (globalThis as never as { __pennyHost?: { readyAnswered: boolean } }).__pennyHost?.readyAnswered,
      null,
      timeoutMs,
    );
    await this.sync('the "ready" reply to be dispatched to the view');
  }

  /** Waits until every message posted so far was dispatched, then `frames` animation frames. */
  sync(what = 'the page to dispatch pending messages', frames = 1): Promise<void> {
    return this.evaluate(
      what,
      async (n: number) => {
        const host = (globalThis as never as { __pennyHost: { sync(): Promise<void>; frames(n: number): Promise<void> } }).__pennyHost;
        await host.sync();
        await host.frames(n);
      },
      frames,
    );
  }

  /** Posts extension events (in order) and waits until they are dispatched and drawn. */
  async emit(...envelopes: EventEnvelope[]): Promise<void> {
    await this.evaluate(
      `the page to take ${envelopes.length} event(s) (${[...new Set(envelopes.map((e) => e.event))].join(', ')})`,
      (envs: EventEnvelope[]) => (globalThis as never as { __pennyHost: { emit(e: EventEnvelope[]): Promise<void> } }).__pennyHost.emit(envs),
      envelopes,
      30_000,
    );
    await this.sync('the view to draw the events');
  }

  /** DOM problems of every message body (see `inspectMessages`), plus final-state expectations. */
  inspect(expectations: Record<string, MessageExpectation> | null = null): Promise<Finding[]> {
    return this.evaluate(
      'the DOM inspection of the messages',
      (e: Record<string, MessageExpectation> | null) => (globalThis as never as { __pennyInspect(e: unknown): Finding[] }).__pennyInspect(e),
      expectations,
      30_000,
    );
  }

  /** Streams `streams` one delta per stream per frame, inspecting the DOM after every frame. */
  streamLockstep(
    streams: Array<{ id: string; chunks: string[] }>,
    inspectEachStep = true,
  ): Promise<{ steps: number; findings: Array<Finding & { step: number }> }> {
    const steps = Math.max(0, ...streams.map((s) => s.chunks.length));
    return this.evaluate(
      `${streams.length} streams of up to ${steps} deltas to render frame by frame`,
      ({ s, i }: { s: typeof streams; i: boolean }) =>
        (
          globalThis as never as { __pennyStreamLockstep(s: unknown, i: boolean): Promise<{ steps: number; findings: Array<Finding & { step: number }> }> }
        ).__pennyStreamLockstep(s, i),
      { s: streams, i: inspectEachStep },
      Math.max(60_000, steps * 500),
    );
  }

  /** Sends the replies the fake host held back for `method` (see `HostConfig.held`), and waits until the view took them. */
  async release(method: string): Promise<number> {
    const count = await this.evaluate(
      `the held "${method}" replies to be sent`,
      (m: string) => (globalThis as never as { __pennyHost: { release(m: string): number } }).__pennyHost.release(m),
      method,
    );
    await this.sync(`the view to take the "${method}" replies`);
    return count;
  }

  async hostState(): Promise<HostState> {
    return this.evaluate(
      'the fake host state',
      () => {
        const host = (globalThis as never as { __pennyHost: HostState & { states: unknown[] } }).__pennyHost;
        return { requests: host.requests, clickedLinks: host.clickedLinks, violations: host.violations, errors: host.errors, statesSaved: host.states.length };
      },
      null,
    );
  }

  /**
   * Waits for the late effects of what the page was given (image loads and errors, requests, CSP
   * reports, canaries), so that a "nothing fired" check after it sees them: every message posted so
   * far dispatched and drawn; every image in the document loaded or broken; every request the page
   * started ended (so a server it went to has it); then one more round trip through the page's
   * message channel, behind the load and error events those queued, and back over the browser
   * connection, behind any canary call, dialog or navigation the page reported before it.
   */
  async settle(timeoutMs = 20_000): Promise<void> {
    await this.sync('the page to dispatch and draw every message posted so far', 2);
    await this.waitFor(
      'every image in the document to finish loading or fail',
      () => Array.from((globalThis as never as { document: { images: Iterable<{ complete: boolean }> } }).document.images).every((image) => image.complete),
      null,
      timeoutMs,
    );
    await this.session.requestsEnded('every request the page started to finish or fail', timeoutMs);
    await this.sync("the page's load and error events queued before this round trip to run", 1);
  }

  /** Everything that shows something ran or loaded: canaries, dialogs, navigations, requests, CSP violations, errors. */
  async incidents(): Promise<string[]> {
    const host = await this.hostState();
    return [
      ...this.canaries.map((id) => `canary fired: ${id}`),
      ...this.dialogs.map((d) => `dialog opened: ${d}`),
      ...this.popups.map((u) => `popup opened: ${u}`),
      ...this.navigations.map((u) => `page navigated to ${u}`),
      ...this.framesAttached.map((f) => `frame ${f}`),
      ...this.unexpectedRequests.map((r) => `page requested ${r}`),
      ...this.harness.remote.requests.slice(this.remoteMark).map((r) => `remote server got ${r.method} ${r.url} (referer ${r.referer ?? '-'})`),
      ...this.harness.unexpectedLocalRequests.slice(this.localMark).map((r) => `page server got ${r.method} ${r.url}`),
      // Inline violations are not counted: Chromium reports them for handlers and styles in the
      // sanitizer's own DOMParser document (inert); the DOM checks catch any that reach the page.
      ...host.violations.filter((v) => !isInlineViolation(v)).map((v) => `CSP violation: ${v.directive} blocked ${v.blockedURI}`),
      ...host.errors.map((e) => `page ${e}`),
      ...this.pageErrors.map((e) => `uncaught page error: ${e.split('\n').slice(0, 3).join(' | ')}`),
      ...this.consoleErrors.filter((e) => !/Content Security Policy/.test(e)).map((e) => `console error: ${e.slice(0, 200)}`),
    ];
  }

  /** Leaves the document (stops its timers); the browser page is reused by the next `open()`. */
  async close(): Promise<void> {
    if (this.session.current !== this) return;
    this.session.current = undefined;
    await bounded('the page to leave the webview', 15_000, this.page.goto('about:blank')).catch(() => undefined);
  }
}
