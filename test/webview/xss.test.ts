// Hostile model output renders inert in the real chat webview bundle, in Chromium: a corpus of XSS
// vectors delivered as assistant text in a snapshot (whole) and streamed in small deltas, under the
// real CSP and without it (the sanitizer alone must hold). Nothing may run (canary binding, dialogs),
// load (the "remote" server, any other request), navigate, or survive in the DOM as live markup.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { ChatMessage } from '../../src/shared/protocol';
import { answersStarted, assistantMessage, event, snapshotOf, userMessage } from '../support/chatProtocol';
import { resultsDir, WebviewHarness, type Finding, type MessageExpectation, type WebviewPage } from './harness';
import { framesetVectors, XSS_VECTOR_COUNT, xssVectors, type XssVector } from './xssVectors';
import { mulberry32 } from '../support/random';

const QUESTION = userMessage('u-question', 'Show me how these HTML snippets behave.');
const messageId = (vector: XssVector) => `a-${vector.id}`;

/**
 * Deterministic chunking into sizes 1..n, n growing with the text so that a vector streams in
 * about `2 * steps` deltas at most (short ones in fewer, down to 1-3 characters per delta).
 */
function chunk(text: string, seed: number, steps: number): string[] {
  const random = mulberry32(seed || 1);
  const max = Math.max(3, Math.ceil(text.length / steps));
  const chunks: string[] = [];
  for (let i = 0; i < text.length;) {
    const size = 1 + Math.floor(random() * max);
    chunks.push(text.slice(i, i + size));
    i += size;
  }
  return chunks;
}

function describeFindings(findings: Array<Finding & { step?: number }>, vectors: XssVector[]): string {
  const byMessage = new Map(vectors.map((v) => [messageId(v), v]));
  return findings
    .slice(0, 40)
    .map((f) => {
      const vector = byMessage.get(f.id);
      const where = vector ? `vector ${vector.id} (${vector.category})` : f.id;
      return `  - ${where}${f.step !== undefined ? ` at delta ${f.step}` : ''}: ${f.problem}\n      ${f.html.replace(/\s+/g, ' ').slice(0, 200)}`;
    })
    .join('\n')
    .concat(findings.length > 40 ? `\n  ... and ${findings.length - 40} more` : '');
}

function assertInert(findings: Array<Finding & { step?: number }>, incidents: string[], vectors: XssVector[]): void {
  const problems: string[] = [];
  if (incidents.length)
    problems.push(
      `Something ran, loaded or navigated:\n${incidents
        .slice(0, 40)
        .map((i) => `  - ${i}`)
        .join('\n')}`,
    );
  if (findings.length) problems.push(`Live or unexpected markup in the DOM:\n${describeFindings(findings, vectors)}`);
  assert.ok(problems.length === 0, problems.join('\n'));
}

describe(`webview: hostile model output renders inert (${XSS_VECTOR_COUNT} XSS vectors)`, function () {
  // Generous: each wait inside is bounded and named; a loaded CI machine is slow, not broken.
  this.timeout(120_000);
  let harness: WebviewHarness | undefined;
  let vectors: XssVector[] = [];
  let page: WebviewPage | undefined;

  const expectations = (): Record<string, MessageExpectation> =>
    Object.fromEntries(vectors.map((v) => [messageId(v), { code: v.code, text: v.text, links: v.links }]));

  /** Every message is on screen: the test would pass vacuously on an empty page. */
  async function assertMessagesShown(p: WebviewPage, ids: string[]): Promise<void> {
    const shown = await p.evaluate(
      'the rendered message ids',
      () =>
        Array.from(
          (globalThis as never as { document: { querySelectorAll(s: string): Iterable<{ dataset: { id?: string } }> } }).document.querySelectorAll(
            '#messages .message',
          ),
          (m) => m.dataset.id ?? '',
        ),
      null,
    );
    const missing = ids.filter((id) => !shown.includes(id));
    assert.deepEqual(missing, [], `messages not rendered: ${missing.slice(0, 10).join(', ')} (${shown.length} shown)`);
  }

  before(async function () {
    this.timeout(90_000);
    harness = await WebviewHarness.start();
    vectors = xssVectors(harness.remote.origin);
    assert.equal(vectors.length + framesetVectors(harness.remote.origin).length, XSS_VECTOR_COUNT);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) {
      const file = path.join(resultsDir(), `webview-${(this.currentTest.title || 'test').replace(/[^a-zA-Z0-9._-]+/g, '-').slice(0, 100)}.png`);
      await page.page.screenshot({ path: file, timeout: 5_000, fullPage: false }).catch(() => undefined);
    }
    await page?.close();
    page = undefined;
  });

  after(async function () {
    this.timeout(20_000);
    await harness?.close();
  });

  for (const csp of [true, false]) {
    const mode = csp ? 'under the real CSP' : 'without a CSP (the sanitizer alone)';

    it(`a snapshot with every vector (one message each, then all in one message) ${mode}`, async () => {
      const messages: ChatMessage[] = [QUESTION, ...vectors.map((v) => assistantMessage(messageId(v), v.markdown))];
      messages.push(assistantMessage('a-all-in-one', vectors.map((v) => v.markdown).join('\n\n')));
      page = await harness!.open({ csp, snapshot: snapshotOf(messages) });
      await assertMessagesShown(
        page,
        messages.map((m) => m.id),
      );
      const findings = await page.inspect(expectations());
      await page.settle();
      assertInert(findings, await page.incidents(), vectors);
    });

    it(`every vector streamed in small deltas, inert at every frame ${mode}`, async () => {
      page = await harness!.open({ csp, snapshot: snapshotOf([QUESTION]) });
      // As the extension starts an answer: a snapshot with it streaming (here every vector's at once).
      await page.emit(
        answersStarted(
          [QUESTION],
          vectors.map((v) => assistantMessage(messageId(v), '')),
        ),
      );
      // Every frame re-renders every streaming message; under the CSP Chromium also reports each
      // handler the sanitizer's parser meets, so that run takes coarser deltas to stay fast.
      const streams = vectors.map((v, i) => ({ id: messageId(v), chunks: chunk(v.markdown, i + 1, csp ? 5 : 10) }));
      const { steps, findings: during } = await page.streamLockstep(streams, true);
      assert.ok(steps >= 10, `expected the vectors to stream in at least 10 steps, got ${steps}`);
      // The last frame drew the whole text from the deltas alone (code shown literally, links as expected)...
      const statuses = await page.evaluate(
        'the status of each message',
        () => {
          const d = (globalThis as never as { document: { querySelectorAll(s: string): Iterable<{ dataset: { status?: string } }> } }).document;
          return Array.from(d.querySelectorAll('#messages .message'), (m) => m.dataset.status ?? '');
        },
        null,
      );
      assert.equal(statuses.filter((s) => s === 'streaming').length, vectors.length, 'every vector is still streaming before messageFinished');
      const streamed = await page.inspect(expectations());
      // ...and so does the finished message.
      await page.emit(...vectors.map((v) => event('messageFinished', assistantMessage(messageId(v), v.markdown))));
      await assertMessagesShown(page, vectors.map(messageId));
      const finished = await page.inspect(expectations());
      // ...and the snapshot the extension sends after (busy false, the total).
      await page.emit(event('snapshot', snapshotOf([QUESTION, ...vectors.map((v) => assistantMessage(messageId(v), v.markdown))])));
      await assertMessagesShown(page, vectors.map(messageId));
      const settled = await page.inspect(expectations());
      await page.settle();
      assertInert([...during, ...streamed, ...finished, ...settled], await page.incidents(), vectors);
    });
  }

  it('an answer that parses as a frameset document does not break rendering (snapshot and stream)', async () => {
    const framesets = framesetVectors(harness!.remote.origin);
    const problems: string[] = [];
    // In a snapshot, around ordinary answers.
    const messages: ChatMessage[] = [
      QUESTION,
      assistantMessage('a-before', 'Before **bold**'),
      ...framesets.map((v) => assistantMessage(messageId(v), v.markdown)),
      assistantMessage('a-after', 'After `code`'),
    ];
    page = await harness!.open({ csp: true, snapshot: snapshotOf(messages) });
    const shown = await page.evaluate(
      'the rendered message ids',
      () =>
        Array.from(
          (globalThis as never as { document: { querySelectorAll(s: string): Iterable<{ dataset: { id?: string } }> } }).document.querySelectorAll(
            '#messages .message',
          ),
          (m) => m.dataset.id ?? '',
        ),
      null,
    );
    const missing = messages.map((m) => m.id).filter((id) => !shown.includes(id));
    if (missing.length) problems.push(`snapshot: ${missing.length} of ${messages.length} messages not rendered (${missing.join(', ')})`);
    await page.settle();
    problems.push(...(await page.incidents()).map((i) => `snapshot: ${i}`));
    await page.close();
    // Streamed next to an ordinary answer: the ordinary one must still render.
    page = await harness!.open({ csp: true, snapshot: snapshotOf([QUESTION]) });
    await page.emit(answersStarted([QUESTION], [assistantMessage('a-stream-frameset', ''), assistantMessage('a-stream-normal', '')]));
    await page.streamLockstep(
      [
        { id: 'a-stream-frameset', chunks: ['<frame', 'set>', '<frame src=x>', '</frameset>'] },
        { id: 'a-stream-normal', chunks: ['Hello ', 'streamed ', 'world', '.'] },
      ],
      false,
    );
    await page.emit(event('messageFinished', assistantMessage('a-stream-normal', 'Hello streamed world.')));
    const normal = await page.evaluate(
      'the text of the ordinary streamed answer',
      () =>
        (globalThis as never as { document: { querySelector(s: string): { textContent: string } | null } }).document.querySelector(
          '.message[data-id="a-stream-normal"] .body',
        )?.textContent ?? null,
      null,
    );
    if (normal?.trim() !== 'Hello streamed world.')
      problems.push(`stream: the ordinary answer streamed next to a frameset one shows ${JSON.stringify(normal)}, not "Hello streamed world."`);
    await page.settle();
    problems.push(...(await page.incidents()).map((i) => `stream: ${i}`));
    await page.close();
    // Restored from the webview's saved state (the view is rebuilt each time the sidebar is shown):
    // the view must still ask the extension for the conversation.
    const saved = { draft: '', snapshot: snapshotOf([QUESTION, assistantMessage('a-saved-frameset', '<frameset>')]) };
    page = await harness!.open({ csp: true, savedState: saved, waitForReady: false, snapshot: snapshotOf([QUESTION, assistantMessage('a-fine', 'Fine.')]) });
    // The bundle ran to its end before the load event: by now it has sent "ready", or never will.
    const sent = (await page.hostState()).requests.map((r) => r.method);
    if (!sent.includes('ready')) problems.push(`restore: the view never sent "ready" (requests sent: ${JSON.stringify(sent)}); the conversation stays blank`);
    else await page.waitForReady();
    problems.push(...(await page.incidents()).map((i) => `restore: ${i}`));
    assert.ok(
      problems.length === 0,
      'An answer starting with <frameset> breaks the chat view (src/webview/render.ts renderMarkdown: DOMPurify.sanitize(html, { RETURN_DOM_FRAGMENT: true }) ' +
        'returns null for a frameset document, and `fragment.querySelectorAll` throws; showSnapshot, flushFrame, messageFinished and the restore at startup abort):\n' +
        problems.map((p) => `  - ${p}`).join('\n'),
    );
  });

  it('links that remain are http(s) only, and clicking them does not navigate the page', async () => {
    const messages: ChatMessage[] = [QUESTION, ...vectors.map((v) => assistantMessage(messageId(v), v.markdown))];
    page = await harness!.open({ csp: true, snapshot: snapshotOf(messages), linkInterception: true });
    const startUrl = page.page.url();
    const anchors = await page.page.$$('#messages .message .body a');
    const hrefs: string[] = [];
    let withoutHref = 0;
    for (const anchor of anchors) {
      const href = await anchor.getAttribute('href');
      if (href === null) {
        // A sanitized link: inert text. Click a few to be sure.
        if (withoutHref++ < 5) await anchor.click({ timeout: 15_000 });
        continue;
      }
      const url = new URL(href);
      assert.ok(url.protocol === 'http:' || url.protocol === 'https:', `a remaining link is not http(s): ${href}`);
      assert.equal(url.username + url.password, '', `a remaining link carries credentials: ${href}`);
      assert.equal(await anchor.getAttribute('rel'), 'noopener noreferrer', `link ${href} lacks rel="noopener noreferrer"`);
      hrefs.push(url.href);
      await anchor.click({ timeout: 15_000 });
    }
    assert.ok(hrefs.length >= 5, `expected at least 5 legitimate links among the vectors, found ${hrefs.length}`);
    assert.ok(withoutHref >= 10, `expected at least 10 sanitized links (href removed), found ${withoutHref}`);
    // Modifier and middle clicks would open a tab in a browser.
    const first = (await page.page.$$('#messages .message .body a[href]'))[0];
    await first.click({ modifiers: ['Control'], timeout: 15_000 });
    await first.click({ button: 'middle', timeout: 15_000 });
    await page.settle();
    assert.equal(page.page.url(), startUrl, 'the page navigated');
    const host = await page.hostState();
    assert.deepEqual(host.clickedLinks, [...hrefs, hrefs[0], hrefs[0]], 'every click on a link goes to VS Code (did-click-link), with the sanitized URL');
    assertInert([], await page.incidents(), vectors);
  });

  it('hostile text in the other snapshot fields (models, errors, attachments, suggestion) renders as text', async () => {
    const evil = (id: string) => `<img src=x onerror="top.__pwned('${id}')"><script>top.__pwned('${id}-s')</script>`;
    const answer: ChatMessage = {
      ...assistantMessage('a-evil', 'An answer.'),
      model: evil('model'),
      error: { message: evil('error'), actions: ['retry'] },
      escalated: true,
    };
    const question: ChatMessage = {
      ...userMessage('u-evil', evil('user-text')),
      attachments: [{ id: 'att1', kind: 'file', label: evil('attachment'), tokens: 12 }],
    };
    const snapshot = snapshotOf([question, answer], {
      models: [evil('models'), 'gpt-4o-mini'],
      selectedModel: evil('selected'),
      escalationModel: evil('escalation'),
      escalationEstimates: { 'a-evil': 0.004 },
      attachments: [{ id: 'att2', kind: 'selection', label: evil('pending-attachment'), tokens: 3 }],
      suggestion: { messageId: 'a-evil', text: evil('suggestion') },
    });
    page = await harness!.open({ csp: false, snapshot });
    await page.emit(event('notice', { text: evil('notice'), severity: 'warning' }));
    const result = await page.evaluate(
      'a page-wide check for live markup',
      () => {
        const d = (globalThis as never as { document: any }).document; // eslint-disable-line @typescript-eslint/no-explicit-any
        const live = Array.from(
          d.querySelectorAll('img, script:not([nonce]), svg, iframe, object, embed, math, style'),
          (e: { outerHTML: string }) => e.outerHTML,
        );
        const handlers = Array.from(d.querySelectorAll('*'), (e: { attributes: Iterable<{ name: string }>; localName: string }) =>
          Array.from(e.attributes)
            .filter((a) => a.name.startsWith('on'))
            .map((a) => `${e.localName}[${a.name}]`),
        ).flat();
        return { live, handlers, text: String(d.body.textContent) + Array.from(d.querySelectorAll('option'), (o: { value: string }) => o.value).join(' ') };
      },
      null,
    );
    assert.deepEqual(result.live, [], 'no live elements from snapshot strings');
    assert.deepEqual(result.handlers, [], 'no event handler attributes anywhere');
    for (const id of ['model', 'error', 'user-text', 'attachment', 'escalation', 'pending-attachment', 'suggestion', 'notice', 'models']) {
      assert.ok(result.text.includes(`top.__pwned('${id}')`), `the ${id} string is shown as text`);
    }
    await page.settle();
    assertInert(await page.inspect(null), await page.incidents(), vectors);
  });
});
