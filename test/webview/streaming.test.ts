// Streaming at the end of a long answer redraws only the block still being written: the finished
// blocks stay the very same nodes, never removed or moved, and their code buttons keep working;
// hostile text arriving in that tail is sanitized like any other; and the finished answer is
// exactly what a full render of its text draws.
import * as assert from 'node:assert/strict';
import { answersStarted, assistantMessage, event, snapshotOf, userMessage } from '../support/chatProtocol';
import { webviewHooks, type WebviewPage } from './harness';
import { xssVectors } from './xssVectors';

const QUESTION = userMessage('u-long', 'Walk me through every part of the project.');
const ID = 'a-long';
const SECTIONS = 120;

/** About 14 lines each: a heading, a paragraph with a link, a list and a fenced code block. */
function section(i: number): string {
  const code = Array.from({ length: 6 }, (_, line) => `  const value${line} = compute(${i}, ${line}); // part ${i}`);
  return [
    `## Part ${i}`,
    '',
    `Part ${i} does **one** thing; see [its notes](https://example.com/part-${i}).`,
    '',
    '- check the input',
    '- fail early',
    '',
    '```ts',
    `export function part${i}(): void {`,
    ...code,
    '}',
    '```',
    '',
  ].join('\n');
}

const head = Array.from({ length: SECTIONS }, (_, i) => section(i)).join('\n');

/** Fixed-size deltas, an odd size so that tags and fences are cut mid-way. */
function chunks(text: string, size = 7): string[] {
  return Array.from({ length: Math.ceil(text.length / size) }, (_, i) => text.slice(i * size, (i + 1) * size));
}

/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * In the page: remembers the answer's body and its finished blocks (all but the last element, the
 * block being written, and the whitespace after it), and records every change of children anywhere
 * inside the message from now on.
 */
function watchAnswer(id: string): number {
  const w = globalThis as any;
  const article = w.document.querySelector(`.message[data-id="${id}"]`);
  const body = article.querySelector(':scope > .body');
  const records: any[] = [];
  const observer = new w.MutationObserver((batch: any[]) => records.push(...batch));
  observer.observe(article, { childList: true, subtree: true });
  const children: any[] = Array.from(body.childNodes);
  w.__pennyWatched = { id, body, finished: children.slice(0, children.indexOf(body.lastElementChild)), records, observer };
  return children.length;
}

/** In the page: what became of the watched body and its finished blocks. */
function finishedBlocksKept(): { sameBody: boolean; finished: number; inPlace: number; finishedRemoved: number; tailReplacements: number } {
  const w = globalThis as any;
  const watched = w.__pennyWatched;
  const records: any[] = [...watched.records, ...watched.observer.takeRecords()];
  const removed = new Set(records.flatMap((record) => Array.from(record.removedNodes)));
  const body = w.document.querySelector(`.message[data-id="${watched.id}"] > .body`);
  const finished: any[] = watched.finished;
  return {
    sameBody: body === watched.body && !removed.has(body),
    finished: finished.length,
    inPlace: finished.filter((node, i) => body.childNodes[i] === node).length,
    finishedRemoved: finished.filter((node) => removed.has(node)).length,
    tailReplacements: records.filter((record) => record.target === watched.body && record.removedNodes.length > 0).length,
  };
}

function messageHtml(id: string): string {
  return String((globalThis as any).document.querySelector(`.message[data-id="${id}"]`)?.outerHTML ?? '');
}

function bodyHtml(id: string): string {
  return String((globalThis as any).document.querySelector(`.message[data-id="${id}"] > .body`)?.outerHTML ?? '');
}

/** In the page: remembers the message's body element, for `sameBody`. */
function watchBody(id: string): void {
  const w = globalThis as any;
  w.__pennyBody = w.document.querySelector(`.message[data-id="${id}"] > .body`);
}

function sameBody(id: string): boolean {
  const w = globalThis as any;
  return !!w.__pennyBody && w.document.querySelector(`.message[data-id="${id}"] > .body`) === w.__pennyBody;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

describe('webview: streaming the tail of a long answer', function () {
  this.timeout(180_000);
  let page: WebviewPage | undefined;
  const harness = webviewHooks(() => page);

  /** Starts the answer with `head` already streamed, watched from then on. */
  async function startLongAnswer(csp: boolean, text: string): Promise<WebviewPage> {
    const opened = await harness().open({ csp, snapshot: snapshotOf([QUESTION]) });
    // A snapshot mid-answer (the `ready` reply, or one after a settings change) carries the text so far.
    await opened.emit(answersStarted([QUESTION], [assistantMessage(ID, text)]));
    const children = await opened.evaluate('the answer to be watched', watchAnswer, ID);
    assert.ok(children > SECTIONS * 3, `expected the long answer to be drawn (${children} nodes in its body)`);
    return opened;
  }

  async function assertFinishedBlocksKept(p: WebviewPage): Promise<void> {
    const kept = await p.evaluate('the fate of the finished blocks', finishedBlocksKept, null);
    assert.ok(kept.sameBody, 'the answer keeps its body element while it streams');
    assert.equal(kept.inPlace, kept.finished, `every finished block is the same node at the same place (${kept.inPlace} of ${kept.finished})`);
    assert.equal(kept.finishedRemoved, 0, 'no finished block was removed or moved');
    assert.ok(kept.tailReplacements > 0, 'the block being written was redrawn');
  }

  it('keeps the nodes of the finished blocks, their buttons work, and the finished answer equals a full render', async () => {
    // The head ends inside a code block: that block is the one being written.
    const start = `${head}\n\`\`\`ts\nconst open = 1;\n`;
    const more = ['const still = 2;\n```\n\nA paragraph ', 'after it.\n\n', section(SECTIONS), 'And the last ', 'words.'];
    page = await startLongAnswer(true, start);
    const { findings } = await page.streamLockstep([{ id: ID, chunks: more.slice(0, 2) }], true);
    // A code block that was finished before those frames: its Insert button still sends its code.
    await page.page.click(`.message[data-id="${ID}"] .code-block >> nth=0 >> [data-action="insert"]`, { timeout: 15_000 });
    await page.waitFor(
      'the Insert request',
      () => (globalThis as never as { __pennyHost: { requests: Array<{ method: string }> } }).__pennyHost.requests.some((r) => r.method === 'codeAction'),
      null,
    );
    const later = await page.streamLockstep([{ id: ID, chunks: more.slice(2) }], true);
    assert.deepEqual([...findings, ...later.findings], [], 'nothing live in the DOM at any frame');
    await assertFinishedBlocksKept(page);
    const insert = (await page.hostState()).requests.find((r) => r.method === 'codeAction');
    assert.deepEqual(insert?.params, { action: 'insert', code: section(0).split('```ts\n')[1].split('\n```')[0], language: 'typescript', messageId: ID });

    const text = start + more.join('');
    await page.emit(event('messageFinished', assistantMessage(ID, text)));
    const finishedBody = await page.evaluate('the finished answer body', bodyHtml, ID);
    await page.evaluate('the finished body to be watched', watchBody, ID);
    // What the extension sends next: the snapshot with busy false and its total.
    await page.emit(event('snapshot', snapshotOf([QUESTION, assistantMessage(ID, text)])));
    assert.ok(await page.evaluate('whether the body was kept', sameBody, ID), 'the snapshot after messageFinished redraws the buttons, not the answer');
    const streamed = await page.evaluate('the finished answer', messageHtml, ID);
    assert.deepEqual(await page.incidents(), []);
    await page.close();
    page = await harness().open({ csp: true, snapshot: snapshotOf([QUESTION, assistantMessage(ID, text)]) });
    const full = await page.evaluate('the answer rendered whole', messageHtml, ID);
    assert.ok(full.includes('And the last words.'), 'the full render shows the whole answer');
    assert.equal(finishedBody, await page.evaluate('the body rendered whole', bodyHtml, ID), 'the body drawn on messageFinished is exactly the full render');
    assert.equal(streamed, full, 'the finished streamed answer is exactly the full render');
  });

  it('sanitizes hostile text arriving in the tail, at every frame, without a CSP', async () => {
    // One vector of each kind, streamed one after another behind the finished blocks.
    const vectors = xssVectors(harness().remote.origin).filter((v, i, all) => all.findIndex((w) => w.category === v.category) === i);
    page = await startLongAnswer(false, head);
    const hostile = vectors.map((v) => v.markdown).join('\n\n');
    const { steps, findings } = await page.streamLockstep([{ id: ID, chunks: chunks(hostile) }], true);
    assert.ok(steps >= vectors.length, `expected the vectors to stream in at least ${vectors.length} deltas, got ${steps}`);
    assert.deepEqual(findings, [], 'nothing live in the DOM at any frame');
    await assertFinishedBlocksKept(page);
    await page.emit(event('messageFinished', assistantMessage(ID, head + hostile)));
    assert.deepEqual(await page.inspect(null), [], 'nothing live in the finished answer');
    await page.emit(event('snapshot', snapshotOf([QUESTION, assistantMessage(ID, head + hostile)])));
    assert.deepEqual(await page.inspect(null), [], 'nothing live after the snapshot that follows');
    await page.settle();
    assert.deepEqual(await page.incidents(), [], 'nothing ran, loaded or navigated');
  });
});
