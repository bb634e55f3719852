// The chat view as a user sees it, in a real VS Code (code-server) driven through Chromium: a
// markdown answer streaming in with highlighted code and its exact cost, Insert into the editor,
// Stop mid-answer, the conversation surviving a window reload, and a hostile answer staying inert.
/* eslint-disable @typescript-eslint/no-explicit-any -- the functions given to evaluate() run in the page; tsconfig.json types the tests for Node, not the DOM */
import * as assert from 'node:assert/strict';
import type { Frame, Page } from 'playwright-core';
import { saveScreenshot } from '../harness/browser';
import { editorLines, findFrame, openFile, runCommand, waitUntil } from '../harness/workbench';
import type { RecordedRequest, ScriptedReply } from '../server/mockOpenAI';
import {
  NO_COMPLETION,
  ask,
  boxOf,
  chatMessages,
  describeMessages,
  describeRequests,
  focusChat,
  lastUserText,
  note,
  readmeScreenshot,
  screenshotAfterEach,
  startPennyUi,
  stopPennyUi,
  waitForMessage,
  reloadWindow,
  type PennyUi,
} from './support';

const MD_QUESTION = 'Show me a greeting function in TypeScript, please.';
const CODE_LINES = ['export function greet(name: string): string {', "  const greeting = 'Hello, ' + name + '!';", '  return greeting;', '}'];
const MD_ANSWER = [
  '## A greeting helper',
  '',
  'It works in three steps:',
  '',
  '- take a **name**',
  '- build the greeting',
  '- return it',
  '',
  '```ts',
  ...CODE_LINES,
  '```',
  '',
  'Call it as `greet("Penny")`.',
  '',
].join('\n');
// gpt-4o-mini: $0.15 per 1M input tokens, $0.60 per 1M output: 1000 * 0.15e-6 + 200 * 0.6e-6 = $0.00027.
const MD_USAGE = { prompt_tokens: 1000, completion_tokens: 200, cached_tokens: 0 };
const MD_COST = '$0.00027 (exact)';

const STOP_QUESTION = 'Tell me a long story about pennies.';
const STOP_ANSWER =
  'Once upon a time a penny rolled out of a pocket and under a table in a busy cafe. ' +
  'It waited there for days, watching shoes go by, counting the crumbs that fell and the coins that did not. ' +
  'One morning a child crawled under the table after a lost marble, found the penny instead, and held it up to the light. ' +
  'The penny had never felt so valued. It went into a jar with a hundred others, and the jar went onto a shelf, ' +
  'and the shelf stood in a room where a family laughed every evening, and the penny listened to all of it for years.';

const HOSTILE_QUESTION = 'Please render this hostile answer.';
// A 1x1 transparent PNG: the one kind of image the view shows (inline raster data), as a positive control.
const DATA_PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
function hostileAnswer(origin: string): string {
  return [
    'Hostile answer start.',
    '',
    "<script>alert('xss-script')</script>",
    '',
    `<img src=x onerror="alert('xss-onerror')">`,
    '',
    "[click me](javascript:alert('xss-link'))",
    '',
    `![x](${origin}/canary.png)`,
    '',
    `<img src="${origin}/canary2.png">`,
    '',
    `<a href="javascript:alert('xss-a')" onclick="alert('xss-onclick')">raw link</a>`,
    '',
    `![control](${DATA_PNG})`,
    '',
    'Hostile answer end.',
    '',
  ].join('\n');
}

describe('Penny chat (UI)', function () {
  this.timeout(120_000);

  let ui: PennyUi | undefined;
  let page: Page;
  let chat: Frame;
  const dialogs: string[] = [];
  // The markdown answer stops half-way until the test has seen it drawn while streaming.
  let releaseMarkdownAnswer: () => void = () => undefined;
  const markdownAnswerReleased = new Promise<void>((resolve) => (releaseMarkdownAnswer = resolve));

  function reply(req: RecordedRequest): ScriptedReply {
    const question = lastUserText(req);
    if (question.includes(MD_QUESTION))
      return { content: MD_ANSWER, usage: MD_USAGE, chunkSize: 6, chunkDelayMs: 40, holdAfterChunks: 20, resume: markdownAnswerReleased };
    if (question.includes(STOP_QUESTION)) return { content: STOP_ANSWER, chunkSize: 4, chunkDelayMs: 150 };
    if (question.includes(HOSTILE_QUESTION))
      return { content: hostileAnswer(new URL(ui!.mock.url).origin), usage: { prompt_tokens: 400, completion_tokens: 100, cached_tokens: 0 } };
    return NO_COMPLETION;
  }

  before(async function () {
    this.timeout(300_000);
    ui = await startPennyUi({ reply, label: 'chat' });
    page = ui.page;
    // Dialogs of every frame (webviews included) are reported to the page.
    page.on('dialog', (dialog) => {
      dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      void dialog.dismiss().catch(() => undefined);
    });
  });

  screenshotAfterEach('chat', () => ui);

  after(async function () {
    this.timeout(90_000);
    await stopPennyUi(ui);
  });

  it('streams a markdown answer with highlighted code and its exact cost', async () => {
    // The editor the Insert button of the next test writes into: cursor on the empty last line.
    await openFile(page, 'sample.ts', 30_000);
    await page.keyboard.press('Control+End');
    chat = await focusChat(page, (p, t) => runCommand(p, t, 30_000));
    await widenSidebar(page);

    // Every state the answer's element goes through, recorded inside the webview as it happens.
    await chat.evaluate(() => {
      const g = globalThis as any;
      const log: Array<{ id: string; status: string; length: number }> = [];
      g.__pennyLog = log;
      const record = () => {
        for (const m of Array.from(g.document.querySelectorAll('.message[data-role="assistant"]')) as any[]) {
          const entry = { id: m.getAttribute('data-id'), status: m.getAttribute('data-status'), length: (m.querySelector('.body')?.textContent ?? '').length };
          const previous = log.findLast((e) => e.id === entry.id);
          if (!previous || previous.status !== entry.status || previous.length !== entry.length) log.push(entry);
        }
      };
      new g.MutationObserver(record).observe(g.document.getElementById('messages'), { subtree: true, childList: true, attributes: true, characterData: true });
    });

    await ask(chat, MD_QUESTION);
    await waitUntil(
      'the half-streamed answer drawn with data-status="streaming"',
      () =>
        chat.evaluate(() =>
          ((globalThis as any).__pennyLog as Array<{ status: string; length: number }>).some((e) => e.status === 'streaming' && e.length > 0),
        ),
      { timeoutMs: 60_000, describe: () => describeRequests(ui!.mock) },
    );
    releaseMarkdownAnswer();
    const answer = await waitForMessage(
      chat,
      `the answer to "${MD_QUESTION}" (data-status="done")`,
      (m) => m.role === 'assistant' && m.status === 'done' && m.body.includes('Call it as'),
      60_000,
      ui!.mock,
    );

    const log: Array<{ id: string; status: string; length: number }> = (await chat.evaluate(() => (globalThis as any).__pennyLog)).filter(
      (e: { id: string }) => e.id === answer.id,
    );
    const streamed = log.filter((e) => e.status === 'streaming' && e.length > 0);
    note(`${log.length} states recorded, ${streamed.length} partial renders while streaming, final text ${answer.body.length} characters`);
    assert.ok(
      streamed.some((e) => e.length < answer.body.length),
      `part of the answer was visible before it was done: ${JSON.stringify(log)}`,
    );
    assert.equal(log.at(-1)?.status, 'done');
    assert.ok(log.findIndex((e) => e.status === 'streaming') < log.findIndex((e) => e.status === 'done'), `streaming came before done: ${JSON.stringify(log)}`);

    const selector = `.message[data-id="${answer.id}"]`;
    const structure = await chat.$eval(`${selector} .body`, (body) => ({
      heading: body.querySelector('h2')?.textContent ?? '',
      items: Array.from(body.querySelectorAll('ul > li')).map((li) => li.textContent ?? ''),
      bold: body.querySelector('li strong')?.textContent ?? '',
      code: body.querySelector('.code-block pre code')?.textContent ?? '',
      language: body.querySelector('.code-block .code-language')?.textContent ?? '',
      highlighted: Array.from(body.querySelectorAll('.code-block pre code [class^="hljs-"]')).map((s) => `${s.className}:${s.textContent}`),
    }));
    assert.equal(structure.heading, 'A greeting helper');
    assert.deepEqual(structure.items, ['take a name', 'build the greeting', 'return it']);
    assert.equal(structure.bold, 'name');
    assert.equal(structure.code.replace(/\n$/, ''), CODE_LINES.join('\n'));
    assert.equal(structure.language, 'ts');
    for (const token of ['hljs-keyword:export', 'hljs-keyword:function', 'hljs-title function_:greet', 'hljs-keyword:return', "hljs-string:'Hello, '"]) {
      assert.ok(structure.highlighted.includes(token), `highlight.js span ${token} in the code block: ${JSON.stringify(structure.highlighted)}`);
    }
    assert.ok(answer.cost.includes(MD_COST), `the cost line says ${MD_COST}: "${answer.cost}"`);
    assert.match(answer.cost, /^gpt-4o-mini\S* · 1,000 in · 200 out · \$0\.00027 \(exact\)$/);
    note(`cost line: ${answer.cost}`);
  });

  it('inserts a code block into the editor at the cursor', async () => {
    const answer = (await chatMessages(chat)).find((m) => m.role === 'assistant' && m.body.includes('Call it as'));
    assert.ok(answer, 'the answer of the previous test');
    // The cursor is on the file's last line, which is empty (Ctrl+End in the previous test): the code goes there.
    const before = await editorLines(page);
    assert.equal(before.at(-1), '', `the cursor line (the last one) is empty: ${JSON.stringify(before.slice(-3))}`);
    const expected = [...before.slice(0, -1), ...CODE_LINES];
    const insert = chat.locator(`.message[data-id="${answer.id}"] .code-block button[data-action="insert"]`);
    await insert.click();
    await waitUntil('the Insert button to say "Inserted"', async () => (await insert.textContent()) === 'Inserted', {
      timeoutMs: 20_000,
      describe: async () => `"${await insert.textContent()}"`,
    });
    const lines = await waitUntil(
      'the editor to hold sample.ts with the greet() code inserted on its last line',
      async () => {
        const now = await editorLines(page);
        return JSON.stringify(now) === JSON.stringify(expected) ? now : undefined;
      },
      { timeoutMs: 20_000, describe: async () => JSON.stringify((await editorLines(page)).slice(-8)) },
    );
    note(`editor now ends with: ${JSON.stringify(lines.slice(-6))}`);
  });

  it('stops an answer mid-way, keeping its text with an estimated cost', async () => {
    await ask(chat, STOP_QUESTION);
    const streaming = await waitForMessage(
      chat,
      'the story to be streaming with some text shown',
      (m) => m.role === 'assistant' && m.status === 'streaming' && m.body.length >= 40,
      60_000,
      ui!.mock,
    );
    const send = chat.locator('#send');
    assert.equal((await send.textContent())?.trim(), 'Stop', 'the Send button says Stop while the answer streams');
    await send.click();
    const stopped = await waitForMessage(
      chat,
      `the story's message to end with data-status="stopped"`,
      (m) => m.id === streaming.id && m.status !== 'streaming',
      30_000,
      ui!.mock,
    );
    assert.equal(stopped.status, 'stopped');
    const text = stopped.body.trim();
    note(`stopped after ${text.length} of ${STOP_ANSWER.length} characters; cost line: ${stopped.cost}`);
    assert.ok(text.length >= 40 && text.length < STOP_ANSWER.length, `partial text kept (${text.length} characters)`);
    assert.ok(STOP_ANSWER.startsWith(text), `the kept text is the start of the answer: "${text}"`);
    assert.match(stopped.cost, /~\$[0-9.]+ \(estimated\)/, `an estimated cost: "${stopped.cost}"`);
    assert.match(stopped.cost, /· stopped$/, `marked stopped: "${stopped.cost}"`);
    await waitUntil('the Send button to say Send again', async () => (await send.textContent())?.trim() === 'Send', { timeoutMs: 20_000 });
    // Nothing more arrives after Stop.
    const later = (await chatMessages(chat)).find((m) => m.id === streaming.id);
    assert.equal(later?.body.trim(), text);
    // The README picture: two answers with their costs (one exact, one estimated) beside the editor holding the inserted code.
    await waitUntil(
      'the Insert button to say "Insert" again',
      async () => (await chat.locator('.code-block button[data-action="insert"]').first().textContent()) === 'Insert',
      { timeoutMs: 20_000 },
    );
    const sidebar = await boxOf(page, '.part.sidebar');
    const editor = await boxOf(page, '.part.editor');
    await readmeScreenshot(page, 'chat', { x: 0, y: 0, width: Math.min(editor.x + 560, 1400), height: Math.min(sidebar.y + sidebar.height, 900) });
  });

  it('keeps the conversation across a window reload', async () => {
    await reloadWindow(page);
    // The sidebar comes back with the chat; if it does not, open it.
    chat = await findFrame(page, '#prompt', 60_000).catch(() => focusChat(page, (p, t) => runCommand(p, t, 30_000)));
    const has = (messages: Awaited<ReturnType<typeof chatMessages>>) =>
      messages.some((m) => m.role === 'user' && m.body.includes(MD_QUESTION)) &&
      messages.some((m) => m.role === 'assistant' && m.cost.includes(MD_COST)) &&
      messages.some((m) => m.role === 'assistant' && m.status === 'stopped');
    let how = 'restored in the view';
    const restored = await waitUntil('the conversation restored in the chat view', async () => has(await chatMessages(chat)), { timeoutMs: 30_000 }).catch(
      () => false,
    );
    if (!restored) {
      how = 'opened from History';
      await chat.locator('#history').click();
      const item = chat.locator('.history-item').first();
      await item.waitFor({ state: 'visible', timeout: 30_000 });
      await item.locator('.history-open').click();
      await waitUntil('the conversation opened from History', async () => has(await chatMessages(chat)), {
        timeoutMs: 30_000,
        describe: async () => describeMessages(await chatMessages(chat)),
      });
    }
    const messages = await chatMessages(chat);
    note(`after the reload: ${messages.length} messages, ${how}`);
    // Code blocks are rendered again (with their buttons) from the saved text.
    assert.ok((await chat.locator('.code-block button[data-action="insert"]').count()) >= 1, 'the code block and its Insert button are back');
  });

  it('renders a hostile answer inert: no script, no handler, no javascript: link, no remote image', async () => {
    const before = dialogs.length;
    await ask(chat, HOSTILE_QUESTION);
    const answer = await waitForMessage(
      chat,
      'the hostile answer (data-status="done")',
      (m) => m.role === 'assistant' && m.status === 'done' && m.body.includes('Hostile answer end.'),
      60_000,
      ui!.mock,
    );
    const body = chat.locator(`.message[data-id="${answer.id}"] .body`);
    // Positive control: the inline data: image is loaded, so the images of this answer were processed.
    await waitUntil(
      'the inline data: image of the answer to load (img[src^="data:"] complete)',
      () =>
        body.evaluate((b) =>
          Array.from(b.querySelectorAll('img')).some(
            (img: any) => (img.getAttribute('src') ?? '').startsWith('data:') && img.complete && img.naturalWidth === 1,
          ),
        ),
      { timeoutMs: 20_000, describe: async () => body.evaluate((b) => b.innerHTML.slice(0, 800)) },
    );
    // Click both links: a javascript: URL or an onclick handler would open a dialog.
    await body.getByText('click me').click();
    await body.getByText('raw link').click();

    const found = await body.evaluate((b) => {
      const all = Array.from(b.querySelectorAll('*'));
      return {
        scripts: b.querySelectorAll('script').length,
        handlers: all.flatMap((e) =>
          Array.from(e.attributes)
            .filter((a) => /^on/i.test(a.name))
            .map((a) => `${e.tagName}[${a.name}]`),
        ),
        javascriptUrls: all.flatMap((e) =>
          Array.from(e.attributes)
            .filter((a) => /^\s*javascript:/i.test(a.value))
            .map((a) => `${e.tagName}[${a.name}=${a.value}]`),
        ),
        images: Array.from(b.querySelectorAll('img')).map((img) => img.getAttribute('src') ?? '(no src)'),
        links: Array.from(b.querySelectorAll('a')).map((a) => `${a.textContent}->${a.getAttribute('href') ?? '(no href)'}`),
        html: b.innerHTML,
      };
    });
    note(`images: ${JSON.stringify(found.images.map((s) => s.slice(0, 30)))}; links: ${JSON.stringify(found.links)}`);
    assert.equal(found.scripts, 0, `no <script> in the answer: ${found.html}`);
    assert.deepEqual(found.handlers, [], `no on* attributes: ${found.html}`);
    assert.deepEqual(found.javascriptUrls, [], `no javascript: URLs: ${found.html}`);
    assert.ok(
      found.images.every((src) => src === '(no src)' || src.startsWith('data:image/png;base64,')),
      `no image with a remote or relative src: ${JSON.stringify(found.images)}`,
    );
    assert.ok(!found.html.includes('canary'), `no canary URL left in the DOM: ${found.html}`);
    // A fetch of a remote image or a handler firing would have happened by now (the control image loaded, the links were clicked).
    const canary = ui!.mock.requests.filter((r) => r.path.includes('canary'));
    assert.deepEqual(
      canary.map((r) => r.path),
      [],
      `no request for the canary images: ${describeRequests(ui!.mock)}`,
    );
    assert.deepEqual(dialogs.slice(before), [], 'no dialog opened');
    // The chat still works after it: the view was not broken by the answer.
    assert.equal((await chat.locator('#send').textContent())?.trim(), 'Send');
  });

  it('shows in the cost report what the money bought: the answer whose code was inserted counts as used', async () => {
    await runCommand(page, 'Penny: Show Cost Report', 30_000);
    const report = await findFrame(page, '#export', 60_000);
    // Feature, Model, Language, Requests, Cost, Offered, Accepted, Accepted characters, $ per 1,000, Answers used, $ per used answer.
    const rows = await waitUntil(
      'the cost report\'s "What it bought" table to have a chat row with an answer used',
      async () => {
        const texts = await report.locator('table.value').first().locator('tbody tr').allInnerTexts();
        const cells = texts.map((row) => row.split('\t').map((cell) => cell.trim()));
        return cells.some((c) => c[0] === 'chat' && c[9] === '1') ? cells : undefined;
      },
      { timeoutMs: 30_000, describe: async () => JSON.stringify((await report.locator('body').innerText()).slice(0, 1500)) },
    );
    const chatRow = rows.find((c) => c[0] === 'chat' && c[9] === '1')!;
    note(`value row: ${chatRow.join(' | ')}`);
    assert.equal(Number(chatRow[3]) >= 1, true, `requests: ${chatRow[3]}`);
    assert.equal(chatRow[10], chatRow[4], 'one used answer: the cost per used answer is what the chat cost with that model');
    assert.deepEqual(chatRow.slice(5, 9), ['—', '—', '—', '—'], 'no completion figures on a chat row');
    assert.match(await report.locator('body').innerText(), /What it bought, by day/);
  });
});

/** Drags the sash between the side bar and the editor so the chat has room (cosmetic: never fails the test). */
async function widenSidebar(page: Page, width = 480): Promise<void> {
  try {
    const box = await page.locator('.part.sidebar').boundingBox();
    if (!box || box.width >= width) return;
    const x = box.x + box.width;
    const y = box.y + box.height / 2;
    // The sash is a few pixels wide and straddles the sidebar's right edge.
    await page.mouse.move(x + 1, y);
    await page.mouse.down();
    await page.mouse.move(x + 60, y, { steps: 3 });
    await page.mouse.move(box.x + width, y, { steps: 5 });
    await page.mouse.up();
    const after = await page.locator('.part.sidebar').boundingBox();
    note(`side bar ${Math.round(box.width)} px -> ${Math.round(after?.width ?? 0)} px wide`);
  } catch (error) {
    note(`could not widen the side bar: ${(error as Error).message}`);
    await saveScreenshot(page, 'chat-widen-sidebar-failed');
  }
}
