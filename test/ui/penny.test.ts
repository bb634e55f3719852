// What a user sees: the packaged extension (.vsix) installed into a real VS Code (code-server), driven
// through Chromium against a local mock OpenAI server. Runs in plain Node under mocha (bdd).
//   PENNY_VSIX=<file> (default: the newest penny-*.vsix in the checkout), PENNY_KEEP_TEMP=1 to keep code-server's dir.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { editorLines, findFrame, openFile, readGhostText, runCommand, waitForStatusBar, waitUntil } from '../harness/workbench';
import type { RecordedRequest, ScriptedReply } from '../server/mockOpenAI';
import { describeRequests, note, screenshotAfterEach, startPennyUi, stopPennyUi, type PennyUi } from './support';

const COMPLETION = 'return a + b;';
const QUESTION = 'What should I call a function that adds two numbers?';
const ANSWER_TEXT = 'Call it add: the name says what it does.';
const ANSWER = `${ANSWER_TEXT}\n\n\`\`\`ts\nfunction add(a: number, b: number): number {\n  return a + b;\n}\n\`\`\`\n`;
// gpt-4o-mini: $0.15 per 1M input tokens, $0.60 per 1M output: 1000 * 0.15e-6 + 200 * 0.6e-6 = $0.00027.
const CHAT_USAGE = { prompt_tokens: 1000, completion_tokens: 200, cached_tokens: 0 };
const CHAT_COST = '$0.00027';

/** Chat requests carry the question; everything else is an inline completion. Completions cost $0 so the status bar shows the chat's cost alone. */
function reply(req: RecordedRequest): ScriptedReply {
  if (JSON.stringify(req.body?.messages ?? '').includes(QUESTION)) return { content: ANSWER, usage: CHAT_USAGE, chunkSize: 12 };
  return { content: COMPLETION, usage: { prompt_tokens: 0, completion_tokens: 0, cached_tokens: 0 } };
}

describe('Penny in VS Code (UI)', function () {
  this.timeout(90_000);

  let ui: PennyUi | undefined;
  let page: Page;

  before(async function () {
    this.timeout(240_000);
    ui = await startPennyUi({ reply, label: 'ui' });
    page = ui.page;
  });

  screenshotAfterEach('ui', () => ui);

  after(async function () {
    this.timeout(60_000);
    await stopPennyUi(ui);
  });

  it('shows an inline completion as ghost text that Tab accepts and Ctrl+S saves', async () => {
    const opening = Date.now();
    await openFile(page, 'sample.ts');
    note(`sample.ts open and ready in ${Date.now() - opening} ms`);
    await page.keyboard.press('Control+End');
    await page.keyboard.type('function add(a: number, b: number) {');
    await page.keyboard.press('Enter');
    const typed = Date.now();

    const ghost = await readGhostText(page, {
      accept: (text) => text.includes(COMPLETION),
      what: `ghost text containing "${COMPLETION}"`,
      timeoutMs: 30_000,
      stableMs: 200,
    });
    const firstRequest = ui!.mock.requests[0]?.receivedAt;
    note(
      `ghost text ${JSON.stringify(ghost)} ${Date.now() - typed - 200} ms after the last key; ${ui!.mock.requests.length} completion request(s), the first ${firstRequest ? firstRequest - typed : '?'} ms after it`,
    );
    assert.ok(ghost.includes(COMPLETION));
    await page.keyboard.press('Tab');
    // Accepted = real text in the editor (a new suggestion may show up after it; that is fine).
    await waitUntil(`"${COMPLETION}" as text in the editor after Tab`, async () => (await editorLines(page)).some((line) => line.includes(COMPLETION)), {
      describe: async () => JSON.stringify((await editorLines(page)).slice(-4)),
    });
    await page.keyboard.press('Control+S');

    const file = path.join(ui!.workspace.dir, 'sample.ts');
    const saved = await waitUntil(
      `${file} on disk to contain "${COMPLETION}" after Ctrl+S`,
      () => {
        const text = fs.readFileSync(file, 'utf8');
        return text.includes(COMPLETION) ? text : undefined;
      },
      { timeoutMs: 10_000, describe: () => JSON.stringify(fs.readFileSync(file, 'utf8').slice(-200)) },
    );
    assert.match(saved, /function add\(a: number, b: number\) \{\s*return a \+ b;/);
  });

  it('answers a chat question in the Penny view', async () => {
    await runCommand(page, 'Penny: Focus Chat');
    const chat = await findFrame(page, '#prompt', 30_000);
    await chat.locator('#prompt').click();
    await chat.locator('#prompt').pressSequentially(QUESTION);
    await chat.locator('#prompt').press('Enter');

    const answer = await waitUntil(
      `the assistant's answer (.message[data-role="assistant"][data-status="done"] .body) to contain "${ANSWER_TEXT}"`,
      async () => {
        const bodies = await chat.$$eval('.message[data-role="assistant"][data-status="done"] .body', (es) => es.map((e) => e.textContent ?? ''));
        return bodies.find((b) => b.includes(ANSWER_TEXT));
      },
      {
        timeoutMs: 30_000,
        describe: async () =>
          JSON.stringify(
            await chat.$$eval('.message', (es) =>
              es.map((e) => `${e.getAttribute('data-role')}/${e.getAttribute('data-status')}: ${(e.textContent ?? '').slice(0, 120)}`),
            ),
          ) + `; mock: ${describeRequests(ui!.mock)}`,
      },
    );
    assert.ok(answer.includes('return a + b;'), `the answer's code block is rendered: ${answer}`);
    const code = await chat.$$eval('.message[data-role="assistant"] .code-block pre code', (es) => es.map((e) => e.textContent ?? ''));
    assert.ok(
      code.some((c) => c.includes('return a + b;')),
      `a code block with the answer's code: ${JSON.stringify(code)}`,
    );
  });

  it(`shows the chat's cost (${CHAT_COST}) in the status bar`, async () => {
    const entry = await waitForStatusBar(page, 'penny.cost', {
      accept: (e) => `${e.text} ${e.ariaLabel}`.includes(CHAT_COST),
      what: `to show ${CHAT_COST} in its text or aria-label`,
    });
    assert.ok(`${entry.text} ${entry.ariaLabel}`.includes(CHAT_COST));
  });
});
